package wasmsimd

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// BenchmarkMatvecK measures qk.wat's products at SmolLM2-135M's FFN
// shapes, the kernels (kernel=simd; the Go models again where they are not
// linked in) against the Go models in the same run; run it in Node against
// the SIMD build.
func BenchmarkMatvecK(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, shape := range [][2]int{{1536, 576}, {576, 1536}} {
		rows, cols := shape[0], shape[1]
		x := randFloats(rng, cols)
		for _, typ := range []tensor.Type{tensor.Q4_K, tensor.Q5_K, tensor.Q6_K, tensor.Q5_0} {
			w := make([]byte, rows*cols/typ.BlockSize()*typ.BlockBytes())
			if err := tensor.Quantize(typ, randFloats(rng, rows*cols), w); err != nil {
				b.Fatal(err)
			}
			for _, goModels := range []bool{false, true} {
				kernel := map[bool]string{false: "simd", true: "go"}[goModels]
				b.Run(fmt.Sprintf("%v/%dx%d/kernel=%s", typ, rows, cols, kernel), func(b *testing.B) {
					b.SetBytes(int64(len(w)))
					b.ReportAllocs()
					be := New()
					be.k.goModels = goModels
					wt := &model.Weight{Type: typ, Rows: rows, Cols: cols, Data: w}
					xa, da := be.NewAct(1, cols), be.NewAct(1, rows)
					copy(xa.Data, x)
					for b.Loop() {
						xa.Data[0] = -xa.Data[0] // a new input each time, quantized as in decoding
						be.MatMul(da, wt, xa, nil)
					}
				})
			}
		}
	}
}
