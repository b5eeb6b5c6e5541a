//go:build wasm && wispsimd

package wasmsimd

import "unsafe"

//go:wasmimport wispsimd_f32mm matmul_f32
func simdMatmulF32(w unsafe.Pointer, stride int32, xt, out unsafe.Pointer, rows, cols, tokens, tstride int32)

//go:wasmimport wispsimd_f32mm matmul_f16
func simdMatmulF16(w unsafe.Pointer, stride int32, xt, out unsafe.Pointer, rows, cols, tokens, tstride int32)

// matmulF32 and matmulF16 trust their callers as the Go models do: at least
// one row and one token, xt padded to tstride tokens (a multiple of four).

func matmulF32(w []byte, stride int, xt, out []float32, rows, cols, tokens, tstride int) {
	simdMatmulF32(ptr(w), int32(stride), ptr(xt), ptr(out), int32(rows), int32(cols), int32(tokens), int32(tstride))
}

func matmulF16(w []byte, stride int, xt, out []float32, rows, cols, tokens, tstride int) {
	simdMatmulF16(ptr(w), int32(stride), ptr(xt), ptr(out), int32(rows), int32(cols), int32(tokens), int32(tstride))
}
