package engine

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/sample"
)

// hostTopK is the CPU reference with the top-k power of device backends,
// computed on the host, counting how rows reach the host. With failAfter
// set it "loses its device" on that TopK call, as a GPU reports through Err.
type hostTopK struct {
	cpu.Reference
	st *hostTopKState
}

type hostTopKState struct {
	topKCalls, rowReads int
	failAfter           int // 0: never
	err                 error
}

func (h hostTopK) Read(dst []float32, x *model.Act, row int) {
	h.st.rowReads++
	h.Reference.Read(dst, x, row)
}

func (h hostTopK) TopK(x *model.Act, r, k int, ids []int32, vals []float32) error {
	h.st.topKCalls++
	if h.st.failAfter > 0 && h.st.topKCalls >= h.st.failAfter {
		h.st.err = errDeviceLost
		return h.st.err
	}
	row := x.Data[r*x.Cols : (r+1)*x.Cols]
	order := make([]int32, len(row))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(row[b], row[a]) })
	for i := range k {
		ids[i], vals[i] = order[i], row[order[i]]
	}
	return nil
}

func (h hostTopK) Err() error { return h.st.err }

func TestCandidateK(t *testing.T) {
	for _, c := range []struct {
		name     string
		p        sample.Params
		logprobs bool
		vocab    int
		want     int
	}{
		{"greedy", sample.Params{}, false, 1000, 1},
		{"top-k", sample.Params{Temperature: 0.8, TopK: 40, TopP: 0.9, MinP: 0.05}, false, 1000, 40},
		{"top-k at the limit", sample.Params{Temperature: 1, TopK: model.MaxTopK}, false, 1000, model.MaxTopK},
		{"top-k over the limit", sample.Params{Temperature: 1, TopK: model.MaxTopK + 1}, false, 1000, 0},
		{"top-k over the vocabulary", sample.Params{Temperature: 1, TopK: 150}, false, 100, 0},
		{"top-k of the whole vocabulary", sample.Params{Temperature: 1, TopK: 100}, false, 100, 100},
		{"no top-k", sample.Params{Temperature: 0.8, TopP: 0.9}, false, 1000, 0},
		{"repeat penalty", sample.Params{TopK: 40, RepeatPenalty: 1.1}, false, 1000, 0},
		{"neutral repeat penalty", sample.Params{RepeatPenalty: 1}, false, 1000, 1},
		{"presence penalty", sample.Params{PresencePenalty: -0.5}, false, 1000, 0},
		{"frequency penalty", sample.Params{Temperature: 1, TopK: 10, FrequencyPenalty: 0.5}, false, 1000, 0},
		{"logprobs", sample.Params{}, true, 1000, 0},
	} {
		if got := candidateK(c.p, c.logprobs, c.vocab); got != c.want {
			t.Errorf("%s: candidateK = %d, want %d", c.name, got, c.want)
		}
	}
}

// TestCandidatesSampleAsWholeRows: generating through a backend that reads
// back only the top candidates gives the same tokens as reading whole rows,
// for every sampling setting, and whole rows are read exactly when the
// settings need them.
func TestCandidatesSampleAsWholeRows(t *testing.T) {
	ref := openStories(t)
	st := &hostTopKState{}
	dev, err := Open(testdata+"/models/stories260K.gguf", Options{Backend: hostTopK{st: st}})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	prompt := append([]int32{ref.Tokenizer.Vocab().BOS}, ref.Tokenizer.Encode("Once upon a time", false)...)
	for _, c := range []struct {
		name       string
		req        Request
		candidates bool
	}{
		{"greedy", Request{}, true},
		{"top-k", Request{Sampling: sample.Params{Temperature: 0.9, TopK: 40, Seed: 1}}, true},
		{"top-k hot", Request{Sampling: sample.Params{Temperature: 2, TopK: 200, Seed: 7}}, true},
		{"top-k top-p min-p", Request{Sampling: sample.Params{Temperature: 1.2, TopK: 20, TopP: 0.9, MinP: 0.05, Seed: 3}}, true},
		{"top-p only", Request{Sampling: sample.Params{Temperature: 1, TopP: 0.95, Seed: 5}}, false},
		{"penalties", Request{Sampling: sample.Params{Temperature: 1, TopK: 40, RepeatPenalty: 1.3, FrequencyPenalty: 0.5, Seed: 2}}, false},
		{"logprobs", Request{Logprobs: true, TopLogprobs: 3}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := c.req
			req.Prompt, req.MaxTokens = prompt, 60
			want := generate(t, ref, req)
			*st = hostTopKState{}
			got := generate(t, dev, req)
			if !slices.Equal(got.tokens, want.tokens) || got.text != want.text {
				t.Fatalf("tokens through candidates differ from whole rows:\n got %v %q\nwant %v %q", got.tokens, got.text, want.tokens, want.text)
			}
			if c.candidates && (st.topKCalls != len(got.tokens) || st.rowReads != 0) {
				t.Errorf("%d tokens: %d top-k selections, %d whole rows read; want one selection per token and no rows", len(got.tokens), st.topKCalls, st.rowReads)
			}
			if !c.candidates && st.topKCalls != 0 {
				t.Errorf("%d top-k selections for settings that need whole rows", st.topKCalls)
			}
		})
	}

	// Requests that need whole rows still get them from the same session.
	s, err := dev.NewSession(64)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Generate(context.Background(), Request{Prompt: prompt, MaxTokens: 3}, func(Delta) error { return nil }); err != nil {
		t.Fatal(err)
	}
	logits, err := s.Logits(prompt[:3])
	if err != nil {
		t.Fatal(err)
	}
	if want, err := ref.mustSession(t).Logits(prompt[:3]); err != nil || !slices.Equal(logits[2], want[2]) {
		t.Fatalf("Logits after a candidate request differ from the reference's (%v)", err)
	}
}

func (m *Model) mustSession(t testing.TB) *Session {
	t.Helper()
	s, err := m.NewSession(64)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type generated struct {
	tokens []int32
	text   string
}

func generate(t testing.TB, m *Model, req Request) generated {
	t.Helper()
	s, err := m.NewSession(256)
	if err != nil {
		t.Fatal(err)
	}
	var g generated
	res, err := s.Generate(context.Background(), req, func(d Delta) error {
		g.tokens = append(g.tokens, d.Tokens...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g.text = res.Text
	return g
}

// A device that fails while selecting candidates moves the conversation to
// the CPU, which carries on with the same tokens.
func TestCandidateFailureFallsBack(t *testing.T) {
	st := &hostTopKState{failAfter: 50}
	m, err := Open(testdata+"/models/stories260K.gguf", Options{Backend: hostTopK{st: st}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	got := generate(t, m, Request{Prompt: []int32{m.Tokenizer.Vocab().BOS}, MaxTokens: 200})
	if !errors.Is(m.FallbackReason(), errDeviceLost) {
		t.Fatalf("fallback reason %v, want the lost device", m.FallbackReason())
	}
	if got.text != golden(t) {
		t.Fatalf("text after falling back differs from the golden:\n%q", got.text)
	}
}
