//go:build !(wasm && wispsimd)

package wasmsimd

var (
	matvecQ4_K = goMatvecQ4_K
	matvecQ5_K = goMatvecQ5_K
	matvecQ6_K = goMatvecQ6_K
	matvecQ5_0 = goMatvecQ5_0
)
