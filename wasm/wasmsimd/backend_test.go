package wasmsimd

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/engine"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
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

// TestQuantizedActivationTypesMatchFast checks that the weight types whose
// products use 8-bit activations (the K-quants and Q5_0) give cpu.Fast's
// products bit for bit, with the SIMD128 kernels and with their Go models
// alike, and stay near the reference's.
func TestQuantizedActivationTypesMatchFast(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const rows, cols = 5, 512
	for _, typ := range []tensor.Type{tensor.Q4_K, tensor.Q6_K, tensor.Q5_0} {
		w := &model.Weight{Type: typ, Rows: rows, Cols: cols, Data: make([]byte, rows*cols/typ.BlockSize()*typ.BlockBytes())}
		if err := tensor.Quantize(typ, randFloats(rng, rows*cols), w.Data); err != nil {
			t.Fatal(err)
		}
		b, fast := New(), cpu.NewFast(1)
		x := b.NewAct(2, cols)
		copy(x.Data, randFloats(rng, 2*cols))
		got, want := b.NewAct(2, rows), fast.NewAct(2, rows)
		b.MatMul(got, w, x, nil)
		fast.MatMul(want, w, x, nil)
		sameBits(t, typ.String(), got.Data, want.Data)
		for r := range 2 {
			for i := range rows {
				ref := tensor.Dot(typ, w.Data[i*len(w.Data)/rows:(i+1)*len(w.Data)/rows], x.Data[r*cols:(r+1)*cols])
				if d := math.Abs(float64(got.Data[r*rows+i] - ref)); d > 0.05*math.Abs(float64(ref))+0.5 {
					t.Errorf("%v [%d][%d] = %v, reference %v", typ, r, i, got.Data[r*rows+i], ref)
				}
			}
		}
	}
}
