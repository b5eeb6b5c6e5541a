package wasmsimd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// TestExpF32MatchesMath compares expF32 with the reference's exponential on
// a sweep of float32 bit patterns over the fast path's range and its edges,
// on random values, and on the special values. (Every float32 in the fast
// path's range was compared once, natively: none differed.)
func TestExpF32MatchesMath(t *testing.T) {
	check := func(x float32) {
		t.Helper()
		got, want := expF32(x), float32(math.Exp(float64(x)))
		if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
			t.Fatalf("expF32(%v) = %v, math.Exp gives %v", x, got, want)
		}
	}
	for _, x := range []float32{0, float32(math.Copysign(0, -1)), 1, -1, 1e-30, -1e-45, -87, -86.99999, 88, 87.99999, 89, -104, -150,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.MaxFloat32, -math.MaxFloat32} {
		check(x)
	}
	for _, r := range [][2]float32{{-90, 90}, {-1e-3, 1e-3}} {
		for b := math.Float32bits(r[0]); ; b -= 1999 { // negative values: bits fall towards +0
			if b < 0x80000000 {
				break
			}
			check(math.Float32frombits(b))
		}
		for b := uint32(0); b <= math.Float32bits(r[1]); b += 1999 {
			check(math.Float32frombits(b))
		}
	}
	rng := rand.New(rand.NewPCG(19, 20))
	for range 100000 {
		check(float32(rng.NormFloat64() * 10))
	}
}

// TestSwiGLUMatchesReference checks the override against cpu.Reference's.
func TestSwiGLUMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	const rows, cols = 3, 517
	gate := &model.Act{Rows: rows, Cols: cols, Cap: rows, Data: randFloats(rng, rows*cols)}
	up := &model.Act{Rows: rows, Cols: cols, Cap: rows, Data: randFloats(rng, rows*cols)}
	for i := range 40 { // saturating and overflowing gates too
		gate.Data[i] *= 30
	}
	got := &model.Act{Cols: cols, Cap: rows, Data: make([]float32, rows*cols)}
	want := &model.Act{Cols: cols, Cap: rows, Data: make([]float32, rows*cols)}
	New().SwiGLU(got, gate, up)
	cpu.Reference{}.SwiGLU(want, gate, up)
	if got.Rows != rows {
		t.Fatalf("rows = %d, want %d", got.Rows, rows)
	}
	sameBits(t, "SwiGLU", got.Data, want.Data)
}

func TestSoftmaxMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for _, n := range []int{1, 2, 7, 300} {
		x := randFloats(rng, n)
		for i := range x {
			x[i] *= 8
		}
		want := append([]float32(nil), x...)
		tensor.Softmax(want)
		softmax(x)
		sameBits(t, "softmax", x, want)
	}
}
