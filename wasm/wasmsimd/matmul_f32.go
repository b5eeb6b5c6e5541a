package wasmsimd

import (
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// transposeTokens writes x's rows as columns of xt (xt[c·stride+t]), with
// stride x.Rows rounded up to a multiple of four: the layout of
// f32mm.wat's matrix products. It returns xt, grown as needed, and stride.
func transposeTokens(xt []float32, x *model.Act) ([]float32, int) {
	stride := (x.Rows + 3) &^ 3
	if n := stride * x.Cols; len(xt) < n {
		xt = make([]float32, n)
	}
	for t := range x.Rows {
		for c, v := range row(x, t) {
			xt[c*stride+t] = v
		}
	}
	return xt, stride
}

// matMulF32 sets dst[t] = W · x[t] for a batch of tokens and F32 or F16
// weights, with the reference's bits (the per-token kernels' bits too).
func (b *Backend) matMulF32(dst *model.Act, w *model.Weight, x *model.Act) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var stride int
	b.xt, stride = transposeTokens(b.xt, x)
	kernel := matmulF32
	if w.Type == tensor.F16 {
		kernel = matmulF16
	}
	dst.Rows = x.Rows
	kernel(w.Data, len(w.Data)/w.Rows, b.xt, dst.Data, w.Rows, w.Cols, x.Rows, stride)
}
