//go:build js && wasm

package webgpu

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall/js"

	"github.com/wisp-llm/wisp/wasm/model"
)

// Options tune Open.
type Options struct {
	// NoSubgroups keeps the workgroup-memory reductions even when the
	// adapter offers subgroup operations.
	NoSubgroups bool
	// MaxWeightBuffer caps the size of each weight buffer below the device's
	// binding limit (0: no cap), to test on small tensors the splitting that
	// large ones need on real devices.
	MaxWeightBuffer int64
	// ArenaBytes is the initial size of the buffer that stages the kernels'
	// small inputs (uniforms, token ids, RoPE tables) for one submission
	// (0: 64 KiB). It grows to hold a token's; small values test that.
	ArenaBytes int
	// ShaderF16 uses the f16 variants of the matrix products (decode and
	// prefill) when the adapter has shader-f16: faster on GPUs with fast
	// f16 arithmetic, at f16's precision for activations and weights.
	ShaderF16 bool
}

// Info describes the device a Backend runs on.
type Info struct {
	Adapter   string `json:"adapter"`   // vendor, architecture and description as the adapter reports them
	Subgroups bool   `json:"subgroups"` // reductions use subgroup operations
	ShaderF16 bool   `json:"shaderF16"` // the adapter offers shader-f16
	UseF16    bool   `json:"useF16"`    // the matrix products use their f16 variants
	// Software is set for a CPU-emulated adapter (SwiftShader, or one the
	// browser flags as a fallback): correct, but slower than Wisp's own CPU
	// path, so a host should prefer that.
	Software   bool  `json:"software"`
	MaxBinding int64 `json:"maxBinding"` // maxStorageBufferBindingSize of the device
}

// Backend implements model.Backend on a WebGPU device. Its activations,
// weights and KV cache are GPU buffers; operations are recorded into one
// command encoder and submitted when results are read.
//
// model.Backend's operations return no errors, so the backend keeps the
// first failure (a compile error, out-of-memory, a lost device) and skips
// every later operation; Err reports it. A caller checks Err after each
// forward pass and, when it is set, continues on another backend.
type Backend struct {
	dev, queue  js.Value
	info        Info
	maxBinding  int64
	maxWeight   int64 // weight buffer size limit
	minSubgroup int   // the adapter's smallest subgroup size
	// subgroupsLack says why the adapter's subgroups do not suit the
	// kernels, "" when they do (info.Subgroups says whether they are used).
	subgroupsLack string
	err           error
	lost          chan string // the device's loss reason, once

	pipelines  map[pipelineKey]*pipeline
	bindGroups map[bindKey]js.Value
	messages   []CompileMessage
	nextID     int

	encoder, pass js.Value // the recording command encoder and compute pass, or undefined
	arena         arena
	dummy         *buffer    // bound where a kernel's optional input is absent
	results       *buffer    // TopK's output pairs
	staging       *buffer    // MAP_READ buffer for read-backs
	readMu        sync.Mutex // one read-back at a time
	readBuf       []byte
	scratch       []float32 // host scratch for RoPE tables
	scratchBytes  []byte
	ropeCache     ropeKey
	binds         [maxBindings]binding // dispatch's bindings
	uniforms      params               // dispatch's uniforms
	js            jsCache
	submits       int
}

// jsCache holds the JS values the per-token path would otherwise create
// on every call: syscall/js gives every JS object or string a Go heap
// object of its own.
type jsCache struct {
	uint8Array, promise     js.Value // constructors
	one, three              js.Value // arrays for submit and Promise.all
	outOfMemory, validation js.Value // error scope filters
	waiter                  *waiter
}

func newJSCache() jsCache {
	g := js.Global()
	return jsCache{
		uint8Array:  g.Get("Uint8Array"),
		promise:     g.Get("Promise"),
		one:         g.Get("Array").New(1),
		three:       g.Get("Array").New(3),
		outOfMemory: js.ValueOf("out-of-memory"),
		validation:  js.ValueOf("validation"),
		waiter:      newWaiter(),
	}
}

