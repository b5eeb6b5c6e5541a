// Package api is Wisp's OpenAI-compatible API without a transport: the
// request and response types, their validation, and a Service that runs
// chat and completion requests on a pool of engine sessions. The native
// server (host/server), the Cloudflare Worker and the wasm ABI all call it,
// so the API has one implementation. The package links no HTTP stack; see
// api/httpapi for the routes.
package api

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/wisp-llm/wisp/tokenizer/chat"
	"github.com/wisp-llm/wisp/wasm/engine"
)

// Options configure a Service.
type Options struct {
	Parallel int // sessions decoding at once; 0 means 1
	Queue    int // requests that may wait for a session; beyond them, 429
	Context  int // tokens per session; 0: the model's, at most 4096
	// Now is the clock for "created" stamps; nil means time.Now.
	Now func() time.Time
}

// Service runs OpenAI requests on one model.
type Service struct {
	eng     Engine
	pool    *Pool
	now     func() time.Time
	started int64
}

// NewService serves e with o's scheduling.
func NewService(e Engine, o Options) (*Service, error) {
	if o.Parallel == 0 {
		o.Parallel = 1
	}
	pool, err := NewPool(e, o.Parallel, o.Queue, o.Context)
	if err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{eng: e, pool: pool, now: o.Now, started: o.Now().Unix()}, nil
}

// Engine is the served model.
func (s *Service) Engine() Engine { return s.eng }

// Pool is the session pool, for hosts that report its load.
func (s *Service) Pool() *Pool { return s.pool }

// Models is the answer to GET /v1/models.
func (s *Service) Models() ModelList {
	return ModelList{Object: "list", Data: []ModelCard{s.Model()}}
}

// Model describes the served model.
func (s *Service) Model() ModelCard {
	return ModelCard{ID: s.eng.Name(), Object: "model", Created: s.started, OwnedBy: "wisp", ContextLength: s.pool.Context()}
}

// Health is the answer to GET /health.
func (s *Service) Health() Health {
	busy, waiting := s.pool.Load()
	return Health{Status: "ok", Model: s.eng.Name(), Parallel: s.pool.Parallel(), Busy: busy, Waiting: waiting, Served: s.pool.Served(), Abandoned: s.pool.Abandoned()}
}

// CheckModel answers a request for model: "" and the served model's id
// are fine, anything else is 404 model_not_found.
func (s *Service) CheckModel(model string) error {
	if model == "" || model == s.eng.Name() {
		return nil
	}
	return &Error{Status: 404, Type: TypeInvalidRequest, Param: "model", Code: "model_not_found",
		Message: fmt.Sprintf("The model `%s` does not exist; this server serves `%s`.", model, s.eng.Name())}
}

// checkContext refuses a prompt that, with the tokens asked for, does not
// fit a session, with OpenAI's wording.
func (s *Service) checkContext(prompt, maxTokens int, param string) error {
	n := s.pool.Context()
	switch {
	case maxTokens > 0 && prompt+maxTokens > n:
		return &Error{Status: 400, Type: TypeInvalidRequest, Param: param, Code: "context_length_exceeded",
			Message: fmt.Sprintf("This model's maximum context length is %d tokens. However, you requested %d tokens (%d in the %s, %d in the completion). Please reduce the length of the %s or completion.", n, prompt+maxTokens, prompt, param, maxTokens, param)}
	case prompt >= n:
		return &Error{Status: 400, Type: TypeInvalidRequest, Param: param, Code: "context_length_exceeded",
			Message: fmt.Sprintf("This model's maximum context length is %d tokens. However, your %s resulted in %d tokens, which leaves no room for a completion. Please reduce the length of the %s.", n, param, prompt, param)}
	}
	return nil
}

// run leases a session and generates; it returns the tokens the session's
// cache now holds along with the result.
func (s *Service) run(ctx context.Context, req engine.Request, started func() error, emit func(engine.Delta) error) (engine.Result, error) {
	lease, err := s.pool.Acquire(ctx, req.Prompt)
	if errors.Is(err, ErrQueueFull) {
		return engine.Result{}, &Error{Status: 429, Type: TypeRateLimit, Code: "rate_limit_exceeded", RetryAfter: 1,
			Message: "The server is busy: every session is decoding and the queue is full. Retry shortly.", Err: err}
	}
	if err != nil {
		return engine.Result{}, err
	}
	cached := append([]int32(nil), req.Prompt...)
	defer func() { lease.Release(cached) }()
	if started != nil {
		if err := started(); err != nil {
			return engine.Result{}, err
		}
	}
	res, err := lease.Session().Generate(ctx, req, func(d engine.Delta) error {
		cached = append(cached, d.Tokens...)
		return emit(d)
	})
	if err != nil && ctx.Err() != nil {
		s.pool.given.Add(1)
	}
	if err != nil {
		if errors.Is(err, engine.ErrContextLength) {
			return res, BadRequest("", "%v", err)
		}
		return res, err
	}
	return res, nil
}

func (s *Service) newID(prefix string) string {
	return fmt.Sprintf("%s-%016x%08x", prefix, rand.Uint64(), rand.Uint32())
}

func usage(res engine.Result) Usage {
	return Usage{PromptTokens: res.PromptTokens, CompletionTokens: res.CompletionTokens,
		TotalTokens:         res.PromptTokens + res.CompletionTokens,
		PromptTokensDetails: &PromptTokenDetails{CachedTokens: res.CachedTokens}}
}

// chatMessages converts the request's messages to the template's.
func chatMessages(in []Message) []chat.Message {
	out := make([]chat.Message, len(in))
	for i, m := range in {
		role := m.Role
		if role == "developer" { // OpenAI's newer name; templates know "system"
			role = "system"
		}
		cm := chat.Message{Role: role, Content: m.Content.Text, Name: m.Name, ToolCallID: m.ToolCallID, ReasoningContent: m.ReasoningContent}
		for _, p := range m.Content.Parts {
			cm.Parts = append(cm.Parts, chat.ContentPart{Type: p.Type, Text: p.Text})
		}
		for _, c := range m.ToolCalls {
			cm.ToolCalls = append(cm.ToolCalls, chat.ToolCall{ID: c.ID, Type: c.Type, Function: chat.FunctionCall{Name: c.Function.Name, Arguments: c.Function.Arguments}})
		}
		out[i] = cm
	}
	return out
}

func ptr[T any](v T) *T { return &v }
