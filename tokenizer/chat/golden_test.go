package chat

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sharedTemplates holds the real chat templates collected from llama.cpp.
const sharedTemplates = "../../../shared/testdata/chat-templates/"

// fixedNow is the clock behind strftime_now in every golden.
func fixedNow() time.Time { return time.Date(2024, 9, 5, 10, 30, 0, 0, time.UTC) }

var (
	chatTurns = []Message{
		{Role: "user", Content: "What is the capital of France?"},
		{Role: "assistant", Content: "The capital of France is Paris."},
		{Role: "user", Content: "And of Italy?"},
	}
	withSystem = append([]Message{{Role: "system", Content: "You are a helpful assistant."}}, chatTurns...)

	weatherTool = json.RawMessage(`{"type": "function", "function": {"name": "get_weather", "description": "Get the current weather in a city.", "parameters": {"type": "object", "properties": {"location": {"type": "string", "description": "The city name."}}, "required": ["location"]}}}`)

	toolExchange = []Message{
		{Role: "user", Content: "What's the weather in Paris?"},
		{Role: "assistant", ToolCalls: []ToolCall{{ID: "abc123DEF", Type: "function", Function: FunctionCall{Name: "get_weather", Arguments: `{"location": "Paris"}`}}}},
		{Role: "tool", ToolCallID: "abc123DEF", Content: "18°C and sunny"},
	}

	thinkingHistory = []Message{
		{Role: "user", Content: "What is 2+2?"},
		{Role: "assistant", Content: "<think>\nSimple arithmetic.\n</think>\n\n2+2 equals 4."},
		{Role: "user", Content: "Thanks!"},
	}
)

type goldenCase struct {
	name     string // golden file testdata/golden/<dir>/<name>.txt
	messages []Message
	tools    bool
	addGen   bool
	vars     map[string]any
	// wantRaised, if set, is the message the template must raise with
	// raise_exception; wantErr is a substring of any other expected error.
	wantRaised string
	wantErr    string
}

var (
	caseChat      = goldenCase{name: "chat", messages: withSystem, addGen: true}
	caseChatNoGen = goldenCase{name: "chat-nogen", messages: withSystem}
	caseNoSystem  = goldenCase{name: "nosystem", messages: chatTurns, addGen: true}
	caseTools     = goldenCase{name: "tools", messages: toolExchange, tools: true, addGen: true}
	caseAlternate = goldenCase{
		name:       "roles-not-alternating",
		messages:   []Message{{Role: "user", Content: "Hi"}, {Role: "user", Content: "Hello?"}},
		wantRaised: "Conversation roles must alternate user/assistant/user/assistant/...",
	}
)

var goldenModels = []struct {
	dir, template string
	bos, eos      string
	cases         []goldenCase
}{
	{"llama-3.1", sharedTemplates + "meta-llama-Llama-3.1-8B-Instruct.jinja", "<|begin_of_text|>", "<|eot_id|>", []goldenCase{
		caseChat, caseChatNoGen, caseNoSystem, caseTools,
		{name: "two-tool-calls", messages: []Message{
			{Role: "user", Content: "Weather in Paris and Rome?"},
			{Role: "assistant", ToolCalls: []ToolCall{
				{ID: "a", Function: FunctionCall{Name: "get_weather", Arguments: `{"location": "Paris"}`}},
				{ID: "b", Function: FunctionCall{Name: "get_weather", Arguments: `{"location": "Rome"}`}},
			}},
		}, tools: true, wantRaised: "This model only supports single tool-calls at once!"},
	}},
	{"llama-3.2", sharedTemplates + "meta-llama-Llama-3.2-3B-Instruct.jinja", "<|begin_of_text|>", "<|eot_id|>", []goldenCase{
		caseChat, caseChatNoGen, caseNoSystem, caseTools,
	}},
	{"qwen2.5", sharedTemplates + "Qwen-Qwen2.5-7B-Instruct.jinja", "", "<|im_end|>", []goldenCase{
		caseChat, caseChatNoGen, caseNoSystem, caseTools,
	}},
	{"qwen3", sharedTemplates + "Qwen-Qwen3-0.6B.jinja", "", "<|im_end|>", []goldenCase{
		caseChat, caseChatNoGen, caseNoSystem, caseTools,
		{name: "thinking-history", messages: thinkingHistory, addGen: true, vars: map[string]any{"enable_thinking": false}},
	}},
	{"mistral-nemo", sharedTemplates + "mistralai-Mistral-Nemo-Instruct-2407.jinja", "<s>", "</s>", []goldenCase{
		caseChat, caseChatNoGen, caseNoSystem, caseTools,
		{name: "bad-tool-call-id", messages: []Message{
			{Role: "user", Content: "Weather?"},
			{Role: "assistant", ToolCalls: []ToolCall{{ID: "call_1", Function: FunctionCall{Name: "get_weather", Arguments: `{}`}}}},
		}, tools: true, wantRaised: "Tool call IDs should be alphanumeric strings with length 9!"},
		{name: "roles-not-alternating", messages: caseAlternate.messages,
			wantRaised: "After the optional system message, conversation roles must alternate user/assistant/user/assistant/..."},
	}},
	{"gemma-2", sharedTemplates + "google-gemma-2-2b-it.jinja", "<bos>", "<eos>", []goldenCase{
		{name: "nosystem", messages: chatTurns, addGen: true},
		{name: "nosystem-nogen", messages: chatTurns},
		{name: "system", messages: withSystem, addGen: true, wantRaised: "System role not supported"},
		caseAlternate,
	}},
	{"phi-3.5", sharedTemplates + "microsoft-Phi-3.5-mini-instruct.jinja", "<s>", "<|endoftext|>", []goldenCase{
		caseChat, caseChatNoGen, caseNoSystem,
	}},
	{"hermes-3-tool-use", sharedTemplates + "NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja", "<|begin_of_text|>", "<|im_end|>", []goldenCase{
		caseTools,
		// This template is only for requests with tools; transformers fails
		// the same way iterating tools=None.
		{name: "no-tools", messages: chatTurns, addGen: true, wantErr: "'NoneType' object is not iterable"},
	}},
	{"deepseek-r1-distill", sharedTemplates + "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja", "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", []goldenCase{
		caseChat, caseChatNoGen, caseNoSystem, caseTools,
		{name: "thinking-history", messages: thinkingHistory, addGen: true},
	}},
	{"granite-3.3", sharedTemplates + "ibm-granite-granite-3.3-2B-Instruct.jinja", "<|end_of_text|>", "<|end_of_text|>", []goldenCase{
		caseChat, caseChatNoGen, caseNoSystem, caseTools,
	}},
	{"llama-2", "testdata/meta-llama-Llama-2-7b-chat-hf.jinja", "<s>", "</s>", []goldenCase{
		caseChat, caseNoSystem, caseAlternate,
	}},
	{"smollm2", "testdata/HuggingFaceTB-SmolLM2-1.7B-Instruct.jinja", "<|im_start|>", "<|im_end|>", []goldenCase{
		caseChat, caseChatNoGen, caseNoSystem,
	}},
}

