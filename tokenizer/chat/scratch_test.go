package chat

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestScratch(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/testdata/chat-templates/*.jinja")
	weather := json.RawMessage(`{"type": "function", "function": {"name": "get_weather", "description": "Get the current weather in a city.", "parameters": {"type": "object", "properties": {"location": {"type": "string", "description": "The city name."}}, "required": ["location"]}}}`)
	for _, f := range files {
		src, _ := os.ReadFile(f)
		tpl, err := Compile(string(src))
		if err != nil {
			t.Fatal(err)
		}
		out, err := tpl.Render(Options{
			Messages: []Message{
				{Role: "user", Content: "What's the weather in Paris?"},
				{Role: "assistant", ToolCalls: []ToolCall{{ID: "abc123DEF", Function: FunctionCall{Name: "get_weather", Arguments: `{"location": "Paris"}`}}}},
				{Role: "tool", ToolCallID: "abc123DEF", Content: "18°C and sunny"},
			},
			Tools: []json.RawMessage{weather}, AddGenerationPrompt: true, BOSToken: "<s>", EOSToken: "</s>",
			Now: func() time.Time { return time.Date(2024, 9, 5, 10, 0, 0, 0, time.UTC) },
		})
		fmt.Printf("===== %s caps=%+v err=%v\n%s\n", filepath.Base(f), tpl.caps, err, out)
	}
}
