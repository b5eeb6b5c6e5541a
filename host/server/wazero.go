package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/wisp-llm/wisp/host/wazero"
	"github.com/wisp-llm/wisp/tokenizer"
	"github.com/wisp-llm/wisp/tokenizer/chat"
	"github.com/wisp-llm/wisp/wasm/abi"
	"github.com/wisp-llm/wisp/wasm/api"
	"github.com/wisp-llm/wisp/wasm/engine"
	"github.com/wisp-llm/wisp/wasm/gguf"
	"github.com/wisp-llm/wisp/wasm/sample"
)

// WazeroEngine serves a model that runs inside runtime.wasm under wazero
// (`wisp serve --engine wasm`). Each session is its own guest instance with
// its own KV cache, so sessions decode in parallel as native ones do. The
// tokenizer and chat template run in the host, from the same GGUF file:
// prompts cross into the guest as token ids, which keeps the rule that
// special tokens come only from the template.
type WazeroEngine struct {
	path   string
	opts   wazero.Options
	info   abi.Info
	file   *gguf.File
	tok    tokenizer.Tokenizer
	prompt *chat.Prompter

	mu       sync.Mutex
	first    *wazero.Engine // started to read the model's info; the first session reuses it
	firstCtx int            // its context length
	guests   []*wazero.Engine
	pool     *wazero.KernelPool // the guests' shared host kernels, when they have them
}

// OpenWazero starts one guest with the model at path and loads the
// host-side tokenizer. opts.Context should be the context the server gives
// its sessions, so that the first session can reuse this guest.
func OpenWazero(path string, opts wazero.Options) (*WazeroEngine, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	e := &WazeroEngine{path: path, opts: opts, file: f}
	if opts.HostKernels && opts.Kernels == nil {
		// Every session's guest multiplies on the same native threads.
		e.pool = wazero.NewKernelPool(opts.HostThreads)
		e.opts.Kernels = e.pool
	}
	if err := e.init(); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

func (e *WazeroEngine) init() error {
	var err error
	if e.tok, err = tokenizer.FromGGUF(e.file); err != nil {
		return err
	}
	template := ""
	if e.file.Has("tokenizer.chat_template") {
		if template, err = e.file.String("tokenizer.chat_template"); err != nil {
			return err
		}
	}
	e.prompt = chat.NewPrompter(e.tok, template)
	if e.first, err = wazero.Open(e.path, e.opts); err != nil {
		return err
	}
	e.guests = append(e.guests, e.first)
	e.info = e.first.Info()
	e.firstCtx = e.opts.Context
	if e.firstCtx <= 0 {
		e.firstCtx = min(e.info.ContextLen, 4096)
	}
	return nil
}

// Warning says why chats use ChatML instead of the model's template.
func (e *WazeroEngine) Warning() string { return e.prompt.Warning }

// Close stops every guest and closes the model file.
func (e *WazeroEngine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var errs []error
	for _, g := range e.guests {
		errs = append(errs, g.Close())
	}
	e.guests = nil
	if e.pool != nil {
		e.pool.Close()
	}
	errs = append(errs, e.file.Close())
	return errors.Join(errs...)
}

// Name is the model id.
func (e *WazeroEngine) Name() string { return e.info.Name }

// MaxContext is the model's trained context.
func (e *WazeroEngine) MaxContext() int { return e.info.ContextLen }

// Tokenizer is the host-side tokenizer.
func (e *WazeroEngine) Tokenizer() tokenizer.Tokenizer { return e.tok }

// ChatPrompt renders and tokenizes a chat in the host.
func (e *WazeroEngine) ChatPrompt(messages []chat.Message, tools []json.RawMessage) ([]int32, error) {
	return e.prompt.Tokens(chat.Options{Messages: messages, Tools: tools, AddGenerationPrompt: true})
}

// NewSession starts a guest whose session holds ctx tokens (the first
// call takes the guest that OpenWazero started, when its context fits).
func (e *WazeroEngine) NewSession(ctx int) (api.Session, error) {
	e.mu.Lock()
	first := e.first
	e.first = nil
	e.mu.Unlock()
	if first != nil && e.firstCtx == ctx {
		return &wazeroSession{g: first, ctx: ctx}, nil
	}
	if first != nil { // the wrong size: replace it
		e.forget(first)
		first.Close()
	}
	opts := e.opts
	opts.Context = ctx
	g, err := wazero.Open(e.path, opts)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.guests = append(e.guests, g)
	e.mu.Unlock()
	return &wazeroSession{g: g, ctx: ctx}, nil
}

func (e *WazeroEngine) forget(g *wazero.Engine) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, x := range e.guests {
		if x == g {
			e.guests = append(e.guests[:i], e.guests[i+1:]...)
			return
		}
	}
}

type wazeroSession struct {
	g   *wazero.Engine
	ctx int
}

func (s *wazeroSession) Context() int { return s.ctx }

func (s *wazeroSession) Generate(ctx context.Context, req engine.Request, emit func(engine.Delta) error) (engine.Result, error) {
	p := req.Sampling
	areq := abi.GenerateRequest{
		Prompt: req.Prompt, MaxTokens: req.MaxTokens, Stop: req.Stop, Logprobs: req.Logprobs, TopLogprobs: req.TopLogprobs,
		Sampling: abi.Sampling{Temperature: p.Temperature, TopK: p.TopK, TopP: p.TopP, MinP: p.MinP, RepeatPenalty: p.RepeatPenalty,
			PresencePenalty: p.PresencePenalty, FrequencyPenalty: p.FrequencyPenalty, Seed: p.Seed},
	}
	res, err := s.g.Generate(ctx, areq, func(d abi.Delta) error {
		return emit(engine.Delta{Text: d.Text, Tokens: d.Tokens, Logprobs: engineLogprobs(d.Logprobs)})
	})
	out := engine.Result{Text: res.Text, FinishReason: res.FinishReason, PromptTokens: res.PromptTokens, CompletionTokens: res.CompletionTokens, CachedTokens: res.CachedTokens}
	if err != nil && ctx.Err() == nil {
		if e := abi.AsError(err); e.Code == abi.CodeContextLength {
			err = fmt.Errorf("%w: %v", engine.ErrContextLength, err)
		}
	}
	return out, err
}

func engineLogprobs(in []abi.TokenLogprob) []engine.TokenLogprob {
	if in == nil {
		return nil
	}
	out := make([]engine.TokenLogprob, len(in))
	for i, lp := range in {
		top := make([]sample.TokenLogprob, len(lp.Top))
		for k, t := range lp.Top {
			top[k] = sample.TokenLogprob{ID: t.Token, Logprob: t.Logprob}
		}
		out[i] = engine.TokenLogprob{Token: lp.Token, Text: lp.Text, Logprob: lp.Logprob, Top: top}
	}
	return out
}
