//go:build js && wasm

package webgpu

import (
	"errors"
	"fmt"
	"syscall/js"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

// WebGPU buffer usage flags (GPUBufferUsage).
const (
	usageMapRead  = 0x0001
	usageCopySrc  = 0x0004
	usageCopyDst  = 0x0008
	usageUniform  = 0x0040
	usageStorage  = 0x0080
	mapModeRead   = 0x0001
	arenaMinBytes = 64 << 10
)

// await blocks the calling goroutine until the promise p settles. It must
// not run on the goroutine of a JS callback (syscall/js forbids blocking
// there): the js/wasm host calls into the backend from a goroutine of its
// own.
func await(p js.Value) (js.Value, error) {
	done := make(chan settled, 1)
	onValue := js.FuncOf(func(_ js.Value, args []js.Value) any {
		v := js.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		done <- settled{v: v}
		return nil
	})
	onError := js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "promise rejected"
		if len(args) > 0 {
			msg = jsErrorText(args[0])
		}
		done <- settled{err: errors.New(msg)}
		return nil
	})
	defer onValue.Release()
	defer onError.Release()
	p.Call("then", onValue, onError)
	s := <-done
	return s.v, s.err
}

// settled is a promise's outcome.
type settled struct {
	v   js.Value
	err error
}

// waiter waits for promises through two callbacks made once, where await
// makes (and frees) two per call: the wait at the end of every token then
// creates no Go functions. It serves one wait at a time (readBack takes
// turns). Its functions live as long as the
// program: a closed backend may still be asked to read, and must fail
// rather than call a released function.
type waiter struct {
	onValue, onError js.Func
	done             chan settled
}

func newWaiter() *waiter {
	w := &waiter{done: make(chan settled, 1)}
	w.onValue = js.FuncOf(func(_ js.Value, args []js.Value) any {
		v := js.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		w.done <- settled{v: v}
		return nil
	})
	w.onError = js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "promise rejected"
		if len(args) > 0 {
			msg = jsErrorText(args[0])
		}
		w.done <- settled{err: errors.New(msg)}
		return nil
	})
	return w
}

func (w *waiter) wait(p js.Value) (js.Value, error) {
	p.Call("then", w.onValue, w.onError)
	s := <-w.done
	return s.v, s.err
}

// jsErrorText renders a thrown or rejected JS value.
func jsErrorText(v js.Value) string {
	if v.Type() == js.TypeObject {
		if m := v.Get("message"); m.Type() == js.TypeString {
			return m.String()
		}
	}
	return v.String()
}

// catch turns a JS exception raised inside a syscall/js call (which
// syscall/js delivers as a panic of js.Error) into an error in *err.
func catch(err *error, what string) {
	r := recover()
	if r == nil {
		return
	}
	jsErr, ok := r.(js.Error)
	if !ok {
		panic(r)
	}
	*err = fmt.Errorf("webgpu: %s: %s", what, jsErrorText(jsErr.Value))
}

// buffer is one GPU buffer. The id names it in bind-group cache keys.
type buffer struct {
	id   int
	v    js.Value
	size int64
}

// newBuffer creates a buffer of at least size bytes, reporting validation
// failures and out-of-memory as errors. When data is not nil the buffer is
// created mapped and data is copied straight into its memory.
func (b *Backend) newBuffer(size int64, usage int, data []byte) (buf *buffer, err error) {
	defer catch(&err, "creating a buffer")
	size = paddedSize(size)
	b.dev.Call("pushErrorScope", "out-of-memory")
	b.dev.Call("pushErrorScope", "validation")
	v := b.dev.Call("createBuffer", map[string]any{
		"size":             size,
		"usage":            usage,
		"mappedAtCreation": data != nil,
	})
	if data != nil {
		mapped := js.Global().Get("Uint8Array").New(v.Call("getMappedRange"))
		js.CopyBytesToJS(mapped, data)
		v.Call("unmap")
	}
	// Both scopes are popped before waiting: another goroutine may push
	// its own scopes while this one waits.
	validationP, oomP := b.dev.Call("popErrorScope"), b.dev.Call("popErrorScope")
	validation, err1 := await(validationP)
	oom, err2 := await(oomP)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("webgpu: buffer of %d bytes: %w", size, err)
	}
	for _, e := range []js.Value{oom, validation} {
		if !e.IsNull() && !e.IsUndefined() {
			v.Call("destroy")
			return nil, fmt.Errorf("webgpu: buffer of %d bytes: %s", size, jsErrorText(e))
		}
	}
	b.nextID++
	return &buffer{id: b.nextID, v: v, size: size}, nil
}

