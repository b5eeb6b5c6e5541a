package cpu_test

import (
	"bytes"
	"math"
	"testing"

	"github.com/wisp-llm/wisp/wasm/cpu/simd"
	"github.com/wisp-llm/wisp/wasm/gguf"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// TestFastRepacksInPlace loads Q4_0, Q8_0, Q4_K and Q6_K models (one with its embedding
// tied to the output) into the fast backend twice: from bytes it owns
// (model.LoadOwned, repacked in place) and from shared bytes (repacked
// into a copy). The logits agree bit for bit, the owned weights give up
// their file-layout Data, and the shared bytes are left as they were.
func TestFastRepacksInPlace(t *testing.T) {
	tied := synthShape{dim: 64, ffn: 128, layers: 1, heads: 2, kvHeads: 1, vocab: 96, tied: true}
	for _, c := range []struct {
		name  string
		shape synthShape
		types synthTypes
	}{
		{"Q4_0 untied", smallShape, synthTypes{tensor.Q4_0, tensor.Q8_0}},
		{"Q4_0 tied", tied, synthTypes{tensor.Q8_0, tensor.Q4_0}},
		{"Q8_0 tied", tied, synthTypes{tensor.Q4_0, tensor.Q8_0}},
		{"Q4_K/Q6_K untied", smallShape, synthTypes{tensor.Q4_K, tensor.Q6_K}},
		{"Q4_K tied", synthShape{dim: 256, ffn: 512, layers: 1, heads: 2, kvHeads: 1, vocab: 96, tied: true}, synthTypes{tensor.Q6_K, tensor.Q4_K}},
		{"Q6_K tied", synthShape{dim: 256, ffn: 512, layers: 1, heads: 2, kvHeads: 1, vocab: 96, tied: true}, synthTypes{tensor.Q4_K, tensor.Q6_K}},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := synthModel(t, c.shape, c.types, 8)
			shared := bytes.Clone(data)
			copied := load(t, shared, newFast(t, 2))
			f, err := gguf.FromBytes(bytes.Clone(data))
			if err != nil {
				t.Fatal(err)
			}
			owned, err := model.LoadOwned(f, newFast(t, 2))
			if err != nil {
				t.Fatal(err)
			}
			tokens := tokensFor(9, owned.Config.Vocab)
			want, got := run(t, copied, tokens), run(t, owned, tokens)
			for pos := range want {
				for i := range want[pos] {
					if math.Float32bits(want[pos][i]) != math.Float32bits(got[pos][i]) {
						t.Fatalf("position %d logit %d: %v repacked in place, %v in a copy", pos, i, got[pos][i], want[pos][i])
					}
				}
			}
			if !bytes.Equal(shared, data) {
				t.Fatal("repacking into a copy changed the shared bytes")
			}
			if !simd.X16() {
				t.Skip("no x16 kernels on this CPU: nothing was repacked")
			}
			for _, w := range owned.Weights.All() {
				if repacked(w) && w.Data != nil {
					t.Errorf("owned weight %s kept its file-layout data", w.Name)
				}
			}
			for _, w := range copied.Weights.All() {
				if repacked(w) && (w.Data == nil || w.Device == nil) {
					t.Errorf("shared weight %s: data %v, device %v", w.Name, w.Data != nil, w.Device != nil)
				}
			}
		})
	}
}

// repacked reports whether the fast backend repacks w's type.
func repacked(w *model.Weight) bool {
	switch w.Type {
	case tensor.Q4_0, tensor.Q8_0, tensor.Q4_K, tensor.Q6_K:
		return true
	}
	return false
}
