// Package wasmsimd is the backend of runtime.wasm: cpu.Reference with its
// matrix products and attention replaced by the SIMD128 kernels of
// wasm/simd128 (built with the wispsimd tag, merged in by
// scripts/build-wasm), or by their Go models elsewhere.
//
// F32 and F16 products and attention give the reference's bits: their lanes
// are independent outputs, each summed in element order. Q8_0 and Q4_0
// weights multiply activations quantized to 8 bits per block of 32, as
// llama.cpp does, trading the reference's last bits for integer dot
// products. Q4_K, Q5_K and Q6_K weights (with activations quantized per
// super-block of 256, Q8_K) and Q5_0 weights give cpu.Fast's results bit
// for bit.
//
// A batch of tokens (a prefill) meets F32, F16, Q8_0 and Q4_0 weights as a
// matrix product, several rows by four tokens per pass, which gives each
// token the bits its own matrix-vector product would.
package wasmsimd

import (
	"math"
	"sync"

	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// Backend implements model.Backend. Operations it does not override are
// cpu.Reference's.
type Backend struct {
	cpu.Reference

	// mu guards the scratch for quantized activations, which sessions of
	// one model share.
	mu sync.Mutex
	q8 q8Acts
	xt []float32 // tokens transposed for the F32 and F16 matrix products
	k  kMatMul   // quantized activations for the K-quant and Q5_0 products
}

// New returns a backend.
func New() *Backend { return &Backend{} }

func row(a *model.Act, r int) []float32 { return a.Data[r*a.Cols : (r+1)*a.Cols] }

// MatMul: dst[r] = W · x[r] (+ bias).
func (b *Backend) MatMul(dst *model.Act, w *model.Weight, x *model.Act, bias *model.Weight) {
	if w.Rows == 0 || x.Rows == 0 {
		dst.Rows = x.Rows
		return
	}
	rowBytes := len(w.Data) / w.Rows
	switch w.Type {
	case tensor.F32, tensor.F16:
		kernel := matvecF32
		if w.Type == tensor.F16 {
			kernel = matvecF16
		}
		if x.Rows > 1 {
			b.matMulF32(dst, w, x)
			break
		}
		dst.Rows = 1
		kernel(w.Data, rowBytes, row(x, 0), row(dst, 0), w.Rows, w.Cols)
	case tensor.Q8_0, tensor.Q4_0:
		b.matMulQ8(dst, w, x)
	case tensor.Q4_K, tensor.Q5_K, tensor.Q6_K, tensor.Q5_0:
		b.matMulK(dst, w, x)
	default:
		b.Reference.MatMul(dst, w, x, bias)
		return
	}
	if bias != nil {
		bv := cpu.F32(bias.Data)
		for r := range dst.Rows {
			d := row(dst, r)
			for i := range d {
				d[i] += bv[i]
			}
		}
	}
}

// kvCache holds keys and values as float32, [layer][position][kvDim], as
// the reference does.
type kvCache struct {
	k, v      []float32
	positions int
	kvDim     int
	scores    []float32
}

func (c *kvCache) Positions() int { return c.positions }

func (c *kvCache) layer(buf []float32, layer int) []float32 {
	n := c.positions * c.kvDim
	return buf[layer*n : (layer+1)*n]
}

func (b *Backend) NewKVCache(layers, positions, kvDim int) model.KVCache {
	n := layers * positions * kvDim
	return &kvCache{k: make([]float32, n), v: make([]float32, n), positions: positions, kvDim: kvDim, scores: make([]float32, positions)}
}

func (b *Backend) StoreKV(cache model.KVCache, layer, pos int, k, v *model.Act) {
	c := cache.(*kvCache)
	lk, lv := c.layer(c.k, layer), c.layer(c.v, layer)
	for r := range k.Rows {
		copy(lk[(pos+r)*c.kvDim:], row(k, r))
		copy(lv[(pos+r)*c.kvDim:], row(v, r))
	}
}

// Attention is the reference's, with the scores as a strided F32 matvec
// over the cached keys and the output as a weighted sum of the values.
func (b *Backend) Attention(out, q *model.Act, cache model.KVCache, layer, pos, heads, kvHeads, headDim int) {
	c := cache.(*kvCache)
	out.Rows = q.Rows
	group := heads / kvHeads
	scale := float32(1 / math.Sqrt(float64(headDim)))
	keys, values := c.layer(c.k, layer), c.layer(c.v, layer)
	scoreBytes := f32Bytes(keys)
	for r := range q.Rows {
		n := pos + r + 1 // positions 0..pos+r
		scores := c.scores[:n]
		for h := range heads {
			qh := row(q, r)[h*headDim : (h+1)*headDim]
			kvOff := (h / group) * headDim
			matvecF32(scoreBytes[4*kvOff:], 4*c.kvDim, qh, scores, n, headDim)
			for t := range scores {
				scores[t] *= scale
			}
			softmax(scores)
			weightedSum(values[kvOff:], c.kvDim, scores, row(out, r)[h*headDim:(h+1)*headDim], n, headDim)
		}
	}
}
