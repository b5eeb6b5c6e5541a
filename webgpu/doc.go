// Package webgpu is Wisp's WebGPU backend: WGSL compute shaders for every
// operation of a forward pass and a model.Backend whose activations, weights
// and KV cache live in GPU buffers.
//
// The shaders are .wgsl files under wgsl/, embedded in the binary. A
// pipeline is identified by a pipelineKey (operation, weight type,
// reduction variant); its WGSL is the operation's file joined with the
// helper files it needs (the weight type's dequantize function, the
// reduction functions) — whole files, never templated text.
//
// The GPU itself is driven through syscall/js, so the backend exists only in
// the js/wasm build (browsers, and Node with the npm "webgpu" package). The
// planning it relies on — pipeline keys and sources, splitting large tensors
// into buffers the device can bind, parameter packing, RoPE tables — is
// plain Go, built and tested on every platform.
//
// Operations are recorded, not executed: a forward pass encodes one compute
// pass after another into a single command encoder, and only a read of
// results (Read, ArgMax, TopK) submits the work and waits for the GPU.
package webgpu
