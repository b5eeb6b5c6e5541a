package tensor

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"
)

var dotTypes = []Type{F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K}

func f32Bytes(w []float32) []byte {
	b := make([]byte, 4*len(w))
	for i, v := range w {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

// TestDotMatchesDequantize checks Dot against dequantize-then-multiply in
// float64, within 1e-5 of Σ|w·x| (the scale of the rounding error of any
// float32 summation order), for lengths of one block and several.
func TestDotMatchesDequantize(t *testing.T) {
	for _, typ := range dotTypes {
		for _, blocks := range []int{1, 3, 16} {
			n := blocks * QK_K
			w := quantize(t, typ, normalData(t, n, 2))
			x := normalData(t, n, 3)
			deq := dequantize(t, typ, w, n)
			var want, scale float64
			for i := range x {
				p := float64(deq[i]) * float64(x[i])
				want += p
				scale += math.Abs(p)
			}
			got := Dot(typ, w, x)
			if math.Abs(float64(got)-want) > 1e-5*scale {
				t.Errorf("%v n=%d: Dot = %v, want %v (±%g)", typ, n, got, want, 1e-5*scale)
			}
		}
	}
}

// TestDotF32Order pins F32 accumulation to llama2.c's matmul loop: one
// float32 accumulator in element order. The cases are built so that any
// other order (pairwise, several accumulators, float64) gives another value.
func TestDotF32Order(t *testing.T) {
	tests := []struct {
		w, x []float32
		want float32
	}{
		// In order: 1e8+1 rounds back to 1e8, −1e8 cancels it, +1 leaves 1.
		// Pairwise gives (1e8+1)+(−1e8+1) = 1e8−1e8 = 0.
		{[]float32{1e8, 1, -1e8, 1}, []float32{1, 1, 1, 1}, 1},
		// Sixteen 1s after 2^24: each one is lost to rounding (ties to even).
		{append([]float32{1 << 24}, ones(16)...), ones(17), 1 << 24},
		// The same values with the 1s first add up before the big one.
		{append(ones(16), 1<<24), ones(17), 1<<24 + 16},
	}
	for i, tt := range tests {
		if got := Dot(F32, f32Bytes(tt.w), tt.x); got != tt.want {
			t.Errorf("case %d: Dot = %v, want %v", i, got, tt.want)
		}
	}

	// On random data, bit-for-bit equal to the sequential float32 loop.
	w := normalData(t, 1000, 4)
	x := normalData(t, 1000, 5)
	var want float32
	for j := range w {
		want += float32(w[j] * x[j])
	}
	if got := Dot(F32, f32Bytes(w), x); math.Float32bits(got) != math.Float32bits(want) {
		t.Errorf("Dot = %v, sequential loop = %v", got, want)
	}
}

func ones(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

// TestDotBlockOrder pins the block types' order: per-block sums added in
// block order. Block 0 sums to 2^24 and block 1 to sixteen 1s; adding each
// product to one running total would lose every 1 to rounding. Q4_0 with a
// block extreme of −8 has d = 1, so the dequantized values are exact.
func TestDotBlockOrder(t *testing.T) {
	src := make([]float32, 64)
	x := ones(64)
	src[0], x[0] = -8, -(1 << 21)
	src[32], x[32] = -8, 0
	for i := 33; i < 49; i++ {
		src[i] = 1
	}
	w := quantize(t, Q4_0, src)
	if got, want := Dot(Q4_0, w, x), float32(1<<24+16); got != want {
		t.Errorf("Dot = %v, want %v", got, want)
	}
}

func TestMatVec(t *testing.T) {
	const rows, cols = 5, 2 * QK_K
	for _, typ := range dotTypes {
		w := quantize(t, typ, normalData(t, rows*cols, 6))
		x := normalData(t, cols, 7)
		out := make([]float32, rows)
		if err := ValidateMatVec(typ, w, rows, cols, x, out); err != nil {
			t.Fatalf("%v: %v", typ, err)
		}
		MatVec(typ, w, rows, cols, x, out)
		rowBytes := len(w) / rows
		for r := range rows {
			if want := Dot(typ, w[r*rowBytes:(r+1)*rowBytes], x); out[r] != want {
				t.Errorf("%v row %d: MatVec = %v, Dot = %v", typ, r, out[r], want)
			}
		}
	}
}

func TestValidateMatVec(t *testing.T) {
	tests := []struct {
		name          string
		typ           Type
		w, rows, cols int
		x, out        int
		wantErr       string
	}{
		{"ok", Q4_0, 2 * 36, 2, 64, 64, 2, ""},
		{"unsupported type", Q8_K, 292, 1, 256, 256, 1, "unsupported"},
		{"partial block", Q4_0, 18, 1, 33, 33, 1, "multiple"},
		{"negative rows", F32, 0, -1, 4, 4, 0, "negative"},
		{"short weights", Q4_0, 71, 2, 64, 64, 2, "needs 72 bytes"},
		{"short input", F16, 16, 2, 4, 3, 2, "input"},
		{"long output", BF16, 16, 2, 4, 4, 3, "output"},
	}
	for _, tt := range tests {
		err := ValidateMatVec(tt.typ, make([]byte, tt.w), tt.rows, tt.cols, make([]float32, tt.x), make([]float32, tt.out))
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: err = %v, want one containing %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestDotAndMatVecDoNotAllocate(t *testing.T) {
	const rows, cols = 4, QK_K
	for _, typ := range dotTypes {
		w := quantize(t, typ, normalData(t, rows*cols, 8))
		x := normalData(t, cols, 9)
		out := make([]float32, rows)
		if n := testing.AllocsPerRun(10, func() { Dot(typ, w[:len(w)/rows], x) }); n != 0 {
			t.Errorf("Dot(%v) allocates %v times", typ, n)
		}
		if n := testing.AllocsPerRun(10, func() { MatVec(typ, w, rows, cols, x, out) }); n != 0 {
			t.Errorf("MatVec(%v) allocates %v times", typ, n)
		}
	}
}

func BenchmarkDot(b *testing.B) {
	const n = 4096
	for _, typ := range dotTypes {
		b.Run(typ.String(), func(b *testing.B) {
			w := quantize(b, typ, normalData(b, n, 10))
			x := normalData(b, n, 11)
			b.SetBytes(int64(len(w)))
			b.ReportAllocs()
			var sink float32
			for b.Loop() {
				sink += Dot(typ, w, x)
			}
			_ = sink
		})
	}
}

func BenchmarkMatVec(b *testing.B) {
	const rows, cols = 64, 4096
	for _, typ := range []Type{F32, F16, Q4_0, Q8_0, Q4_K, Q6_K} {
		b.Run(fmt.Sprintf("%v/%dx%d", typ, rows, cols), func(b *testing.B) {
			w := quantize(b, typ, normalData(b, rows*cols, 12))
			x := normalData(b, cols, 13)
			out := make([]float32, rows)
			b.SetBytes(int64(len(w)))
			b.ReportAllocs()
			for b.Loop() {
				MatVec(typ, w, rows, cols, x, out)
			}
		})
	}
}

func BenchmarkQuantize(b *testing.B) {
	const n = 4096
	for _, typ := range []Type{Q4_0, Q8_0, Q4_K, Q5_K, Q6_K} {
		b.Run(typ.String(), func(b *testing.B) {
			x := normalData(b, n, 14)
			q := quantize(b, typ, x)
			b.SetBytes(4 * n)
			b.ReportAllocs()
			for b.Loop() {
				if err := Quantize(typ, x, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
