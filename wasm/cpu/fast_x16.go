package cpu

import (
	"github.com/wisp-llm/wisp/wasm/cpu/simd"
	"github.com/wisp-llm/wisp/wasm/model"
)

// x16Weight is a weight repacked sixteen rows at a time for the x16
// kernels (simd.RepackX16), kept in the weight's Device.
type x16Weight struct{ data []byte }

// repackable reports whether Upload repacks w: a type with x16 kernels,
// in whole groups of sixteen rows, on a CPU that runs them, and not already
// given to another backend.
func repackable(w *model.Weight) bool {
	return simd.X16() && simd.HasX16(w.Type) && w.Rows%16 == 0 && w.Device == nil
}

// repack sets w.Device to w's x16 layout: in place when w.Owned (the
// loader's private copy; w.Data is then dropped, since it no longer holds
// the file's layout), else in a copy.
func repack(w *model.Weight) {
	if !w.Owned {
		x16 := make([]byte, len(w.Data))
		simd.RepackX16(w.Type, x16, w.Data, w.Rows, w.Cols)
		w.Device = &x16Weight{x16}
		return
	}
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
