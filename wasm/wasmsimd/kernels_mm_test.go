package wasmsimd

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// TestMatmulFloatMatchesReference: the F32 and F16 matrix products give
// every token the reference's bits, through the kernels, their models and
// the backend's batch path, for row, column and token counts around the
// four-by-four tiles.
func TestMatmulFloatMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	for _, typ := range []tensor.Type{tensor.F32, tensor.F16} {
		for _, s := range [][3]int{{1, 4, 2}, {3, 8, 3}, {5, 12, 5}, {7, 7, 4}, {9, 172, 9}, {16, 3, 6}, {4, 64, 1}} {
			rows, cols, tokens := s[0], s[1], s[2]
			t.Run(fmt.Sprintf("%v/%dx%dx%d", typ, rows, cols, tokens), func(t *testing.T) {
				var w []byte
				if typ == tensor.F32 {
					w = f32Bytes(randFloats(rng, rows*cols))
				} else {
					w = randHalves(rng, rows*cols)
				}
				stride := len(w) / rows
				x := &model.Act{Rows: tokens, Cols: cols, Cap: tokens, Data: randFloats(rng, tokens*cols)}
				want := make([]float32, tokens*rows)
				for tok := range tokens {
					tensor.MatVec(typ, w, rows, cols, row(x, tok), want[tok*rows:(tok+1)*rows])
				}
				xt, tstride := transposeTokens(nil, x)
				kernel, goModel := matmulF32, goMatmulF32
				if typ == tensor.F16 {
					kernel, goModel = matmulF16, goMatmulF16
				}
				got := make([]float32, tokens*rows)
				kernel(w, stride, xt, got, rows, cols, tokens, tstride)
				sameBits(t, "kernel", got, want)
				goModel(w, stride, xt, got, rows, cols, tokens, tstride)
				sameBits(t, "model", got, want)

				b := New()
				batch := b.NewAct(tokens, rows)
				b.MatMul(batch, &model.Weight{Type: typ, Rows: rows, Cols: cols, Data: w}, x, nil)
				sameBits(t, "backend", batch.Data[:tokens*rows], want)
			})
		}
	}
}
