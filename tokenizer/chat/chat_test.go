package chat

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestFallbackChatML(t *testing.T) {
	cases := []goldenCase{caseChat, caseChatNoGen, caseNoSystem}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Fallback().Render(Options{Messages: c.messages, AddGenerationPrompt: c.addGen})
			checkGolden(t, filepath.Join("testdata", "golden", "chatml", c.name+".txt"), c, got, err)
		})
	}
	// A tool call's missing content renders as empty rather than failing.
	got, err := Fallback().Render(Options{Messages: toolExchange})
	if err != nil {
		t.Fatal(err)
	}
	if want := "<|im_start|>assistant\n<|im_end|>\n"; !strings.Contains(got, want) {
		t.Errorf("tool-call message rendered as %q, want it to contain %q", got, want)
	}
}

func TestContentParts(t *testing.T) {
	msgs := []Message{{Role: "user", Parts: []ContentPart{{Type: "text", Text: "first"}, {Type: "text", Text: "second"}}}}
	got, err := Fallback().Render(Options{Messages: msgs})
	if err != nil {
		t.Fatal(err)
	}
	if want := "<|im_start|>user\nfirst\nsecond<|im_end|>\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}

	fromJSON, err := Fallback().RenderJSON([]byte(`[{"role": "user", "content": [{"type": "text", "text": "first"}, {"type": "text", "text": "second"}]}]`), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if fromJSON != got {
		t.Errorf("RenderJSON got %q, want %q", fromJSON, got)
	}

	_, err = Fallback().Render(Options{Messages: []Message{{Role: "user", Parts: []ContentPart{{Type: "image_url"}}}}})
	if err == nil || !strings.Contains(err.Error(), `unsupported content part type "image_url"`) {
		t.Errorf("image part: err = %v, want an unsupported content part error", err)
	}
}

func TestProbeCapabilities(t *testing.T) {
	cases := []struct {
		template string
		want     capabilities
	}{
		{sharedTemplates + "meta-llama-Llama-3.1-8B-Instruct.jinja", capabilities{}},
		{sharedTemplates + "Qwen-Qwen2.5-7B-Instruct.jinja", capabilities{}},
		// Concatenates the arguments into the prompt, so needs JSON text.
		{sharedTemplates + "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja", capabilities{stringArguments: true}},
		// Tests '</think>' in content, which fails on None.
		{sharedTemplates + "Qwen-Qwen3-0.6B.jinja", capabilities{nonNullContent: true}},
		// Concatenates content without showing tool calls.
		{sharedTemplates + "microsoft-Phi-3.5-mini-instruct.jinja", capabilities{nonNullContent: true}},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.template), func(t *testing.T) {
			tpl, err := Compile(readFile(t, c.template))
			if err != nil {
				t.Fatal(err)
			}
			if tpl.caps != c.want {
				t.Errorf("caps = %+v, want %+v", tpl.caps, c.want)
			}
		})
	}
}