// pipeline is a compiled compute pipeline and its bind-group layout.
type pipeline struct {
	id     int
	v      js.Value
	layout js.Value
}

// CompileMessage is one message of a shader's getCompilationInfo().
type CompileMessage struct {
	Kernel  string `json:"kernel"`
	Type    string `json:"type"` // "error", "warning" or "info"
	Message string `json:"message"`
	Line    int    `json:"line"`
}

// pipelineFor returns the cached pipeline of k, building it on first use.
// Its shader's compilation messages are kept for CompileMessages.
func (b *Backend) pipelineFor(k pipelineKey) (p *pipeline, err error) {
	if p := b.pipelines[k]; p != nil {
		return p, nil
	}
	defer catch(&err, "compiling "+k.String())
	src, err := k.source()
	if err != nil {
		return nil, err
	}
	b.dev.Call("pushErrorScope", "validation")
	module := b.dev.Call("createShaderModule", map[string]any{"code": src, "label": k.String()})
	info, err := await(module.Call("getCompilationInfo"))
	if err != nil {
		return nil, fmt.Errorf("webgpu: compiling %s: %w", k, err)
	}
	msgs := info.Get("messages")
	failed := false
	for i := range msgs.Length() {
		m := msgs.Index(i)
		cm := CompileMessage{Kernel: k.String(), Type: m.Get("type").String(), Message: m.Get("message").String(), Line: m.Get("lineNum").Int()}
		failed = failed || cm.Type == "error"
		b.messages = append(b.messages, cm)
	}
	consts := map[string]any{}
	for name, v := range k.constants(b.minSubgroup) {
		consts[name] = v
	}
	v := b.dev.Call("createComputePipeline", map[string]any{
		"label":   k.String(),
		"layout":  "auto",
		"compute": map[string]any{"module": module, "entryPoint": "main", "constants": consts},
	})
	scope, err := await(b.dev.Call("popErrorScope"))
	if err != nil {
		return nil, fmt.Errorf("webgpu: compiling %s: %w", k, err)
	}
	if !scope.IsNull() && !scope.IsUndefined() {
		return nil, fmt.Errorf("webgpu: compiling %s: %s", k, jsErrorText(scope))
	}
	if failed {
		return nil, fmt.Errorf("webgpu: compiling %s: shader has errors", k)
	}
	b.nextID++
	p = &pipeline{id: b.nextID, v: v, layout: v.Call("getBindGroupLayout", 0)}
	b.pipelines[k] = p
	return p, nil
}

// binding is a range of a buffer bound to one shader binding; size 0 binds
// the rest of the buffer. A binding with data instead of a buffer is staged
// in the arena by dispatch (uniforms, token ids, RoPE tables).
type binding struct {
	buf          *buffer
	offset, size int64
	data         []byte
}

func whole(buf *buffer) binding { return binding{buf: buf} }

// maxBindings is the most bindings any kernel declares, plus its uniforms.
const maxBindings = 6

// bindKey identifies a bind group: the same pipeline over the same buffer
// ranges. A token's forward pass repeats the same dispatches with the same
// arena offsets, so after the first token every bind group is a cache hit.
type bindKey struct {
	pipeline int
	ranges   [maxBindings]struct {
		id           int
		offset, size int64
	}
}

// bindGroup returns the (cached) bind group of p over bs, in binding order.
func (b *Backend) bindGroup(p *pipeline, bs []binding) js.Value {
	var key bindKey
	key.pipeline = p.id
	for i, x := range bs {
		key.ranges[i].id, key.ranges[i].offset, key.ranges[i].size = x.buf.id, x.offset, x.size
	}
	if g, ok := b.bindGroups[key]; ok {
		return g
	}
	entries := make([]any, len(bs))
	for i, x := range bs {
		res := map[string]any{"buffer": x.buf.v, "offset": x.offset}
		if x.size > 0 {
			res["size"] = x.size
		}
		entries[i] = map[string]any{"binding": i, "resource": res}
	}
	g := b.dev.Call("createBindGroup", map[string]any{"layout": p.layout, "entries": entries})
	if len(b.bindGroups) > 1<<14 { // a bound on forgotten buffers' groups
		clear(b.bindGroups)
	}
	b.bindGroups[key] = g
	return g
}

