// Package chat renders a model's chat template (the Jinja template in
// tokenizer.chat_template) for a conversation, producing the prompt text
// the model was trained on, the way Hugging Face transformers'
// apply_chat_template does.
package chat

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/wisp-llm/wisp/tokenizer/chat/jinja"
)

// Message is one OpenAI-style chat message.
type Message struct {
	Role string
	// Content is the message text. When Parts is set it is ignored: a
	// template that handles OpenAI's list form gets the parts, any other
	// gets the text parts joined with "\n". An assistant message with tool
	// calls and no content shows the template content None, as OpenAI
	// sends null there.
	Content          string
	Parts            []ContentPart
	Name             string
	ToolCalls        []ToolCall
	ToolCallID       string // for role "tool": the call this result answers
	ReasoningContent string // a reasoning model's thinking, for templates that read it
}

// ContentPart is one element of OpenAI's list form of content; only
// Type "text" is supported.
type ContentPart struct {
	Type string
	Text string
}

// ToolCall is a function call an assistant message made.
type ToolCall struct {
	ID       string
	Type     string // "function" when empty
	Function FunctionCall
}

// FunctionCall names the function and holds its arguments as JSON text,
// as in OpenAI's API. Templates see the arguments as an object or as that
// text, whichever the template was found to handle (see Compile).
type FunctionCall struct {
	Name      string
	Arguments string
}

// Options is everything a template renders from.
type Options struct {
	Messages []Message
	// Tools are the tool definitions, each a JSON object in OpenAI's shape
	// ({"type": "function", "function": {...}}); their key order is kept.
	// With none, the template sees tools = None, as in transformers.
	Tools               []json.RawMessage
	AddGenerationPrompt bool
	// ContinueFinalMessage ends the prompt right after the last message's
	// content, without closing its turn, so that the model continues it
	// (an assistant prefill), as transformers' continue_final_message.
	ContinueFinalMessage bool
	BOSToken, EOSToken   string
	// Vars are further template variables, such as enable_thinking,
	// date_string or documents. They are set last and win over the others.
	Vars map[string]any
	// Now is the clock behind strftime_now; nil means time.Now.
	Now func() time.Time
}

// RaisedError is the error a template raises on purpose with
// raise_exception, such as Gemma's "System role not supported"; its
// Message is the template's text.
type RaisedError = jinja.RaisedError

// Template is a compiled chat template, safe for concurrent use.
type Template struct {
	tpl  *jinja.Template
	caps capabilities
	err  error // set only for a template that failed to compile (Fallback)
}

// Compile parses a chat template and probes, by rendering small
// conversations, how it expects tool-call messages and list-form content.
// Unsupported Jinja constructs are reported here, with their line.
func Compile(source string) (*Template, error) {
	tpl, err := jinja.Parse(source)
	if err != nil {
		return nil, fmt.Errorf("chat template: %w", err)
	}
	t := &Template{tpl: tpl}
	t.caps = probe(t)
	return t, nil
}

// Render compiles template and renders it for opts. A server should
// Compile once and call (*Template).Render instead.
func Render(template string, opts Options) (string, error) {
	t, err := Compile(template)
	if err != nil {
		return "", err
	}
	return t.Render(opts)
}

// Render renders the template for opts. An error the template raises
// itself (raise_exception) is a *RaisedError inside the returned error;
// use errors.As to tell it from other failures.
func (t *Template) Render(opts Options) (string, error) {
	if t.err != nil {
		return "", t.err
	}
	msgs := &jinja.List{}
	for i, m := range opts.Messages {
		d, err := messageValue(m)
		if err != nil {
			return "", fmt.Errorf("chat: message %d: %w", i, err)
		}
		msgs.Items = append(msgs.Items, d)
	}
	var tools any
	if len(opts.Tools) > 0 {
		l := &jinja.List{}
		for i, raw := range opts.Tools {
			v, err := jinja.DecodeJSON(raw)
			if err != nil {
				return "", fmt.Errorf("chat: tool %d: %w", i, err)
			}
			l.Items = append(l.Items, v)
		}
		tools = l
	}
	return t.render(msgs, tools, opts)
}

