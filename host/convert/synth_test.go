package convert

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/wisp-llm/wisp/wasm/gguf"
	"github.com/wisp-llm/wisp/wasm/model"
)

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func synth(t testing.TB, opts SynthOptions) []byte {
	t.Helper()
	if opts.Vocab == nil {
		donor, err := VocabDonor(opts.Shape)
		if err != nil {
			t.Fatal(err)
		}
		opts.Vocab = openModel(t, donor)
	}
	var buf bytes.Buffer
	if err := Synth(opts, &buf); err != nil {
		t.Fatalf("Synth(%+v): %v", opts, err)
	}
	return buf.Bytes()
}

func TestSynthDeterministic(t *testing.T) {
	a := synth(t, SynthOptions{Shape: "tiny", Type: "Q4_K_M", Seed: 7})
	b := synth(t, SynthOptions{Shape: "tiny", Type: "Q4_K_M", Seed: 7})
	c := synth(t, SynthOptions{Shape: "tiny", Type: "Q4_K_M", Seed: 8})
	if !bytes.Equal(a, b) {
		t.Error("the same seed gave different files")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds gave the same file")
	}
}

// TestSynthShapes checks every shape's hyperparameters and tensors as the
// model loader reads them.
func TestSynthShapes(t *testing.T) {
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			// stories260K's vocabulary keeps the embeddings small; the
			// padding up to the real vocabularies is TestPaddedVocab's.
			sh.layers, sh.vocab = 1, 512
			q8, err := lookupMix("Q8_0")
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := sh.synthesize(q8, SynthOptions{Seed: 1, Vocab: openModel(t, "stories260K.gguf")}, &buf); err != nil {
				t.Fatal(err)
			}
			f, err := gguf.FromBytes(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			c, err := model.ReadConfig(f)
			if err != nil {
				t.Fatal(err)
			}
			got := []int{c.Dim, c.Layers, c.Heads, c.KVHeads, c.FFN}
			want := []int{sh.dim, sh.layers, sh.heads, sh.kvHeads, sh.ffn}
			if c.Arch != sh.arch || c.RoPE.Base != sh.ropeBase || !equalInts(got, want) {
				t.Errorf("config %s %v base %g, want %s %v base %g", c.Arch, got, c.RoPE.Base, sh.arch, want, sh.ropeBase)
			}
			w, err := model.BindWeights(f, &c)
			if err != nil {
				t.Fatal(err)
			}
			if (w.Output == w.TokenEmbd) != sh.tied || (w.Layers[0].QBias != nil) != sh.qkvBias {
				t.Errorf("tied %v, biases %v; want %v, %v", w.Output == w.TokenEmbd, w.Layers[0].QBias != nil, sh.tied, sh.qkvBias)
			}
			tokens, err := f.Strings(keyTokens)
			if err != nil || len(tokens) != sh.vocab {
				t.Fatalf("%d tokens (%v), want %d", len(tokens), err, sh.vocab)
			}
		})
	}
}

// TestSynthGenerates runs a synthesized model through the engine for every
// target type.
func TestSynthGenerates(t *testing.T) {
	for _, m := range mixes {
		t.Run(m.name, func(t *testing.T) {
			res := generate(t, synth(t, SynthOptions{Shape: "tiny", Type: m.name, Seed: 1}), 8)
			if res.CompletionTokens != 8 {
				t.Fatalf("generated %d tokens, want 8", res.CompletionTokens)
			}
		})
	}
}

func TestPaddedVocab(t *testing.T) {
	donor := openModel(t, "stories260K.gguf")
	kvs, err := paddedVocab(donor, 600)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]gguf.Value{}
	for _, kv := range kvs {
		if !strings.HasPrefix(kv.Key, "tokenizer.") {
			t.Errorf("copied %q", kv.Key)
		}
		got[kv.Key] = kv.Value
	}
	tokens := got[keyTokens].V.(gguf.Array).Values.([]string)
	types := got[keyTokenType].V.(gguf.Array).Values.([]int32)
	scores := got[keyScores].V.(gguf.Array).Values.([]float32)
	if len(tokens) != 600 || len(types) != 600 || len(scores) != 600 {
		t.Fatalf("%d tokens, %d types, %d scores; want 600", len(tokens), len(types), len(scores))
	}
	if tokens[511] != "." && tokens[512] != "<unused512>" || types[599] != tokenTypeUnused || tokens[599] != "<unused599>" {
		t.Errorf("padding: tokens[511:513] = %q, tokens[599] = %q type %d", tokens[511:513], tokens[599], types[599])
	}
	if donorTokens, _ := donor.Strings(keyTokens); len(donorTokens) != 512 {
		t.Errorf("the donor's vocabulary was modified: %d tokens", len(donorTokens))
	}
}

func TestSynthErrors(t *testing.T) {
	stories := openModel(t, "stories260K.gguf")
	llama2 := openModel(t, "llama-2-tiny-random.gguf")
	tests := []struct {
		name string
		opts SynthOptions
		want string
	}{
		{"unknown shape", SynthOptions{Shape: "gpt-5", Type: "Q8_0", Vocab: stories}, "unknown shape"},
		{"unknown type", SynthOptions{Shape: "tiny", Type: "Q7_0", Vocab: stories}, "unknown target type"},
		{"negative layers", SynthOptions{Shape: "tiny", Type: "Q8_0", Layers: -1, Vocab: stories}, "layers"},
		{"too many layers", SynthOptions{Shape: "tiny", Type: "Q8_0", Layers: 100000, Vocab: stories}, "layers"},
		{"no vocabulary", SynthOptions{Shape: "tiny", Type: "Q8_0"}, "vocabulary"},
		{"vocabulary larger than the shape's", SynthOptions{Shape: "tiny", Type: "Q8_0", Vocab: llama2}, "32000 tokens"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Synth(tc.opts, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
