package engine

import (
	"fmt"
	"strings"

	"github.com/wisp-llm/wisp/tokenizer"
	"github.com/wisp-llm/wisp/tokenizer/chat"
)

// chatTemplate compiles the model's template once; a model without one
// gets ChatML, and TemplateFallback tells hosts to warn about it.
func (m *Model) chatTemplate() (*chat.Template, error) {
	m.templateOnce.Do(func() {
		if m.ChatTemplate == "" {
			m.template, m.TemplateFallback = chat.Fallback(), true
			return
		}
		m.template, m.templateErr = chat.Compile(m.ChatTemplate)
	})
	return m.template, m.templateErr
}

// RenderChat renders a conversation with the model's chat template (BOS and
// EOS texts filled in from the vocabulary).
func (m *Model) RenderChat(opts chat.Options) (string, error) {
	t, err := m.chatTemplate()
	if err != nil {
		return "", fmt.Errorf("engine: chat template: %w", err)
	}
	v := m.Tokenizer.Vocab()
	if opts.BOSToken == "" && v.BOS != tokenizer.NoToken {
		opts.BOSToken = v.Tokens[v.BOS]
	}
	if opts.EOSToken == "" && v.EOS != tokenizer.NoToken {
		opts.EOSToken = v.Tokens[v.EOS]
	}
	text, err := t.Render(opts)
	if err != nil {
		return "", fmt.Errorf("engine: rendering the chat: %w", err)
	}
	return text, nil
}

// ChatPrompt renders a conversation and tokenizes it. Special tokens come
// from the template only: text that a message brings, such as a user
// writing "<|im_end|>", stays plain text.
func (m *Model) ChatPrompt(opts chat.Options) ([]int32, error) {
	text, err := m.RenderChat(opts)
	if err != nil {
		return nil, err
	}
	var tokens []int32
	v := m.Tokenizer.Vocab()
	if v.AddBOS && v.BOS != tokenizer.NoToken && !strings.HasPrefix(text, v.Tokens[v.BOS]) {
		tokens = append(tokens, v.BOS)
	}
	if !m.messagesHoldSpecials(opts.Messages) {
		// The common case: every special token in the text came from the
		// template, so the text tokenizes as one piece, exactly as llama.cpp
		// and transformers do.
		return append(tokens, m.Tokenizer.Encode(text, true)...), nil
	}
	// Some message writes a special token's text: tokenize the template's
	// parts with special tokens and the messages' parts as plain text.
	cursor := 0
	for _, msg := range opts.Messages {
		for _, content := range []string{msg.Content, strings.TrimSpace(msg.Content)} {
			if content == "" {
				continue
			}
			at := strings.Index(text[cursor:], content)
			if at < 0 {
				continue
			}
			at += cursor
			tokens = append(tokens, m.Tokenizer.Encode(text[cursor:at], true)...)
			tokens = append(tokens, m.Tokenizer.Encode(content, false)...)
			cursor = at + len(content)
			break
		}
	}
	return append(tokens, m.Tokenizer.Encode(text[cursor:], true)...), nil
}

// messagesHoldSpecials reports whether any message text contains the text
// of a special token.
func (m *Model) messagesHoldSpecials(msgs []chat.Message) bool {
	m.specialsOnce.Do(func() {
		v := m.Tokenizer.Vocab()
		for id, text := range v.Tokens {
			if v.Types == nil || text == "" {
				continue
			}
			switch v.Types[id] {
			case tokenizer.TokenTypeControl, tokenizer.TokenTypeUserDefined, tokenizer.TokenTypeUnknown:
				m.specialTexts = append(m.specialTexts, text)
			}
		}
	})
	for _, msg := range msgs {
		texts := []string{msg.Content, msg.ReasoningContent}
		for _, p := range msg.Parts {
			texts = append(texts, p.Text)
		}
		for _, t := range texts {
			for _, s := range m.specialTexts {
				if strings.Contains(t, s) {
					return true
				}
			}
		}
	}
	return false
}
