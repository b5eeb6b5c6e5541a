package tensor

import "math"

// F16ToF32 widens an IEEE 754 binary16 value. Every half value, NaN payloads
// included, is exactly representable as a float32, so this never rounds.
func F16ToF32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f: // inf or NaN: keep the payload in the top mantissa bits
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp != 0:
		return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
	case mant == 0:
		return math.Float32frombits(sign)
	}
	// A subnormal half is mant·2⁻²⁴; both factors and the product are exact
	// in float32.
	v := float32(mant) * (1.0 / (1 << 24))
	return math.Float32frombits(sign | math.Float32bits(v))
}

// F32ToF16 rounds a float32 to the nearest binary16, ties to even, producing
// subnormals and infinities as IEEE 754 does. A NaN becomes the quiet NaN
// 0x7e00 with the input's sign, as ggml's reference conversion writes it.
func F32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	mant := b & 0x7fffff

	if exp == 0xff {
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	halfExp := exp - 127 + 15
	if halfExp >= 0x1f {
		return sign | 0x7c00
	}
	if halfExp > 0 {
		h := uint32(halfExp)<<10 | mant>>13
		// A carry out of the mantissa correctly bumps the exponent, and
		// rounding up from the largest finite half gives infinity.
		return sign | uint16(roundShifted(h, mant, 13))
	}
	// The result is subnormal or zero: count units of 2⁻²⁴. The float32's
	// significand (with its hidden bit) is m·2^(exp-150), so the count is
	// m >> (126-exp). Float32 subnormals (exp 0) are far below that unit.
	if exp == 0 {
		return sign
	}
	shift := uint32(126 - exp)
	if shift > 24 {
		return sign // below half the smallest subnormal
	}
	m := mant | 0x800000
	return sign | uint16(roundShifted(m>>shift, m, shift))
}

// roundShifted rounds q = full>>shift to nearest, ties to even, using the
// bits of full that the shift dropped.
func roundShifted(q, full, shift uint32) uint32 {
	rem := full & (1<<shift - 1)
	half := uint32(1) << (shift - 1)
	if rem > half || rem == half && q&1 == 1 {
		q++
	}
	return q
}

// BF16ToF32 widens a bfloat16, which is the top half of a float32.
func BF16ToF32(h uint16) float32 {
	return math.Float32frombits(uint32(h) << 16)
}

// F32ToBF16 rounds to nearest, ties to even, keeping subnormals and forcing
// NaNs quiet, exactly as ggml's ggml_compute_fp32_to_bf16.
func F32ToBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 0x40
	}
	return uint16((b + 0x7fff + (b>>16)&1) >> 16)
}