func TestGolden(t *testing.T) {
	for _, m := range goldenModels {
		src := readFile(t, m.template)
		tpl, err := Compile(src)
		if err != nil {
			t.Fatalf("%s: Compile: %v", m.dir, err)
		}
		for _, c := range m.cases {
			t.Run(m.dir+"/"+c.name, func(t *testing.T) {
				opts := Options{Messages: c.messages, AddGenerationPrompt: c.addGen, BOSToken: m.bos, EOSToken: m.eos, Vars: c.vars, Now: fixedNow}
				if c.tools {
					opts.Tools = []json.RawMessage{weatherTool}
				}
				got, err := tpl.Render(opts)
				checkGolden(t, filepath.Join("testdata", "golden", m.dir, c.name+".txt"), c, got, err)
			})
		}
	}
}

// TestGoldenRenderJSON renders the same conversations from JSON, as the
// CLI does, and expects the same text.
func TestGoldenRenderJSON(t *testing.T) {
	for _, m := range goldenModels {
		src := readFile(t, m.template)
		for _, c := range m.cases {
			t.Run(m.dir+"/"+c.name, func(t *testing.T) {
				msgs := messagesJSON(t, c.messages)
				var tools []byte
				if c.tools {
					tools = []byte("[" + string(weatherTool) + "]")
				}
				tpl, err := Compile(src)
				if err != nil {
					t.Fatal(err)
				}
				got, err := tpl.RenderJSON(msgs, tools, Options{AddGenerationPrompt: c.addGen, BOSToken: m.bos, EOSToken: m.eos, Vars: c.vars, Now: fixedNow})
				checkGolden(t, filepath.Join("testdata", "golden", m.dir, c.name+".txt"), c, got, err)
			})
		}
	}
}

// messagesJSON writes messages in OpenAI's JSON shape, with content null
// on assistant tool calls and arguments as JSON text. Structs keep the key
// order OpenAI clients send (name before arguments), which tojson shows.
func messagesJSON(t testing.TB, msgs []Message) []byte {
	t.Helper()
	type function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	}
	type toolCall struct {
		ID       string   `json:"id"`
		Type     string   `json:"type"`
		Function function `json:"function"`
	}
	type message struct {
		Role       string     `json:"role"`
		Content    *string    `json:"content"`
		ToolCalls  []toolCall `json:"tool_calls,omitempty"`
		ToolCallID string     `json:"tool_call_id,omitempty"`
	}
	var out []message
	for _, m := range msgs {
		j := message{Role: m.Role, Content: &m.Content, ToolCallID: m.ToolCallID}
		if len(m.ToolCalls) > 0 {
			j.Content = nil
		}
		for _, tc := range m.ToolCalls {
			j.ToolCalls = append(j.ToolCalls, toolCall{ID: tc.ID, Type: "function", Function: function{Name: tc.Function.Name, Arguments: tc.Function.Arguments}})
		}
		out = append(out, j)
	}
	data, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func checkGolden(t testing.TB, path string, c goldenCase, got string, err error) {
	t.Helper()
	switch {
	case c.wantRaised != "":
		var raised *RaisedError
		if !errors.As(err, &raised) {
			t.Fatalf("err = %v, want raise_exception(%q)", err, c.wantRaised)
		}
		if raised.Message != c.wantRaised {
			t.Errorf("raised %q, want %q", raised.Message, c.wantRaised)
		}
		if !strings.Contains(err.Error(), c.wantRaised) {
			t.Errorf("error text %q lacks the raised message", err)
		}
		return
	case c.wantErr != "":
		if err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Fatalf("err = %v, want one containing %q", err, c.wantErr)
		}
		return
	case err != nil:
		t.Fatalf("Render: %v", err)
	}
	want := readFile(t, path)
	if got != want {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diffText(want, got))
	}
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// diffText shows both texts line by line from the first differing line.
func diffText(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(wl) && i < len(gl) && wl[i] == gl[i] {
		i++
	}
	var b strings.Builder
	for j := i; j < len(wl) && j < i+8; j++ {
		b.WriteString("-" + quoteLine(wl[j]) + "\n")
	}
	for j := i; j < len(gl) && j < i+8; j++ {
		b.WriteString("+" + quoteLine(gl[j]) + "\n")
	}
	return "first difference at line " + strconv.Itoa(i+1) + ":\n" + b.String()
}

func quoteLine(s string) string { return strconv.Quote(s) }
