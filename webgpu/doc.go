// Package webgpu is Wisp's WebGPU backend: WGSL compute shaders for every
// operation of a forward pass and a model.Backend whose activations, weights
// and KV cache live in GPU buffers.
//
// # Shaders
//
// The shaders are .wgsl files under wgsl/, embedded in the binary. A
// pipeline is identified by a pipelineKey (operation, weight type, subgroup
// variant, f16 variant); its WGSL is the operation's file joined with the
// helper files it needs — the weight type's dequantize function
// (type_*.wgsl over weights.wgsl), the workgroup reductions
// (reduce_shared.wgsl or reduce_subgroup.wgsl) — whole files, never
// templated text. Workgroup sizes are override constants set when the
// pipeline is built. The f16 variants of the matrix products (decode and
// prefill) are used only when the adapter has shader-f16 and
// Options.ShaderF16 asks for them; Backend.Variants says which variants a
// device builds and, for the others, what it lacks. Weights are uploaded as the file's raw bytes and
// dequantized in the shaders (F32, F16, Q8_0, Q4_0, Q4_K, Q6_K), with f32
// accumulation; a matrix larger than the device's storage-binding limit is
// split into buffers of whole rows.
//
// # Use
//
// The GPU is driven through syscall/js, so Backend exists only in the
// js/wasm build (browsers, and Node with the npm "webgpu" package):
//
//	b, err := webgpu.Open(js.Global().Get("navigator").Get("gpu"), webgpu.Options{})
//	m, err := model.Load(file, b)      // uploads the weights
//	err = m.Forward(state, tokens, logits)
//	if err := b.Err(); err != nil { … } // the GPU failed: continue on the CPU
//
// Open, Upload and every read of results (Forward's logits, TopK, ArgMax)
// wait for JS promises, so they must run on a goroutine other than the one
// running a JS callback (syscall/js forbids blocking there): a host
// exporting functions to JS starts a goroutine per request and resolves a
// promise from it.
//
// model.Backend's operations return no errors, so the backend keeps the
// first failure — a shader that fails to compile, a buffer the device
// cannot allocate, a command it rejects, a lost device (ErrDeviceLost) —
// and skips every later operation; Err reports it, and the caller moves the
// session to another backend (the CPU one, replaying the conversation's
// tokens).
//
// # Recording
//
// Operations are recorded, not executed: a forward pass encodes one compute
// pass (copies between activations and into the KV cache are dispatches of
// a copy kernel, so the pass never ends early) into one command encoder,
// with the small per-dispatch inputs (uniforms, token ids, RoPE tables)
// staged in one arena buffer (grown after a token that overflowed it), and
// only a read of results submits the work and waits for the GPU: one
// submission per token. The backend is a model.TopKReader: a decoder that
// samples from the top candidates (the engine, for greedy and top-k
// sampling) reads back k (index, value) pairs instead of the logits row.
//
// Pipelines, bind groups and the JS values the per-token path needs are
// made once, so after the first token a decode step allocates on the Go
// heap only the handles syscall/js keeps for the JS objects a step must
// create (command encoder, pass, command buffer, the read's promises and
// mapped range): about 15, whatever the model's depth.
//
// The planning the backend relies on — pipeline keys and sources,
// splitting tensors into bindable buffers, parameter packing, RoPE tables —
// is plain Go, built and tested on every platform. The kernels themselves
// are checked against the reference backend by cmd/kernelcheck, run on
// software GPUs by scripts/webgpu/test.sh.
package webgpu
