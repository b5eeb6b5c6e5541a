package api

import (
	"context"

	"github.com/wisp-llm/wisp/tokenizer"
	"github.com/wisp-llm/wisp/wasm/engine"
)

// CompletionPrompt validates the model and returns req's prompt tokens: the
// text encoded with no special tokens (BOS first when the vocabulary wants
// it, and BOS alone for an empty prompt), or the ids as given.
func (s *Service) CompletionPrompt(req *CompletionRequest) ([]int32, error) {
	if err := s.CheckModel(req.Model); err != nil {
		return nil, err
	}
	tok := s.eng.Tokenizer()
	v := tok.Vocab()
	if len(req.Prompt.Tokens) > 0 {
		limit := len(v.Tokens)
		for _, id := range req.Prompt.Tokens {
			if id < 0 || int(id) >= limit {
				return nil, BadRequest("prompt", "Token id %d is outside the vocabulary of %d tokens.", id, limit)
			}
		}
		return req.Prompt.Tokens, nil
	}
	var prompt []int32
	if v.AddBOS || req.Prompt.Text == "" {
		if v.BOS == tokenizer.NoToken {
			return nil, BadRequest("prompt", "The prompt is empty and the model has no BOS token to start from.")
		}
		prompt = append(prompt, v.BOS)
	}
	return append(prompt, tok.Encode(req.Prompt.Text, false)...), nil
}

// Complete runs a legacy text completion; streaming works as in Chat, each
// chunk a text_completion object.
func (s *Service) Complete(ctx context.Context, req *CompletionRequest, emit func(*CompletionResponse) error) (*CompletionResponse, error) {
	prompt, err := s.CompletionPrompt(req)
	if err != nil {
		return nil, err
	}
	maxTokens := 16 // OpenAI's default for completions
	if req.MaxTokens != nil {
		maxTokens = *req.MaxTokens
	}
	if err := s.checkContext(len(prompt), maxTokens, "prompt"); err != nil {
		return nil, err
	}
	ereq := engine.Request{Prompt: prompt, MaxTokens: maxTokens, Sampling: req.Params(), Stop: req.Stop}
	if req.Logprobs != nil {
		ereq.Logprobs, ereq.TopLogprobs = true, *req.Logprobs
	}
	echo := ""
	if req.Echo {
		echo = req.Prompt.Text
		if len(req.Prompt.Tokens) > 0 {
			echo = tokenizer.Decode(s.eng.Tokenizer(), req.Prompt.Tokens)
		}
	}
	id, created, model := s.newID("cmpl"), s.now().Unix(), s.eng.Name()
	response := func(c CompletionChoice) *CompletionResponse {
		return &CompletionResponse{ID: id, Object: "text_completion", Created: created, Model: model, SystemFingerprint: fingerprint, Choices: []CompletionChoice{c}}
	}

	if !req.Stream {
		text := echo
		var lp *CompletionLogprobs
		if ereq.Logprobs {
			lp = &CompletionLogprobs{Tokens: []string{}, TokenLogprobs: []float64{}, TopLogprobs: []map[string]float64{}, TextOffset: []int{}}
		}
		res, err := s.run(ctx, ereq, nil, func(d engine.Delta) error {
			if lp != nil {
				s.appendCompletionLogprobs(lp, d.Logprobs, len(text))
			}
			text += d.Text
			return nil
		})
		if err != nil {
			return nil, err
		}
		out := response(CompletionChoice{Text: text, Logprobs: lp, FinishReason: ptr(res.FinishReason)})
		u := usage(res)
		out.Usage = &u
		return out, nil
	}

	offset := 0
	var started func() error
	if echo != "" {
		started = func() error {
			offset = len(echo)
			return emit(response(CompletionChoice{Text: echo}))
		}
	}
	res, err := s.run(ctx, ereq, started, func(d engine.Delta) error {
		c := CompletionChoice{Text: d.Text}
		if ereq.Logprobs {
			c.Logprobs = &CompletionLogprobs{}
			s.appendCompletionLogprobs(c.Logprobs, d.Logprobs, offset)
		}
		offset += len(d.Text)
		return emit(response(c))
	})
	if err != nil {
		return nil, err
	}
	if err := emit(response(CompletionChoice{FinishReason: ptr(res.FinishReason)})); err != nil {
		return nil, err
	}
	if req.StreamOptions != nil && req.StreamOptions.IncludeUsage {
		u := usage(res)
		last := response(CompletionChoice{})
		last.Choices, last.Usage = []CompletionChoice{}, &u
		if err := emit(last); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// appendCompletionLogprobs adds one delta's tokens to the legacy logprobs
// object; offset is where the delta's text starts in the choice's text.
func (s *Service) appendCompletionLogprobs(lp *CompletionLogprobs, in []engine.TokenLogprob, offset int) {
	tok := s.eng.Tokenizer()
	for _, t := range in {
		piece := string(tok.Piece(t.Token))
		top := make(map[string]float64, len(t.Top))
		for _, alt := range t.Top {
			top[string(tok.Piece(alt.ID))] = float64(alt.Logprob)
		}
		lp.Tokens = append(lp.Tokens, piece)
		lp.TokenLogprobs = append(lp.TokenLogprobs, float64(t.Logprob))
		lp.TopLogprobs = append(lp.TopLogprobs, top)
		lp.TextOffset = append(lp.TextOffset, offset)
		offset += len(piece)
	}
}
