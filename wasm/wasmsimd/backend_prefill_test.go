package wasmsimd

import (
	"context"
	"testing"

	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/engine"
	"github.com/wisp-llm/wisp/wasm/model"
)

// generate runs stories260K greedily from prompt on backend.
func generate(t testing.TB, backend model.Backend, prompt string, maxTokens int) string {
	t.Helper()
	m, err := engine.Open(testdata+"/models/stories260K.gguf", engine.Options{Backend: backend})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	s, err := m.NewSession(256)
	if err != nil {
		t.Fatal(err)
	}
	ids := append([]int32{m.Tokenizer.Vocab().BOS}, m.Tokenizer.Encode(prompt, false)...)
	if len(ids) < 9 {
		t.Fatalf("prompt of %d tokens: too short to be a batch of several tiles", len(ids))
	}
	res, err := s.Generate(context.Background(), engine.Request{Prompt: ids, MaxTokens: maxTokens}, func(engine.Delta) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	return res.Text
}

// TestStoriesPrefillMatchesReference: a prompt prefilled as one batch (the
// F32 matrix products) continues exactly as on the reference backend.
func TestStoriesPrefillMatchesReference(t *testing.T) {
	const prompt = "Once upon a time, there was a little girl named Lily who loved"
	want := generate(t, cpu.Reference{}, prompt, 60)
	if want == "" {
		t.Fatal("the reference generated nothing")
	}
	if got := generate(t, New(), prompt, 60); got != want {
		t.Fatalf("SIMD=%v: text differs from the reference backend's:\n got %q\nwant %q", SIMD, got, want)
	}
}
