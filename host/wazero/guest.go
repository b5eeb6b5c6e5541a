package wazero

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	wz "github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/sys"

	"github.com/wisp-llm/wisp/wasm/abi"
)

// exports are the functions of runtime.wasm this host calls.
var exports = []string{
	"wisp_abi_version", "wisp_features", "wisp_alloc", "wisp_dealloc", "wisp_result_ptr", "wisp_result_len",
	"wisp_load_begin", "wisp_load_buffer", "wisp_load_end", "wisp_info", "wisp_tokenize", "wisp_detokenize", "wisp_session_new", "wisp_generate",
}

// start instantiates the module, loads the model and opens a session. The
// caller holds e.mu.
func (e *Engine) start(ctx context.Context) error {
	var initial int64
	for _, m := range e.compiled.ExportedMemories() {
		initial = int64(m.Min()) * 65536
	}
	if e.modelSize+initial > e.opts.MemoryLimit {
		return &abi.Error{Code: abi.CodeTooLarge, Message: fmt.Sprintf("wazero: the model's %d bytes and the runtime's %d exceed the guest memory limit of %d", e.modelSize, initial, e.opts.MemoryLimit)}
	}
	// The guest gets no file system: the host writes the model's bytes into
	// it, so it can read the model and nothing else.
	cfg := wz.NewModuleConfig().
		WithName("").
		WithStartFunctions("_initialize")
	if e.opts.Stderr != nil {
		cfg = cfg.WithStderr(e.opts.Stderr)
	}
	mod, err := e.runtime.InstantiateModule(experimental.WithMemoryAllocator(ctx, guestMemoryAllocator()), e.compiled, cfg)
	if err != nil {
		return fmt.Errorf("%w: starting runtime.wasm: %v", ErrGuestCrashed, err)
	}
	g := &guest{mod: mod}
	fail := func(err error) error {
		mod.Close(ctx)
		return err
	}
	for _, name := range exports {
		if mod.ExportedFunction(name) == nil {
			return fail(fmt.Errorf("wazero: %s does not export %s: is it the wasip1 runtime.wasm of this version?", e.opts.Runtime, name))
		}
	}
	if v, err := e.call(ctx, g, "wisp_abi_version"); err != nil {
		return fail(err)
	} else if v != 1 {
		return fail(fmt.Errorf("wazero: runtime.wasm speaks ABI %d, this host 1", v))
	}
	features, err := e.call(ctx, g, "wisp_features")
	if err != nil {
		return fail(err)
	}
	e.simd = features&1 != 0
	e.hostKern = features&2 != 0
	h, err := e.loadModel(ctx, g)
	if err != nil {
		return fail(err)
	}
	g.model = int32(h)
	opts, err := e.putJSON(ctx, g, abi.SessionOptions{Context: e.opts.Context})
	if err != nil {
		return fail(err)
	}
	s, err := e.call(ctx, g, "wisp_session_new", uint64(h), opts.ptr, opts.n)
	if err != nil {
		return fail(err)
	}
	g.session = int32(s)
	e.guest = g
	return nil
}

// loadModel reads the model file straight into the buffer the guest
// reserves for it, a chunk at a time.
func (e *Engine) loadModel(ctx context.Context, g *guest) (int64, error) {
	f, err := os.Open(e.modelPath)
	if err != nil {
		return 0, fmt.Errorf("wazero: model: %w", err)
	}
	defer f.Close()
	h, err := e.call(ctx, g, "wisp_load_begin", uint64(e.modelSize))
	if err != nil {
		return 0, err
	}
	const chunk = 64 << 20
	for off := int64(0); off < e.modelSize; {
		n := min(chunk, e.modelSize-off)
		res, err := g.mod.ExportedFunction("wisp_load_buffer").Call(ctx, uint64(h), uint64(off), uint64(n))
		if err != nil {
			e.crashed(g)
			return 0, fmt.Errorf("%w: wisp_load_buffer: %v", ErrGuestCrashed, err)
		}
		if res[0] == 0 {
			return 0, e.guestError(g, -int64(abi.CodeInvalid))
		}
		dst, ok := g.mod.Memory().Read(uint32(res[0]), uint32(n))
		if !ok {
			e.crashed(g)
			return 0, fmt.Errorf("%w: load buffer [%d, +%d) is outside its memory", ErrGuestCrashed, res[0], n)
		}
		if _, err := io.ReadFull(f, dst); err != nil {
			return 0, fmt.Errorf("wazero: reading the model: %w", err)
		}
		off += n
	}
	name := strings.TrimSuffix(filepath.Base(e.modelPath), ".gguf")
	opts, err := e.putJSON(ctx, g, abi.LoadOptions{Name: name})
	if err != nil {
		return 0, err
	}
	defer e.drop(ctx, g, opts)
	return e.call(ctx, g, "wisp_load_end", uint64(h), opts.ptr, opts.n)
}

