package wasmsimd

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

// These tests run natively (kernels = their Go models) and, through
// scripts/build-wasm's test build, in Node with the SIMD128 kernels: there
// the comparisons with the Go models are the kernels' parity tests.

func randFloats(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// sameBits compares float32s exactly (NaNs of any payload count as equal).
func sameBits(t testing.TB, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		g, w := got[i], want[i]
		if math.Float32bits(g) != math.Float32bits(w) && !(g != g && w != w) {
			t.Fatalf("%s: [%d] = %v (%#x), want %v (%#x)", what, i, g, math.Float32bits(g), w, math.Float32bits(w))
		}
	}
}

// shapes are rows × cols with rows around the 4-row tiles and cols around
// the 4-column tiles (cols not a multiple of 4 take the one-row path).
var shapes = [][2]int{{1, 4}, {3, 8}, {4, 4}, {5, 12}, {8, 64}, {7, 7}, {9, 172}, {16, 3}}

func TestMatvecF32MatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range shapes {
		rows, cols := s[0], s[1]
		t.Run(fmt.Sprintf("%dx%d", rows, cols), func(t *testing.T) {
			w, x := f32Bytes(randFloats(rng, rows*cols)), randFloats(rng, cols)
			want := make([]float32, rows)
			tensor.MatVec(tensor.F32, w, rows, cols, x, want)
			got := make([]float32, rows)
			matvecF32(w, 4*cols, x, got, rows, cols)
			sameBits(t, "kernel", got, want)
			goMatvecF32(w, 4*cols, x, got, rows, cols)
			sameBits(t, "model", got, want)
		})
	}
}

// randHalves draws F16 bit patterns of every finite kind (subnormals
// included) and puts infinities at a few places.
func randHalves(rng *rand.Rand, n int) []byte {
	b := make([]byte, 2*n)
	for i := range n {
		h := uint16(rng.Uint32())
		if h&0x7c00 == 0x7c00 {
			h &^= 0x4000 // make it finite
		}
		if i%97 == 13 {
			h = 0x7c00 | h&0x8000 // ±infinity
		}
		binary.LittleEndian.PutUint16(b[2*i:], h)
	}
	return b
}

func TestMatvecF16MatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, s := range shapes {
		rows, cols := s[0], s[1]
		t.Run(fmt.Sprintf("%dx%d", rows, cols), func(t *testing.T) {
			w, x := randHalves(rng, rows*cols), randFloats(rng, cols)
			want := make([]float32, rows)
			tensor.MatVec(tensor.F16, w, rows, cols, x, want)
			got := make([]float32, rows)
			matvecF16(w, 2*cols, x, got, rows, cols)
			sameBits(t, "kernel", got, want)
			goMatvecF16(w, 2*cols, x, got, rows, cols)
			sameBits(t, "model", got, want)
		})
	}
}

func TestWeightedSumMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, s := range [][3]int{{1, 4, 4}, {3, 8, 16}, {17, 6, 6}, {40, 64, 96}} {
		n, dim, stride := s[0], s[1], s[2]
		v, a := randFloats(rng, n*stride), randFloats(rng, n)
		want := make([]float32, dim)
		for t := range n { // the reference attention's loop
			for i := range want {
				want[i] += a[t] * v[t*stride+i]
			}
		}
		got := make([]float32, dim)
		weightedSum(v, stride, a, got, n, dim)
		sameBits(t, fmt.Sprintf("kernel n=%d dim=%d", n, dim), got, want)
	}
}
