package wasmsimd

import (
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// q8Acts holds activations quantized for the Q8_0 and Q4_0 kernels: token
// t's values at xq[t·cols:], block b's scale and sum of values at
// xd[b·stride+t] and xs[b·stride+t], so that the matrix products read four
// tokens' scales with one load. A batch is padded to a multiple of four
// tokens (stride); the padding holds stale values whose products are not
// stored.
type q8Acts struct {
	xq     []int16
	xd     []float32
	xs     []int32
	stride int
}

func (a *q8Acts) quantize(x *model.Act) {
	blocks := x.Cols / 32
	a.stride = 1
	if x.Rows > 1 {
		a.stride = (x.Rows + 3) &^ 3
	}
	if n := a.stride * x.Cols; len(a.xq) < n {
		a.xq = make([]int16, n)
	}
	if n := a.stride * blocks; len(a.xd) < n {
		a.xd, a.xs = make([]float32, n), make([]int32, n)
	}
	for r := range x.Rows {
		quantizeQ8(row(x, r), a.xq[r*x.Cols:(r+1)*x.Cols], a.xd[r:], a.xs[r:], a.stride)
	}
}

// matMulQ8 sets dst[r] = W · x[r] for Q8_0 and Q4_0 weights: a
// matrix-vector product for one token, a matrix product for a batch (the
// same bits either way).
func (b *Backend) matMulQ8(dst *model.Act, w *model.Weight, x *model.Act) {
	b.mu.Lock()
	defer b.mu.Unlock()
	a := &b.q8
	a.quantize(x)
	rowBytes, blocks := len(w.Data)/w.Rows, w.Cols/32
	dst.Rows = x.Rows
	switch {
	case w.Type == tensor.Q8_0 && x.Rows == 1:
		matvecQ8_0(w.Data, rowBytes, a.xq, a.xd, dst.Data, w.Rows, blocks)
	case w.Type == tensor.Q8_0:
		matmulQ8_0(w.Data, rowBytes, a.xq, a.xd, dst.Data, w.Rows, blocks, x.Rows, a.stride)
	case x.Rows == 1:
		matvecQ4_0(w.Data, rowBytes, a.xq, a.xd, a.xs, dst.Data, w.Rows, blocks)
	default:
		matmulQ4_0(w.Data, rowBytes, a.xq, a.xd, a.xs, dst.Data, w.Rows, blocks, x.Rows, a.stride)
	}
}
