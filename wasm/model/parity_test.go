package model_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/gguf"
	"github.com/wisp-llm/wisp/wasm/model"
)

const sharedModels = "../../../shared/testdata/models"

// llamaCppGolden is the output of scripts/llamacpp/logits.mjs.
type llamaCppGolden struct {
	Model     string  `json:"model"`
	SHA256    string  `json:"sha256"`
	VocabSize int     `json:"vocab_size"`
	Tokens    []int32 `json:"tokens"`
	Positions []struct {
		Argmax int32        `json:"argmax"`
		Top    [][2]float64 `json:"top"`
		Probs  []float64    `json:"probs"`
	} `json:"positions"`
}

func readGolden(t testing.TB, name string) *llamaCppGolden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata/llamacpp", name))
	if err != nil {
		t.Fatal(err)
	}
	var g llamaCppGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &g
}

// parityCase is one model checked against llama.cpp.
type parityCase struct {
	golden string
	model  func(t testing.TB) string // path of the GGUF file the golden was made from
	// probTol bounds |p_wisp - p_llama.cpp| for every token id llama.cpp lists.
	probTol float64
	// argmaxTol: when the argmaxes differ, llama.cpp's probability of ours
	// must be within this of its maximum (near-ties in random models).
	argmaxTol float64
}

func sharedModel(name string) func(testing.TB) string {
	return func(testing.TB) string { return filepath.Join(sharedModels, name) }
}

var parityCases = []parityCase{
	// F32 weights, F32 KV cache on both sides: only summation order differs.
	{golden: "stories260K.json", model: sharedModel("stories260K.gguf"), probTol: 1e-5},
	// F16 weights: llama.cpp rounds activations to F16 before each product.
	{golden: "llama-2-tiny-random.json", model: sharedModel("llama-2-tiny-random.gguf"), probTol: 2e-8, argmaxTol: 2e-8},
}

func TestLlamaCppParity(t *testing.T) {
	for _, pc := range append(parityCases, convertedParityCases...) {
		t.Run(pc.golden, func(t *testing.T) {
			g := readGolden(t, pc.golden)
			path := pc.model(t)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != g.SHA256 {
				t.Fatalf("%s has sha256 %x, but the golden was made from %s", path, sum, g.SHA256)
			}
			f, err := gguf.FromBytes(data)
			if err != nil {
				t.Fatal(err)
			}
			m, err := model.Load(f, cpu.Reference{})
			if err != nil {
				t.Fatal(err)
			}
			if m.Config.Vocab != g.VocabSize {
				t.Fatalf("vocab %d, golden %d", m.Config.Vocab, g.VocabSize)
			}
			s, err := m.NewState(len(g.Tokens), len(g.Tokens))
			if err != nil {
				t.Fatal(err)
			}
			logits := make([]float32, m.Config.Vocab)
			var worst float64
			for i, tok := range g.Tokens {
				if err := m.Forward(s, []int32{tok}, logits); err != nil {
					t.Fatal(err)
				}
				probs := softmax(logits)
				want := g.Positions[i]
				check := func(id int, p float64) {
					if d := math.Abs(probs[id] - p); d > worst {
						worst = d
					}
				}
				if want.Probs != nil {
					for id, p := range want.Probs {
						check(id, p)
					}
				} else {
					for _, e := range want.Top {
						check(int(e[0]), e[1])
					}
				}
				got := argmax(probs)
				if got != int(want.Argmax) {
					pOurs := lookup(want.Top, want.Probs, got)
					pMax := lookup(want.Top, want.Probs, int(want.Argmax))
					if pOurs < 0 || pMax-pOurs > pc.argmaxTol {
						t.Errorf("position %d: argmax %d, llama.cpp %d (its probabilities %.7g vs %.7g)", i, got, want.Argmax, pOurs, pMax)
					}
				}
			}
			t.Logf("largest probability difference %.3g over %d positions (tolerance %.3g)", worst, len(g.Tokens), pc.probTol)
			if worst > pc.probTol {
				t.Errorf("largest probability difference %.3g exceeds %.3g", worst, pc.probTol)
			}
		})
	}
}

func lookup(top [][2]float64, probs []float64, id int) float64 {
	if probs != nil {
		return probs[id]
	}
	for _, e := range top {
		if int(e[0]) == id {
			return e[1]
		}
	}
	return -1
}

func softmax(logits []float32) []float64 {
	m := float64(logits[0])
	for _, v := range logits {
		m = math.Max(m, float64(v))
	}
	out := make([]float64, len(logits))
	var sum float64
	for i, v := range logits {
		out[i] = math.Exp(float64(v) - m)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

func argmax(p []float64) int {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return best
}
