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

// TestFastRepacksOwnedWeights loads models of every x16 type (some with
// the embedding tied to the output) into the fast backend from bytes the
// model owns (model.LoadOwned: repacked in place, the file-layout Data
// dropped) and from shared bytes (model.Load: left exactly as they were,
// file-layout kernels). Both give the same embedding rows and the same
// probabilities up to float32 summation order; the kernels themselves are
// checked bit for bit in package simd.
func TestFastRepacksOwnedWeights(t *testing.T) {
	tied := synthShape{dim: 256, ffn: 512, layers: 1, heads: 2, kvHeads: 1, vocab: 96, tied: true}
	for _, c := range []struct {
		name  string
		shape synthShape
		types synthTypes
	}{
		{"Q4_0 untied", smallShape, synthTypes{tensor.Q4_0, tensor.Q8_0}},
		{"Q4_0 tied", tied, synthTypes{tensor.Q8_0, tensor.Q4_0}},
		{"Q8_0 tied", tied, synthTypes{tensor.Q4_0, tensor.Q8_0}},
		{"Q4_K/Q6_K untied", smallShape, synthTypes{tensor.Q4_K, tensor.Q6_K}},
		{"Q4_K tied", tied, synthTypes{tensor.Q6_K, tensor.Q4_K}},
		{"Q6_K tied", tied, synthTypes{tensor.Q4_K, tensor.Q6_K}},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := synthModel(t, c.shape, c.types, 8)
			shared := bytes.Clone(data)
			fileLayout := loadShared(t, shared, newFast(t, 2))
			owned := load(t, data, newFast(t, 2))
			tokens := tokensFor(9, owned.Config.Vocab)
			want, got := run(t, fileLayout, tokens), run(t, owned, tokens)
			var worst float64
			for pos := range want {
				pw, pg := probs(want[pos]), probs(got[pos])
				for i := range pw {
					worst = math.Max(worst, math.Abs(pw[i]-pg[i]))
				}
			}
			t.Logf("largest probability difference %.3g", worst)
			// Measured below 1e-7; 1e-3 leaves room for an activation that a
			// different float32 order moves across an 8-bit rounding step.
			if worst > 1e-3 {
				t.Fatalf("probabilities differ by up to %.3g", worst)
			}
			// The embedding rows come out exactly.
			x := owned.Backend.NewAct(len(tokens), owned.Config.Dim)
			y := fileLayout.Backend.NewAct(len(tokens), owned.Config.Dim)
			owned.Backend.Embed(x, owned.Weights.TokenEmbd, tokens)
			fileLayout.Backend.Embed(y, fileLayout.Weights.TokenEmbd, tokens)
			for i := range x.Data {
				if math.Float32bits(x.Data[i]) != math.Float32bits(y.Data[i]) {
					t.Fatalf("embedding value %d: %v repacked, %v in the file layout", i, x.Data[i], y.Data[i])
				}
			}
			if !bytes.Equal(shared, data) {
				t.Fatal("the shared bytes changed")
			}
			for _, w := range fileLayout.Weights.All() {
				if w.Device != nil || w.Data == nil {
					t.Errorf("shared weight %s was repacked", w.Name)
				}
			}
			if !simd.X16() {
				t.Skip("no x16 kernels on this CPU: nothing was repacked")
			}
			for _, w := range owned.Weights.All() {
				if simd.HasX16(w.Type) && (w.Data != nil || w.Device == nil) {
					t.Errorf("owned weight %s was not repacked", w.Name)
				}
			}
		})
	}
}

// A file whose tensors share bytes (two weights bound to the same data)
// is not rewritten in place, even when owned: the shared bytes would be
// repacked twice. The weights keep the file layout and the model runs.
func TestFastKeepsOverlappingTensors(t *testing.T) {
	data := synthModel(t, smallShape, synthTypes{tensor.Q4_0, tensor.Q8_0}, 8)
	f, err := gguf.FromBytes(bytes.Clone(data))
	if err != nil {
		t.Fatal(err)
	}
	gate, err := f.Tensor("blk.0.ffn_gate.weight")
	if err != nil {
		t.Fatal(err)
	}
	up, err := f.Tensor("blk.0.ffn_up.weight")
	if err != nil {
		t.Fatal(err)
	}
	up.Offset = gate.Offset // same type and shape: the up projection aliases the gate's bytes
	m, err := model.LoadOwned(f, newFast(t, 2))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range m.Weights.All() {
		if w.Owned || w.Data == nil || w.Device != nil {
			t.Errorf("weight %s was taken as owned or repacked", w.Name)
		}
	}
	run(t, m, tokensFor(3, m.Config.Vocab))
}
