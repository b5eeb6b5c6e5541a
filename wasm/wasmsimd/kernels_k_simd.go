//go:build wasm && wispsimd

package wasmsimd

import "unsafe"

//go:wasmimport wispsimd_qk matvec_q4_k
func simdMatvecQ4_K(w unsafe.Pointer, rowBytes int32, xq, xd, xs, out unsafe.Pointer, rows, blocks int32)

//go:wasmimport wispsimd_qk matvec_q5_k
func simdMatvecQ5_K(w unsafe.Pointer, rowBytes int32, xq, xd, xs, out unsafe.Pointer, rows, blocks int32)

//go:wasmimport wispsimd_qk matvec_q6_k
func simdMatvecQ6_K(w unsafe.Pointer, rowBytes int32, xq, xd, out unsafe.Pointer, rows, blocks int32)

//go:wasmimport wispsimd_qk matvec_q5_0
func simdMatvecQ5_0(w unsafe.Pointer, rowBytes int32, xq, xd, out unsafe.Pointer, rows, blocks int32)

// The wrappers trust their callers as the Go models do: w holds rows rows
// of whole (super-)blocks, x one activation row of as many, and rows > 0.

func matvecQ4_K(w []byte, rowBytes int, x kRow, out []float32, rows int) {
	simdMatvecQ4_K(unsafe.Pointer(unsafe.SliceData(w)), int32(rowBytes), unsafe.Pointer(unsafe.SliceData(x.xq)), unsafe.Pointer(unsafe.SliceData(x.d)), unsafe.Pointer(unsafe.SliceData(x.xs)), unsafe.Pointer(unsafe.SliceData(out)), int32(rows), int32(len(x.d)))
}

func matvecQ5_K(w []byte, rowBytes int, x kRow, out []float32, rows int) {
	simdMatvecQ5_K(unsafe.Pointer(unsafe.SliceData(w)), int32(rowBytes), unsafe.Pointer(unsafe.SliceData(x.xq)), unsafe.Pointer(unsafe.SliceData(x.d)), unsafe.Pointer(unsafe.SliceData(x.xs)), unsafe.Pointer(unsafe.SliceData(out)), int32(rows), int32(len(x.d)))
}

func matvecQ6_K(w []byte, rowBytes int, x kRow, out []float32, rows int) {
	simdMatvecQ6_K(unsafe.Pointer(unsafe.SliceData(w)), int32(rowBytes), unsafe.Pointer(unsafe.SliceData(x.xq)), unsafe.Pointer(unsafe.SliceData(x.d)), unsafe.Pointer(unsafe.SliceData(out)), int32(rows), int32(len(x.d)))
}

func matvecQ5_0(w []byte, rowBytes int, x kRow, out []float32, rows int) {
	simdMatvecQ5_0(unsafe.Pointer(unsafe.SliceData(w)), int32(rowBytes), unsafe.Pointer(unsafe.SliceData(x.xq)), unsafe.Pointer(unsafe.SliceData(x.d)), unsafe.Pointer(unsafe.SliceData(out)), int32(rows), int32(len(x.d)))
}
