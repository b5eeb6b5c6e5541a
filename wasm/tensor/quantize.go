package tensor

import (
	"encoding/binary"
	"fmt"
	"math"
)

// The quantizers follow ggml's quantize_row_*_ref, the path llama-quantize
// takes without an importance matrix, operation for operation in float32 so
// that our files match llama.cpp's byte for byte wherever the C compiler
// does not contract multiply-adds (x86-64). The float32(...) conversions
// around products keep Go from fusing them on arm64.

// CanQuantize reports whether Quantize supports t.
func CanQuantize(t Type) bool {
	switch t {
	case F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K:
		return true
	}
	return false
}

// Quantize encodes src as type t into dst, which must be exactly
// RowBytes(t, len(src)) long; len(src) must be a multiple of t's block size.
func Quantize(t Type, src []float32, dst []byte) error {
	if !CanQuantize(t) {
		return fmt.Errorf("quantize: unsupported type %v", t)
	}
	want, err := RowBytes(t, int64(len(src)))
	if err != nil {
		return fmt.Errorf("quantize: %w", err)
	}
	if int64(len(dst)) != want {
		return fmt.Errorf("quantize %d elements to %v: got %d bytes, want %d", len(src), t, len(dst), want)
	}
	switch t {
	case F32:
		for i, v := range src {
			binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(v))
		}
		return nil
	case F16:
		for i, v := range src {
			binary.LittleEndian.PutUint16(dst[2*i:], F32ToF16(v))
		}
		return nil
	case BF16:
		for i, v := range src {
			binary.LittleEndian.PutUint16(dst[2*i:], F32ToBF16(v))
		}
		return nil
	}
	size, bytes := blockLayout(t)
	for i := 0; i < len(src); i += size {
		encodeBlock(t, src[i:i+size], dst[i/size*bytes:][:bytes])
	}
	return nil
}

func encodeBlock(t Type, x []float32, b []byte) {
	switch t {
	case Q4_0:
		encodeQ4_0(x, b)
	case Q4_1:
		encodeQ4_1(x, b)
	case Q5_0:
		encodeQ5_0(x, b)
	case Q5_1:
		encodeQ5_1(x, b)
	case Q8_0:
		encodeQ8_0(x, b)
	case Q2_K:
		encodeQ2_K(x, b)
	case Q3_K:
		encodeQ3_K(x, b)
	case Q4_K:
		encodeQ4_K(x, b)
	case Q5_K:
		encodeQ5_K(x, b)
	case Q6_K:
		encodeQ6_K(x, b)
	}
}

func putF16(b []byte, v float32) { binary.LittleEndian.PutUint16(b, F32ToF16(v)) }

// absMax returns the element of largest magnitude (the first one on ties)
// and that magnitude.
func absMax(x []float32) (signed, magnitude float32) {
	for _, v := range x {
		if a := abs32(v); magnitude < a {
			magnitude, signed = a, v
		}
	}
	return signed, magnitude
}

// minMax returns the smallest and largest elements.
func minMax(x []float32) (lo, hi float32) {
	lo, hi = math.MaxFloat32, -math.MaxFloat32
	for _, v := range x {
		// Comparisons rather than min/max keep ggml's choice between −0
		// and +0, which reaches the stored m.
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return lo, hi
}

func abs32(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }

// inverse is 1/d, or 0 for d == 0 so that an all-zero block quantizes to 0.
func inverse(d float32) float32 {
	if d == 0 {
		return 0
	}
	return 1 / d
}

// encodeQ4_0 scales by the signed extreme so that it maps to −8, the one
// level with no positive counterpart, and truncates x/d + 8.5 (round half up).
func encodeQ4_0(x []float32, b []byte) {
	x, b = x[:32], b[:18]
	extreme, _ := absMax(x)
	d := extreme / -8
	id := inverse(d)
	putF16(b, d)
	for j := range 16 {
		q0 := min(15, int32(float32(x[j]*id)+8.5))
		q1 := min(15, int32(float32(x[j+16]*id)+8.5))
		b[2+j] = uint8(q0) | uint8(q1)<<4
	}
}

func encodeQ4_1(x []float32, b []byte) {
	x, b = x[:32], b[:20]
	lo, hi := minMax(x)
	d := (hi - lo) / 15
	id := inverse(d)
	putF16(b, d)
	putF16(b[2:], lo)
	for j := range 16 {
		q0 := min(15, int32(float32((x[j]-lo)*id)+0.5))
		q1 := min(15, int32(float32((x[j+16]-lo)*id)+0.5))
		b[4+j] = uint8(q0) | uint8(q1)<<4
	}
}

func encodeQ5_0(x []float32, b []byte) {
	x, b = x[:32], b[:22]
	extreme, _ := absMax(x)
	d := extreme / -16
	id := inverse(d)
	putF16(b, d)
	var qh uint32
	for j := range 16 {
		q0 := uint32(min(31, int32(float32(x[j]*id)+16.5)))
		q1 := uint32(min(31, int32(float32(x[j+16]*id)+16.5)))
		b[6+j] = uint8(q0&0xf) | uint8(q1&0xf)<<4
		qh |= (q0 >> 4 & 1) << j
		qh |= (q1 >> 4 & 1) << (j + 16)
	}
	binary.LittleEndian.PutUint32(b[2:], qh)
}

func encodeQ5_1(x []float32, b []byte) {
	x, b = x[:32], b[:24]
	lo, hi := minMax(x)
	d := (hi - lo) / 31
	id := inverse(d)
	putF16(b, d)
	putF16(b[2:], lo)
	var qh uint32
	for j := range 16 {
		// ggml converts straight to uint8 here, without clamping to 31.
		q0 := uint32(uint8(float32((x[j]-lo)*id) + 0.5))
		q1 := uint32(uint8(float32((x[j+16]-lo)*id) + 0.5))
		b[8+j] = uint8(q0&0xf) | uint8(q1&0xf)<<4
		qh |= (q0 >> 4 & 1) << j
		qh |= (q1 >> 4 & 1) << (j + 16)
	}
	binary.LittleEndian.PutUint32(b[4:], qh)
}

func encodeQ8_0(x []float32, b []byte) {
	x, b = x[:32], b[:34]
	var amax float32
	for _, v := range x {
		if a := abs32(v); !(amax > a) { // ggml's MAX(amax, a)
			amax = a
		}
	}
	d := amax / 127
	id := inverse(d)
	putF16(b, d)
	for j, v := range x {
		// C's roundf: half away from zero, as math.Round.
		b[2+j] = uint8(int8(math.Round(float64(v * id))))
	}
}

// nearestInt rounds to nearest, ties to even, exactly as ggml's nearest_int:
// adding 1.5·2²³ leaves the rounded integer in the low mantissa bits. Like
// the original it is only meaningful for |f| < 2²²; beyond that (and for NaN)
// it returns garbage rather than failing.
func nearestInt(f float32) int32 {
	v := f + 12582912
	return int32(math.Float32bits(v)&0x007fffff) - 0x00400000
}