// arena stages the small per-dispatch data of one submission (uniform
// parameters, token ids, RoPE tables) in host memory; it is written to its
// GPU buffer with one writeBuffer just before the submission.
type arena struct {
	buf   *buffer
	host  []byte
	js    js.Value // Uint8Array the size of host, for the copy to JS
	used  int
	align int
	min   int // smallest size
	// Bytes staged since the last read-back, and whether they overflowed
	// the arena: then the next read-back grows it, so that a token's
	// forward pass becomes one submission from the next token on.
	staged     int
	overflowed bool
}

// maxArenaGrowth caps how far a read-back grows the arena: prefill batches
// without reads stage far more than a token.
const maxArenaGrowth = 1 << 20

// stage places the data of every binding that carries some (data != nil)
// in the arena, together, and points those bindings at it. A full arena
// first submits the recorded work; inputs larger than the arena grow it.
// Staging them together matters: a submission between two of them would
// leave the first in an arena that has been reused.
func (b *Backend) stage(bs []binding) error {
	a := &b.arena
	need := 0
	for _, x := range bs {
		if x.data != nil {
			need = alignUp(need, a.align) + len(x.data)
		}
	}
	a.staged = alignUp(a.staged, a.align) + need
	if alignUp(a.used, a.align)+need > len(a.host) {
		a.overflowed = true
		if err := b.submit(); err != nil {
			return err
		}
		if need > len(a.host) {
			if err := b.growArena(need); err != nil {
				return err
			}
		}
	}
	for i := range bs {
		x := &bs[i]
		if x.data == nil {
			continue
		}
		off := alignUp(a.used, a.align)
		copy(a.host[off:], x.data)
		a.used = off + len(x.data)
		x.buf, x.offset, x.size = a.buf, int64(off), paddedSize(int64(len(x.data)))
	}
	return nil
}

// fitArena grows the arena after a read-back when what was staged since
// the previous one did not fit.
func (b *Backend) fitArena() error {
	a := &b.arena
	overflowed, staged := a.overflowed, a.staged
	a.overflowed, a.staged = false, 0
	if !overflowed || staged > maxArenaGrowth {
		return nil
	}
	return b.growArena(staged)
}

func (b *Backend) growArena(need int) error {
	size := max(b.arena.min, alignUp(need, 4096))
	if int64(size) > b.maxBinding {
		return fmt.Errorf("webgpu: %d bytes of kernel inputs exceed the binding limit %d", need, b.maxBinding)
	}
	buf, err := b.newBuffer(int64(size), usageUniform|usageStorage|usageCopyDst, nil)
	if err != nil {
		return err
	}
	if b.arena.buf != nil {
		b.arena.buf.v.Call("destroy") // submitted work that uses it still completes
		clear(b.bindGroups)
	}
	b.arena.buf = buf
	b.arena.host = make([]byte, size)
	b.arena.js = b.js.uint8Array.New(size)
	b.arena.used = 0
	return nil
}

// computePass returns the open compute pass, beginning one (and a command
// encoder) when needed.
func (b *Backend) computePass() js.Value {
	if b.encoder.IsUndefined() {
		b.encoder = b.dev.Call("createCommandEncoder")
	}
	if b.pass.IsUndefined() {
		b.pass = b.encoder.Call("beginComputePass")
	}
	return b.pass
}

// commands returns the command encoder with no pass open, for copies.
func (b *Backend) commands() js.Value {
	if !b.pass.IsUndefined() {
		b.pass.Call("end")
		b.pass = js.Undefined()
	}
	if b.encoder.IsUndefined() {
		b.encoder = b.dev.Call("createCommandEncoder")
	}
	return b.encoder
}

// dispatch records one kernel launch over bindings bs followed by its
// uniforms: staged inputs and uniforms go to the arena, then the pipeline,
// bind group and workgroup counts to the open compute pass.
func (b *Backend) dispatch(k pipelineKey, uniforms params, bs []binding, x, y, z int) error {
	p, err := b.pipelineFor(k)
	if err != nil {
		return err
	}
	// The bindings and uniforms are copied into the backend's scratch, so
	// that the callers' literals stay on their stacks.
	n := copy(b.binds[:maxBindings-1], bs)
	b.uniforms = uniforms
	b.binds[n] = binding{data: b.uniforms.bytes()}
	bs = b.binds[:n+1]
	if err := b.stage(bs); err != nil {
		return err
	}
	g := b.bindGroup(p, bs)
	pass := b.computePass()
	pass.Call("setPipeline", p.v)
	pass.Call("setBindGroup", 0, g)
	pass.Call("dispatchWorkgroups", x, y, z)
	return nil
}

