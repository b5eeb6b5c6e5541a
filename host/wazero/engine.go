// Package wazero runs runtime.wasm (the GOOS=wasip1 build of
// wasm/cmd/runtime) inside a Go host with wazero: the same engine as the
// native one, sandboxed. The guest is compiled once per machine (a
// compilation cache directory keeps the machine code across restarts), gets
// the model's bytes from the host and no file system, and runs under a
// memory limit and a per-request deadline. A guest that traps or overruns is
// killed, reported as an error, and started again on the next call; the
// host keeps running.
package wazero

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	wz "github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/wisp-llm/wisp/wasm/abi"
	"github.com/wisp-llm/wisp/wasm/hostkernels"
)

// Options configure an Engine.
type Options struct {
	// Runtime is the path of the wasip1 runtime.wasm; "" means
	// DefaultRuntimePath(), or DefaultHostRuntimePath() with HostKernels.
	Runtime string
	// HostKernels runs runtime-host.wasm, whose matrix products call this
	// host's native kernels on all its cores (wasm/hostkernels). The host
	// lends the kernels to any guest that imports them; this option picks
	// the artifact.
	HostKernels bool
	// HostThreads is the number of threads of the host kernels; 0: all
	// cores.
	HostThreads int
	// Kernels, when set, runs the host kernels on this shared pool rather
	// than on threads of the engine's own (HostThreads is then unused);
	// the caller closes it after the engines.
	Kernels *KernelPool
	// CacheDir keeps compiled machine code between runs; "" means
	// os.UserCacheDir()/wisp/wazero, and "-" disables the cache.
	CacheDir string
	// MemoryLimit caps the guest's linear memory in bytes; 0 means the
	// 4 GiB of wasm32.
	MemoryLimit int64
	// Deadline bounds each request: a generation stops at its next token
	// once it has passed, and returns context.DeadlineExceeded. 0: none.
	Deadline time.Duration
	// Preemptible lets the host kill a guest at any instruction, a second
	// after its request's deadline or cancellation, and restart it; without
	// it a guest stops only between tokens. It costs speed: wazero then
	// checks for cancellation in every loop (measured 5.6× slower on the
	// Q8_0 kernel), so it is for hosts that run untrusted runtime builds.
	Preemptible bool
	// Context is the session's context length in tokens; 0: the model's,
	// at most 4096.
	Context int
	// Stderr receives the guest's standard error (Go panics land there);
	// nil discards it.
	Stderr io.Writer
}

// DefaultRuntimePath is $WISP_RUNTIME_WASM, or else build/wasip1/runtime.wasm
// as scripts/build-wasm leaves it (relative to the working directory).
func DefaultRuntimePath() string {
	if p := os.Getenv("WISP_RUNTIME_WASM"); p != "" {
		return p
	}
	return filepath.Join("build", "wasip1", "runtime.wasm")
}

// DefaultHostRuntimePath is $WISP_RUNTIME_HOST_WASM, or else
// build/wasip1/runtime-host.wasm as scripts/build-wasm leaves it.
func DefaultHostRuntimePath() string {
	if p := os.Getenv("WISP_RUNTIME_HOST_WASM"); p != "" {
		return p
	}
	return filepath.Join("build", "wasip1", "runtime-host.wasm")
}

// ErrGuestCrashed is wrapped by errors from a guest that trapped, exited or
// was killed at its deadline; the guest is restarted on the next call.
var ErrGuestCrashed = errors.New("wazero: the wasm guest crashed")

// Engine is one model running in one runtime.wasm instance. Its methods are
// safe for concurrent use; calls into the guest run one at a time.
type Engine struct {
	opts      Options
	modelPath string
	modelSize int64
	runtime   wz.Runtime
	compiled  wz.CompiledModule

	mu       sync.Mutex
	guest    *guest // nil after a crash, until the next call restarts it
	info     abi.Info
	simd     bool
	hostKern bool // the guest imports the host kernels
	kernels  kernels
	restarts int
	emit     func(abi.Delta) error // the running generation's callback
	emitErr  error
	grace    time.Duration // from a request's end to killing a preemptible guest
}

// guest is one instance of the module with the model loaded and a session.
type guest struct {
	mod     api.Module
	model   int32
	session int32
}