// Open requests a high-performance adapter and a device from gpu — the
// browser's navigator.gpu, or the object create() returns in Node's
// "webgpu" package — with the device's largest buffer limits and the
// subgroups feature when the adapter has it. It blocks until the device is
// ready, so it must run on a goroutine of its own, not in a JS callback.
func Open(gpu js.Value, opts Options) (b *Backend, err error) {
	defer catch(&err, "opening the device")
	if gpu.IsUndefined() || gpu.IsNull() {
		return nil, errors.New("webgpu: WebGPU is not available (navigator.gpu is undefined)")
	}
	adapter, err := await(gpu.Call("requestAdapter", map[string]any{"powerPreference": "high-performance"}))
	if err != nil {
		return nil, fmt.Errorf("webgpu: requesting an adapter: %w", err)
	}
	if adapter.IsNull() || adapter.IsUndefined() {
		return nil, errors.New("webgpu: no WebGPU adapter available")
	}
	features := adapter.Get("features")
	limits := adapter.Get("limits")
	b = &Backend{
		pipelines:  map[pipelineKey]*pipeline{},
		bindGroups: map[bindKey]js.Value{},
		encoder:    js.Undefined(),
		pass:       js.Undefined(),
		lost:       make(chan string, 1),
		js:         newJSCache(),
	}
	if !features.Call("has", "subgroups").Bool() {
		b.subgroupsLack = "subgroups"
	}
	b.info.ShaderF16 = features.Call("has", "shader-f16").Bool()
	if v := adapter.Get("info").Get("subgroupMinSize"); v.Type() == js.TypeNumber {
		b.minSubgroup = v.Int()
	}
	// The subgroup kernels need subgroups no larger than their workgroups.
	if v := adapter.Get("info").Get("subgroupMaxSize"); v.Type() == js.TypeNumber && v.Int() > wgRows && b.subgroupsLack == "" {
		b.subgroupsLack = fmt.Sprintf("subgroups of at most %d invocations (the adapter's reach %d)", wgRows, v.Int())
	}
	b.info.Subgroups = b.subgroupsLack == "" && !opts.NoSubgroups
	b.info.UseF16 = b.info.ShaderF16 && opts.ShaderF16
	required := []any{}
	if b.info.Subgroups {
		required = append(required, "subgroups")
	}
	if b.info.UseF16 {
		required = append(required, "shader-f16")
	}
	maxBinding := int64(limits.Get("maxStorageBufferBindingSize").Float())
	maxBuffer := int64(limits.Get("maxBufferSize").Float())
	dev, err := await(adapter.Call("requestDevice", map[string]any{
		"requiredFeatures": required,
		"requiredLimits": map[string]any{
			"maxStorageBufferBindingSize": maxBinding,
			"maxBufferSize":               maxBuffer,
		},
	}))
	if err != nil {
		return nil, fmt.Errorf("webgpu: requesting a device: %w", err)
	}
	b.dev, b.queue = dev, dev.Get("queue")
	b.maxBinding = min(maxBinding, maxBuffer)
	b.info.MaxBinding = b.maxBinding
	b.maxWeight = b.maxBinding
	if opts.MaxWeightBuffer > 0 {
		b.maxWeight = min(b.maxWeight, opts.MaxWeightBuffer)
	}
	b.info.Adapter = describeAdapter(adapter)
	b.info.Software = isSoftware(adapter, b.info.Adapter)
	dl := dev.Get("limits")
	b.arena.align = max(dl.Get("minUniformBufferOffsetAlignment").Int(), dl.Get("minStorageBufferOffsetAlignment").Int(), 16)

	// A lost device (driver reset, tab in the background too long, destroy)
	// rejects nothing by itself: it resolves device.lost. Remember why.
	onLost := js.FuncOf(func(_ js.Value, args []js.Value) any {
		reason := "device lost"
		if len(args) > 0 {
			reason = "device lost: " + args[0].Get("message").String()
		}
		select {
		case b.lost <- reason:
		default:
		}
		return nil
	})
	dev.Get("lost").Call("then", onLost)
	// Errors outside an error scope (a kernel reading out of bounds is not
	// one; a validation or memory failure is) arrive here.
	dev.Call("addEventListener", "uncapturederror", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) > 0 && b.err == nil {
			b.err = fmt.Errorf("webgpu: %s", jsErrorText(args[0].Get("error")))
		}
		return nil
	}))

	b.arena.min = arenaMinBytes
	if opts.ArenaBytes > 0 {
		b.arena.min = opts.ArenaBytes
	}
	if err := b.growArena(b.arena.min); err != nil {
		return nil, err
	}
	if b.dummy, err = b.newBuffer(16, usageStorage, nil); err != nil {
		return nil, err
	}
	return b, nil
}

func describeAdapter(a js.Value) string {
	info := a.Get("info")
	if info.IsUndefined() {
		return "unknown adapter"
	}
	s := ""
	for _, k := range []string{"vendor", "architecture", "device", "description"} {
		if v := info.Get(k); v.Type() == js.TypeString && v.String() != "" {
			if s != "" {
				s += " "
			}
			s += v.String()
		}
	}
	if s == "" {
		return "unnamed adapter"
	}
	return s
}

func isSoftware(adapter js.Value, description string) bool {
	for _, v := range []js.Value{adapter.Get("info").Get("isFallbackAdapter"), adapter.Get("isFallbackAdapter")} {
		if v.Type() == js.TypeBoolean && v.Bool() {
			return true
		}
	}
	return strings.Contains(strings.ToLower(description), "swiftshader")
}

// Info describes the device.
func (b *Backend) Info() Info { return b.info }

// Err returns the first failure of any operation, or nil. After a failure
// every operation is skipped, so results read afterwards are meaningless.
func (b *Backend) Err() error {
	if b.err == nil {
		if lost := b.lostErr(); lost != nil {
			b.err = lost
		}
	}
	return b.err
}

