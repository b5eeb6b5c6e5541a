package chat

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/wisp-llm/wisp/tokenizer"
)

// Prompter turns a conversation into prompt tokens: the chat template
// renders it, and the text is tokenized so that special tokens (BOS,
// <|im_start|>, ...) come only from the template. A user who writes
// "<|im_start|>system" in a message gets those characters as plain text.
type Prompter struct {
	tok  tokenizer.Tokenizer
	tmpl *Template
	// specials are the control, unknown and user-defined tokens by the
	// first byte of their text, longest first.
	specials map[byte][]specialToken
	bos, eos string
	// Warning says why the ChatML fallback is used instead of the model's
	// template ("" when the model's own template is used).
	Warning string
}

type specialToken struct {
	text string
	id   int32
}

// NewPrompter compiles template (the model's chat template source) for
// tok's vocabulary. An empty template, or one that does not compile, is
// replaced by ChatML and the reason is kept in Warning.
func NewPrompter(tok tokenizer.Tokenizer, template string) *Prompter {
	p := &Prompter{tok: tok, specials: map[byte][]specialToken{}}
	switch t, err := Compile(template); {
	case template == "":
		p.tmpl, p.Warning = Fallback(), "the model has no chat template; using ChatML"
	case err != nil:
		p.tmpl, p.Warning = Fallback(), fmt.Sprintf("the model's chat template does not compile (%v); using ChatML", err)
	default:
		p.tmpl = t
	}
	v := tok.Vocab()
	for id, text := range v.Tokens {
		if text == "" || v.Types == nil {
			continue
		}
		switch v.Types[id] {
		case tokenizer.TokenTypeControl, tokenizer.TokenTypeUnknown, tokenizer.TokenTypeUserDefined:
			p.specials[text[0]] = append(p.specials[text[0]], specialToken{text, int32(id)})
		}
	}
	for _, list := range p.specials {
		sort.SliceStable(list, func(i, j int) bool { return len(list[i].text) > len(list[j].text) })
	}
	p.bos, p.eos = tokenText(v, v.BOS), tokenText(v, v.EOS)
	return p
}

func tokenText(v *tokenizer.Vocab, id int32) string {
	if id < 0 || int(id) >= len(v.Tokens) {
		return ""
	}
	return v.Tokens[id]
}

// Text renders a conversation, with the vocabulary's BOS and EOS texts
// unless opts names others.
func (p *Prompter) Text(opts Options) (string, error) {
	if opts.BOSToken == "" {
		opts.BOSToken = p.bos
	}
	if opts.EOSToken == "" {
		opts.EOSToken = p.eos
	}
	return p.tmpl.Render(opts)
}

// Tokens renders the conversation and tokenizes it, BOS first when the
// vocabulary asks for one.
func (p *Prompter) Tokens(opts Options) ([]int32, error) {
	text, err := p.Text(opts)
	if err != nil {
		return nil, fmt.Errorf("chat template: %w", err)
	}
	var tainted []string // request strings that spell a special token
	for _, s := range requestStrings(opts.Messages, opts.Tools) {
		if p.hasSpecial(s) {
			tainted = append(tainted, s)
		}
	}
	var ids []int32
	if len(tainted) == 0 {
		ids = p.tok.Encode(text, true)
	} else if ids, err = p.encodeGuarded(text, tainted); err != nil {
		return nil, err
	}
	if v := p.tok.Vocab(); v.AddBOS && v.BOS != tokenizer.NoToken && (len(ids) == 0 || ids[0] != v.BOS) {
		ids = append([]int32{v.BOS}, ids...)
	}
	return ids, nil
}

// requestStrings lists every string of the request that the template may
// copy into the prompt.
func requestStrings(messages []Message, tools []json.RawMessage) []string {
	var out []string
	for _, m := range messages {
		out = append(out, m.Content, m.Name, m.ToolCallID, m.ReasoningContent)
		for _, part := range m.Parts {
			out = append(out, part.Text)
		}
		for _, c := range m.ToolCalls {
			out = append(out, c.ID, c.Function.Name, c.Function.Arguments)
		}
	}
	for _, t := range tools {
		out = append(out, string(t))
	}
	return out
}

func (p *Prompter) hasSpecial(s string) bool {
	for i := 0; i < len(s); i++ {
		if p.specialAt(s, i) != nil {
			return true
		}
	}
	return false
}

// specialAt returns the longest special token whose text starts at s[i:].
func (p *Prompter) specialAt(s string, i int) *specialToken {
	for k, sp := range p.specials[s[i]] {
		if strings.HasPrefix(s[i:], sp.text) {
			return &p.specials[s[i]][k]
		}
	}
	return nil
}

// encodeGuarded tokenizes text as the tokenizer does with special tokens
// on (split at each special token, encode the pieces between as plain
// text), except that special-token text lying inside one of the tainted
// request strings stays plain text. Each tainted string is found in the
// rendered text in turn; one the template changed beyond recognition is
// refused rather than risk reading it as markup.
func (p *Prompter) encodeGuarded(text string, tainted []string) ([]int32, error) {
	plain := make([]bool, len(text)) // bytes that came from the request
	for _, s := range tainted {
		at := -1
		for from := 0; from < len(text); {
			i := strings.Index(text[from:], s)
			if i < 0 {
				break
			}
			if !plain[from+i] {
				at = from + i
				break
			}
			from += i + 1
		}
		if at < 0 {
			return nil, fmt.Errorf("a message holds special-token text that the chat template transforms, so it cannot be kept apart from the template's own tokens: %.40q", s)
		}
		for k := at; k < at+len(s); k++ {
			plain[k] = true
		}
	}
	var ids []int32
	start := 0
	for i := 0; i < len(text); {
		sp := (*specialToken)(nil)
		if !plain[i] {
			sp = p.specialAt(text, i)
		}
		if sp == nil || plainWithin(plain, i, len(sp.text)) {
			i++
			continue
		}
		ids = append(ids, p.plain(text[start:i])...)
		ids = append(ids, sp.id)
		i += len(sp.text)
		start = i
	}
	return append(ids, p.plain(text[start:])...), nil
}

// plain encodes one piece of text between special tokens; an empty piece
// has no tokens (a SentencePiece vocabulary would otherwise add a space).
func (p *Prompter) plain(s string) []int32 {
	if s == "" {
		return nil
	}
	return p.tok.Encode(s, false)
}

func plainWithin(plain []bool, at, n int) bool {
	for k := at; k < at+n; k++ {
		if plain[k] {
			return true
		}
	}
	return false
}
