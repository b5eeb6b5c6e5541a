package cpu

import (
	"github.com/wisp-llm/wisp/wasm/cpu/simd"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// x16Weight is a Q4_0 or Q8_0 weight repacked sixteen rows at a time for
// the x16 kernels (simd.RepackQ4_0x16, simd.RepackQ8_0x16), kept in the
// weight's Device.
type x16Weight struct{ data []byte }

// repackable reports whether Upload repacks w: Q4_0 or Q8_0 in whole
// groups of sixteen rows, on a CPU with the x16 kernels, and not already
// given to another backend.
func repackable(w *model.Weight) bool {
	return simd.X16() && (w.Type == tensor.Q4_0 || w.Type == tensor.Q8_0) && w.Rows%16 == 0 && w.Device == nil
}

// repack sets w.Device to w's x16 layout: in place when w.Owned (the
// loader's private copy; w.Data is then dropped, since it no longer holds
// the file's layout), else in a copy.
func repack(w *model.Weight) {
	rowBytes := len(w.Data) / w.Rows
	repackRows := simd.RepackQ4_0x16
	if w.Type == tensor.Q8_0 {
		repackRows = simd.RepackQ8_0x16
	}
	if !w.Owned {
		x16 := make([]byte, len(w.Data))
		repackRows(x16, w.Data, w.Rows, w.Cols)
		w.Device = &x16Weight{x16}
		return
	}
	group := make([]byte, 16*rowBytes)
	for g := 0; g < len(w.Data); g += len(group) {
		copy(group, w.Data[g:])
		repackRows(w.Data[g:g+len(group)], group, 16, w.Cols)
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
	dequantizeRow := simd.DequantizeRowQ4_0x16
	if table.Type == tensor.Q8_0 {
		dequantizeRow = simd.DequantizeRowQ8_0x16
	}
	for r, t := range tokens {
		dequantizeRow(row(dst, r), x16, int(t), table.Cols)
	}
}
