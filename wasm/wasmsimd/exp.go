package wasmsimd

import (
	"math"

	"github.com/wisp-llm/wisp/wasm/model"
)

// expF32 returns float32(math.Exp(float64(x))), the reference's exponential
// in SwiGLU and softmax, several times faster in wasm, where math.Exp's
// general scaling (math.Ldexp) dominates. Within float32's normal range it
// evaluates e^x in float64 to a few ulps; rounded to float32, that equals
// math.Exp's rounding (within 1 ulp, as documented) unless the value lies
// within a few ulps of a midpoint between two float32s, which it checks,
// taking math.Exp itself there and outside that range.
func expF32(x float32) float32 {
	if !(x > -87 && x < 88) { // NaN, infinities, and results near float32's limits
		return float32(math.Exp(float64(x)))
	}
	const (
		log2e = 1.4426950408889634
		// ln 2 split so that k·ln2Hi is exact for |k| < 2^11
		ln2Hi = 6.93147180369123816490e-01
		ln2Lo = 1.90821492927058770002e-10
		round = 0x1.8p52 // adding and subtracting it rounds to an integer
	)
	v := float64(x)
	k := (v*log2e + round) - round
	r := (v - k*ln2Hi) - k*ln2Lo // |r| ≤ ln2/2 + tiny
	// e^r by its Taylor series to r^13/13!: the remainder is below 2^-57
	// relative for |r| ≤ 0.35.
	p := 1.0 / 6227020800
	p = p*r + 1.0/479001600
	p = p*r + 1.0/39916800
	p = p*r + 1.0/3628800
	p = p*r + 1.0/362880
	p = p*r + 1.0/40320
	p = p*r + 1.0/5040
	p = p*r + 1.0/720
	p = p*r + 1.0/120
	p = p*r + 1.0/24
	p = p*r + 1.0/6
	p = p*r + 0.5
	p = p*r + 1
	p = p*r + 1
	e := p * math.Float64frombits(uint64(int64(k)+1023)<<52)
	// The 29 low mantissa bits are what rounding to float32 drops: a value
	// near half a float32 ulp could round either way.
	if d := int64(math.Float64bits(e)&(1<<29-1)) - 1<<28; d > -64 && d < 64 {
		return float32(math.Exp(v))
	}
	return float32(e)
}

// SwiGLU is the reference's, with expF32 for its exponential: the same bits.
func (b *Backend) SwiGLU(dst, gate, up *model.Act) {
	dst.Rows = gate.Rows
	n := gate.Rows * gate.Cols
	for i, g := range gate.Data[:n] {
		g *= 1 / (1 + expF32(-g))
		dst.Data[i] = g * up.Data[i]
	}
}

// softmax is tensor.Softmax with expF32: the same bits.
func softmax(x []float32) {
	if len(x) == 0 {
		return
	}
	m := x[0]
	for _, v := range x[1:] {
		m = max(m, v)
	}
	var sum float32
	for i, v := range x {
		e := expF32(v - m)
		x[i] = e
		sum += e
	}
	for i := range x {
		x[i] /= sum
	}
}
