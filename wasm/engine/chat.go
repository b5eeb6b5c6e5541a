package engine

import (
	"fmt"

	"github.com/wisp-llm/wisp/tokenizer/chat"
)

// prompter compiles the model's chat template once. A model without one,
// or with one that does not compile, gets ChatML; TemplateWarning says so.
func (m *Model) prompter() *chat.Prompter {
	m.templateOnce.Do(func() { m.chatPrompter = chat.NewPrompter(m.Tokenizer, m.ChatTemplate) })
	return m.chatPrompter
}

// TemplateWarning says why chats are rendered with the ChatML fallback
// instead of the model's own template, or is "".
func (m *Model) TemplateWarning() string { return m.prompter().Warning }

// RenderChat renders a conversation with the model's chat template (BOS and
// EOS texts filled in from the vocabulary).
func (m *Model) RenderChat(opts chat.Options) (string, error) {
	text, err := m.prompter().Text(opts)
	if err != nil {
		return "", fmt.Errorf("engine: rendering the chat: %w", err)
	}
	return text, nil
}

// ChatPrompt renders a conversation and tokenizes it, BOS first when the
// vocabulary wants one. Special tokens come from the template only: text
// that the request brings, such as a user writing "<|im_end|>", stays
// plain text.
func (m *Model) ChatPrompt(opts chat.Options) ([]int32, error) {
	ids, err := m.prompter().Tokens(opts)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	return ids, nil
}
