package cpu

import (
	"math"

	"github.com/wisp-llm/wisp/wasm/model"
)

// ropeTable caches the rotation angles of the last positions seen. Every
// layer rotates q and k at the same positions, so a forward pass computes
// its cosines and sines once rather than twice per layer; they are computed
// exactly as the reference computes them, so the results are identical.
type ropeTable struct {
	pos, rows int
	params    model.RoPE
	freqs     *float32  // identity of params.FreqFactors
	cos, sin  []float32 // [row][pair]
}

func (t *ropeTable) valid(pos, rows int, rope *model.RoPE) bool {
	var freqs *float32
	if len(rope.FreqFactors) > 0 {
		freqs = &rope.FreqFactors[0]
	}
	p := &t.params
	return t.cos != nil && t.pos == pos && t.rows >= rows && p.Dims == rope.Dims && p.Base == rope.Base &&
		p.Scale == rope.Scale && p.NeoX == rope.NeoX && len(p.FreqFactors) == len(rope.FreqFactors) && t.freqs == freqs
}

func (t *ropeTable) fill(pos, rows int, rope *model.RoPE) {
	half := rope.Dims / 2
	t.pos, t.rows, t.params = pos, rows, *rope
	t.freqs = nil
	if len(rope.FreqFactors) > 0 {
		t.freqs = &rope.FreqFactors[0]
	}
	t.cos = grow(t.cos, rows*half)
	t.sin = grow(t.sin, rows*half)
	for r := range rows {
		p := float64(pos+r) * float64(rope.Scale)
		for i := range half {
			freq := math.Pow(float64(rope.Base), -float64(2*i)/float64(rope.Dims))
			if rope.FreqFactors != nil {
				freq /= float64(rope.FreqFactors[i])
			}
			angle := p * freq
			t.cos[r*half+i] = float32(math.Cos(angle))
			t.sin[r*half+i] = float32(math.Sin(angle))
		}
	}
}

func (t *ropeTable) apply(x *model.Act, headDim, pos int, rope *model.RoPE) {
	if !t.valid(pos, x.Rows, rope) {
		t.fill(pos, x.Rows, rope)
	}
	half := rope.Dims / 2
	heads := x.Cols / headDim
	for r := range x.Rows {
		xr := row(x, r)
		cos, sin := t.cos[r*half:(r+1)*half], t.sin[r*half:(r+1)*half]
		for h := range heads {
			head := xr[h*headDim : (h+1)*headDim]
			for i := range half {
				a, b := 2*i, 2*i+1
				if rope.NeoX {
					a, b = i, i+half
				}
				x0, x1 := head[a], head[b]
				head[a] = x0*cos[i] - x1*sin[i]
				head[b] = x0*sin[i] + x1*cos[i]
			}
		}
	}
}
