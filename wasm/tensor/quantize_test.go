package tensor

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

var quantizableTypes = []Type{F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K}

func normalData(tb testing.TB, n int, seed uint64) []float32 {
	tb.Helper()
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

func quantize(tb testing.TB, t Type, x []float32) []byte {
	tb.Helper()
	n, err := RowBytes(t, int64(len(x)))
	if err != nil {
		tb.Fatal(err)
	}
	q := make([]byte, n)
	if err := Quantize(t, x, q); err != nil {
		tb.Fatalf("Quantize(%v): %v", t, err)
	}
	return q
}

func dequantize(tb testing.TB, t Type, q []byte, n int) []float32 {
	tb.Helper()
	y := make([]float32, n)
	if err := Dequantize(t, q, y); err != nil {
		tb.Fatalf("Dequantize(%v): %v", t, err)
	}
	return y
}

// TestQuantizeError bounds the relative RMSE, sqrt(Σ(x−y)²/Σx²), of a
// quantize→dequantize round trip on standard normal data. The bounds sit
// about 20–30% above what ggml's reference quantizers achieve (the measured
// values are in the comments), so a regression in the scale search shows.
func TestQuantizeError(t *testing.T) {
	bounds := []struct {
		typ   Type
		bound float64
	}{
		{F32, 0},
		{F16, 0.0003}, // 0.00021
		{BF16, 0.002}, // 0.0016
		{Q8_0, 0.007}, // 0.0054
		{Q6_K, 0.022}, // 0.0175
		{Q5_K, 0.045}, // 0.036
		{Q5_1, 0.047}, // 0.038
		{Q5_0, 0.053}, // 0.042
		{Q4_K, 0.088}, // 0.071
		{Q4_1, 0.097}, // 0.078
		{Q4_0, 0.107}, // 0.086
		{Q3_K, 0.19},  // 0.152
		{Q2_K, 0.36},  // 0.294
	}
	x := normalData(t, 64*QK_K, 1)
	for _, b := range bounds {
		y := dequantize(t, b.typ, quantize(t, b.typ, x), len(x))
		var sumErr, sumSq float64
		for i := range x {
			d := float64(x[i]) - float64(y[i])
			sumErr += d * d
			sumSq += float64(x[i]) * float64(x[i])
		}
		rel := math.Sqrt(sumErr / sumSq)
		if rel > b.bound {
			t.Errorf("%v: relative RMSE %.5f, want ≤ %v", b.typ, rel, b.bound)
		}
		if b.typ == F32 && rel != 0 {
			t.Errorf("F32 round trip is not exact")
		}
	}
}

// TestQuantizeDegenerate feeds blocks that hit the quantizers' special cases
// and checks the round trip reproduces them exactly where it should.
func TestQuantizeDegenerate(t *testing.T) {
	zeros := make([]float32, QK_K)
	ones := make([]float32, QK_K)
	for i := range ones {
		ones[i] = 1
	}
	for _, typ := range quantizableTypes {
		if y := dequantize(t, typ, quantize(t, typ, zeros), QK_K); !allEqual(y, 0) {
			t.Errorf("%v: zeros came back as %v", typ, y[:4])
		}
		// A constant block comes back to within the precision of its f16
		// scales (Q8_0, for one, stores 1/127).
		for i, v := range dequantize(t, typ, quantize(t, typ, ones), QK_K) {
			if math.Abs(float64(v)-1) > 1e-3 {
				t.Errorf("%v: element %d of ones came back as %v", typ, i, v)
				break
			}
		}
	}
}

func allEqual(x []float32, v float32) bool {
	for _, e := range x {
		if e != v {
			return false
		}
	}
	return true
}

func TestQuantizeErrors(t *testing.T) {
	tests := []struct {
		name    string
		typ     Type
		src     int
		dst     int
		wantErr string
	}{
		{"unsupported type", Q8_K, 256, 292, "unsupported"},
		{"Q8_1 not written", Q8_1, 32, 40, "unsupported"},
		{"partial block", Q4_0, 33, 36, "multiple"},
		{"partial super-block", Q4_K, 255, 144, "multiple"},
		{"short destination", Q8_0, 32, 33, "want 34"},
		{"long destination", Q6_K, 256, 211, "want 210"},
		{"F16 size", F16, 3, 8, "want 6"},
	}
	for _, tt := range tests {
		err := Quantize(tt.typ, make([]float32, tt.src), make([]byte, tt.dst))
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: err = %v, want one containing %q", tt.name, err, tt.wantErr)
		}
	}
	for _, typ := range quantizableTypes {
		if !CanQuantize(typ) {
			t.Errorf("CanQuantize(%v) = false", typ)
		}
	}
}

