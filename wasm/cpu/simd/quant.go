package simd

import "math"

// Activations are quantized per row into three parallel slices rather than
// an array of block structs, so that the vector loads of the quantized
// values stay aligned to their block: qs holds one int8 per element, d one
// scale per block, and sums the sum of the quantized values of each block
// (Q8_0) or of each 16 elements (Q8_K).

// quantizeQ8_0Go quantizes x into blocks of 32 as ggml's x86
// quantize_row_q8_0 does: d = max|x|/127 (stored rounded to F16) and
// q = round(x·127/max|x|), ties to even. sums holds each block's sum
// of q, which turns Q4_0's offset of 8 into one multiplication per block.
func quantizeQ8_0Go(x []float32, qs []int8, d []float32, sums []int16) {
	for b := range d {
		xb := x[32*b : 32*b+32]
		qb := qs[32*b : 32*b+32]
		var amax float32
		for _, v := range xb {
			amax = max(amax, abs32(v))
		}
		var inv float32
		if amax != 0 {
			inv = 127 / amax
		}
		d[b] = roundF16(amax / 127)
		var sum int16
		for j, v := range xb {
			qb[j] = int8(math.RoundToEven(float64(v * inv)))
			sum += int16(qb[j])
		}
		sums[b] = sum
	}
}

// quantizeQ8_KGo quantizes x into blocks of 256 as ggml's
// quantize_row_q8_K: the element of largest magnitude maps to -127, the
// others to round(x·(-127/max)) (ties to even), and sums holds the sum of
// each 16 quantized values for the K-quants' minimum terms.
func quantizeQ8_KGo(x []float32, qs []int8, d []float32, sums []int16) {
	for b := range d {
		xb := x[256*b : 256*b+256]
		qb := qs[256*b : 256*b+256]
		sb := sums[16*b : 16*b+16]
		var amax, vmax float32
		for _, v := range xb {
			if a := abs32(v); a > amax {
				amax, vmax = a, v
			}
		}
		if amax == 0 {
			d[b] = 0
			clear(qb)
			clear(sb)
			continue
		}
		iscale := -127 / vmax
		for j, v := range xb {
			qb[j] = int8(min(127, math.RoundToEven(float64(iscale*v))))
		}
		for g := range sb {
			var s int16
			for _, q := range qb[16*g : 16*g+16] {
				s += int16(q)
			}
			sb[g] = s
		}
		d[b] = 1 / iscale
	}
}

func abs32(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }
