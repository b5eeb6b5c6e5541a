package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/wisp-llm/wisp/tokenizer"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/sample"
)

// ErrContextLength is wrapped by errors about prompts that do not fit.
var ErrContextLength = errors.New("context length exceeded")

// PrefillBatch is how many prompt tokens one forward call processes.
const PrefillBatch = 64

// Session is one conversation's state: its KV cache and the tokens in it.
// A session is used by one request at a time.
type Session struct {
	m      *Model
	llm    *model.Llama // the backend the state lives on
	state  *model.State
	cached []int32 // tokens whose keys and values are in the cache
	logits []float32
	top    []sample.TokenLogprob
	pick   picker // reads back only the top candidates when sampling allows
}

// NewSession opens a session with room for ctx tokens (0: the model's
// trained context length, capped at 4096).
func (m *Model) NewSession(ctx int) (*Session, error) {
	if ctx <= 0 {
		ctx = min(m.LLM.Config.ContextLen, 4096)
	}
	if ctx > m.LLM.Config.ContextLen {
		return nil, fmt.Errorf("engine: context %d exceeds the model's %d", ctx, m.LLM.Config.ContextLen)
	}
	llm := m.active()
	st, err := llm.NewState(ctx, PrefillBatch)
	if err != nil {
		return nil, err
	}
	return &Session{m: m, llm: llm, state: st, logits: make([]float32, m.LLM.Config.Vocab), top: make([]sample.TokenLogprob, 20)}, nil
}

// Context is the session's capacity in tokens.
func (s *Session) Context() int { return s.state.Cache.Positions() }

// Model returns the session's model.
func (s *Session) Model() *Model { return s.m }

// Request is one generation.
type Request struct {
	Prompt      []int32 // the whole sequence so far, BOS included when the model wants it
	MaxTokens   int     // <= 0: until the context is full
	Sampling    sample.Params
	Stop        []string // text that ends generation; not included in the output
	TopLogprobs int      // > 0: report that many alternatives per token (at most 20)
	Logprobs    bool
}

// Delta is one piece of streamed output.
type Delta struct {
	Text     string
	Tokens   []int32 // tokens whose text this is
	Logprobs []TokenLogprob
}

// TokenLogprob is one generated token's log-probability and the most likely
// alternatives at its position.
type TokenLogprob struct {
	Token   int32
	Text    string
	Logprob float32
	Top     []sample.TokenLogprob
}

// Finish reasons, as the OpenAI API names them.
const (
	FinishStop   = "stop"
	FinishLength = "length"
)

// Result summarises a finished generation.
type Result struct {
	Text             string
	FinishReason     string
	PromptTokens     int
	CompletionTokens int
	CachedTokens     int // prompt tokens whose cache was reused
}

// Generate runs req, calling emit with each piece of text as it becomes
// final (valid UTF-8, never part of a stop string). It returns when a stop
// token or string is produced, MaxTokens is reached, the context fills, emit
// returns an error, or ctx is cancelled (then with ctx's error).
func (s *Session) Generate(ctx context.Context, req Request, emit func(Delta) error) (Result, error) {
	var res Result
	if len(req.Prompt) == 0 {
		return res, errors.New("engine: empty prompt")
	}
	if err := req.Sampling.Validate(); err != nil {
		return res, fmt.Errorf("engine: %w", err)
	}
	res.PromptTokens = len(req.Prompt)
	room := s.Context() - len(req.Prompt)
	if room < 1 {
		return res, fmt.Errorf("engine: prompt of %d tokens does not fit the context of %d: %w", len(req.Prompt), s.Context(), ErrContextLength)
	}
	maxTokens := req.MaxTokens
	if maxTokens <= 0 || maxTokens > room {
		if req.MaxTokens > room {
			return res, fmt.Errorf("engine: prompt of %d tokens plus %d to generate exceed the context of %d: %w", len(req.Prompt), req.MaxTokens, s.Context(), ErrContextLength)
		}
		maxTokens = room
	}
	s.pick.k = candidateK(req.Sampling, req.Logprobs, len(s.logits))
	defer func() { s.pick.k = 0 }()
	res.CachedTokens = s.prefix(req.Prompt)
	if err := s.prefill(ctx, req.Prompt[res.CachedTokens:]); err != nil {
		return res, err
	}

	sampler := sample.New(req.Sampling, len(s.logits))
	dec := tokenizer.NewStreamDecoder(s.m.Tokenizer)
	if last := s.cached[len(s.cached)-1]; last == s.m.Tokenizer.Vocab().BOS {
		dec.Next(last) // text right after BOS loses its space prefix
	}
	stops := newStopMatcher(req.Stop)
	var text strings.Builder
	var pendingTokens []int32
	var pendingLogprobs []TokenLogprob
	flush := func(out string) error {
		text.WriteString(out)
		if out == "" {
			return nil
		}
		d := Delta{Text: out, Tokens: pendingTokens, Logprobs: pendingLogprobs}
		pendingTokens, pendingLogprobs = nil, nil
		return emit(d)
	}

	for res.CompletionTokens < maxTokens {
		if err := ctx.Err(); err != nil {
			res.Text = text.String()
			return res, err
		}
		logits, ids, err := s.nextLogits()
		if err != nil {
			res.Text = text.String()
			return res, err
		}
		id := sampler.Sample(logits, s.cached)
		if ids != nil {
			id = ids[id] // the sampler drew among the candidates
		}
		sampler.Accept(id)
		if s.m.IsStop(id) {
			res.FinishReason = FinishStop
			break
		}
		res.CompletionTokens++
		pendingTokens = append(pendingTokens, id)
		if req.Logprobs {
			lp := TokenLogprob{Token: id, Text: string(s.m.Tokenizer.Piece(id))}
			k := min(req.TopLogprobs, len(s.top))
			lp.Logprob = sample.Logprobs(logits, id, s.top[:k])
			lp.Top = append([]sample.TokenLogprob(nil), s.top[:k]...)
			pendingLogprobs = append(pendingLogprobs, lp)
		}
		out, stopped := stops.push(dec.Next(id))
		if err := flush(out); err != nil {
			res.Text = text.String()
			return res, err
		}
		if stopped {
			res.FinishReason = FinishStop
			break
		}
		if res.CompletionTokens == maxTokens {
			break
		}
		if err := s.forward([]int32{id}); err != nil {
			return res, err
		}
	}
	if res.FinishReason == "" {
		res.FinishReason = FinishLength
	}
	if res.FinishReason != FinishStop || !stops.stopped {
		out, _ := stops.push(dec.Flush())
		out += stops.rest()
		if err := flush(out); err != nil {
			res.Text = text.String()
			return res, err
		}
	}
	res.Text = text.String()
	return res, nil
}

// prefix keeps the longest cached prefix of prompt, leaving at least one
// prompt token to run so that fresh logits exist, and returns its length.
func (s *Session) prefix(prompt []int32) int {
	n := 0
	for n < len(s.cached) && n < len(prompt)-1 && s.cached[n] == prompt[n] {
		n++
	}
	s.cached = s.cached[:n]
	s.state.Pos = n
	return n
}

func (s *Session) prefill(ctx context.Context, tokens []int32) error {
	for len(tokens) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(len(tokens), PrefillBatch)
		if err := s.forward(tokens[:n]); err != nil {
			return err
		}
		tokens = tokens[n:]
	}
	return nil
}

func (s *Session) forward(tokens []int32) error {
	if s.llm != s.m.active() {
		if err := s.rebuild(); err != nil {
			return err
		}
	}
	run := s.pick.model(s.llm)
	err := run.Forward(s.state, tokens, s.logits)
	deferred := run != s.llm // the logits stay on the device for nextLogits
	if err == nil {
		if err = backendErr(s.llm); err != nil {
			// The device failed under us: continue on the CPU, rebuilding
			// this session's cache from its tokens.
			if ferr := s.m.fallBack(err); ferr != nil {
				err = ferr
			} else if err = s.rebuild(); err == nil {
				deferred = false
				err = s.llm.Forward(s.state, tokens, s.logits)
			}
		}
	}
	if err != nil {
		// The cache may hold part of the batch: forget it all.
		s.cached, s.state.Pos = s.cached[:0], 0
		s.pick.pending = false
		return fmt.Errorf("engine: %w", err)
	}
	s.cached = append(s.cached, tokens...)
	s.pick.pending = deferred
	return nil
}

// rebuild moves the session to the model's active backend and replays the
// cached tokens into a fresh cache there.
func (s *Session) rebuild() error {
	llm := s.m.active()
	st, err := llm.NewState(s.Context(), PrefillBatch)
	if err != nil {
		return fmt.Errorf("engine: moving the session: %w", err)
	}
	s.llm, s.state = llm, st
	for rest := s.cached; len(rest) > 0; {
		n := min(len(rest), PrefillBatch)
		if err := llm.Forward(st, rest[:n], s.logits); err != nil {
			s.cached, st.Pos = s.cached[:0], 0
			return fmt.Errorf("engine: replaying the conversation: %w", err)
		}
		rest = rest[n:]
	}
	return nil
}

// Reset empties the session's cache.
func (s *Session) Reset() { s.cached, s.state.Pos = s.cached[:0], 0 }

// Logits evaluates prompt (reusing the cache) and returns the next-token
// logits after each of its tokens, for parity tests and perplexity.
func (s *Session) Logits(prompt []int32) ([][]float32, error) {
	s.Reset()
	out := make([][]float32, 0, len(prompt))
	for _, t := range prompt {
		if err := s.forward([]int32{t}); err != nil {
			return nil, err
		}
		out = append(out, append([]float32(nil), s.logits...))
	}
	return out, nil
}
