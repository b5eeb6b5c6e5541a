package wasmsimd

import (
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// kMatMul is the state of the products with qk.wat's kernels: the
// quantized activations, and whether to run the Go models even where the
// SIMD128 kernels are linked in (for tests that compare the two on whole
// models).
type kMatMul struct {
	acts     kActs
	goModels bool
}

// kMatvec is the signature of qk.wat's kernels and their Go models.
type kMatvec func(w []byte, rowBytes int, x kRow, out []float32, rows int)

// kernel returns the product for weights of type t and the block of the
// activations it takes.
func (k *kMatMul) kernel(t tensor.Type) (kMatvec, int) {
	simd, model, block := matvecQ4_K, goMatvecQ4_K, 256
	switch t {
	case tensor.Q5_K:
		simd, model = matvecQ5_K, goMatvecQ5_K
	case tensor.Q6_K:
		simd, model = matvecQ6_K, goMatvecQ6_K
	case tensor.Q5_0:
		simd, model, block = matvecQ5_0, goMatvecQ5_0, 32
	}
	if k.goModels {
		return model, block
	}
	return simd, block
}

// matMulK sets dst[r] = W · x[r] for Q4_K, Q5_K, Q6_K and Q5_0 weights,
// whose columns come in whole blocks (the loader checks it), with the
// activations quantized to Q8_K or Q8_0. A prefill multiplies its rows one
// at a time.
func (b *Backend) matMulK(dst *model.Act, w *model.Weight, x *model.Act) {
	b.mu.Lock()
	defer b.mu.Unlock()
	kernel, block := b.k.kernel(w.Type)
	b.k.acts.quantize(x, block)
	rowBytes := len(w.Data) / w.Rows
	dst.Rows = x.Rows
	for r := range x.Rows {
		kernel(w.Data, rowBytes, b.k.acts.row(r), row(dst, r), w.Rows)
	}
}
