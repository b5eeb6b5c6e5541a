package wasmsimd

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// BenchmarkMatvec measures the kernels at SmolLM2-135M's FFN shape; run it
// in Node against the SIMD build to see the kernels' streaming speed.
func BenchmarkMatvec(b *testing.B) {
	const rows, cols = 1536, 576
	rng := rand.New(rand.NewPCG(1, 1))
	x := randFloats(rng, cols)
	for _, typ := range []tensor.Type{tensor.F32, tensor.F16, tensor.Q8_0, tensor.Q4_0} {
		rowBytes := cols / typ.BlockSize() * typ.BlockBytes()
		w := make([]byte, rows*rowBytes)
		if err := tensor.Quantize(typ, randFloats(rng, rows*cols), w); err != nil {
			b.Fatal(err)
		}
		b.Run(typ.String(), func(b *testing.B) {
			b.SetBytes(int64(len(w)))
			b.ReportAllocs()
			be := New()
			wt := &model.Weight{Type: typ, Rows: rows, Cols: cols, Data: w}
			xa, da := be.NewAct(1, cols), be.NewAct(1, rows)
			copy(xa.Data, x)
			for b.Loop() {
				be.MatMul(da, wt, xa, nil)
			}
		})
	}
}

// BenchmarkPrefill compares a batch of 64 tokens multiplied as one matrix
// product with the same tokens multiplied one at a time, at SmolLM2-135M's
// FFN shape; run it in Node against the SIMD build.
func BenchmarkPrefill(b *testing.B) {
	const rows, cols, tokens = 1536, 576, 64
	rng := rand.New(rand.NewPCG(2, 2))
	x := randFloats(rng, tokens*cols)
	for _, typ := range []tensor.Type{tensor.F32, tensor.F16, tensor.Q8_0, tensor.Q4_0} {
		w := make([]byte, rows*cols/typ.BlockSize()*typ.BlockBytes())
		if err := tensor.Quantize(typ, randFloats(rng, rows*cols), w); err != nil {
			b.Fatal(err)
		}
		wt := &model.Weight{Type: typ, Rows: rows, Cols: cols, Data: w}
		for _, batch := range []bool{true, false} {
			b.Run(fmt.Sprintf("%v/batch=%v", typ, batch), func(b *testing.B) {
				b.SetBytes(int64(len(w)) * tokens)
				b.ReportAllocs()
				be := New()
				xa, da := be.NewAct(tokens, cols), be.NewAct(tokens, rows)
				copy(xa.Data, x)
				one, out := be.NewAct(1, cols), be.NewAct(1, rows)
				for b.Loop() {
					if batch {
						be.MatMul(da, wt, xa, nil)
						continue
					}
					for t := range tokens {
						copy(one.Data, row(xa, t))
						be.MatMul(out, wt, one, nil)
					}
				}
			})
		}
	}
}
