// Package cpu is the reference backend: plain, single-threaded Go over host
// memory. Every faster backend is tested against it.
package cpu

import (
	"math"
	"unsafe"

	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// Reference implements model.Backend with the reference kernels.
type Reference struct{}

// kvCache stores keys and values as float32, layer-major:
// [layer][position][kvDim].
type kvCache struct {
	k, v      []float32
	positions int
	kvDim     int
	scores    []float32 // attention scratch, one per position
}

func (c *kvCache) Positions() int { return c.positions }

func (c *kvCache) at(buf []float32, layer, pos int) []float32 {
	off := (layer*c.positions + pos) * c.kvDim
	return buf[off : off+c.kvDim]
}

func (Reference) NewAct(rows, cols int) *model.Act {
	return &model.Act{Rows: rows, Cols: cols, Cap: rows, Data: make([]float32, rows*cols)}
}

func (Reference) NewKVCache(layers, positions, kvDim int) model.KVCache {
	n := layers * positions * kvDim
	return &kvCache{k: make([]float32, n), v: make([]float32, n), positions: positions, kvDim: kvDim, scores: make([]float32, positions)}
}

func (Reference) Upload(*model.Weight) error { return nil }

func row(a *model.Act, r int) []float32 { return a.Data[r*a.Cols : (r+1)*a.Cols] }

// F32 views little-endian float32 weight data without copying. GGUF aligns
// tensor data to at least 32 bytes, and every host we run on is little-endian.
func F32(b []byte) []float32 {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4)
}

func (Reference) Embed(dst *model.Act, table *model.Weight, tokens []int32) {
	dst.Rows = len(tokens)
	rowBytes := len(table.Data) / table.Rows
	for r, t := range tokens {
		tensor.Dequantize(table.Type, table.Data[int(t)*rowBytes:(int(t)+1)*rowBytes], row(dst, r))
	}
}

func (Reference) RMSNorm(dst, x *model.Act, weight *model.Weight, eps float32) {
	w := F32(weight.Data)
	dst.Rows = x.Rows
	for r := range x.Rows {
		xr, dr := row(x, r), row(dst, r)
		var ss float32
		for _, v := range xr {
			ss += v * v
		}
		ss /= float32(len(xr))
		scale := 1 / float32(math.Sqrt(float64(ss+eps)))
		for i, v := range xr {
			dr[i] = w[i] * (scale * v)
		}
	}
}

func (Reference) MatMul(dst *model.Act, w *model.Weight, x *model.Act, bias *model.Weight) {
	dst.Rows = x.Rows
	rowBytes := len(w.Data) / w.Rows
	var b []float32
	if bias != nil {
		b = F32(bias.Data)
	}
	for r := range x.Rows {
		xr, dr := row(x, r), row(dst, r)
		for i := range w.Rows {
			v := tensor.Dot(w.Type, w.Data[i*rowBytes:(i+1)*rowBytes], xr)
			if b != nil {
				v += b[i]
			}
			dr[i] = v
		}
	}
}

func (Reference) RoPE(x *model.Act, headDim int, pos int, rope *model.RoPE) {
	heads := x.Cols / headDim
	half := rope.Dims / 2
	for r := range x.Rows {
		p := float64(pos+r) * float64(rope.Scale)
		xr := row(x, r)
		for i := range half {
			freq := math.Pow(float64(rope.Base), -float64(2*i)/float64(rope.Dims))
			if rope.FreqFactors != nil {
				freq /= float64(rope.FreqFactors[i])
			}
			angle := p * freq
			cos, sin := float32(math.Cos(angle)), float32(math.Sin(angle))
			for h := range heads {
				head := xr[h*headDim : (h+1)*headDim]
				a, b := 2*i, 2*i+1
				if rope.NeoX {
					a, b = i, i+half
				}
				x0, x1 := head[a], head[b]
				head[a] = x0*cos - x1*sin
				head[b] = x0*sin + x1*cos
			}
		}
	}
}

func (Reference) StoreKV(cache model.KVCache, layer, pos int, k, v *model.Act) {
	c := cache.(*kvCache)
	for r := range k.Rows {
		copy(c.at(c.k, layer, pos+r), row(k, r))
		copy(c.at(c.v, layer, pos+r), row(v, r))
	}
}

func (Reference) Attention(out, q *model.Act, cache model.KVCache, layer, pos, heads, kvHeads, headDim int) {
	c := cache.(*kvCache)
	out.Rows = q.Rows
	group := heads / kvHeads
	scale := float32(1 / math.Sqrt(float64(headDim)))
	scores := c.scores
	for r := range q.Rows {
		last := pos + r // attend to positions 0..last
		for h := range heads {
			qh := row(q, r)[h*headDim : (h+1)*headDim]
			kvOff := (h / group) * headDim
			for t := 0; t <= last; t++ {
				kh := c.at(c.k, layer, t)[kvOff : kvOff+headDim]
				var s float32
				for i := range qh {
					s += qh[i] * kh[i]
				}
				scores[t] = s * scale
			}
			tensor.Softmax(scores[:last+1])
			oh := row(out, r)[h*headDim : (h+1)*headDim]
			clear(oh)
			for t := 0; t <= last; t++ {
				vh := c.at(c.v, layer, t)[kvOff : kvOff+headDim]
				a := scores[t]
				for i := range oh {
					oh[i] += a * vh[i]
				}
			}
		}
	}
}

func (Reference) SwiGLU(dst, gate, up *model.Act) {
	dst.Rows = gate.Rows
	n := gate.Rows * gate.Cols
	for i := range n {
		g := gate.Data[i]
		// The same operation order as llama2.c, so F32 models match it exactly.
		g *= 1 / (1 + float32(math.Exp(float64(-g))))
		dst.Data[i] = g * up.Data[i]
	}
}

func (Reference) Add(dst, x *model.Act) {
	n := x.Rows * x.Cols
	for i := range n {
		dst.Data[i] += x.Data[i]
	}
}

func (Reference) CopyRow(dst, x *model.Act, src int) {
	dst.Rows = 1
	copy(dst.Data[:x.Cols], row(x, src))
}

func (Reference) Read(dst []float32, x *model.Act, r int) { copy(dst, row(x, r)) }