// render adapts messages to the template's expectations and runs it with
// the variables transformers passes.
func (t *Template) render(msgs *jinja.List, tools any, opts Options) (string, error) {
	var final string
	if opts.ContinueFinalMessage {
		var err error
		if final, err = finalText(msgs, opts.AddGenerationPrompt); err != nil {
			return "", err
		}
	}
	for i, m := range msgs.Items {
		if err := t.caps.adapt(m); err != nil {
			return "", fmt.Errorf("chat: message %d: %w", i, err)
		}
	}
	vars := map[string]any{
		"messages":              msgs,
		"tools":                 tools,
		"documents":             nil,
		"add_generation_prompt": opts.AddGenerationPrompt,
		"bos_token":             opts.BOSToken,
		"eos_token":             opts.EOSToken,
	}
	for k, v := range opts.Vars {
		vars[k] = v
	}
	out, err := t.tpl.Render(vars, jinja.RenderOptions{Now: opts.Now})
	if err != nil {
		return "", fmt.Errorf("chat template: %w", err)
	}
	if opts.ContinueFinalMessage {
		return cutAfterFinal(out, final)
	}
	return out, nil
}

// finalText is the text the prompt must end with under
// ContinueFinalMessage: the last message's content, or its last text part.
func finalText(msgs *jinja.List, addGenerationPrompt bool) (string, error) {
	if addGenerationPrompt {
		return "", errors.New("chat: ContinueFinalMessage and AddGenerationPrompt cannot both be set")
	}
	if len(msgs.Items) == 0 {
		return "", errors.New("chat: ContinueFinalMessage needs a final message")
	}
	last, _ := msgs.Items[len(msgs.Items)-1].(*jinja.Dict)
	if last == nil {
		return "", errors.New("chat: the final message is not an object")
	}
	content, _ := last.Get("content")
	switch c := content.(type) {
	case string:
		return c, nil
	case *jinja.List:
		for i := len(c.Items) - 1; i >= 0; i-- {
			if part, ok := c.Items[i].(*jinja.Dict); ok {
				if text, ok := part.Get("text"); ok {
					if s, ok := text.(string); ok {
						return s, nil
					}
				}
			}
		}
	}
	return "", errors.New("chat: ContinueFinalMessage needs text content in the final message")
}

// cutAfterFinal ends rendered right after the last occurrence of final,
// keeping the message's trailing whitespace only where the template kept
// it, as transformers does.
func cutAfterFinal(rendered, final string) (string, error) {
	stripped := strings.TrimSpace(final)
	at := strings.LastIndex(rendered, stripped)
	if at < 0 {
		return "", errors.New("chat: ContinueFinalMessage is set but the final message does not appear in the rendered prompt")
	}
	if keep := strings.TrimLeftFunc(final, unicode.IsSpace); strings.HasPrefix(rendered[at:], keep) {
		return rendered[:at+len(keep)], nil
	}
	return rendered[:at+len(stripped)], nil
}

