package wazero

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wisp-llm/wisp/wasm/abi"
)

const (
	testdata = "../../../shared/testdata"
	stories  = testdata + "/models/stories260K.gguf"
	buildDir = "../../build/wasip1" // where scripts/build-wasm leaves the artifacts
)

// runtimeWasm returns the wasip1 artifact: the plain one is built here when
// scripts/build-wasm has not run; the SIMD one needs that script (wabt and
// binaryen merge its kernels in), so its tests skip without it.
func runtimeWasm(t testing.TB, simd bool) string {
	t.Helper()
	name := "runtime-nosimd.wasm"
	if simd {
		name = "runtime.wasm"
	}
	p := filepath.Join(buildDir, name)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	if simd {
		t.Skipf("%s is missing: run scripts/build-wasm", p)
	}
	p = filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", p, "../../wasm/cmd/runtime")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building runtime.wasm: %v\n%s", err, out)
	}
	return p
}

func golden(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(testdata + "/models/stories260K.expected.txt")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// cacheDir is shared by the tests, so runtime.wasm compiles once.
var cacheDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wisp-wazero-cache")
	if err != nil {
		panic(err)
	}
	cacheDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func open(t testing.TB, opts Options) *Engine {
	t.Helper()
	if opts.CacheDir == "" {
		opts.CacheDir = cacheDir
	}
	e, err := Open(stories, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// greedy200 is the golden request: BOS alone, 200 tokens, temperature 0.
func greedy200(t testing.TB, e *Engine) abi.GenerateRequest {
	t.Helper()
	bos, err := e.Tokenize(context.Background(), abi.TokenizeRequest{BOS: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(bos) != 1 {
		t.Fatalf("BOS alone tokenized as %v", bos)
	}
	return abi.GenerateRequest{Prompt: bos, MaxTokens: 200}
}

func TestStoriesGolden(t *testing.T) {
	for _, simd := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "simd"}[simd], func(t *testing.T) {
			e := open(t, Options{Runtime: runtimeWasm(t, simd), Context: 256})
			if e.SIMD() != simd {
				t.Fatalf("guest reports SIMD %v, want %v", e.SIMD(), simd)
			}
			var streamed strings.Builder
			res, err := e.Generate(context.Background(), greedy200(t, e), func(d abi.Delta) error {
				streamed.WriteString(d.Text)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			want := golden(t)
			if res.Text != want || streamed.String() != want {
				t.Fatalf("generated text differs from llama2.c's:\n got %q\nwant %q", res.Text, want)
			}
			if res.CompletionTokens != 200 || res.FinishReason != "length" {
				t.Fatalf("result %+v", res)
			}
		})
	}
}

func TestGuestErrorsKeepTheirCode(t *testing.T) {
	e := open(t, Options{Runtime: runtimeWasm(t, false), Context: 64})
	_, err := e.Generate(context.Background(), abi.GenerateRequest{Prompt: []int32{1}, MaxTokens: 100}, func(abi.Delta) error { return nil })
	var ae *abi.Error
	if !errors.As(err, &ae) || ae.Code != abi.CodeContextLength {
		t.Fatalf("got %v, want a context_length_exceeded error", err)
	}
	if _, err := e.Detokenize(context.Background(), []int32{1 << 20}); !errors.As(err, &ae) || ae.Code != abi.CodeInvalid {
		t.Fatalf("got %v, want an invalid_request error", err)
	}
	if got := e.Info(); got.VocabSize != 512 || got.Layers != 5 {
		t.Fatalf("info %+v", got)
	}
}

func TestEmitStopsAndCancels(t *testing.T) {
	e := open(t, Options{Runtime: runtimeWasm(t, false), Context: 256})
	req := greedy200(t, e)
	stop := errors.New("enough")
	n := 0
	_, err := e.Generate(context.Background(), req, func(abi.Delta) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Fatalf("after %d deltas: %v, want the callback's error after 3", n, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	_, err = e.Generate(ctx, req, func(abi.Delta) error { cancel(); return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if e.Restarts() != 0 {
		t.Fatalf("a polite stop restarted the guest")
	}
}

func TestDeadlineStopsBetweenTokens(t *testing.T) {
	e := open(t, Options{Runtime: runtimeWasm(t, false), Context: 2048, Deadline: 20 * time.Millisecond})
	bos := greedy200(t, e).Prompt
	res, err := e.Generate(context.Background(), abi.GenerateRequest{Prompt: bos, MaxTokens: 2000}, func(abi.Delta) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) || res.CompletionTokens >= 2000 {
		t.Fatalf("got %+v, %v; want a stop at the deadline", res, err)
	}
	if e.Restarts() != 0 {
		t.Fatalf("a guest stopped between tokens was restarted")
	}
}

// TestPreemptedGuestRestarts kills a preemptible guest at its deadline (with
// no grace, so it cannot stop by itself) and checks that the next request
// runs in a fresh guest.
func TestPreemptedGuestRestarts(t *testing.T) {
	e := open(t, Options{Runtime: runtimeWasm(t, false), Context: 2048, Deadline: 20 * time.Millisecond, Preemptible: true})
	e.grace = 0
	bos := greedy200(t, e).Prompt
	first := true
	_, err := e.Generate(context.Background(), abi.GenerateRequest{Prompt: bos, MaxTokens: 2000}, func(abi.Delta) error {
		if first { // pass the deadline here, so the guest goes on into it
			first = false
			time.Sleep(50 * time.Millisecond)
		}
		return nil
	})
	if !errors.Is(err, ErrGuestCrashed) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the guest killed at its deadline", err)
	}
	e.opts.Deadline = 0 // a fresh guest's first call may be slow on a loaded machine
	res, err := e.Generate(context.Background(), abi.GenerateRequest{Prompt: bos, MaxTokens: 3}, func(abi.Delta) error { return nil })
	if err != nil || res.CompletionTokens != 3 {
		t.Fatalf("after the restart: %+v, %v", res, err)
	}
	if e.Restarts() != 1 {
		t.Fatalf("restarts = %d, want 1", e.Restarts())
	}
}

func TestMemoryLimit(t *testing.T) {
	rt := runtimeWasm(t, false)
	_, err := Open(stories, Options{Runtime: rt, CacheDir: cacheDir, MemoryLimit: 4 << 20})
	var ae *abi.Error
	if !errors.As(err, &ae) || ae.Code != abi.CodeTooLarge {
		t.Fatalf("got %v, want too_large", err)
	}
	// Room for the model but not for the runtime's working memory: the
	// guest runs out of memory and dies, and the host reports it.
	_, err = Open(stories, Options{Runtime: rt, CacheDir: cacheDir, MemoryLimit: 6 << 20})
	if !errors.Is(err, ErrGuestCrashed) {
		t.Fatalf("got %v, want the guest's crash reported", err)
	}
}

func TestCompilationCacheIsFilled(t *testing.T) {
	open(t, Options{Runtime: runtimeWasm(t, false)})
	entries, err := os.ReadDir(cacheDir)
	if err != nil || len(entries) == 0 {
		t.Fatalf("cache dir after a compile: %v, %v", entries, err)
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name, model, runtime, want string
	}{
		{"missing model", "nope.gguf", "", "nope.gguf"},
		{"model is not GGUF", testdata + "/models/stories260K.expected.txt", "", "not a GGUF file"},
		{"missing runtime", stories, "nope.wasm", "scripts/build-wasm"},
		{"runtime is not wasm", stories, stories, "compiling runtime.wasm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := tt.runtime
			if rt == "" {
				rt = runtimeWasm(t, false)
			}
			_, err := Open(tt.model, Options{Runtime: rt, CacheDir: cacheDir})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
}
