//go:build wasm && wispsimd

package wasmsimd

import "unsafe"

// SIMD tells whether the SIMD128 kernels are linked in (scripts/build-wasm
// merges wasm/simd128 into builds with the wispsimd tag).
const SIMD = true

//go:wasmimport wispsimd_f32 matvec
func simdMatvecF32(w unsafe.Pointer, stride int32, x, out unsafe.Pointer, rows, cols int32)

//go:wasmimport wispsimd_f32 weighted_sum
func simdWeightedSum(v unsafe.Pointer, stride int32, a, out unsafe.Pointer, n, dim int32)

//go:wasmimport wispsimd_f16 matvec
func simdMatvecF16(w unsafe.Pointer, stride int32, x, out unsafe.Pointer, rows, cols int32)

// The wrappers below trust their callers as the Go models do: slices long
// enough for rows and cols, and at least one row.

func matvecF32(w []byte, stride int, x, out []float32, rows, cols int) {
	simdMatvecF32(unsafe.Pointer(unsafe.SliceData(w)), int32(stride), unsafe.Pointer(unsafe.SliceData(x)), unsafe.Pointer(unsafe.SliceData(out)), int32(rows), int32(cols))
}

func matvecF16(w []byte, stride int, x, out []float32, rows, cols int) {
	simdMatvecF16(unsafe.Pointer(unsafe.SliceData(w)), int32(stride), unsafe.Pointer(unsafe.SliceData(x)), unsafe.Pointer(unsafe.SliceData(out)), int32(rows), int32(cols))
}

func weightedSum(v []float32, stride int, a, out []float32, n, dim int) {
	simdWeightedSum(unsafe.Pointer(unsafe.SliceData(v)), int32(4*stride), unsafe.Pointer(unsafe.SliceData(a)), unsafe.Pointer(unsafe.SliceData(out)), int32(n), int32(dim))
}
