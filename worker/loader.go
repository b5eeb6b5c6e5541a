package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/wisp-llm/wisp/wasm/engine"
	"github.com/wisp-llm/wisp/wasm/gguf"
	"github.com/wisp-llm/wisp/wasm/model"
)

// ErrOverBudget is wrapped by errors about models that do not fit the
// isolate's memory budget; the handler answers them with 503.
var ErrOverBudget = errors.New("over the memory budget")

// settings are the Worker's configuration, from its environment variables.
type settings struct {
	ModelKey string // WISP_MODEL: object key in the MODELS bucket or asset path
	Context  int    // WISP_CONTEXT: wanted context length
	Budget   int64  // WISP_MEMORY_BUDGET_MB, in bytes
	APIKey   string // WISP_API_KEY (a secret)
	CORS     string // WISP_CORS: allowed origins, comma-separated
}

// modelStream is an open model file: its size and a reader of its bytes.
type modelStream struct {
	Size  int64
	Body  io.Reader
	Close func()
}

// openFunc opens the model named by key (from R2 or static assets).
type openFunc func(ctx context.Context, key string) (*modelStream, error)

// loader loads the model once per isolate, on first use, and remembers
// how long it took and how often it happened (for /health).
type loader struct {
	cfg  settings
	open openFunc

	mu        sync.Mutex
	model     *engine.Model
	context   int
	loads     int
	loadedIn  time.Duration
	lastError error
}

func (l *loader) get(ctx context.Context) (*engine.Model, int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.model != nil {
		return l.model, l.context, nil
	}
	start := time.Now()
	m, n, err := l.load(ctx)
	if err != nil {
		l.lastError = err
		return nil, 0, err
	}
	l.model, l.context, l.lastError = m, n, nil
	l.loads++
	l.loadedIn = time.Since(start)
	return m, n, nil
}

// load streams the model in chunk by chunk; as soon as its header is in,
// it checks the memory need against the budget, before holding the weights.
func (l *loader) load(ctx context.Context) (*engine.Model, int, error) {
	if l.cfg.ModelKey == "" {
		return nil, 0, errors.New("no model configured: set WISP_MODEL to the model's object key")
	}
	s, err := l.open(ctx, l.cfg.ModelKey)
	if err != nil {
		return nil, 0, fmt.Errorf("opening model %q: %w", l.cfg.ModelKey, err)
	}
	defer s.Close()
	if s.Size > l.cfg.Budget {
		return nil, 0, fmt.Errorf("model %q is %.1f MiB, more than the memory budget of %.1f MiB: %w", l.cfg.ModelKey, float64(s.Size)/(1<<20), float64(l.cfg.Budget)/(1<<20), ErrOverBudget)
	}
	const wasmLimit = 4 << 30
	if s.Size >= wasmLimit {
		return nil, 0, fmt.Errorf("model %q is %d bytes; a wasm32 module addresses at most 4 GiB: %w", l.cfg.ModelKey, s.Size, ErrOverBudget)
	}
	data := make([]byte, 0, min(s.Size, 1<<20))
	headerChecked := false
	chunk := make([]byte, 1<<20)
	for int64(len(data)) < s.Size {
		n, readErr := s.Body.Read(chunk)
		data = append(data, chunk[:n]...)
		if !headerChecked && n > 0 {
			header, err := gguf.ReadHeader(data, s.Size)
			switch {
			case err == nil:
				headerChecked = true
				if l.context, err = l.fit(header, s.Size); err != nil {
					return nil, 0, err
				}
				// The rest arrives into one allocation of the final size.
				full := make([]byte, len(data), s.Size)
				copy(full, data)
				data = full
			case !errors.Is(err, gguf.ErrNeedMore):
				return nil, 0, fmt.Errorf("model %q: %w", l.cfg.ModelKey, err)
			}
		}
		if readErr == io.EOF {
			break
		}
		if readErr != nil {
			return nil, 0, fmt.Errorf("reading model %q: %w", l.cfg.ModelKey, readErr)
		}
	}
	if int64(len(data)) != s.Size {
		return nil, 0, fmt.Errorf("model %q: read %d of %d bytes", l.cfg.ModelKey, len(data), s.Size)
	}
	m, err := engine.LoadBytes(data, engine.Options{Name: l.cfg.ModelKey, Backend: newBackend()})
	if err != nil {
		return nil, 0, fmt.Errorf("loading model %q: %w", l.cfg.ModelKey, err)
	}
	return m, l.context, nil
}

// fit caps the configured context to what the budget allows.
func (l *loader) fit(header *gguf.File, size int64) (int, error) {
	c, err := model.ReadConfig(header)
	if err != nil {
		return 0, err
	}
	emb, err := header.Tensor("token_embd.weight")
	if err != nil {
		return 0, err
	}
	if len(emb.Dims) == 2 {
		c.Vocab = int(emb.Dims[1])
	}
	want := min(l.cfg.Context, c.ContextLen)
	n, err := engine.FitContext(c, size, want, min(64, want), l.cfg.Budget)
	if err != nil {
		return 0, fmt.Errorf("model %q: %w: %w", l.cfg.ModelKey, err, ErrOverBudget)
	}
	return n, nil
}

// status reports the loader's state for /health.
func (l *loader) status() map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := map[string]any{
		"status":       "ok",
		"model":        l.cfg.ModelKey,
		"model_loaded": l.model != nil,
		"loads":        l.loads,
		"load_ms":      l.loadedIn.Milliseconds(),
		"context":      l.context,
		"budget_mb":    l.cfg.Budget >> 20,
	}
	if l.lastError != nil {
		st["last_error"] = l.lastError.Error()
	}
	return st
}