// copyFloats records a copy of n f32 values between two buffers (offsets in
// bytes) as a dispatch of the copy kernel, which keeps the compute pass
// open: ending it for the encoder's copy would begin a new pass, and a JS
// object, several times per layer.
func (b *Backend) copyFloats(src *buffer, srcOff int64, dst *buffer, dstOff int64, n int) error {
	gx, gy := fold(ceilDiv(n, wgElems))
	var p params
	p.u32(n).u32(int(srcOff / 4)).u32(int(dstOff / 4)).u32(gx)
	return b.dispatch(b.kernel(opCopy, tensor.F32), p, []binding{whole(src), whole(dst)}, gx, gy, 1)
}

// copyBuffer records a buffer-to-buffer copy by the command encoder (for
// buffers the shaders cannot bind, such as the MAP_READ staging buffer).
func (b *Backend) copyBuffer(src *buffer, srcOff int64, dst *buffer, dstOff, n int64) {
	b.commands().Call("copyBufferToBuffer", src.v, srcOff, dst.v, dstOff, n)
}

// submit writes the arena and submits everything recorded so far.
func (b *Backend) submit() error {
	if b.encoder.IsUndefined() {
		return nil
	}
	enc := b.commands()
	if b.arena.used > 0 {
		js.CopyBytesToJS(b.arena.js, b.arena.host[:b.arena.used])
		b.queue.Call("writeBuffer", b.arena.buf.v, 0, b.arena.js, 0, alignUp(b.arena.used, 4))
	}
	b.js.one.SetIndex(0, enc.Call("finish"))
	b.queue.Call("submit", b.js.one)
	b.submits++
	b.encoder = js.Undefined()
	b.arena.used = 0
	return nil
}

// readBack submits the recorded work after a copy of n bytes of src at
// offset off into the staging buffer, waits for the GPU and returns the
// bytes (valid until the next read).
func (b *Backend) readBack(src *buffer, off, n int64) ([]byte, error) {
	// Sessions on other goroutines may read while this one waits: they take
	// turns on the staging buffer and the waiter.
	b.readMu.Lock()
	defer b.readMu.Unlock()
	if b.staging == nil || b.staging.size < paddedSize(n) {
		if b.staging != nil {
			b.staging.v.Call("destroy")
		}
		s, err := b.newBuffer(max(n, 4096), usageMapRead|usageCopyDst, nil)
		if err != nil {
			return nil, err
		}
		b.staging = s
		b.readBuf = make([]byte, s.size)
	}
	b.copyBuffer(src, off, b.staging, 0, paddedSize(n))
	// An invalid command (an out-of-range copy, say) or memory exhausted
	// while running would otherwise only reach the uncapturederror event,
	// after stale bytes had been returned.
	b.dev.Call("pushErrorScope", b.js.outOfMemory)
	b.dev.Call("pushErrorScope", b.js.validation)
	if err := b.submit(); err != nil {
		return nil, err
	}
	// One wait for the three promises: the scopes' errors and the mapping.
	b.js.three.SetIndex(0, b.staging.v.Call("mapAsync", mapModeRead, 0, paddedSize(n)))
	b.js.three.SetIndex(1, b.dev.Call("popErrorScope"))
	b.js.three.SetIndex(2, b.dev.Call("popErrorScope"))
	scopes, err := b.js.waiter.wait(b.js.promise.Call("all", b.js.three))
	if err != nil {
		if lost := b.lostErr(); lost != nil {
			return nil, lost
		}
		return nil, fmt.Errorf("webgpu: reading results: %w", err)
	}
	for i := 1; i <= 2; i++ {
		if e := scopes.Index(i); !e.IsNull() && !e.IsUndefined() {
			err := errors.New(jsErrorText(e))
			b.staging.v.Call("unmap")
			if lost := b.lostErr(); lost != nil {
				return nil, lost
			}
			return nil, fmt.Errorf("webgpu: running the recorded work: %w", err)
		}
	}
	view := b.js.uint8Array.New(b.staging.v.Call("getMappedRange", 0, paddedSize(n)))
	js.CopyBytesToGo(b.readBuf[:n], view)
	b.staging.v.Call("unmap")
	if lost := b.lostErr(); lost != nil {
		return nil, lost
	}
	if err := b.fitArena(); err != nil {
		return nil, err
	}
	return b.readBuf[:n], nil
}
