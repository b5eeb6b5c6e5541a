package engine

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/wisp-llm/wisp/wasm/sample"
)

const testdata = "../../../shared/testdata"

func openStories(t testing.TB) *Model {
	t.Helper()
	m, err := Open(testdata+"/models/stories260K.gguf", Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func golden(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(testdata + "/models/stories260K.expected.txt")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStoriesGolden is the end-to-end check: greedy generation from BOS alone
// for 200 positions equals llama2.c's output byte for byte.
func TestStoriesGolden(t *testing.T) {
	m := openStories(t)
	s, err := m.NewSession(256)
	if err != nil {
		t.Fatal(err)
	}
	var streamed strings.Builder
	res, err := s.Generate(context.Background(), Request{Prompt: []int32{m.Tokenizer.Vocab().BOS}, MaxTokens: 200}, func(d Delta) error {
		streamed.WriteString(d.Text)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := golden(t)
	if res.Text != want {
		t.Fatalf("generated text differs from llama2.c's:\n got %q\nwant %q", res.Text, want)
	}
	if streamed.String() != want {
		t.Fatalf("streamed text differs from the result:\n%q", streamed.String())
	}
	if res.CompletionTokens != 200 || res.PromptTokens != 1 || res.FinishReason != FinishLength {
		t.Fatalf("result %+v", res)
	}
}

func TestStopStringsAndCacheReuse(t *testing.T) {
	m := openStories(t)
	s, err := m.NewSession(256)
	if err != nil {
		t.Fatal(err)
	}
	bos := m.Tokenizer.Vocab().BOS
	res, err := s.Generate(context.Background(), Request{Prompt: []int32{bos}, MaxTokens: 100, Stop: []string{"Lily."}}, func(Delta) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if want := "Once upon a time, there was a little girl named "; res.Text != want || res.FinishReason != FinishStop {
		t.Fatalf("got %q (%s), want %q (stop)", res.Text, res.FinishReason, want)
	}

	prompt := append([]int32{bos}, m.Tokenizer.Encode("Once upon a time", false)...)
	first, err := s.Generate(context.Background(), Request{Prompt: prompt, MaxTokens: 8}, func(Delta) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Generate(context.Background(), Request{Prompt: prompt, MaxTokens: 8}, func(Delta) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if second.CachedTokens != len(prompt)-1 || first.Text != second.Text {
		t.Fatalf("second run reused %d tokens and said %q; first said %q", second.CachedTokens, second.Text, first.Text)
	}
}

func TestSeededSamplingRepeats(t *testing.T) {
	m := openStories(t)
	s, _ := m.NewSession(128)
	run := func(seed uint64) string {
		res, err := s.Generate(context.Background(), Request{
			Prompt: []int32{m.Tokenizer.Vocab().BOS}, MaxTokens: 40,
			Sampling: sample.Params{Temperature: 1, TopP: 0.9, Seed: seed},
		}, func(Delta) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		return res.Text
	}
	if a, b := run(42), run(42); a != b {
		t.Fatalf("same seed, different text:\n%q\n%q", a, b)
	}
}

func TestGenerateErrors(t *testing.T) {
	m := openStories(t)
	s, _ := m.NewSession(16)
	bos := m.Tokenizer.Vocab().BOS
	long := make([]int32, 20)
	long[0] = bos
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		req  Request
		want error
	}{
		{"prompt longer than context", context.Background(), Request{Prompt: long}, ErrContextLength},
		{"prompt plus max tokens too long", context.Background(), Request{Prompt: []int32{bos}, MaxTokens: 100}, ErrContextLength},
		{"cancelled", ctx, Request{Prompt: []int32{bos}, MaxTokens: 5}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Generate(tt.ctx, tt.req, func(Delta) error { return nil })
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := s.Generate(context.Background(), Request{Prompt: []int32{9999}}, func(Delta) error { return nil }); err == nil {
		t.Fatal("out-of-vocabulary token accepted")
	}
	// The session still works after errors.
	res, err := s.Generate(context.Background(), Request{Prompt: []int32{bos}, MaxTokens: 5}, func(Delta) error { return nil })
	if err != nil || res.CompletionTokens != 5 {
		t.Fatalf("after errors: %+v, %v", res, err)
	}
}

func TestStopMatcherHoldsPartialStops(t *testing.T) {
	m := newStopMatcher([]string{"END", "xyz"})
	var out strings.Builder
	for _, piece := range []string{"ab", "cE", "N", "d E", "NDtail"} {
		s, stopped := m.push(piece)
		out.WriteString(s)
		if stopped {
			break
		}
	}
	if out.String() != "abcENd " {
		t.Fatalf("emitted %q", out.String())
	}
}
