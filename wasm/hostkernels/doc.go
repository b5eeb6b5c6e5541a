// Package hostkernels is the guest side of the wazero host's native
// kernels. runtime-host.wasm (wasm/cmd/runtime built for wasip1 with the
// wisphost tag) imports the matrix product from the host module
// "wisp_host", so a single-threaded guest multiplies its weights on all of
// the host's cores with the host's native SIMD kernels. Everything else
// runs in the guest, on the backend Backend wraps.
//
// A wasm module cannot import a function only when the host has it, so the
// imports live in their own artifact: runtime.wasm stays runnable in
// browsers and any WASI host, and host/wazero picks runtime-host.wasm when
// asked for host kernels.
//
// The host treats every pointer and length as untrusted, checks them
// against the guest's memory, and answers an abi.Code; the guest computes a
// refused product itself and reports the refusal through Err, which makes
// the engine move the model to its CPU fallback.
package hostkernels

// Module is the import module of the host kernels (and of wisp_host.emit).
const Module = "wisp_host"

// MatMulName is the import
//
//	matmul(type, w, w_len, rows, cols, x, x_rows, dst: i32) → i32
//
// dst[r][i] = Σ_c W[i][c]·x[r][c] for r < x_rows and i < rows, where W is
// rows × cols elements of the tensor.Type type (ggml's type id) in its block
// layout, w_len bytes at guest address w; x is x_rows × cols float32 at x
// and dst x_rows × rows float32 at dst. It answers 0, or an abi.Code when
// the host refuses the arguments (nothing is written then). Activations are
// rounded as the native fast backend rounds them (cpu.Fast).
const MatMulName = "matmul"
