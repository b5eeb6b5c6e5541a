package wasmsimd

import (
	"math"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

// Go's math.RoundToEven and float min are library code on wasm, which
// made quantizing the activations cost as much as a K-quant product: these
// quantizers give wasm/cpu/simd's QuantizeQ8_K and QuantizeQ8_0 results
// bit for bit with float32 arithmetic alone, writing the int16 copy and
// the sums the kernels take in the same pass.

// roundMagic is 1.5·2²³: adding it to a float32 below 2²² in magnitude
// leaves a number whose unit in the last place is 1, so the addition rounds
// to an integer, ties to even, and subtracting it back is exact.
const roundMagic = 12582912

func roundToEven32(y float32) float32 { return float32(y+roundMagic) - roundMagic }

func magnitude(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }

// quantizeQ8K quantizes one super-block x[:256] as QuantizeQ8_K does
// (q8, d, sums per 16), and sets xq to q8 widened and xs[:8] to the sums
// per 32.
func quantizeQ8K(x []float32, q8 []int8, xq []int16, d *float32, sums, xs []int16) {
	x, q8, xq, sums, xs = x[:256], q8[:256], xq[:256], sums[:16], xs[:8]
	var amax, vmax float32
	for _, v := range x {
		if a := magnitude(v); a > amax {
			amax, vmax = a, v
		}
	}
	if amax == 0 {
		*d = 0
		clear(q8)
		clear(xq)
		clear(sums)
		clear(xs)
		return
	}
	iscale := -127 / vmax
	for g := range sums {
		var s int16
		for j := 16 * g; j < 16*g+16; j++ {
			r := roundToEven32(float32(iscale * x[j]))
			if r > 127 {
				r = 127
			}
			q := int16(r)
			q8[j], xq[j] = int8(q), q
			s += q
		}
		sums[g] = s
	}
	for i := range xs {
		xs[i] = sums[2*i] + sums[2*i+1]
	}
	*d = 1 / iscale
}

// quantizeQ8_0 quantizes one block x[:32] as QuantizeQ8_0 does (q8, d,
// sum), and sets xq to q8 widened.
func quantizeQ8_0(x []float32, q8 []int8, xq []int16, d *float32, sum *int16) {
	x, q8, xq = x[:32], q8[:32], xq[:32]
	var amax float32
	for _, v := range x {
		// Go's max is NaN-aware library code on wasm; activations are finite.
		if a := magnitude(v); a > amax {
			amax = a
		}
	}
	var inv float32
	if amax != 0 {
		inv = 127 / amax
	}
	*d = tensor.F16ToF32(tensor.F32ToF16(amax / 127))
	var s int16
	for j, v := range x {
		q := int16(roundToEven32(float32(v * inv)))
		q8[j], xq[j] = int8(q), q
		s += q
	}
	*sum = s
}
