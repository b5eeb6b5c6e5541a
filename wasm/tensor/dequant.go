package tensor

import (
	"encoding/binary"
	"fmt"
	"math"
)

// The block decoders below follow ggml's dequantize_row_* semantics: every
// product is rounded to float32 before it is added (the float32(...)
// conversions stop Go from fusing a multiply-add on FMA hardware), so the
// values are the same on every GOARCH and equal to ggml's on x86.

// CanDequantize reports whether Dequantize and Dot support t.
func CanDequantize(t Type) bool {
	switch t {
	case F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K:
		return true
	}
	return false
}

// Dequantize expands len(dst) elements of type t from src, which must hold
// exactly their RowBytes.
func Dequantize(t Type, src []byte, dst []float32) error {
	if !CanDequantize(t) {
		return fmt.Errorf("dequantize: unsupported type %v", t)
	}
	want, err := RowBytes(t, int64(len(dst)))
	if err != nil {
		return fmt.Errorf("dequantize: %w", err)
	}
	if int64(len(src)) != want {
		return fmt.Errorf("dequantize %d elements of %v: got %d bytes, want %d", len(dst), t, len(src), want)
	}
	switch t {
	case F32:
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
		}
	case F16:
		for i := range dst {
			dst[i] = F16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
		}
	case BF16:
		for i := range dst {
			dst[i] = BF16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
		}
	default:
		size, bytes := blockLayout(t)
		for i := 0; i < len(dst); i += size {
			decodeBlock(t, src[i/size*bytes:][:bytes], dst[i:i+size])
		}
	}
	return nil
}

// blockLayout returns the elements and bytes per block of a block type; it
// is a switch rather than a lookup in typeTable because the kernels call it
// on every row.
func blockLayout(t Type) (size, bytes int) {
	switch t {
	case Q4_0:
		return 32, 18
	case Q4_1:
		return 32, 20
	case Q5_0:
		return 32, 22
	case Q5_1:
		return 32, 24
	case Q8_0:
		return 32, 34
	case Q2_K:
		return QK_K, 84
	case Q3_K:
		return QK_K, 110
	case Q4_K:
		return QK_K, 144
	case Q5_K:
		return QK_K, 176
	case Q6_K:
		return QK_K, 210
	}
	return 0, 0
}

// decodeBlock expands one block b of type t into dst (one block of elements).
// It dispatches with a switch so that callers' stack buffers stay on the stack.
func decodeBlock(t Type, b []byte, dst []float32) {
	switch t {
	case Q4_0:
		decodeQ4_0(b, dst)
	case Q4_1:
		decodeQ4_1(b, dst)
	case Q5_0:
		decodeQ5_0(b, dst)
	case Q5_1:
		decodeQ5_1(b, dst)
	case Q8_0:
		decodeQ8_0(b, dst)
	case Q2_K:
		decodeQ2_K(b, dst)
	case Q3_K:
		decodeQ3_K(b, dst)
	case Q4_K:
		decodeQ4_K(b, dst)
	case Q5_K:
		decodeQ5_K(b, dst)
	case Q6_K:
		decodeQ6_K(b, dst)
	}
}

// f16At reads the little-endian half at the start of b.
func f16At(b []byte) float32 { return F16ToF32(binary.LittleEndian.Uint16(b)) }

// Q4_0: d f16, then 16 bytes of nibbles. Byte j holds element j in its low
// nibble and element j+16 in its high one; values are (q-8)·d.
func decodeQ4_0(b []byte, dst []float32) {
	b, dst = b[:18], dst[:32]
	d := f16At(b)
	qs := b[2:18]
	for j, q := range qs {
		dst[j] = float32(int32(q&0xf)-8) * d
		dst[j+16] = float32(int32(q>>4)-8) * d
	}
}

// Q4_1: d f16, m f16, then nibbles as Q4_0; values are q·d + m.
func decodeQ4_1(b []byte, dst []float32) {
	b, dst = b[:20], dst[:32]
	d, m := f16At(b), f16At(b[2:])
	qs := b[4:20]
	for j, q := range qs {
		dst[j] = float32(float32(q&0xf)*d) + m
		dst[j+16] = float32(float32(q>>4)*d) + m
	}
}

// Q5_0: d f16, a 32-bit little-endian mask of fifth bits (bit j for element
// j), then nibbles as Q4_0; values are (q-16)·d.
func decodeQ5_0(b []byte, dst []float32) {
	b, dst = b[:22], dst[:32]
	d := f16At(b)
	qh := binary.LittleEndian.Uint32(b[2:])
	qs := b[6:22]
	for j, q := range qs {
		lo := int32(q&0xf) | int32(qh>>j&1)<<4
		hi := int32(q>>4) | int32(qh>>(j+16)&1)<<4
		dst[j] = float32(lo-16) * d
		dst[j+16] = float32(hi-16) * d
	}
}

// Q5_1: d f16, m f16, the fifth-bit mask, then nibbles; values are q·d + m.
func decodeQ5_1(b []byte, dst []float32) {
	b, dst = b[:24], dst[:32]
	d, m := f16At(b), f16At(b[2:])
	qh := binary.LittleEndian.Uint32(b[4:])
	qs := b[8:24]
	for j, q := range qs {
		lo := uint32(q&0xf) | (qh>>j&1)<<4
		hi := uint32(q>>4) | (qh>>(j+16)&1)<<4
		dst[j] = float32(float32(lo)*d) + m
		dst[j+16] = float32(float32(hi)*d) + m
	}
}

// Q8_0: d f16, then 32 signed bytes; values are q·d.
func decodeQ8_0(b []byte, dst []float32) {
	b, dst = b[:34], dst[:32]
	d := f16At(b)
	for j, q := range b[2:34] {
		dst[j] = float32(int8(q)) * d
	}
}