func TestNearestInt(t *testing.T) {
	tests := []struct {
		in   float32
		want int32
	}{
		{0, 0}, {0.4999, 0}, {0.5, 0}, {1.5, 2}, {2.5, 2}, {-0.5, 0}, {-1.5, -2},
		{-2.5, -2}, {2.6, 3}, {-2.6, -3}, {4194303, 4194303}, {-4194303, -4194303},
	}
	for _, tt := range tests {
		if got := nearestInt(tt.in); got != tt.want {
			t.Errorf("nearestInt(%v) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// parityDigests are SHA-256 digests of Quantize(parityInput()) and of
// Dequantize of those bytes (float32 little-endian), as written by
// llama.cpp's quantize_row_*_ref / dequantize_row_* (ggml-quants.c at
// ggml-org/llama.cpp 01243c58) and ggml's FP16/BF16 conversions, compiled
// with gcc -O2 on x86-64, fed by a C copy of parityInput.
var parityDigests = map[Type]struct{ quantized, dequantized string }{
	F16:  {"0a5db01c52719cd586cc7ad2fb5703a6f438ca738d96f026129b8a08a579bc93", "bb29472bed9127af4f4701ef789321b5233b666268d73fcb6a29cfb771dedcbf"},
	BF16: {"99dc8fe34f6b3a5fb2e0fd87711ba928d72ae830e556cfce4afd5288a53d766b", ""},
	Q4_0: {"65770abb6c24c6ee7bf69c3f8deb99aefd4b1d6e326b30f032cacbe0d2324359", "8270500f7edde572831cb187255d8468eaf8fafec73fbfe62bb15e886eeea420"},
	Q4_1: {"447c17c28fe104d1c759149d90e4f26f2ad8e97145ed1444e942cae34b14f3ee", "6189d68856bebf02846337c55f4f9d96c8a19069fc9afe52bfc085b8114d11e8"},
	Q5_0: {"b0a9a03e359512e136389d9dee371ad5f4559460f7434a62bf6b572b61d975bb", "ad908246314be225ab3bb7f73d12a4f240431c2a6f0e44018b4d6a43ba3da4db"},
	Q5_1: {"b9f185edb40ab0e9e52b671766c91305d664bb82e8872a4e94f2a0104feee684", "e37af5f607f9d568152d9aea3d79957dc372cb86e8496bae6a70db78a1f7b465"},
	Q8_0: {"35c8e419fe645fa68f5caf4343cccc2217ad615e731da6f40d2a6b6a97804c78", "71755a9d3081975eccf0c5eeb8a25b2dc8c106f58f6c52133e01273c417631c4"},
	Q2_K: {"0f7aad99b7a55970848ae38a93ba10f4ae76a5cf5dbb561883bd52d520da1ef1", "6a980ad90e6982901d9a85e65e4110b6af109db5f7769be85197129b545b80bb"},
	Q3_K: {"d3cf08fe46c874cfb5275ae57a953477589086e7f48f57f61abceb59e36dbabb", "04018b0e63fa010c9675b69bd5e14109a696e3fc136d8e0956f2474fd0f5f795"},
	Q4_K: {"5b14ca3516e9ed60c0b85fad99d2b73ab30063ad67bea3040d46439ebac1e067", "b8493e4f5d931996ca7a84fdfa6149087ef1c861d85c0967edda67edc9d895de"},
	Q5_K: {"7edbc7de2a9413b3c1bb4cf32ecac0a35d542b1185b73290aa2dd86afc092800", "8e90cd3ab90cd5e251f8bff025a8d1dc83ded1e8640718420fc994605c9a8e52"},
	Q6_K: {"94c57bbadc5454c505cbda908e54ce78f28f156a7f6756aaea158e230422b5c7", "f4a07c683852df0464350defb3e583bb80efc2dd4d14d2e9650e236816f524bb"},
}

// TestParityWithGGML checks that our quantizers write exactly the bytes
// llama.cpp's reference quantizers write, and that our dequantizers read
// them back to exactly ggml's floats.
func TestParityWithGGML(t *testing.T) {
	x := parityInput()
	for typ, want := range parityDigests {
		q := quantize(t, typ, x)
		if got := sha256Hex(q); got != want.quantized {
			t.Errorf("%v: quantized digest %s, want %s", typ, got, want.quantized)
		}
		if want.dequantized == "" {
			continue
		}
		y := dequantize(t, typ, q, len(x))
		raw := make([]byte, 4*len(y))
		for i, v := range y {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
		}
		if got := sha256Hex(raw); got != want.dequantized {
			t.Errorf("%v: dequantized digest %s, want %s", typ, got, want.dequantized)
		}
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