func TestArgumentsFollowTheTemplate(t *testing.T) {
	// DeepSeek's template wants JSON text: an object from JSON input is
	// encoded back as transformers' tojson would.
	tpl, err := Compile(readFile(t, sharedTemplates+"deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja"))
	if err != nil {
		t.Fatal(err)
	}
	msgs := `[{"role": "user", "content": "Weather?"}, {"role": "assistant", "content": null, "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"location": "Paris", "days": 2}}}]}]`
	got, err := tpl.RenderJSON([]byte(msgs), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "```json\n{\"location\": \"Paris\", \"days\": 2}\n```"; !strings.Contains(got, want) {
		t.Errorf("got %q, want it to contain %q", got, want)
	}

	// Qwen2.5 applies tojson: JSON text that is an object becomes one;
	// text that is not an object stays text.
	tpl, err = Compile(readFile(t, sharedTemplates+"Qwen-Qwen2.5-7B-Instruct.jinja"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ args, want string }{
		{`{"days": 2, "location": "Paris"}`, `"arguments": {"days": 2, "location": "Paris"}}`},
		{`not json`, `"arguments": "not json"}`},
	} {
		got, err := tpl.Render(Options{Messages: []Message{
			{Role: "user", Content: "Weather?"},
			{Role: "assistant", ToolCalls: []ToolCall{{Function: FunctionCall{Name: "get_weather", Arguments: c.args}}}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("arguments %q: got %q, want it to contain %q", c.args, got, c.want)
		}
	}
}

func TestVarsAndOptionalFields(t *testing.T) {
	const src = `{{ bos_token }}{% for m in messages %}{{ m.role }}:{{ m.name is defined }}:{{ m.tool_call_id is defined }}:{{ m.reasoning_content|default('-') }};{% endfor %}{{ custom }}|{{ tools }}|{{ documents }}|{{ add_generation_prompt }}{{ eos_token }}`
	got, err := Render(src, Options{
		Messages: []Message{
			{Role: "user", Content: "hi", Name: "ann"},
			{Role: "assistant", Content: "ok", ReasoningContent: "because"},
			{Role: "tool", Content: "r", ToolCallID: "abc"},
		},
		BOSToken: "<s>", EOSToken: "</s>", AddGenerationPrompt: true,
		Vars: map[string]any{"custom": []any{1, "x"}, "documents": "overridden"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "<s>user:True:False:-;assistant:False:False:because;tool:False:True:-;[1, 'x']|None|overridden|True</s>"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestDateStringVar(t *testing.T) {
	got, err := Render(readFile(t, sharedTemplates+"meta-llama-Llama-3.2-3B-Instruct.jinja"), Options{
		Messages: chatTurns, Vars: map[string]any{"date_string": "01 Jan 2025"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "Today Date: 01 Jan 2025\n") {
		t.Errorf("date_string ignored: %q", got)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name          string
		template      string
		messages      string
		tools         string
		wantSubstring string
	}{
		{"compile error names construct and line", "a\n{{ messages|wordcount }}", `[]`, "", `chat template: template line 2: unsupported filter "wordcount"`},
		{"messages not JSON", ChatML, `[{`, "", "chat: messages: json"},
		{"messages not an array", ChatML, `{"role": "user"}`, "", "want a JSON array"},
		{"message not an object", ChatML, `["hi"]`, "", "message 0: want a JSON object"},
		{"tools not an array", ChatML, `[]`, `{}`, "chat: tools: want a JSON array"},
		{"trailing data", ChatML, `[] []`, "", "unexpected data after the top-level value"},
		{"runtime error has a line", "{% for m in messages %}\n{{ m.content + 1 }}{% endfor %}", `[{"role": "user", "content": "x"}]`, "", "chat template: template line 2: can only concatenate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := RenderJSON(c.template, []byte(c.messages), []byte(c.tools), false, "", "")
			if err == nil || !strings.Contains(err.Error(), c.wantSubstring) {
				t.Errorf("err = %v, want one containing %q", err, c.wantSubstring)
			}
		})
	}
}

func TestRenderJSONMatchesRender(t *testing.T) {
	tools, err := json.Marshal([]json.RawMessage{weatherTool})
	if err != nil {
		t.Fatal(err)
	}
	src := readFile(t, sharedTemplates+"Qwen-Qwen3-0.6B.jinja")
	fromJSON, err := RenderJSON(src, messagesJSON(t, toolExchange), tools, true, "", "<|im_end|>")
	if err != nil {
		t.Fatal(err)
	}
	fromGo, err := Render(src, Options{Messages: toolExchange, Tools: []json.RawMessage{weatherTool}, AddGenerationPrompt: true, EOSToken: "<|im_end|>"})
	if err != nil {
		t.Fatal(err)
	}
	if fromJSON != fromGo {
		t.Errorf("RenderJSON and Render differ (-json +go):\n%s", diffText(fromJSON, fromGo))
	}
}

func TestTypedContentTemplate(t *testing.T) {
	// A template that walks list-form content itself gets the parts as
	// they are (here joined with no separator); one that does not gets the
	// text joined with "\n" (TestContentParts).
	const src = `{%- for m in messages %}{% if m.content is string %}{{ m.content }}{% else %}{% for p in m.content %}{% if p.type == 'text' %}{{ p.text }}{% endif %}{% endfor %}{% endif %}|{% endfor %}`
	tpl, err := Compile(src)
	if err != nil {
		t.Fatal(err)
	}
	if !tpl.caps.typedContent {
		t.Fatalf("caps = %+v, want typedContent", tpl.caps)
	}
	got, err := tpl.Render(Options{Messages: []Message{{Role: "user", Parts: []ContentPart{{Type: "text", Text: "a"}, {Type: "text", Text: "b"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got != "ab|" {
		t.Errorf("got %q, want %q", got, "ab|")
	}
}

func TestContinueFinalMessage(t *testing.T) {
	src := readFile(t, sharedTemplates+"Qwen-Qwen2.5-7B-Instruct.jinja")
	msgs := []Message{
		{Role: "user", Content: "Name a colour."},
		{Role: "assistant", Content: "Sure! The colour is "},
	}
	got, err := Render(src, Options{Messages: msgs, ContinueFinalMessage: true})
	if err != nil {
		t.Fatal(err)
	}
	want := "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n" +
		"<|im_start|>user\nName a colour.<|im_end|>\n<|im_start|>assistant\nSure! The colour is "
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}

	// Gemma trims content, so the trailing space cannot be kept.
	got, err = Render(readFile(t, sharedTemplates+"google-gemma-2-2b-it.jinja"), Options{Messages: msgs, ContinueFinalMessage: true, BOSToken: "<bos>"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "<start_of_turn>model\nSure! The colour is"; !strings.HasSuffix(got, want) {
		t.Errorf("got %q, want it to end with %q", got, want)
	}

	if _, err := Render(src, Options{Messages: msgs, ContinueFinalMessage: true, AddGenerationPrompt: true}); err == nil {
		t.Error("ContinueFinalMessage with AddGenerationPrompt: want an error")
	}
}

func TestMessageJSON(t *testing.T) {
	const in = `[
		{"role": "system", "content": "Be brief."},
		{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}], "name": "ann"},
		{"role": "assistant", "content": null, "tool_calls": [{"id": "abc123DEF", "type": "function", "function": {"name": "f", "arguments": "{\"x\": 1}"}}]},
		{"role": "assistant", "tool_calls": [{"function": {"name": "g", "arguments": {"y": [1, 2]}}}]},
		{"role": "tool", "content": "r", "tool_call_id": "abc123DEF"}
	]`
	var msgs []Message
	if err := json.Unmarshal([]byte(in), &msgs); err != nil {
		t.Fatal(err)
	}
	want := []Message{
		{Role: "system", Content: "Be brief."},
		{Role: "user", Parts: []ContentPart{{Type: "text", Text: "a"}, {Type: "text", Text: "b"}}, Name: "ann"},
		{Role: "assistant", ToolCalls: []ToolCall{{ID: "abc123DEF", Type: "function", Function: FunctionCall{Name: "f", Arguments: `{"x": 1}`}}}},
		{Role: "assistant", ToolCalls: []ToolCall{{Function: FunctionCall{Name: "g", Arguments: `{"y": [1, 2]}`}}}},
		{Role: "tool", Content: "r", ToolCallID: "abc123DEF"},
	}
	if !reflect.DeepEqual(msgs, want) {
		t.Errorf("decoded (-want +got):\n-%+v\n+%+v", want, msgs)
	}
	gotJSON, err := json.Marshal(msgs)
	if err != nil {
		t.Fatal(err)
	}

	// Encoding and decoding again is lossless.
	var again []Message
	if err := json.Unmarshal(gotJSON, &again); err != nil {
		t.Fatal(err)
	}
	againJSON, _ := json.Marshal(again)
	if string(againJSON) != string(gotJSON) {
		t.Errorf("round trip changed messages:\n-%s\n+%s", gotJSON, againJSON)
	}
	if !strings.Contains(string(gotJSON), `"content":null,"tool_calls"`) {
		t.Errorf("tool-call content not null: %s", gotJSON)
	}

	var bad Message
	if err := json.Unmarshal([]byte(`{"role": "user", "content": 5}`), &bad); err == nil {
		t.Error("numeric content: want an error")
	}
}

func TestConcurrentRender(t *testing.T) {
	tpl, err := Compile(readFile(t, sharedTemplates+"Qwen-Qwen3-0.6B.jinja"))
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Messages: toolExchange, Tools: []json.RawMessage{weatherTool}, AddGenerationPrompt: true}
	want, err := tpl.Render(opts)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			got, err := tpl.Render(opts)
			if err == nil && got != want {
				err = errors.New("concurrent render differs")
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
