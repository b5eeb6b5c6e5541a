package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestTmpMeasure(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 64*QK_K)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	for _, typ := range []Type{F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K} {
		n, _ := RowBytes(typ, int64(len(x)))
		q := make([]byte, n)
		Quantize(typ, x, q)
		y := make([]float32, len(x))
		Dequantize(typ, q, y)
		var se, ss float64
		for i := range x {
			d := float64(x[i] - y[i])
			se += d * d
			ss += float64(x[i]) * float64(x[i])
		}
		t.Logf("%v %.5f", typ, math.Sqrt(se/ss))
	}
}
