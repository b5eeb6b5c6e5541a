package chat

import (
	"encoding/json"
	"testing"
)

// BenchmarkRenderLlama31 measures one prompt render of a tool-calling
// conversation, which a server does once per request.
func BenchmarkRenderLlama31(b *testing.B) {
	tpl, err := Compile(readFile(b, sharedTemplates+"meta-llama-Llama-3.1-8B-Instruct.jinja"))
	if err != nil {
		b.Fatal(err)
	}
	opts := Options{Messages: append(withSystem[:1:1], toolExchange...), Tools: []json.RawMessage{weatherTool}, AddGenerationPrompt: true}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tpl.Render(opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompileQwen3(b *testing.B) {
	src := readFile(b, sharedTemplates+"Qwen-Qwen3-0.6B.jinja")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(src); err != nil {
			b.Fatal(err)
		}
	}
}
