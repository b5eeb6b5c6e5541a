package cpu_test

import (
	"context"
	"os"
	"testing"

	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/engine"
)

// TestFastStoriesGolden is the engine's end-to-end golden run on the fast
// backend: greedy generation from BOS for 200 positions must equal
// llama2.c's output byte for byte, at one thread and at several.
func TestFastStoriesGolden(t *testing.T) {
	want, err := os.ReadFile(sharedModels + "/stories260K.expected.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, threads := range []int{1, 2, 4} {
		m, err := engine.Open(sharedModels+"/stories260K.gguf", engine.Options{Backend: newFast(t, threads)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		s, err := m.NewSession(256)
		if err != nil {
			t.Fatal(err)
		}
		req := engine.Request{Prompt: []int32{m.Tokenizer.Vocab().BOS}, MaxTokens: 200}
		res, err := s.Generate(context.Background(), req, func(engine.Delta) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		if res.Text != string(want) {
			t.Fatalf("%d threads: generated text differs from llama2.c's:\n got %q\nwant %q", threads, res.Text, want)
		}
	}
}

var _ = cpu.NewFast