// messageValue turns a Message into the dict a template sees, with only
// the keys that are set, since templates test for keys ("'tool_calls' in
// message", "message.name is defined").
func messageValue(m Message) (*jinja.Dict, error) {
	d := jinja.NewDict()
	d.Set("role", m.Role)
	switch {
	case m.Parts != nil:
		parts := &jinja.List{}
		for _, p := range m.Parts {
			pd := jinja.NewDict()
			pd.Set("type", p.Type)
			pd.Set("text", p.Text)
			parts.Items = append(parts.Items, pd)
		}
		d.Set("content", parts)
	case m.Content == "" && len(m.ToolCalls) > 0:
		d.Set("content", nil)
	default:
		d.Set("content", m.Content)
	}
	if m.Name != "" {
		d.Set("name", m.Name)
	}
	if len(m.ToolCalls) > 0 {
		calls := &jinja.List{}
		for _, tc := range m.ToolCalls {
			typ := tc.Type
			if typ == "" {
				typ = "function"
			}
			fn := jinja.NewDict()
			fn.Set("name", tc.Function.Name)
			fn.Set("arguments", tc.Function.Arguments)
			c := jinja.NewDict()
			if tc.ID != "" {
				c.Set("id", tc.ID)
			}
			c.Set("type", typ)
			c.Set("function", fn)
			calls.Items = append(calls.Items, c)
		}
		d.Set("tool_calls", calls)
	}
	if m.ToolCallID != "" {
		d.Set("tool_call_id", m.ToolCallID)
	}
	if m.ReasoningContent != "" {
		d.Set("reasoning_content", m.ReasoningContent)
	}
	return d, nil
}

func joinParts(parts []ContentPart) (string, error) {
	texts := make([]string, 0, len(parts))
	for _, p := range parts {
		if p.Type != "text" {
			return "", fmt.Errorf("unsupported content part type %q", p.Type)
		}
		texts = append(texts, p.Text)
	}
	return strings.Join(texts, "\n"), nil
}

// RenderJSON renders template for messages and tools given as JSON
// arrays in OpenAI's shape (toolsJSON may be empty). Messages keep every
// field they carry, so templates can read extras such as
// reasoning_content. This is what `wisp template` runs.
func RenderJSON(template string, messagesJSON, toolsJSON []byte, addGenerationPrompt bool, bos, eos string) (string, error) {
	t, err := Compile(template)
	if err != nil {
		return "", err
	}
	return t.RenderJSON(messagesJSON, toolsJSON, Options{AddGenerationPrompt: addGenerationPrompt, BOSToken: bos, EOSToken: eos})
}

// RenderJSON renders messages and tools given as JSON arrays; the
// Messages and Tools fields of opts are ignored.
func (t *Template) RenderJSON(messagesJSON, toolsJSON []byte, opts Options) (string, error) {
	if t.err != nil {
		return "", t.err
	}
	mv, err := jinja.DecodeJSON(messagesJSON)
	if err != nil {
		return "", fmt.Errorf("chat: messages: %w", err)
	}
	msgs, ok := mv.(*jinja.List)
	if !ok {
		return "", errors.New("chat: messages: want a JSON array")
	}
	for i, m := range msgs.Items {
		if _, ok := m.(*jinja.Dict); !ok {
			return "", fmt.Errorf("chat: message %d: want a JSON object", i)
		}
	}
	var tools any
	if len(strings.TrimSpace(string(toolsJSON))) > 0 {
		tv, err := jinja.DecodeJSON(toolsJSON)
		if err != nil {
			return "", fmt.Errorf("chat: tools: %w", err)
		}
		l, ok := tv.(*jinja.List)
		if !ok {
			return "", errors.New("chat: tools: want a JSON array")
		}
		if len(l.Items) > 0 {
			tools = l
		}
	}
	return t.render(msgs, tools, opts)
}

// flattenContent replaces list-form content ([{"type": "text", "text":
// ...}]) with its text, joined with "\n", for templates that expect a
// string.
func flattenContent(d *jinja.Dict) error {
	c, _ := d.Get("content")
	l, ok := c.(*jinja.List)
	if !ok {
		return nil
	}
	parts := make([]ContentPart, 0, len(l.Items))
	for _, it := range l.Items {
		pd, ok := it.(*jinja.Dict)
		if !ok {
			return errors.New("content parts must be objects")
		}
		typ, _ := pd.Get("type")
		text, _ := pd.Get("text")
		ts, _ := typ.(string)
		tx, _ := text.(string)
		parts = append(parts, ContentPart{Type: ts, Text: tx})
	}
	s, err := joinParts(parts)
	if err != nil {
		return err
	}
	d.Set("content", s)
	return nil
}
