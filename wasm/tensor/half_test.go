package tensor

import (
	"math"
	"testing"
)

// halfValue is an independent float64 decoding of a finite binary16 value.
func halfValue(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	mant := float64(h & 0x3ff)
	if exp == 0 {
		return sign * math.Ldexp(mant, -24)
	}
	return sign * math.Ldexp(1+mant/1024, exp-15)
}

func isHalfNaN(h uint16) bool { return h&0x7c00 == 0x7c00 && h&0x3ff != 0 }

func TestF16ToF32MatchesDefinition(t *testing.T) {
	for i := range 1 << 16 {
		h := uint16(i)
		got := F16ToF32(h)
		switch {
		case isHalfNaN(h):
			want := uint32(h&0x8000)<<16 | 0x7f800000 | uint32(h&0x3ff)<<13
			if math.Float32bits(got) != want {
				t.Errorf("F16ToF32(%#04x) = %#08x, want NaN %#08x", h, math.Float32bits(got), want)
			}
		case h&0x7fff == 0x7c00:
			sign := 1
			if h&0x8000 != 0 {
				sign = -1
			}
			if !math.IsInf(float64(got), sign) {
				t.Errorf("F16ToF32(%#04x) = %v, want infinity", h, got)
			}
		default:
			if want := halfValue(h); float64(got) != want || math.Signbit(float64(got)) != (h&0x8000 != 0) {
				t.Errorf("F16ToF32(%#04x) = %v, want %v", h, got, want)
			}
		}
	}
}

func TestF16RoundTripAll(t *testing.T) {
	for i := range 1 << 16 {
		h := uint16(i)
		want := h
		if isHalfNaN(h) {
			want = h&0x8000 | 0x7e00 // NaNs come back as ggml's canonical quiet NaN
		}
		if got := F32ToF16(F16ToF32(h)); got != want {
			t.Errorf("F32ToF16(F16ToF32(%#04x)) = %#04x, want %#04x", h, got, want)
		}
	}
}

// TestF32ToF16Rounding checks every rounding boundary: for each pair of
// adjacent non-negative halves, their midpoint rounds to the even one and the
// floats just either side of it round to the nearer one; negatives mirror.
func TestF32ToF16Rounding(t *testing.T) {
	for h := uint16(0); h < 0x7c00; h++ {
		lo := halfValue(h)
		hi := math.Ldexp(1, 16) // the value after 65504, where infinity takes over
		if h+1 < 0x7c00 {
			hi = halfValue(h + 1)
		}
		mid := float32((lo + hi) / 2) // exact: halves have 11-bit significands
		even := h
		if h&1 == 1 {
			even = h + 1
		}
		cases := []struct {
			in   float32
			want uint16
		}{
			{mid, even},
			{math.Nextafter32(mid, 0), h},
			{math.Nextafter32(mid, math.MaxFloat32), h + 1},
		}
		for _, c := range cases {
			if got := F32ToF16(c.in); got != c.want {
				t.Fatalf("F32ToF16(%g) = %#04x, want %#04x", c.in, got, c.want)
			}
			if got := F32ToF16(-c.in); got != c.want|0x8000 {
				t.Fatalf("F32ToF16(%g) = %#04x, want %#04x", -c.in, got, c.want|0x8000)
			}
		}
	}
}

func TestF32ToF16Specials(t *testing.T) {
	tests := []struct {
		name string
		in   float32
		want uint16
	}{
		{"one", 1, 0x3c00},
		{"minus two", -2, 0xc000},
		{"third", 1.0 / 3, 0x3555},
		{"max finite", 65504, 0x7bff},
		{"just under overflow", 65519.996, 0x7bff},
		{"overflow", 65520, 0x7c00},
		{"huge", 1e30, 0x7c00},
		{"minus huge", -1e30, 0xfc00},
		{"infinity", float32(math.Inf(1)), 0x7c00},
		{"minus infinity", float32(math.Inf(-1)), 0xfc00},
		{"NaN", float32(math.NaN()), 0x7e00},
		{"negative NaN", math.Float32frombits(0xffc00001), 0xfe00},
		{"smallest subnormal", 0x1p-24, 0x0001},
		{"largest subnormal", 0x3ffp-24, 0x03ff},
		{"smallest normal", 0x1p-14, 0x0400},
		{"half smallest subnormal ties to zero", 0x1p-25, 0x0000},
		{"above half smallest subnormal", 0x1.000002p-25, 0x0001},
		{"float32 subnormal", math.Float32frombits(1), 0x0000},
		{"negative zero", float32(math.Copysign(0, -1)), 0x8000},
	}
	for _, tt := range tests {
		if got := F32ToF16(tt.in); got != tt.want {
			t.Errorf("%s: F32ToF16(%g) = %#04x, want %#04x", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestBF16(t *testing.T) {
	tests := []struct {
		name string
		in   uint32 // float32 bits
		want uint16
	}{
		{"one", 0x3f800000, 0x3f80},
		{"tie to even (down)", 0x3f808000, 0x3f80},
		{"tie to even (up)", 0x3f818000, 0x3f82},
		{"above tie", 0x3f808001, 0x3f81},
		{"below tie", 0x3f807fff, 0x3f80},
		{"max float rounds to infinity", 0x7f7fffff, 0x7f80},
		{"infinity", 0x7f800000, 0x7f80},
		{"signalling NaN made quiet", 0x7f800001, 0x7fc0},
		{"negative NaN keeps sign", 0xff800001, 0xffc0},
		{"quiet NaN payload kept", 0x7fd10000, 0x7fd1},
		{"subnormal kept", 0x00018000, 0x0002},
		{"tiny subnormal to zero", 0x00000001, 0x0000},
		{"negative", 0xc0490fdb, 0xc049}, // -π
	}
	for _, tt := range tests {
		if got := F32ToBF16(math.Float32frombits(tt.in)); got != tt.want {
			t.Errorf("%s: F32ToBF16(%#08x) = %#04x, want %#04x", tt.name, tt.in, got, tt.want)
		}
	}
	for i := range 1 << 16 {
		h := uint16(i)
		want := h
		if h&0x7f80 == 0x7f80 && h&0x7f != 0 {
			want = h | 0x40
		}
		if got := F32ToBF16(BF16ToF32(h)); got != want {
			t.Errorf("F32ToBF16(BF16ToF32(%#04x)) = %#04x, want %#04x", h, got, want)
		}
		if got := math.Float32bits(BF16ToF32(h)); got != uint32(h)<<16 {
			t.Errorf("BF16ToF32(%#04x) bits = %#08x", h, got)
		}
	}
}
