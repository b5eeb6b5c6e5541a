package model_test

import (
	"testing"

	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/gguf"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/sample"
)

func loadStories(t testing.TB, b model.Backend) *model.Llama {
	t.Helper()
	f, err := gguf.Open(sharedModels + "/stories260K.gguf")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	m, err := model.Load(f, b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestDecodeStepAllocatesNothing: after warm-up, one decoded token — forward
// pass and sampling — makes no heap allocation.
func TestDecodeStepAllocatesNothing(t *testing.T) {
	m := loadStories(t, cpu.Reference{})
	s, err := m.NewState(512, 8)
	if err != nil {
		t.Fatal(err)
	}
	logits := make([]float32, m.Config.Vocab)
	sampler := sample.New(sample.Params{Temperature: 0.8, TopK: 40, TopP: 0.95, Seed: 1}, m.Config.Vocab)
	token := []int32{1}
	step := func() {
		if err := m.Forward(s, token, logits); err != nil {
			t.Fatal(err)
		}
		token[0] = sampler.Sample(logits, token)
	}
	step()
	if allocs := testing.AllocsPerRun(100, step); allocs != 0 {
		t.Fatalf("a decode step allocates %v times", allocs)
	}
}

func TestForwardRejectsBadCalls(t *testing.T) {
	m := loadStories(t, cpu.Reference{})
	s, _ := m.NewState(4, 2)
	logits := make([]float32, m.Config.Vocab)
	for name, call := range map[string]func() error{
		"empty batch":        func() error { return m.Forward(s, nil, logits) },
		"batch too large":    func() error { return m.Forward(s, []int32{1, 2, 3}, logits) },
		"token out of range": func() error { return m.Forward(s, []int32{512}, logits) },
		"short logits":       func() error { return m.Forward(s, []int32{1}, logits[:10]) },
	} {
		if call() == nil {
			t.Errorf("%s: no error", name)
		}
	}
	for range 4 {
		if err := m.Forward(s, []int32{1}, logits); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Forward(s, []int32{1}, logits); err == nil {
		t.Fatal("forward past the context accepted")
	}
}

// TestBatchedPrefillMatchesTokenByToken: running the prompt as one batch
// gives the same logits as one token at a time.
func TestBatchedPrefillMatchesTokenByToken(t *testing.T) {
	m := loadStories(t, cpu.Reference{})
	prompt := []int32{1, 403, 407, 261, 378, 432, 383, 286}
	one, _ := m.NewState(16, 1)
	batch, _ := m.NewState(16, len(prompt))
	want := make([]float32, m.Config.Vocab)
	got := make([]float32, m.Config.Vocab)
	for _, tok := range prompt {
		if err := m.Forward(one, []int32{tok}, want); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Forward(batch, prompt, got); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if d := want[i] - got[i]; d > 1e-5 || d < -1e-5 {
			t.Fatalf("logit %d: batched %v, token by token %v", i, got[i], want[i])
		}
	}
}

func BenchmarkDecodeStepStories(b *testing.B) {
	m := loadStories(b, cpu.Reference{})
	s, _ := m.NewState(2048, 1)
	logits := make([]float32, m.Config.Vocab)
	b.ReportAllocs()
	for b.Loop() {
		if s.Pos == 2048 {
			s.Pos = 0
		}
		if err := m.Forward(s, []int32{1}, logits); err != nil {
			b.Fatal(err)
		}
	}
}
