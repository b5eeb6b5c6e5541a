package wasmsimd

import (
	"context"
	"os"
	"testing"

	"github.com/wisp-llm/wisp/wasm/engine"
)

const testdata = "../../../shared/testdata"

// TestStoriesGolden: stories260K (F32) greedy from BOS for 200 tokens equals
// llama2.c's output byte for byte on this backend too.
func TestStoriesGolden(t *testing.T) {
	m, err := engine.Open(testdata+"/models/stories260K.gguf", engine.Options{Backend: New()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	want, err := os.ReadFile(testdata + "/models/stories260K.expected.txt")
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.NewSession(256)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Generate(context.Background(), engine.Request{Prompt: []int32{m.Tokenizer.Vocab().BOS}, MaxTokens: 200}, func(engine.Delta) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != string(want) {
		t.Fatalf("SIMD=%v: generated text differs from llama2.c's:\n got %q\nwant %q", SIMD, res.Text, want)
	}
}
