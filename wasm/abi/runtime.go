package abi

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"

	"github.com/wisp-llm/wisp/tokenizer"
	"github.com/wisp-llm/wisp/tokenizer/chat"
	"github.com/wisp-llm/wisp/wasm/engine"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/sample"
)

// AddressSpace is what a wasm32 module can address: 4 GiB, the runtime's
// own heap included.
const AddressSpace = 4 << 30

// Runtime holds the handles of one runtime.wasm instance. It is used by one
// caller at a time, as a wasm instance is.
type Runtime struct {
	// NewBackend makes the backend of each loaded model.
	NewBackend func() model.Backend
	// NewDeviceBackend makes a device backend (LoadOptions.Device); nil
	// means the runtime has none. A model on a device falls back to
	// NewBackend's CPU backend if the device fails.
	NewDeviceBackend func(device string) (model.Backend, error)
	// MemoryLimit caps the bytes a model being loaded may take together with
	// what the runtime already holds; 0 means AddressSpace.
	MemoryLimit int64

	handles map[int32]any
	next    int32
}

// pendingLoad is a model whose bytes the host is still writing.
type pendingLoad struct{ data []byte }

// New returns a runtime whose models run on backends made by newBackend.
func New(newBackend func() model.Backend) *Runtime {
	return &Runtime{NewBackend: newBackend, handles: map[int32]any{}}
}

func (r *Runtime) add(v any) int32 {
	r.next++
	r.handles[r.next] = v
	return r.next
}

func lookup[T any](r *Runtime, h int32, what string) (T, error) {
	v, ok := r.handles[h].(T)
	if !ok {
		var zero T
		return zero, errorf(CodeNotFound, "no %s with handle %d", what, h)
	}
	return v, nil
}

// heapInUse is what the runtime has taken from the address space so far.
func heapInUse() int64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.Sys)
}

// checkFits refuses a model of size bytes before allocating it: on wasm32 a
// failed allocation ends the whole instance instead of returning an error.
func (r *Runtime) checkFits(size int64) error {
	limit := r.MemoryLimit
	if limit <= 0 {
		limit = AddressSpace
	}
	if size <= 0 {
		return errorf(CodeInvalid, "model size %d is not positive", size)
	}
	if used := heapInUse(); size > limit-used {
		return errorf(CodeTooLarge, "model of %d bytes (%.2f GiB) does not fit: wasm32 addresses at most 4 GiB, the memory limit is %.2f GiB and the runtime already uses %.2f GiB",
			size, gib(size), gib(limit), gib(used))
	}
	return nil
}

func gib(n int64) float64 { return float64(n) / (1 << 30) }

// BeginLoad reserves size bytes for a model the host writes in chunks
// (LoadBuffer) before FinishLoad; it returns the load's handle.
func (r *Runtime) BeginLoad(size int64) (int32, error) {
	if err := r.checkFits(size); err != nil {
		return 0, err
	}
	return r.add(&pendingLoad{data: make([]byte, size)}), nil
}

// LoadBuffer is the part [offset, offset+n) of a pending load's bytes, for
// the host to copy a chunk into.
func (r *Runtime) LoadBuffer(h int32, offset, n int64) ([]byte, error) {
	p, err := lookup[*pendingLoad](r, h, "pending load")
	if err != nil {
		return nil, err
	}
	if offset < 0 || n < 0 || offset > int64(len(p.data)) || n > int64(len(p.data))-offset {
		return nil, errorf(CodeInvalid, "chunk [%d, %d+%d) is outside the model's %d bytes", offset, offset, n, len(p.data))
	}
	return p.data[offset : offset+n], nil
}

// FinishLoad parses a pending load's bytes and returns the model's handle;
// the load's handle is released either way.
func (r *Runtime) FinishLoad(h int32, opts LoadOptions) (int32, error) {
	p, err := lookup[*pendingLoad](r, h, "pending load")
	if err != nil {
		return 0, err
	}
	delete(r.handles, h)
	return r.LoadBytes(p.data, opts)
}

