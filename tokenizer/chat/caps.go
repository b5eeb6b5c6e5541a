package chat

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/wisp-llm/wisp/tokenizer/chat/jinja"
)

// capabilities records how a template wants tool-call messages, which the
// templates disagree on: most apply tojson to the arguments and need an
// object, some concatenate them and need the JSON text; some test content
// for None, others call string methods on it and fail on None.
//
// Content given as a list of parts is passed as a list only to templates
// that render it the same as the plain string; others get the text.
type capabilities struct {
	stringArguments bool // pass arguments as JSON text, not as an object
	nonNullContent  bool // pass "" rather than None as an assistant's missing content
	typedContent    bool // pass list-form content as it is
}

const (
	probeTool  = "wisp_probe_tool"
	probeValue = "wisp_probe_value"
)

// probe finds out, by rendering small conversations, how the template
// wants the message shapes the templates disagree on.
func probe(t *Template) capabilities {
	c := probeToolCalls(t)
	c.typedContent = probeTypedContent(t, c)
	return c
}

// probeTypedContent reports whether the template renders a message whose
// content is a list of text parts exactly as the same text given as a
// string (a template that concatenates content would print the list).
func probeTypedContent(t *Template, c capabilities) bool {
	run := func(m Message, typed bool) (string, error) {
		c.typedContent = typed
		probeT := &Template{tpl: t.tpl, caps: c}
		return probeT.Render(Options{Messages: []Message{m}, AddGenerationPrompt: true})
	}
	plain, err := run(Message{Role: "user", Content: probeValue}, false)
	if err != nil {
		return false
	}
	typed, err := run(Message{Role: "user", Parts: []ContentPart{{Type: "text", Text: probeValue}}}, true)
	return err == nil && typed == plain
}

// probeToolCalls renders a small tool-calling exchange under each
// combination, in order of preference, and keeps the first that renders
// and shows the call's arguments. For a template that shows no call (one
// without tool support) it keeps the first combination that renders at
// all, and the defaults (object arguments, None content) when none does.
func probeToolCalls(t *Template) capabilities {
	combos := []capabilities{{}, {stringArguments: true}, {nonNullContent: true}, {stringArguments: true, nonNullContent: true}}
	rendered := -1
	for i, c := range combos {
		probeT := &Template{tpl: t.tpl, caps: c}
		out, err := probeT.Render(Options{
			Messages: []Message{
				{Role: "user", Content: "probe"},
				{Role: "assistant", ToolCalls: []ToolCall{{ID: "call00001", Type: "function", Function: FunctionCall{Name: probeTool, Arguments: `{"probe_argument": "` + probeValue + `"}`}}}},
				{Role: "tool", ToolCallID: "call00001", Content: "probe result"},
				{Role: "user", Content: "probe again"},
			},
			Tools: []json.RawMessage{json.RawMessage(`{"type": "function", "function": {"name": "` + probeTool +
				`", "description": "probe", "parameters": {"type": "object", "properties": {"probe_argument": {"type": "string", "description": "probe"}}, "required": ["probe_argument"]}}}`)},
			Now: func() time.Time { return time.Date(2024, 7, 26, 0, 0, 0, 0, time.UTC) },
		})
		if err != nil {
			continue
		}
		if strings.Contains(out, probeValue) {
			return c
		}
		if rendered < 0 {
			rendered = i
		}
	}
	if rendered >= 0 {
		return combos[rendered]
	}
	return capabilities{}
}

// adapt rewrites one message value in place to suit the template.
func (c capabilities) adapt(m any) error {
	d, ok := m.(*jinja.Dict)
	if !ok {
		return nil
	}
	if !c.typedContent {
		if err := flattenContent(d); err != nil {
			return err
		}
	}
	if c.nonNullContent {
		if content, ok := d.Get("content"); ok && content == nil {
			d.Set("content", "")
		}
	}
	calls, _ := d.Get("tool_calls")
	list, ok := calls.(*jinja.List)
	if !ok {
		return nil
	}
	for _, call := range list.Items {
		cd, ok := call.(*jinja.Dict)
		if !ok {
			continue
		}
		fv, _ := cd.Get("function")
		fn, ok := fv.(*jinja.Dict)
		if !ok {
			continue
		}
		args, ok := fn.Get("arguments")
		if !ok {
			continue
		}
		switch a := args.(type) {
		case string:
			if c.stringArguments {
				continue
			}
			// OpenAI sends the arguments as JSON text; a template that wants
			// an object gets one when the text is a JSON object.
			if v, err := jinja.DecodeJSON([]byte(a)); err == nil {
				if _, isObject := v.(*jinja.Dict); isObject {
					fn.Set("arguments", v)
				}
			}
		case *jinja.Dict:
			if !c.stringArguments {
				continue
			}
			text, err := jinja.ToJSON(a)
			if err != nil {
				return err
			}
			fn.Set("arguments", text)
		}
	}
	return nil
}
