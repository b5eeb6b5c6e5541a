package wasmsimd

import (
	"bytes"
	"context"
	"iter"
	"reflect"
	"slices"
	"testing"

	"github.com/wisp-llm/wisp/host/convert"
	"github.com/wisp-llm/wisp/wasm/engine"
	"github.com/wisp-llm/wisp/wasm/gguf"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// synthModel returns `wisp synth --shape random256 --type typ`: every
// matrix a multiple of 256 wide, so each is a K-quant for the K-quant
// types, and weights that make greedy decoding walk through the vocabulary
// rather than repeat one token.
func synthModel(tb testing.TB, typ string) []byte {
	tb.Helper()
	donor, err := gguf.Open(testdata + "/models/stories260K.gguf")
	if err != nil {
		tb.Fatal(err)
	}
	defer donor.Close()
	var buf bytes.Buffer
	if err := convert.Synth(convert.SynthOptions{Shape: "random256", Type: typ, Seed: 1, Vocab: donor}, &buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// greedyLogprobs generates n tokens after a prompt of several tokens (so
// the prompt goes through the batched products) at temperature 0, and
// returns each token with the log-probabilities of the five likeliest.
func greedyLogprobs(tb testing.TB, data []byte, b *Backend, n int) []engine.TokenLogprob {
	tb.Helper()
	m, err := engine.LoadBytes(data, engine.Options{Backend: b})
	if err != nil {
		tb.Fatal(err)
	}
	defer m.Close()
	s, err := m.NewSession(128)
	if err != nil {
		tb.Fatal(err)
	}
	var steps []engine.TokenLogprob
	prompt := []int32{m.Tokenizer.Vocab().BOS, 300, 301, 40, 7, 99}
	req := engine.Request{Prompt: prompt, MaxTokens: n, Logprobs: true, TopLogprobs: 5}
	if _, err = s.Generate(context.Background(), req, func(d engine.Delta) error {
		steps = append(steps, d.Logprobs...)
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	return steps
}

// TestKQuantModelsSameTokensWithGoModels: synthetic K-quant models give the
// same greedy tokens, with the same log-probabilities, through the SIMD128
// kernels as through their Go models (in the wispsimd wasm build;
// elsewhere both are the Go models).
func TestKQuantModelsSameTokensWithGoModels(t *testing.T) {
	for _, typ := range []string{"Q4_K_M", "Q5_K", "Q6_K"} {
		t.Run(typ, func(t *testing.T) {
			data := synthModel(t, typ)
			f, err := gguf.FromBytes(data)
			if err != nil {
				t.Fatal(err)
			}
			kQuants := 0
			for _, ti := range f.Tensors {
				if ti.Type == tensor.Q4_K || ti.Type == tensor.Q5_K || ti.Type == tensor.Q6_K {
					kQuants++
				}
			}
			if kQuants < 7 {
				t.Fatalf("%s model has %d K-quant tensors, want every projection", typ, kQuants)
			}
			goModels := New()
			goModels.k.goModels = true
			want := greedyLogprobs(t, data, goModels, 24)
			got := greedyLogprobs(t, data, New(), 24)
			if len(want) != 24 || len(got) != 24 {
				t.Fatalf("%d tokens with the kernels, %d with the Go models, want 24", len(got), len(want))
			}
			for i := range want {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Fatalf("SIMD=%v: token %d: kernels %+v, Go models %+v", SIMD, i, got[i], want[i])
				}
			}
			if distinct := len(slices.Compact(slices.Sorted(tokensOf(want)))); distinct < 8 {
				t.Fatalf("greedy decoding produced %d distinct tokens: too degenerate a model to compare", distinct)
			}
		})
	}
}

func tokensOf(steps []engine.TokenLogprob) iter.Seq[int32] {
	return func(yield func(int32) bool) {
		for _, s := range steps {
			if !yield(s.Token) {
				return
			}
		}
	}
}
