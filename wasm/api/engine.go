package api

import (
	"context"
	"encoding/json"

	"github.com/wisp-llm/wisp/tokenizer"
	"github.com/wisp-llm/wisp/tokenizer/chat"
	"github.com/wisp-llm/wisp/wasm/engine"
)

// Engine is what the Service needs of a loaded model. Native adapts an
// *engine.Model; an engine running elsewhere (inside wazero, behind a wasm
// ABI) implements it with its own Session.
type Engine interface {
	// Name is the model id clients send and see.
	Name() string
	// MaxContext is the largest session context the model allows.
	MaxContext() int
	Tokenizer() tokenizer.Tokenizer
	// ChatPrompt renders messages (and tool definitions) through the
	// model's chat template with the generation prompt, and tokenizes the
	// result with special tokens taken only from the template.
	ChatPrompt(messages []chat.Message, tools []json.RawMessage) ([]int32, error)
	// NewSession opens a session whose cache holds ctx tokens.
	NewSession(ctx int) (Session, error)
}

// Session is one KV cache, used by one request at a time; *engine.Session
// implements it.
type Session interface {
	Context() int
	Generate(ctx context.Context, req engine.Request, emit func(engine.Delta) error) (engine.Result, error)
}

// nativeEngine serves an *engine.Model in this process.
type nativeEngine struct {
	m *engine.Model
}

// Native adapts a model loaded in this process. A chat template that does
// not compile is replaced by ChatML, and TemplateWarning says so.
func Native(m *engine.Model) Engine {
	return &nativeEngine{m: m}
}

// TemplateWarning reports why e renders chats with the ChatML fallback, or
// "" when it uses the model's own template (or e is not Native's).
func TemplateWarning(e Engine) string {
	if n, ok := e.(*nativeEngine); ok {
		return n.m.TemplateWarning()
	}
	return ""
}

func (e *nativeEngine) Name() string                   { return e.m.Name }
func (e *nativeEngine) MaxContext() int                { return e.m.LLM.Config.ContextLen }
func (e *nativeEngine) Tokenizer() tokenizer.Tokenizer { return e.m.Tokenizer }

func (e *nativeEngine) ChatPrompt(messages []chat.Message, tools []json.RawMessage) ([]int32, error) {
	return e.m.ChatPrompt(chat.Options{Messages: messages, Tools: tools, AddGenerationPrompt: true})
}

func (e *nativeEngine) NewSession(ctx int) (Session, error) {
	s, err := e.m.NewSession(ctx)
	if err != nil {
		return nil, err
	}
	return s, nil
}
