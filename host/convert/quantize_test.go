package convert

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/wisp-llm/wisp/wasm/engine"
	"github.com/wisp-llm/wisp/wasm/gguf"
	"github.com/wisp-llm/wisp/wasm/sample"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

const sharedModels = "../../../shared/testdata/models/"

func openModel(t testing.TB, name string) *gguf.File {
	t.Helper()
	f, err := gguf.Open(sharedModels + name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func quantize(t testing.TB, in *gguf.File, typ string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Quantize(in, &buf, QuantizeOptions{Type: typ}); err != nil {
		t.Fatalf("Quantize to %s: %v", typ, err)
	}
	return buf.Bytes()
}

// generate loads a model with the engine and greedily generates n tokens
// from BOS.
func generate(t testing.TB, file []byte, n int) engine.Result {
	t.Helper()
	m, err := engine.LoadBytes(file, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	s, err := m.NewSession(64)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Generate(context.Background(), engine.Request{Prompt: []int32{m.Tokenizer.Vocab().BOS}, MaxTokens: n, Sampling: sample.Params{}}, func(engine.Delta) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestQuantizeRoundTrip converts stories260K to every target and checks the
// result loads, generates, keeps the metadata and records the file type.
func TestQuantizeRoundTrip(t *testing.T) {
	in := openModel(t, "stories260K.gguf")
	want := generate(t, mustRead(t, sharedModels+"stories260K.gguf"), 20)
	for _, m := range mixes {
		t.Run(m.name, func(t *testing.T) {
			b := quantize(t, in, m.name)
			out, err := gguf.FromBytes(b)
			if err != nil {
				t.Fatal(err)
			}
			if ft, err := out.Uint32("general.file_type"); err != nil || ft != m.fileType {
				t.Errorf("general.file_type = %d (%v), want %d", ft, err, m.fileType)
			}
			for _, kv := range in.KVs {
				got, ok := out.Lookup(kv.Key)
				if !ok {
					t.Errorf("metadata %q lost", kv.Key)
				} else if got.Type != kv.Value.Type {
					t.Errorf("metadata %q changed type from %s to %s", kv.Key, kv.Value.Type, got.Type)
				}
			}
			if len(out.Tensors) != len(in.Tensors) {
				t.Fatalf("%d tensors, want %d", len(out.Tensors), len(in.Tensors))
			}
			res := generate(t, b, 20)
			if res.CompletionTokens != 20 {
				t.Fatalf("generated %d tokens, want 20", res.CompletionTokens)
			}
			// Losing a few bits must not turn the story into noise: the
			// 8-bit and wider conversions keep the F32 model's greedy text.
			if m.base == tensor.F32 || m.base == tensor.F16 || m.base == tensor.Q8_0 || m.base == tensor.Q6_K {
				if res.Text != want.Text {
					t.Errorf("greedy text %q, F32 model gives %q", res.Text, want.Text)
				}
			}
		})
	}
}

func TestQuantizeDeterministic(t *testing.T) {
	in := openModel(t, "stories260K.gguf")
	a, b := quantize(t, in, "Q4_K_M"), quantize(t, in, "Q4_K_M")
	if !bytes.Equal(a, b) {
		t.Fatal("two conversions of the same file differ")
	}
}

func TestQuantizeFromF16(t *testing.T) {
	in := openModel(t, "llama-2-tiny-random.gguf") // F16 matrices
	out, err := gguf.FromBytes(quantize(t, in, "Q8_0"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ti := range out.Tensors {
		// Vectors stay F32; rows of 8 (dim) fit no block type and end at
		// F16, rows of 32 (the FFN) are Q8_0.
		want := tensor.Q8_0
		switch {
		case len(ti.Dims) == 1:
			want = tensor.F32
		case ti.Dims[0]%32 != 0:
			want = tensor.F16
		}
		if ti.Type != want {
			t.Errorf("%s %v: %v, want %v", ti.Name, ti.Dims, ti.Type, want)
		}
	}
}

func TestQuantizeProgress(t *testing.T) {
	in := openModel(t, "stories260K.gguf")
	var calls []int
	err := Quantize(in, &bytes.Buffer{}, QuantizeOptions{Type: "Q8_0", Progress: func(done, total int, name string) {
		if total != len(in.Tensors) || name == "" {
			t.Errorf("progress(%d, %d, %q)", done, total, name)
		}
		calls = append(calls, done)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != len(in.Tensors) || calls[len(calls)-1] != len(in.Tensors) {
		t.Fatalf("progress called with %v", calls)
	}
}

func TestQuantizeErrors(t *testing.T) {
	stories := openModel(t, "stories260K.gguf")
	q8, err := gguf.FromBytes(quantize(t, stories, "Q8_0"))
	if err != nil {
		t.Fatal(err)
	}
	noLayers := withoutKey(t, stories, "llama.block_count")
	tests := []struct {
		name string
		in   *gguf.File
		typ  string
		want string
	}{
		{"unknown target", stories, "Q3_K_XL", "unknown target type"},
		{"empty target", stories, "", "unknown target type"},
		{"quantized source", q8, "Q4_0", "converting from Q8_0 to Q4_0 is not supported"},
		{"no block count", noLayers, "Q8_0", "block_count"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Quantize(tc.in, &bytes.Buffer{}, QuantizeOptions{Type: tc.typ})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	// A quantized file converted to its own type is copied unchanged.
	if _, err := gguf.FromBytes(quantize(t, q8, "Q8_0")); err != nil {
		t.Fatal(err)
	}
}

// withoutKey returns f rewritten without the metadata key.
func withoutKey(t testing.TB, f *gguf.File, key string) *gguf.File {
	t.Helper()
	var kvs []gguf.KV
	for _, kv := range f.KVs {
		if kv.Key != key {
			kvs = append(kvs, kv)
		}
	}
	tensors, err := f.FileTensors()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := gguf.Write(&buf, 3, kvs, tensors); err != nil {
		t.Fatal(err)
	}
	out, err := gguf.FromBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return out
}