// LoadBytes loads a model held in memory; the model aliases b.
func (r *Runtime) LoadBytes(b []byte, opts LoadOptions) (int32, error) {
	backend, fallback := r.NewBackend(), model.Backend(nil)
	switch opts.Device {
	case "", "cpu", "wasm":
	default:
		if r.NewDeviceBackend == nil {
			return 0, errorf(CodeUnsupported, "device %q is not available in this runtime", opts.Device)
		}
		dev, err := r.NewDeviceBackend(opts.Device)
		if err != nil {
			return 0, errorf(CodeUnsupported, "device %q: %v", opts.Device, err)
		}
		backend, fallback = dev, backend
	}
	m, err := engine.LoadBytes(b, engine.Options{Backend: backend, Fallback: fallback, Name: opts.Name})
	if err != nil {
		return 0, &Error{Code: CodeBadModel, Message: err.Error()}
	}
	return r.add(m), nil
}

// LoadFile reads a model file (under wasip1, from a directory the host
// opened for the guest) and loads it.
func (r *Runtime) LoadFile(path string, opts LoadOptions) (int32, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, &Error{Code: CodeNotFound, Message: err.Error()}
	}
	if err := r.checkFits(st.Size()); err != nil {
		return 0, err
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, &Error{Code: CodeNotFound, Message: err.Error()}
	}
	defer f.Close()
	b := make([]byte, st.Size())
	if _, err := readFull(f, b); err != nil {
		return 0, &Error{Code: CodeBadModel, Message: fmt.Sprintf("reading %s: %v", path, err)}
	}
	if opts.Name == "" {
		opts.Name = baseName(path)
	}
	return r.LoadBytes(b, opts)
}

