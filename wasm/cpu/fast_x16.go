package cpu

import (
	"github.com/wisp-llm/wisp/wasm/cpu/simd"
	"github.com/wisp-llm/wisp/wasm/model"
)

// x16Weight is a weight repacked sixteen rows at a time for the x16
// kernels (simd.RepackX16), kept in the weight's Device.
type x16Weight struct{ data []byte }

// repackable reports whether Upload repacks w: a type with x16 kernels,
// in whole groups of sixteen rows, on a CPU that runs them, bytes that are
// w's own to rewrite (w.Owned), and not already given to another backend.
// Shared bytes (a mapped file, bytes handed in) keep the file's layout:
// repacking them would take a second copy of the model, and the time to
// make it, which is what a mapping is chosen to avoid.
func repackable(w *model.Weight) bool {
	return w.Owned && simd.X16() && simd.HasX16(w.Type) && w.Rows%16 == 0 && w.Device == nil
}

// repack rewrites w's bytes in the x16 layout, sixteen rows at a time, and
// moves them to w.Device; w.Data is dropped, since it no longer holds the
// file's layout.
func repack(w *model.Weight) {
	group := make([]byte, 16*(len(w.Data)/w.Rows))
	for g := 0; g < len(w.Data); g += len(group) {
		copy(group, w.Data[g:])
		simd.RepackX16(w.Type, w.Data[g:g+len(group)], group, 16, w.Cols)
	}
	w.Device, w.Data = &x16Weight{w.Data}, nil
}

// x16Of returns w's x16 layout, or nil.
func x16Of(w *model.Weight) []byte {
	if p, ok := w.Device.(*x16Weight); ok {
		return p.data
	}
	return nil
}

// embedX16 sets dst's rows to the table rows of tokens from the x16 layout.
func embedX16(dst *model.Act, table *model.Weight, x16 []byte, tokens []int32) {
	dst.Rows = len(tokens)
	for r, t := range tokens {
		simd.DequantizeRowX16(table.Type, row(dst, r), x16, int(t), table.Cols)
	}
}