// Open compiles runtime.wasm (or takes it from the cache), starts it and
// loads the model at modelPath into it.
func Open(modelPath string, opts Options) (*Engine, error) {
	if opts.Runtime == "" {
		opts.Runtime = DefaultRuntimePath()
		if opts.HostKernels {
			opts.Runtime = DefaultHostRuntimePath()
		}
	}
	if opts.MemoryLimit <= 0 || opts.MemoryLimit > abi.AddressSpace {
		opts.MemoryLimit = abi.AddressSpace
	}
	abs, err := filepath.Abs(modelPath)
	if err != nil {
		return nil, fmt.Errorf("wazero: %w", err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("wazero: model: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("wazero: model %s is not a regular file", modelPath)
	}
	wasm, err := os.ReadFile(opts.Runtime)
	if err != nil {
		return nil, fmt.Errorf("wazero: reading runtime.wasm (build it with scripts/build-wasm): %w", err)
	}
	ctx := context.Background()
	cfg := wz.NewRuntimeConfig(). // the compiler on amd64 and arm64, the interpreter elsewhere
					WithCloseOnContextDone(opts.Preemptible).
					WithMemoryLimitPages(uint32(opts.MemoryLimit / 65536))
	if cache, err := compilationCache(opts.CacheDir); err != nil {
		return nil, err
	} else if cache != nil {
		cfg = cfg.WithCompilationCache(cache)
	}
	e := &Engine{opts: opts, modelPath: abs, modelSize: st.Size(), runtime: wz.NewRuntimeWithConfig(ctx, cfg), grace: stopGrace}
	e.kernels.use(opts.Kernels, opts.HostThreads)
	e.kernels.log = opts.Stderr
	if err := e.init(ctx, wasm); err != nil {
		e.runtime.Close(ctx)
		e.kernels.close()
		return nil, err
	}
	return e, nil
}

func compilationCache(dir string) (wz.CompilationCache, error) {
	switch dir {
	case "-":
		return nil, nil
	case "":
		base, err := os.UserCacheDir()
		if err != nil {
			return nil, nil // no home to cache in: compile every time
		}
		dir = filepath.Join(base, "wisp", "wazero")
	}
	cache, err := wz.NewCompilationCacheWithDir(dir)
	if err != nil {
		return nil, fmt.Errorf("wazero: compilation cache %s: %w", dir, err)
	}
	return cache, nil
}

func (e *Engine) init(ctx context.Context, wasm []byte) error {
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, e.runtime); err != nil {
		return fmt.Errorf("wazero: WASI: %w", err)
	}
	host := e.runtime.NewHostModuleBuilder(hostkernels.Module).
		NewFunctionBuilder().WithFunc(e.hostEmit).Export("emit")
	_, err := e.kernels.export(host).Instantiate(ctx)
	if err != nil {
		return fmt.Errorf("wazero: host module: %w", err)
	}
	if e.compiled, err = e.runtime.CompileModule(ctx, wasm); err != nil {
		return fmt.Errorf("wazero: compiling runtime.wasm: %w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.start(ctx); err != nil {
		return err
	}
	g := e.guest
	if _, err := e.call(ctx, g, "wisp_info", uint64(g.model)); err != nil {
		return err
	}
	return e.readJSON(g, &e.info)
}

// hostEmit is the guest's wisp_host.emit: it hands one delta to the running
// generation and answers 1 when generation should stop.
func (e *Engine) hostEmit(ctx context.Context, m api.Module, ptr, n uint32) uint32 {
	b, ok := m.Memory().Read(ptr, n)
	if !ok || e.emit == nil {
		e.emitErr = fmt.Errorf("%w: delta at [%d, +%d) is outside its memory", ErrGuestCrashed, ptr, n)
		return 1
	}
	var d abi.Delta
	if err := json.Unmarshal(b, &d); err != nil {
		e.emitErr = fmt.Errorf("wazero: delta from the guest: %w", err)
		return 1
	}
	if err := e.emit(d); err != nil {
		e.emitErr = err
		return 1
	}
	return 0
}

// Info describes the loaded model.
func (e *Engine) Info() abi.Info { return e.info }

// SIMD reports whether the guest runs the SIMD128 kernels.
func (e *Engine) SIMD() bool { return e.simd }

// HostKernels reports whether the guest's matrix products run on the
// host's native kernels (runtime-host.wasm).
func (e *Engine) HostKernels() bool { return e.hostKern }

// Restarts counts the guest's restarts after crashes.
func (e *Engine) Restarts() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.restarts
}

// Close stops the guest and releases the compiled module.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.guest = nil
	e.kernels.close()
	return e.runtime.Close(context.Background())
}
