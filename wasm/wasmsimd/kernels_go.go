//go:build !(wasm && wispsimd)

package wasmsimd

// SIMD tells whether the SIMD128 kernels are linked in; without the
// wispsimd tag on wasm the Go models run instead.
const SIMD = false

var (
	matvecF32   = goMatvecF32
	matvecF16   = goMatvecF16
	weightedSum = goWeightedSum
)