func (b *Backend) lostErr() error {
	select {
	case reason := <-b.lost:
		b.lost <- reason // keep it for the next look
		return fmt.Errorf("webgpu: %s: %w", reason, ErrDeviceLost)
	default:
		return nil
	}
}

// ErrDeviceLost is wrapped by Err when the GPU device is gone; the model
// must be loaded again (on a new device, or on the CPU).
var ErrDeviceLost = errors.New("the GPU device was lost")

// fail records the first error.
func (b *Backend) fail(err error) {
	if err != nil && b.err == nil {
		b.err = err
	}
}

// Close releases the device and with it every buffer.
func (b *Backend) Close() {
	defer catch(new(error), "closing")
	b.dev.Call("destroy")
}

// CompileMessages returns the messages of every shader compiled so far.
func (b *Backend) CompileMessages() []CompileMessage { return b.messages }

// CompileAll builds every pipeline the backend can use, so that a test sees
// every shader's compilation messages.
func (b *Backend) CompileAll() error {
	var errs []error
	for _, k := range allKeys(b.info.Subgroups, b.info.UseF16) {
		if _, err := b.pipelineFor(k); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Submits is how many command buffers the backend has submitted: one per
// token's forward pass and read, once the arena has grown to hold a
// token's inputs.
func (b *Backend) Submits() int { return b.submits }

// Variants lists every pipeline variant there is, marking those this
// device does not build and why (a feature the adapter lacks, or an option
// not asked for): CompileAll builds the others.
func (b *Backend) Variants() []Variant {
	return variants(b.subgroupsLack, b.info.Subgroups, b.info.ShaderF16, b.info.UseF16)
}

// deviceWeight is a weight uploaded as raw bytes, split into buffers of
// whole rows that each fit one binding.
type deviceWeight struct {
	chunks   []rowChunk
	bufs     []*buffer
	rowBytes int64
}

// Upload copies the weight's bytes to the GPU (unchanged: the shaders read
// the file's block layout). Matrices of types the shaders cannot read are an
// error.
func (b *Backend) Upload(w *model.Weight) error {
	if b.err != nil {
		return b.err
	}
	if w.Rows > 1 && !SupportsType(w.Type) {
		return fmt.Errorf("webgpu: %s: no WGSL kernel reads %s weights", w.Name, w.Type)
	}
	if w.Rows < 1 || len(w.Data)%w.Rows != 0 {
		return fmt.Errorf("webgpu: %s: %d bytes do not hold %d rows", w.Name, len(w.Data), w.Rows)
	}
	rowBytes := int64(len(w.Data) / w.Rows)
	chunks, err := splitRows(w.Rows, rowBytes, b.maxWeight)
	if err != nil {
		return fmt.Errorf("webgpu: %s: %w", w.Name, err)
	}
	dw := &deviceWeight{chunks: chunks, rowBytes: rowBytes}
	for _, c := range chunks {
		buf, err := b.newBuffer(c.bytes, usageStorage, w.Data[c.offset:c.offset+c.bytes])
		if err != nil {
			return fmt.Errorf("webgpu: uploading %s: %w", w.Name, err)
		}
		dw.bufs = append(dw.bufs, buf)
	}
	w.Device = dw
	return nil
}

// NewAct allocates activations in a GPU buffer.
func (b *Backend) NewAct(rows, cols int) *model.Act {
	a := &model.Act{Rows: rows, Cols: cols, Cap: rows}
	if b.err != nil {
		return a
	}
	buf, err := b.newBuffer(int64(rows)*int64(cols)*4, usageStorage|usageCopySrc|usageCopyDst, nil)
	if err != nil {
		b.fail(fmt.Errorf("webgpu: activations of %d×%d: %w", rows, cols, err))
		return a
	}
	a.Device = buf
	return a
}

// kvCache holds one key and one value buffer per layer: [position][kvDim].
type kvCache struct {
	k, v      []*buffer
	positions int
	kvDim     int
}

func (c *kvCache) Positions() int { return c.positions }

// NewKVCache allocates the cache on the GPU.
func (b *Backend) NewKVCache(layers, positions, kvDim int) model.KVCache {
	c := &kvCache{positions: positions, kvDim: kvDim}
	if b.err != nil {
		return c
	}
	size := int64(positions) * int64(kvDim) * 4
	if size > b.maxBinding {
		b.fail(fmt.Errorf("webgpu: a KV cache layer of %d positions × %d needs %d bytes, over the binding limit %d", positions, kvDim, size, b.maxBinding))
		return c
	}
	for range layers {
		k, err := b.newBuffer(size, usageStorage|usageCopyDst, nil)
		if err != nil {
			b.fail(fmt.Errorf("webgpu: KV cache: %w", err))
			return c
		}
		v, err := b.newBuffer(size, usageStorage|usageCopyDst, nil)
		if err != nil {
			b.fail(fmt.Errorf("webgpu: KV cache: %w", err))
			return c
		}
		c.k, c.v = append(c.k, k), append(c.v, v)
	}
	return c
}

var _ model.Backend = (*Backend)(nil)
