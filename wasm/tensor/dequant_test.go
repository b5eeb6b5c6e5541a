package tensor

import (
	"math"
	"strings"
	"testing"
)

// Hand-built blocks. Every scale is a power of two and every level a small
// integer, so the expected values are exact and compared with ==.

// k4Scales packs sc = {1,2,3,4,50,51,62,63} and m = {5,6,7,8,33,44,55,63}
// the way ggml's Q4_K/Q5_K store them, worked out by hand: bytes 0–3 hold
// sc[0..3] with the top bits of sc[4..7] in bits 6–7, bytes 4–7 likewise m,
// and bytes 8–11 the low nibbles of sc[4..7] | m[4..7]<<4.
var (
	k4Scales = []byte{0xc1, 0xc2, 0xc3, 0xc4, 0x85, 0x86, 0xc7, 0xc8, 0x12, 0xc3, 0x7e, 0xff}
	k4Sc     = [8]uint8{1, 2, 3, 4, 50, 51, 62, 63}
	k4Min    = [8]uint8{5, 6, 7, 8, 33, 44, 55, 63}
)

// q3Scales packs the sixteen biased 6-bit scales 3, 7, …, 63 (4j+3, so the
// signed scales are 4j−29): bytes 0–7 hold low nibbles (j in the low nibble,
// j+8 in the high one) and bytes 8–11 the top two bits, 0,1,2,3 from bit 0 up.
var q3Scales = []byte{0x33, 0x77, 0xbb, 0xff, 0x33, 0x77, 0xbb, 0xff, 0xe4, 0xe4, 0xe4, 0xe4}

func TestScaleMinK4(t *testing.T) {
	for j := range 8 {
		sc, m := scaleMinK4(k4Scales, j)
		if sc != k4Sc[j] || m != k4Min[j] {
			t.Errorf("scaleMinK4(%d) = %d, %d; want %d, %d", j, sc, m, k4Sc[j], k4Min[j])
		}
	}
	got := make([]byte, 12)
	packScaleMinK4(&k4Sc, &k4Min, got)
	if string(got) != string(k4Scales) {
		t.Errorf("packScaleMinK4 = %x, want %x", got, k4Scales)
	}
}

func TestQ3Scale(t *testing.T) {
	for j := range 16 {
		if got, want := q3Scale(q3Scales, j), int32(4*j-29); got != want {
			t.Errorf("q3Scale(%d) = %d, want %d", j, got, want)
		}
	}
}

func block(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func fill(n int, f func(k int) byte) []byte {
	b := make([]byte, n)
	for k := range b {
		b[k] = f(k)
	}
	return b
}

// Little-endian halves used below.
var (
	half0125 = []byte{0x00, 0x30}
	half025  = []byte{0x00, 0x34}
	half05   = []byte{0x00, 0x38}
	half1    = []byte{0x00, 0x3c}
	halfM1   = []byte{0x00, 0xbc}
)

func TestDequantizeKnownBlocks(t *testing.T) {
	// Nibble bytes whose low nibble counts up and high nibble counts down.
	upDown := func(k int) byte { return byte(k%16) | byte(15-k%16)<<4 }
	tests := []struct {
		typ  Type
		src  []byte
		want func(i int) float32
	}{
		{Q4_0, block(half05, fill(16, upDown)), func(i int) float32 {
			if i < 16 {
				return float32(i-8) * 0.5
			}
			return float32(15-(i-16)-8) * 0.5
		}},
		{Q4_1, block(half025, halfM1, fill(16, upDown)), func(i int) float32 {
			if i < 16 {
				return float32(i)*0.25 - 1
			}
			return float32(15-(i-16))*0.25 - 1
		}},
		// Fifth bits set for elements 16..31 only.
		{Q5_0, block(half05, []byte{0, 0, 0xff, 0xff}, fill(16, upDown)), func(i int) float32 {
			if i < 16 {
				return float32(i-16) * 0.5
			}
			return float32(16+15-(i-16)-16) * 0.5
		}},
		// Fifth bits set for elements 0..15 only.
		{Q5_1, block(half025, half1, []byte{0xff, 0xff, 0, 0}, fill(16, upDown)), func(i int) float32 {
			if i < 16 {
				return float32(16+i)*0.25 + 1
			}
			return float32(15-(i-16))*0.25 + 1
		}},
		{Q8_0, block(half05, fill(32, func(k int) byte { return byte(int8(8*k - 128)) })), func(i int) float32 {
			return float32(8*i-128) * 0.5
		}},
		// scales[k] = k | (15−k)<<4; every qs byte 0b11_10_01_00, so the
		// j-th 32 of each half has level j. Sub-block k is elements 16k..16k+15.
		{Q2_K, block(fill(16, func(k int) byte { return byte(k) | byte(15-k)<<4 }), fill(64, func(int) byte { return 0xe4 }), half05, half025),
			func(i int) float32 {
				k, q := i/16, i%128/32
				return 0.5*float32(k*q) - 0.25*float32(15-k)
			}},
		// hmask 0x0f: the high bit is set for the first half only, so the
		// second half's levels drop by 4.
		{Q3_K, block(fill(32, func(int) byte { return 0x0f }), fill(64, func(int) byte { return 0xe4 }), q3Scales, half0125),
			func(i int) float32 {
				k, q := i/16, i%128/32
				if i >= 128 {
					q -= 4
				}
				return 0.125 * float32((4*k-29)*q)
			}},
		// Sub-block s (32 elements) reads low nibbles for even s and high
		// nibbles for odd s of the same 32 bytes.
		{Q4_K, block(half1, half05, k4Scales, fill(128, upDown)), func(i int) float32 {
			s, l := i/32, i%16
			q := l
			if s%2 == 1 {
				q = 15 - l
			}
			return float32(int(k4Sc[s])*q) - 0.5*float32(k4Min[s])
		}},
		// qh: 0x55 (even sub-blocks) for l < 16, 0xaa (odd) for l ≥ 16.
		{Q5_K, block(half05, half1, k4Scales, fill(32, func(l int) byte {
			if l < 16 {
				return 0x55
			}
			return 0xaa
		}), fill(128, upDown)), func(i int) float32 {
			s, l := i/32, i%32
			q := l % 16
			if s%2 == 1 {
				q = 15 - l%16
			}
			if (s%2 == 0) == (l < 16) {
				q += 16
			}
			return 0.5*float32(int(k4Sc[s])*q) - float32(k4Min[s])
		}},
		// qh 0b11_10_01_00 gives group g (of four 32s per half) high bits g;
		// groups 0,1 read low nibbles (counting up), groups 2,3 high ones
		// (counting down). Scales are 9k−64 for the k-th 16 elements.
		{Q6_K, block(fill(128, func(k int) byte { return upDown(k % 32) }), fill(64, func(int) byte { return 0xe4 }),
			fill(16, func(k int) byte { return byte(int8(9*k - 64)) }), half025),
			func(i int) float32 {
				g, l := i%128/32, i%16
				low := l
				if g >= 2 {
					low = 15 - l
				}
				q := low | g<<4
				return 0.25 * float32((9*(i/16)-64)*(q-32))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.typ.String(), func(t *testing.T) {
			size, bytes := blockLayout(tt.typ)
			if len(tt.src) != bytes {
				t.Fatalf("test block has %d bytes, want %d", len(tt.src), bytes)
			}
			got := make([]float32, size)
			if err := Dequantize(tt.typ, tt.src, got); err != nil {
				t.Fatal(err)
			}
			for i, g := range got {
				if w := tt.want(i); g != w {
					t.Errorf("element %d = %v, want %v", i, g, w)
				}
			}
		})
	}
}

func TestDequantizePlain(t *testing.T) {
	tests := []struct {
		typ  Type
		src  []byte
		want []float32
	}{
		{F32, []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 0, 0, 0, 0}, []float32{1, -2, 0}},
		{F16, []byte{0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b}, []float32{1, -2, 65504}},
		{BF16, []byte{0x80, 0x3f, 0x00, 0xc0, 0x49, 0x40}, []float32{1, -2, 3.140625}},
	}
	for _, tt := range tests {
		got := make([]float32, len(tt.want))
		if err := Dequantize(tt.typ, tt.src, got); err != nil {
			t.Fatalf("%v: %v", tt.typ, err)
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%v element %d = %v, want %v", tt.typ, i, got[i], tt.want[i])
			}
		}
	}
}

