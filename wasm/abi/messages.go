// Package abi is what runtime.wasm exports, independent of the host: a table
// of handles (models being loaded, models, sessions) and the one typed set of
// messages that crosses the boundary as JSON. The js and wasip1 entry points
// in wasm/cmd/runtime are thin adapters over Runtime; wasm/ABI.md documents
// both.
package abi

import (
	"context"
	"errors"
	"fmt"

	"github.com/wisp-llm/wisp/wasm/engine"
)

// Code classifies an error that crosses the ABI, so a host can turn it into
// its own shape (an OpenAI error object, a JS exception, an exit status)
// without parsing the message.
type Code int32

const (
	CodeOK            Code = 0
	CodeInvalid       Code = 1 // malformed request or argument
	CodeNotFound      Code = 2 // unknown or already freed handle
	CodeTooLarge      Code = 3 // the model does not fit the wasm32 address space or the memory limit
	CodeBadModel      Code = 4 // the model file was rejected
	CodeContextLength Code = 5 // prompt plus output exceed the session's context
	CodeCancelled     Code = 6 // the host stopped the request (emit asked to stop, or a deadline)
	CodeInternal      Code = 7 // a bug in the runtime
	CodeUnsupported   Code = 8 // the requested device is not available here
)

var codeNames = [...]string{"ok", "invalid_request", "not_found", "too_large", "bad_model", "context_length_exceeded", "cancelled", "internal", "unsupported"}

// String is the code's stable name, as JS exceptions carry it.
func (c Code) String() string {
	if c >= 0 && int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("code(%d)", int32(c))
}

// Error is an error with its code; it is what a failed call returns as JSON.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Message }

func errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// AsError gives err its code: an *Error keeps its own, engine errors are
// classified, and anything else is internal.
func AsError(err error) *Error {
	var e *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return e
	case errors.Is(err, engine.ErrContextLength):
		return &Error{Code: CodeContextLength, Message: err.Error()}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.Is(err, ErrStop):
		return &Error{Code: CodeCancelled, Message: err.Error()}
	}
	return &Error{Code: CodeInternal, Message: err.Error()}
}

// ErrStop is what an emit callback returns when the host wants generation
// to end early; Generate then returns the text so far without an error.
var ErrStop = errors.New("abi: the host stopped generation")

// LoadOptions configure a model load.
type LoadOptions struct {
	Name string `json:"name,omitempty"` // model id reported back; default: general.name
	// Device runs the model on a device backend instead of the CPU:
	// "webgpu" (js build, in a goroutine: loadEnd and generate then return
	// Promises). "" or "cpu" is the CPU.
	Device string `json:"device,omitempty"`
}

// SessionOptions configure a new session.
type SessionOptions struct {
	Context int `json:"context,omitempty"` // tokens; 0: the model's, at most 4096
}

// TokenizeRequest asks for the ids of Text.
type TokenizeRequest struct {
	Text    string `json:"text"`
	Special bool   `json:"special,omitempty"` // parse special tokens written in the text
	BOS     bool   `json:"bos,omitempty"`     // prepend BOS when the model has one
}

// ChatMessage is one OpenAI-style message of a chat request.
type ChatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Sampling are the sampling settings; the zero value is greedy.
type Sampling struct {
	Temperature      float32 `json:"temperature,omitempty"`
	TopK             int     `json:"top_k,omitempty"`
	TopP             float32 `json:"top_p,omitempty"`
	MinP             float32 `json:"min_p,omitempty"`
	RepeatPenalty    float32 `json:"repeat_penalty,omitempty"`
	PresencePenalty  float32 `json:"presence_penalty,omitempty"`
	FrequencyPenalty float32 `json:"frequency_penalty,omitempty"`
	Seed             uint64  `json:"seed,omitempty"`
}

// GenerateRequest is one generation in a session. Exactly one of Prompt,
// Text and Messages gives the input.
type GenerateRequest struct {
	// Prompt is the whole sequence so far as token ids, BOS included when
	// the model wants it.
	Prompt []int32 `json:"prompt,omitempty"`
	// Text is a completion prompt, tokenized without special tokens; BOS is
	// prepended when the model wants it (or when Text is empty).
	Text string `json:"text,omitempty"`
	// Special parses special tokens written in Text (e.g. "<|im_end|>");
	// leave it off for untrusted text.
	Special bool `json:"special,omitempty"`
	// Messages is a chat, rendered with the model's template and a
	// generation prompt.
	Messages    []ChatMessage `json:"messages,omitempty"`
	MaxTokens   int           `json:"max_tokens,omitempty"` // 0: until the context is full
	Stop        []string      `json:"stop,omitempty"`
	Logprobs    bool          `json:"logprobs,omitempty"`
	TopLogprobs int           `json:"top_logprobs,omitempty"`
	Sampling
}

// TokenLogprob is one token's log-probability, with alternatives when asked.
type TokenLogprob struct {
	Token   int32          `json:"token"`
	Text    string         `json:"text"`
	Logprob float32        `json:"logprob"`
	Top     []TokenLogprob `json:"top,omitempty"`
}

// Delta is one piece of streamed output.
type Delta struct {
	Text     string         `json:"text"`
	Tokens   []int32        `json:"tokens"`
	Logprobs []TokenLogprob `json:"logprobs,omitempty"`
}

// Result summarises a finished generation.
type Result struct {
	Text             string `json:"text"`
	FinishReason     string `json:"finish_reason"` // "stop" or "length"
	PromptTokens     int    `json:"prompt_tokens"`
	CompletionTokens int    `json:"completion_tokens"`
	CachedTokens     int    `json:"cached_tokens"`
}

// Info describes a loaded model.
type Info = engine.Info
