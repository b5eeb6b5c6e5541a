//go:build !(wasm && wispsimd)

package wasmsimd

var (
	quantizeQ8 = goQuantizeQ8
	matvecQ8_0 = goMatvecQ8_0
	matvecQ4_0 = goMatvecQ4_0
	matmulQ8_0 = goMatmulQ8_0
	matmulQ4_0 = goMatmulQ4_0
)
