package model_test

import (
	"math"
	"os"
	"testing"

	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

type perturbed struct{ llamaCppRounding }

func (b perturbed) MatMul(dst *model.Act, w *model.Weight, x *model.Act, bias *model.Weight) {
	y := &model.Act{Rows: x.Rows, Cols: x.Cols, Cap: x.Rows, Data: make([]float32, x.Rows*x.Cols)}
	for i, v := range x.Data[:x.Rows*x.Cols] {
		// one-ulp jitter, as a different summation order gives
		if i%3 == 0 {
			y.Data[i] = math.Nextafter32(v, float32(math.Inf(1)))
		} else {
			y.Data[i] = v
		}
	}
	b.llamaCppRounding.MatMul(dst, w, y, bias)
}

var _ = tensor.F16

func TestZZPerturb(t *testing.T) {
	f := openFile(t, os.Getenv("MODEL"))
	toks := []int32{1, 385, 328, 432, 261, 376, 268, 414, 422, 395, 326, 263, 377, 267, 265, 282, 295, 433, 335, 345, 357, 426, 346, 286, 393, 426}
	run := func(be model.Backend) [][]float64 {
		m, _ := model.Load(f, be)
		s, _ := m.NewState(len(toks), len(toks))
		var out [][]float64
		for _, tok := range toks {
			l := make([]float32, m.Config.Vocab)
			m.Forward(s, []int32{tok}, l)
			out = append(out, softmax(l))
		}
		return out
	}
	a, b := run(llamaCppRounding{}), run(perturbed{})
	for i := range a {
		var d float64
		for j := range a[i] {
			d = math.Max(d, math.Abs(a[i][j]-b[i][j]))
		}
		t.Logf("pos %d diff %.3g", i, d)
	}
}
