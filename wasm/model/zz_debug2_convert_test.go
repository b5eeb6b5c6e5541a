package model_test

import (
	"math"
	"os"
	"sort"
	"testing"

	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/model"
)

func TestZZGap(t *testing.T) {
	f := openFile(t, os.Getenv("MODEL"))
	toks := []int32{1, 385, 328, 432, 261, 376, 268, 414, 422, 395, 326, 263, 377, 267, 265, 282, 295, 433, 335, 345, 357, 426, 346, 286, 393, 426}
	run := func(be model.Backend) [][]float32 {
		m, err := model.Load(f, be)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := m.NewState(len(toks), len(toks))
		var out [][]float32
		for _, tok := range toks {
			l := make([]float32, m.Config.Vocab)
			m.Forward(s, []int32{tok}, l)
			out = append(out, l)
		}
		return out
	}
	a, b := run(cpu.Reference{}), run(llamaCppRounding{})
	minRatio := math.Inf(1)
	flips := 0
	var maxTop, maxP float64
	for i := range a {
		idx := make([]int, len(a[i]))
		for j := range idx {
			idx[j] = j
		}
		sort.Slice(idx, func(x, y int) bool { return a[i][idx[x]] > a[i][idx[y]] })
		gap := float64(a[i][idx[0]] - a[i][idx[1]])
		var d float64
		for j := range a[i] {
			d = math.Max(d, math.Abs(float64(a[i][j]-b[i][j])))
		}
		pa, pb := softmax(a[i]), softmax(b[i])
		maxTop = math.Max(maxTop, pa[idx[0]])
		for j := range pa {
			maxP = math.Max(maxP, math.Abs(pa[j]-pb[j]))
		}
		if argmax(pa) != argmax(pb) {
			flips++
		}
		minRatio = math.Min(minRatio, gap/(2*d))
		t.Logf("pos %d top %.3f gap %.3f maxdelta %.3f", i, pa[idx[0]], gap, d)
	}
	t.Logf("SUMMARY min gap/(2 maxdelta) %.2f flips %d max prob diff %.3g", minRatio, flips, maxP)
}
