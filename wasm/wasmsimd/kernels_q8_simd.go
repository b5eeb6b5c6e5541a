//go:build wasm && wispsimd

package wasmsimd

import "unsafe"

//go:wasmimport wispsimd_q8 quantize_q8
func simdQuantizeQ8(x, xq, xd, xs unsafe.Pointer, blocks, sstride int32)

//go:wasmimport wispsimd_q8 matvec_q8_0
func simdMatvecQ8_0(w unsafe.Pointer, rowBytes int32, xq, xd, out unsafe.Pointer, rows, blocks int32)

//go:wasmimport wispsimd_q8 matvec_q4_0
func simdMatvecQ4_0(w unsafe.Pointer, rowBytes int32, xq, xd, xs, out unsafe.Pointer, rows, blocks int32)

//go:wasmimport wispsimd_q8mm matmul_q8_0
func simdMatmulQ8_0(w unsafe.Pointer, rowBytes int32, xq, xd, out unsafe.Pointer, rows, blocks, tokens, tstride int32)

//go:wasmimport wispsimd_q8mm matmul_q4_0
func simdMatmulQ4_0(w unsafe.Pointer, rowBytes int32, xq, xd, xs, out unsafe.Pointer, rows, blocks, tokens, tstride int32)

// The wrappers trust their callers as the Go models do: slices long enough
// for the shapes given, at least one row, and for the matrix products
// activations padded to tstride tokens, a multiple of four.

func ptr[T any](s []T) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(s)) }

func quantizeQ8(x []float32, xq []int16, xd []float32, xs []int32, sstride int) {
	simdQuantizeQ8(ptr(x), ptr(xq), ptr(xd), ptr(xs), int32(len(x)/32), int32(sstride))
}

func matvecQ8_0(w []byte, rowBytes int, xq []int16, xd, out []float32, rows, blocks int) {
	simdMatvecQ8_0(ptr(w), int32(rowBytes), ptr(xq), ptr(xd), ptr(out), int32(rows), int32(blocks))
}

func matvecQ4_0(w []byte, rowBytes int, xq []int16, xd []float32, xs []int32, out []float32, rows, blocks int) {
	simdMatvecQ4_0(ptr(w), int32(rowBytes), ptr(xq), ptr(xd), ptr(xs), ptr(out), int32(rows), int32(blocks))
}

func matmulQ8_0(w []byte, rowBytes int, xq []int16, xd, out []float32, rows, blocks, tokens, tstride int) {
	simdMatmulQ8_0(ptr(w), int32(rowBytes), ptr(xq), ptr(xd), ptr(out), int32(rows), int32(blocks), int32(tokens), int32(tstride))
}

func matmulQ4_0(w []byte, rowBytes int, xq []int16, xd []float32, xs []int32, out []float32, rows, blocks, tokens, tstride int) {
	simdMatmulQ4_0(ptr(w), int32(rowBytes), ptr(xq), ptr(xd), ptr(xs), ptr(out), int32(rows), int32(blocks), int32(tokens), int32(tstride))
}
