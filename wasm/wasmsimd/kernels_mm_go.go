//go:build !(wasm && wispsimd)

package wasmsimd

var (
	matmulF32 = goMatmulF32
	matmulF16 = goMatmulF16
)
