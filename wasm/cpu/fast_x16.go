package cpu

import (
	"github.com/wisp-llm/wisp/wasm/cpu/simd"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// x16Weight is a Q4_0, Q8_0, Q4_K or Q6_K weight repacked sixteen rows at a time
// for the x16 kernels (simd.RepackQ4_0x16 and its kin), kept in the
// weight's Device.
type x16Weight struct{ data []byte }

// repackable reports whether Upload repacks w: Q4_0, Q8_0, Q4_K or Q6_K in whole
// groups of sixteen rows, on a CPU with the x16 kernels, and not already
// given to another backend.
func repackable(w *model.Weight) bool {
	switch w.Type {
	case tensor.Q4_0, tensor.Q8_0, tensor.Q4_K, tensor.Q6_K:
		return simd.X16() && w.Rows%16 == 0 && w.Device == nil
	}
	return false
}

// x16Functions are a repackable type's repacking and row reading.
func x16Functions(t tensor.Type) (repack func(dst, src []byte, rows, cols int), readRow func(dst []float32, w []byte, r, cols int)) {
	switch t {
	case tensor.Q8_0:
		return simd.RepackQ8_0x16, simd.DequantizeRowQ8_0x16
	case tensor.Q4_K:
		return simd.RepackQ4_Kx16, simd.DequantizeRowQ4_Kx16
	case tensor.Q6_K:
		return simd.RepackQ6_Kx16, simd.DequantizeRowQ6_Kx16
	}
	return simd.RepackQ4_0x16, simd.DequantizeRowQ4_0x16
}

// repack sets w.Device to w's x16 layout: in place when w.Owned (the
// loader's private copy; w.Data is then dropped, since it no longer holds
// the file's layout), else in a copy.
func repack(w *model.Weight) {
	rowBytes := len(w.Data) / w.Rows
	repackRows, _ := x16Functions(w.Type)
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
	_, dequantizeRow := x16Functions(table.Type)
	for r, t := range tokens {
		dequantizeRow(row(dst, r), x16, int(t), table.Cols)
	}
}