// ready returns the running guest, restarting it after a crash. The caller
// holds e.mu.
func (e *Engine) ready(ctx context.Context) (*guest, error) {
	if e.guest != nil {
		return e.guest, nil
	}
	if err := e.start(ctx); err != nil {
		return nil, err
	}
	e.restarts++
	return e.guest, nil
}

// crashed retires a guest that trapped or was killed.
func (e *Engine) crashed(g *guest) {
	g.mod.Close(context.Background())
	if e.guest == g {
		e.guest = nil
	}
}

// call runs an export. A negative answer is a guest error, read from its
// result buffer; a trap or exit retires the guest. The result's JSON (if
// any) is read with readJSON before the next call.
func (e *Engine) call(ctx context.Context, g *guest, name string, args ...uint64) (int64, error) {
	f := g.mod.ExportedFunction(name)
	if f == nil {
		return 0, fmt.Errorf("wazero: runtime.wasm does not export %s", name)
	}
	res, err := f.Call(ctx, args...)
	if err != nil {
		e.crashed(g)
		var exit *sys.ExitError
		if errors.As(err, &exit) && (exit.ExitCode() == sys.ExitCodeDeadlineExceeded || exit.ExitCode() == sys.ExitCodeContextCanceled) {
			return 0, fmt.Errorf("%w: %s killed: %w", ErrGuestCrashed, name, context.Cause(ctx))
		}
		return 0, fmt.Errorf("%w: %s: %v", ErrGuestCrashed, name, err)
	}
	if len(res) == 0 {
		return 0, nil
	}
	v := int64(int32(uint32(res[0])))
	if v < 0 {
		return v, e.guestError(g, v)
	}
	return v, nil
}

// guestError reads the error JSON a failed call left as its result.
func (e *Engine) guestError(g *guest, v int64) error {
	ge := &abi.Error{Code: abi.Code(-v), Message: fmt.Sprintf("runtime.wasm failed with %v", abi.Code(-v))}
	b, err := e.result(g)
	if err == nil {
		var decoded abi.Error
		if json.Unmarshal(b, &decoded) == nil && decoded.Code == ge.Code {
			return &decoded
		}
	}
	return ge
}

// result is the JSON the last call left in the guest's result buffer.
func (e *Engine) result(g *guest) ([]byte, error) {
	ptr, err := g.mod.ExportedFunction("wisp_result_ptr").Call(context.Background())
	if err != nil {
		e.crashed(g)
		return nil, fmt.Errorf("%w: reading a result: %v", ErrGuestCrashed, err)
	}
	n, err := g.mod.ExportedFunction("wisp_result_len").Call(context.Background())
	if err != nil {
		e.crashed(g)
		return nil, fmt.Errorf("%w: reading a result: %v", ErrGuestCrashed, err)
	}
	b, ok := g.mod.Memory().Read(uint32(ptr[0]), uint32(n[0]))
	if !ok {
		e.crashed(g)
		return nil, fmt.Errorf("%w: result [%d, +%d) is outside its memory", ErrGuestCrashed, ptr[0], n[0])
	}
	return b, nil
}

// readJSON decodes the last call's result.
func (e *Engine) readJSON(g *guest, into any) error {
	b, err := e.result(g)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, into); err != nil {
		return fmt.Errorf("wazero: result from the guest: %w", err)
	}
	return nil
}

// buffer is input written into guest memory.
type buffer struct{ ptr, n uint64 }

// put copies b into a buffer the guest allocates; it stays until the guest
// is restarted or free'd with drop.
func (e *Engine) put(ctx context.Context, g *guest, b []byte) (buffer, error) {
	if len(b) == 0 {
		return buffer{}, nil
	}
	res, err := g.mod.ExportedFunction("wisp_alloc").Call(ctx, uint64(len(b)))
	if err != nil {
		e.crashed(g)
		return buffer{}, fmt.Errorf("%w: wisp_alloc: %v", ErrGuestCrashed, err)
	}
	if res[0] == 0 || !g.mod.Memory().Write(uint32(res[0]), b) {
		return buffer{}, &abi.Error{Code: abi.CodeTooLarge, Message: fmt.Sprintf("wazero: the guest cannot hold %d more bytes", len(b))}
	}
	return buffer{ptr: res[0], n: uint64(len(b))}, nil
}

func (e *Engine) putJSON(ctx context.Context, g *guest, v any) (buffer, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return buffer{}, fmt.Errorf("wazero: %w", err)
	}
	return e.put(ctx, g, b)
}

// drop frees a buffer from put.
func (e *Engine) drop(ctx context.Context, g *guest, b buffer) {
	if b.ptr != 0 && e.guest == g {
		g.mod.ExportedFunction("wisp_dealloc").Call(ctx, b.ptr)
	}
}