func readFull(f *os.File, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		k, err := f.Read(b[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func baseName(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			path = path[i+1:]
			break
		}
	}
	if len(path) > 5 && path[len(path)-5:] == ".gguf" {
		path = path[:len(path)-5]
	}
	return path
}

// Info describes a loaded model.
func (r *Runtime) Info(h int32) (Info, error) {
	m, err := lookup[*engine.Model](r, h, "model")
	if err != nil {
		return Info{}, err
	}
	return m.Info(), nil
}

// Tokenize returns the ids of a text.
func (r *Runtime) Tokenize(h int32, req TokenizeRequest) ([]int32, error) {
	m, err := lookup[*engine.Model](r, h, "model")
	if err != nil {
		return nil, err
	}
	ids := []int32{}
	if v := m.Tokenizer.Vocab(); req.BOS && v.BOS != tokenizer.NoToken {
		ids = append(ids, v.BOS)
	}
	return append(ids, m.Tokenizer.Encode(req.Text, req.Special)...), nil
}

// Detokenize returns the text of ids.
func (r *Runtime) Detokenize(h int32, ids []int32) (string, error) {
	m, err := lookup[*engine.Model](r, h, "model")
	if err != nil {
		return "", err
	}
	n := int32(len(m.Tokenizer.Vocab().Tokens))
	var b []byte
	for _, id := range ids {
		if id < 0 || id >= n {
			return "", errorf(CodeInvalid, "token %d is outside the vocabulary of %d", id, n)
		}
		b = append(b, m.Tokenizer.Piece(id)...)
	}
	return string(b), nil
}

// NewSession opens a session on a model.
func (r *Runtime) NewSession(h int32, opts SessionOptions) (int32, error) {
	m, err := lookup[*engine.Model](r, h, "model")
	if err != nil {
		return 0, err
	}
	if opts.Context < 0 {
		return 0, errorf(CodeInvalid, "context %d is negative", opts.Context)
	}
	s, err := m.NewSession(opts.Context)
	if err != nil {
		return 0, &Error{Code: CodeInvalid, Message: err.Error()}
	}
	return r.add(s), nil
}

// Free releases a handle of any kind. A model's sessions stay usable until
// they are freed too.
func (r *Runtime) Free(h int32) error {
	v, ok := r.handles[h]
	if !ok {
		return errorf(CodeNotFound, "no handle %d", h)
	}
	delete(r.handles, h)
	if m, ok := v.(*engine.Model); ok {
		return m.Close()
	}
	return nil
}

// Generate runs one request in a session, calling emit with each delta. An
// emit that returns ErrStop ends generation early without an error.
func (r *Runtime) Generate(ctx context.Context, h int32, req GenerateRequest, emit func(Delta) error) (Result, error) {
	s, err := lookup[*engine.Session](r, h, "session")
	if err != nil {
		return Result{}, err
	}
	prompt, err := promptOf(s.Model(), req)
	if err != nil {
		return Result{}, err
	}
	er := engine.Request{
		Prompt: prompt, MaxTokens: req.MaxTokens, Stop: req.Stop, Logprobs: req.Logprobs, TopLogprobs: req.TopLogprobs,
		Sampling: sample.Params{
			Temperature: req.Temperature, TopK: req.TopK, TopP: req.TopP, MinP: req.MinP,
			RepeatPenalty: req.RepeatPenalty, PresencePenalty: req.PresencePenalty, FrequencyPenalty: req.FrequencyPenalty, Seed: req.Seed,
		},
	}
	if err := er.Sampling.Validate(); err != nil {
		return Result{}, &Error{Code: CodeInvalid, Message: err.Error()}
	}
	if emit == nil {
		emit = func(Delta) error { return nil }
	}
	var text []byte
	res, err := s.Generate(ctx, er, func(d engine.Delta) error {
		text = append(text, d.Text...)
		return emit(deltaOf(s.Model(), d))
	})
	out := Result{Text: res.Text, FinishReason: res.FinishReason, PromptTokens: res.PromptTokens, CompletionTokens: res.CompletionTokens, CachedTokens: res.CachedTokens}
	if errors.Is(err, ErrStop) {
		out.Text, out.FinishReason = string(text), engine.FinishStop
		return out, nil
	}
	if err != nil {
		return out, AsError(err)
	}
	return out, nil
}

func promptOf(m *engine.Model, req GenerateRequest) ([]int32, error) {
	given := 0
	for _, set := range []bool{len(req.Prompt) > 0, req.Text != "", len(req.Messages) > 0} {
		if set {
			given++
		}
	}
	if given > 1 {
		return nil, errorf(CodeInvalid, "a request gives one of prompt, text and messages, not several")
	}
	v := m.Tokenizer.Vocab()
	n := int32(len(v.Tokens))
	switch {
	case len(req.Prompt) > 0:
		for _, id := range req.Prompt {
			if id < 0 || id >= n {
				return nil, errorf(CodeInvalid, "prompt token %d is outside the vocabulary of %d", id, n)
			}
		}
		return req.Prompt, nil
	case len(req.Messages) > 0:
		msgs := make([]chat.Message, len(req.Messages))
		for i, msg := range req.Messages {
			msgs[i] = chat.Message{Role: msg.Role, Content: msg.Content}
		}
		ids, err := m.ChatPrompt(chat.Options{Messages: msgs, AddGenerationPrompt: true})
		if err != nil {
			return nil, &Error{Code: CodeInvalid, Message: err.Error()}
		}
		return ids, nil
	}
	var ids []int32
	if v.BOS != tokenizer.NoToken && (v.AddBOS || req.Text == "") {
		ids = append(ids, v.BOS)
	}
	ids = append(ids, m.Tokenizer.Encode(req.Text, req.Special)...)
	if len(ids) == 0 {
		return nil, errorf(CodeInvalid, "empty prompt and the model has no BOS token")
	}
	return ids, nil
}

func deltaOf(m *engine.Model, d engine.Delta) Delta {
	out := Delta{Text: d.Text, Tokens: d.Tokens}
	for _, lp := range d.Logprobs {
		t := TokenLogprob{Token: lp.Token, Text: lp.Text, Logprob: lp.Logprob}
		for _, alt := range lp.Top {
			t.Top = append(t.Top, TokenLogprob{Token: alt.ID, Text: string(m.Tokenizer.Piece(alt.ID)), Logprob: alt.Logprob})
		}
		out.Logprobs = append(out.Logprobs, t)
	}
	return out
}
