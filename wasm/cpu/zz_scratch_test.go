package cpu_test

import (
	"math"
	"testing"

	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

type emu struct{ cpu.Reference }

func (b emu) MatMul(dst *model.Act, w *model.Weight, x *model.Act, bias *model.Weight) {
	r := &model.Act{Rows: x.Rows, Cols: x.Cols, Cap: x.Rows, Data: make([]float32, x.Rows*x.Cols)}
	copy(r.Data, x.Data[:x.Rows*x.Cols])
	if w.Type == tensor.Q8_0 || w.Type == tensor.Q4_0 {
		for i := 0; i < len(r.Data); i += 32 {
			src := x.Data[i : i+32]
			var amax float32
			for _, v := range src {
				amax = max(amax, float32(math.Abs(float64(v))))
			}
			d := tensor.F16ToF32(tensor.F32ToF16(amax / 127))
			var id float32
			if amax != 0 {
				id = 127 / amax
			}
			for j, v := range src {
				r.Data[i+j] = d * float32(math.RoundToEven(float64(v*id)))
			}
		}
	}
	b.Reference.MatMul(dst, w, r, bias)
}

func TestScratch(t *testing.T) {
	data := convertedModel("stories260K.gguf", "Q8_0")(t)
	tokens := []int32{1, 400, 300}
	a := run(t, load(t, data, emu{}), tokens)
	b := run(t, load(t, data, newFast(t, 1)), tokens)
	c := run(t, load(t, data, cpu.Reference{}), tokens)
	for pos := range tokens {
		var dab, dac float64
		for i := range a[pos] {
			dab = math.Max(dab, math.Abs(float64(a[pos][i]-b[pos][i])))
			dac = math.Max(dac, math.Abs(float64(a[pos][i]-c[pos][i])))
		}
		t.Logf("pos %d: |emu-fast| %.3g |emu-ref| %.3g", pos, dab, dac)
	}
}
