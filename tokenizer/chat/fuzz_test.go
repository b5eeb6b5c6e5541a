package chat

import (
	"path/filepath"
	"testing"
)

// FuzzRenderJSON feeds arbitrary messages JSON to real templates, as the
// server and CLI would: rendering may fail but never panic.
func FuzzRenderJSON(f *testing.F) {
	files, _ := filepath.Glob(sharedTemplates + "*.jinja")
	var templates []*Template
	for _, file := range files {
		tpl, err := Compile(readFile(f, file))
		if err != nil {
			f.Fatal(err)
		}
		templates = append(templates, tpl)
	}
	templates = append(templates, Fallback())
	f.Add(string(messagesJSON(f, withSystem)), 0)
	f.Add(string(messagesJSON(f, toolExchange)), 3)
	f.Add(`[{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "image"}]}, {"role": "assistant", "content": null, "tool_calls": [{"function": {"arguments": {"x": [1]}}}]}]`, 5)
	f.Fuzz(func(t *testing.T, messages string, which int) {
		tpl := templates[uint(which)%uint(len(templates))]
		_, _ = tpl.RenderJSON([]byte(messages), nil, Options{AddGenerationPrompt: which%2 == 0})
	})
}
