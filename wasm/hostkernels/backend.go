//go:build wasip1

package hostkernels

import (
	"fmt"
	"unsafe"

	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

//go:wasmimport wisp_host matmul
func hostMatMul(typ uint32, w unsafe.Pointer, wLen, rows, cols uint32, x unsafe.Pointer, xRows uint32, dst unsafe.Pointer) uint32

// Backend is the guest's backend with its matrix products done by the
// host. Operations it does not override are the wrapped backend's.
type Backend struct {
	model.Backend
	err error // the first refusal; the engine falls back once it is set
}

// New wraps the guest's own backend.
func New(guest model.Backend) *Backend { return &Backend{Backend: guest} }

// Err reports the first product the host refused.
func (b *Backend) Err() error { return b.err }

// offloaded are the weight types the host's kernels speed up; the host
// accepts every type it can dequantize, but the rest are rare and not
// worth the call.
func offloaded(t tensor.Type) bool {
	switch t {
	case tensor.F32, tensor.F16, tensor.Q8_0, tensor.Q4_0, tensor.Q5_0, tensor.Q4_K, tensor.Q5_K, tensor.Q6_K:
		return true
	}
	return false
}

// MatMul: dst[r] = W · x[r] (+ bias), on the host.
func (b *Backend) MatMul(dst *model.Act, w *model.Weight, x *model.Act, bias *model.Weight) {
	if b.err != nil || !offloaded(w.Type) || w.Rows == 0 || x.Rows == 0 || x.Cols != w.Cols || dst.Cols != w.Rows || len(w.Data) == 0 {
		b.Backend.MatMul(dst, w, x, bias)
		return
	}
	code := hostMatMul(uint32(w.Type), unsafe.Pointer(unsafe.SliceData(w.Data)), uint32(len(w.Data)), uint32(w.Rows), uint32(w.Cols),
		unsafe.Pointer(unsafe.SliceData(x.Data)), uint32(x.Rows), unsafe.Pointer(unsafe.SliceData(dst.Data)))
	if code != 0 {
		// This pass still needs its product: compute it here, and let the
		// engine move to its fallback after the pass.
		b.err = fmt.Errorf("hostkernels: the host refused the %v product with %s (code %d)", w.Type, w.Name, code)
		b.Backend.MatMul(dst, w, x, bias)
		return
	}
	dst.Rows = x.Rows
	if bias != nil {
		bv := cpu.F32(bias.Data)
		for r := range dst.Rows {
			d := dst.Data[r*dst.Cols : (r+1)*dst.Cols]
			for i := range d {
				d[i] += bv[i]
			}
		}
	}
}
