package api

import (
	"context"

	"github.com/wisp-llm/wisp/wasm/engine"
)

// ChatPrompt validates the model and renders req's prompt tokens; hosts
// that need the tokens before running (to size a budget) call it, Chat
// calls it itself.
func (s *Service) ChatPrompt(req *ChatRequest) ([]int32, error) {
	if err := s.CheckModel(req.Model); err != nil {
		return nil, err
	}
	prompt, err := s.eng.ChatPrompt(chatMessages(req.Messages), req.Tools)
	if err != nil {
		return nil, BadRequest("messages", "The messages could not be rendered: %v", err)
	}
	return prompt, nil
}

// Chat runs a chat completion. With req.Stream it calls emit with each
// chunk (role first, then text, then the finish reason, then usage when
// asked for) and returns a nil response; otherwise it returns the whole
// response. Errors before the first chunk are *Error values to answer
// with; after it, the stream is cut and the error says why.
func (s *Service) Chat(ctx context.Context, req *ChatRequest, emit func(*ChatChunk) error) (*ChatResponse, error) {
	prompt, err := s.ChatPrompt(req)
	if err != nil {
		return nil, err
	}
	maxTokens := 0
	if req.MaxCompletionTokens != nil {
		maxTokens = *req.MaxCompletionTokens
	} else if req.MaxTokens != nil {
		maxTokens = *req.MaxTokens
	}
	if err := s.checkContext(len(prompt), maxTokens, "messages"); err != nil {
		return nil, err
	}
	ereq := engine.Request{Prompt: prompt, MaxTokens: maxTokens, Sampling: req.Params(), Stop: req.Stop, Logprobs: req.Logprobs}
	if req.TopLogprobs != nil {
		ereq.TopLogprobs = *req.TopLogprobs
	}
	id, created, model := s.newID("chatcmpl"), s.now().Unix(), s.eng.Name()
	chunk := func(choices []ChunkChoice) *ChatChunk {
		return &ChatChunk{ID: id, Object: "chat.completion.chunk", Created: created, Model: model, SystemFingerprint: fingerprint, Choices: choices}
	}

	if !req.Stream {
		var logprobs *ChatLogprobs
		if req.Logprobs {
			logprobs = &ChatLogprobs{Content: []TokenLogprob{}}
		}
		res, err := s.run(ctx, ereq, nil, func(d engine.Delta) error {
			if logprobs != nil {
				logprobs.Content = append(logprobs.Content, s.chatLogprobs(d.Logprobs)...)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		return &ChatResponse{ID: id, Object: "chat.completion", Created: created, Model: model, SystemFingerprint: fingerprint,
			Choices: []ChatChoice{{Message: ResponseMessage{Role: "assistant", Content: res.Text}, Logprobs: logprobs, FinishReason: res.FinishReason}},
			Usage:   usage(res)}, nil
	}

	started := func() error {
		return emit(chunk([]ChunkChoice{{Delta: ChunkDelta{Role: "assistant", Content: ptr("")}}}))
	}
	res, err := s.run(ctx, ereq, started, func(d engine.Delta) error {
		c := ChunkChoice{Delta: ChunkDelta{Content: ptr(d.Text)}}
		if req.Logprobs {
			c.Logprobs = &ChatLogprobs{Content: s.chatLogprobs(d.Logprobs)}
		}
		return emit(chunk([]ChunkChoice{c}))
	})
	if err != nil {
		return nil, err
	}
	if err := emit(chunk([]ChunkChoice{{FinishReason: ptr(res.FinishReason)}})); err != nil {
		return nil, err
	}
	if req.StreamOptions != nil && req.StreamOptions.IncludeUsage {
		last := chunk([]ChunkChoice{})
		u := usage(res)
		last.Usage = &u
		if err := emit(last); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// fingerprint names the backend configuration, as OpenAI's does.
const fingerprint = "wisp"

func (s *Service) chatLogprobs(in []engine.TokenLogprob) []TokenLogprob {
	out := make([]TokenLogprob, len(in))
	for i, lp := range in {
		top := make([]TopLogprob, len(lp.Top))
		for k, t := range lp.Top {
			piece := s.eng.Tokenizer().Piece(t.ID)
			top[k] = TopLogprob{Token: string(piece), Logprob: float64(t.Logprob), Bytes: byteInts(piece)}
		}
		piece := s.eng.Tokenizer().Piece(lp.Token)
		out[i] = TokenLogprob{Token: string(piece), Logprob: float64(lp.Logprob), Bytes: byteInts(piece), TopLogprobs: top}
	}
	return out
}

func byteInts(b []byte) []int {
	out := make([]int, len(b))
	for i, c := range b {
		out[i] = int(c)
	}
	return out
}