func TestDequantizeErrors(t *testing.T) {
	tests := []struct {
		name    string
		typ     Type
		src     int
		dst     int
		wantErr string
	}{
		{"unsupported type", Q8_K, 292, 256, "unsupported"},
		{"unknown type", Type(99), 4, 1, "unsupported"},
		{"partial block", Q4_0, 18, 31, "multiple"},
		{"short source", Q4_0, 17, 32, "want 18"},
		{"long source", Q6_K, 211, 256, "want 210"},
		{"short F32", F32, 7, 2, "want 8"},
	}
	for _, tt := range tests {
		err := Dequantize(tt.typ, make([]byte, tt.src), make([]float32, tt.dst))
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: err = %v, want one containing %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestCanDequantize(t *testing.T) {
	for _, typ := range []Type{F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K} {
		if !CanDequantize(typ) {
			t.Errorf("CanDequantize(%v) = false", typ)
		}
		size, bytes := typ.BlockSize(), typ.BlockBytes()
		if typ != F32 && typ != F16 && typ != BF16 {
			if s, b := blockLayout(typ); s != size || b != bytes {
				t.Errorf("blockLayout(%v) = %d, %d; typeTable says %d, %d", typ, s, b, size, bytes)
			}
		}
	}
	for _, typ := range []Type{Q8_1, Q8_K, I8, I32, F64, Type(99)} {
		if CanDequantize(typ) {
			t.Errorf("CanDequantize(%v) = true", typ)
		}
	}
}

// FuzzDequantize feeds arbitrary bytes as blocks of each type: decoding,
// Dot and re-quantizing must not fail, and Dot must agree with the decoded
// values wherever they are finite.
func FuzzDequantize(f *testing.F) {
	x := parityInput()
	for i, typ := range quantizableTypes {
		f.Add(uint8(i), quantize(f, typ, x[QK_K:3*QK_K]))
	}
	f.Fuzz(func(t *testing.T, pick uint8, data []byte) {
		typ := quantizableTypes[int(pick)%len(quantizableTypes)]
		size, bytes := typ.BlockSize(), typ.BlockBytes()
		data = data[:len(data)/bytes*bytes]
		n := len(data) / bytes * size
		y := make([]float32, n)
		if err := Dequantize(typ, data, y); err != nil {
			t.Fatal(err)
		}
		var want, scale float64
		for _, v := range y {
			want += float64(v)
			scale += math.Abs(float64(v))
		}
		got := Dot(typ, data, ones(n))
		if !math.IsInf(scale, 0) && !math.IsNaN(scale) && scale < math.MaxFloat32/2 && math.Abs(float64(got)-want) > 1e-5*scale {
			t.Errorf("%v: Dot = %v, sum of decoded values = %v", typ, got, want)
		}
		if err := Quantize(typ, y, make([]byte, len(data))); err != nil {
			t.Fatal(err)
		}
	})
}
