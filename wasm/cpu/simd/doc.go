// Package simd holds the fast CPU kernels of Wisp's native backend: dot
// products of block-quantized weights with activations quantized to 8-bit
// blocks (llama.cpp's Q8_0 and Q8_K schemes), F16 and F32 dot products, and
// the small float32 loops of a forward pass.
//
// Every kernel has a portable Go version (the only one on wasm and on builds
// without GOEXPERIMENT=simd) and, on amd64 built with GOEXPERIMENT=simd, a
// simd/archsimd version (AVX2 and FMA; AVX-512 only for narrowing stores)
// chosen at start-up from the CPU's features. On CPUs with AVX-512 VNNI,
// which Go 1.26's archsimd cannot use, the matrix kernels (MatVec*,
// MatMul*) are Go assembly (vnni*_amd64.s) that give bit for bit the
// archsimd kernels' results. One exception: Q4_0, Q8_0, Q4_K and Q6_K
// weights that the backend repacks sixteen rows at a time (x16.go) run
// kernels with one row per vector lane, in their own order of float
// operations, which a Go model gives bit for bit. The quantizers agree bit for bit, and the integer parts
// of the quantized dot products are exact in both, so the dot products
// differ only in the order of float32 additions. The vector SwiGLU and
// Softmax use a float32 polynomial exponential within an ulp or two of
// math.Exp.
//
// Like the reference kernels in package tensor, these trust their callers:
// slices have the sizes the weight type implies (checked once when a model
// is loaded), and nothing here allocates.
package simd
