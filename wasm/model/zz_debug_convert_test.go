package model_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/model"
)

func TestZZDebug(t *testing.T) {
	b, _ := os.ReadFile(os.Getenv("GOLDEN"))
	var g llamaCppGolden
	json.Unmarshal(b, &g)
	f := openFile(t, os.Getenv("MODEL"))
	var be model.Backend = llamaCppRounding{}
	if os.Getenv("PLAIN") != "" {
		be = cpu.Reference{}
	}
	m, err := model.Load(f, be)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := m.NewState(len(g.Tokens), len(g.Tokens))
	logits := make([]float32, m.Config.Vocab)
	for i, tok := range g.Tokens {
		m.Forward(s, []int32{tok}, logits)
		probs := softmax(logits)
		var pw float64
		for id, p := range g.Positions[i].Probs {
			pw = math.Max(pw, math.Abs(probs[id]-p))
		}
		t.Logf("pos %d tok %d worst %.3g", i, tok, pw)
	}
}
