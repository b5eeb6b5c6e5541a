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

// quantBound is how far a product with quantized activations may be from
// the reference: half a quantization step of x per element (plus the F16
// rounding of the scale) times |w|, and float rounding.
func quantBound(deq, x []float32) float64 {
	var bound float64
	for b := range len(x) / 32 {
		var amax, wsum, pabs float64
		for j := b * 32; j < b*32+32; j++ {
			amax = max(amax, math.Abs(float64(x[j])))
			wsum += math.Abs(float64(deq[j]))
			pabs += math.Abs(float64(deq[j]) * float64(x[j]))
		}
		bound += wsum*amax*(0.5/127+1.0/1024) + 1e-5*pabs
	}
	return bound
}

func TestMatvecQuantizedMatchesModelAndReference(t *testing.T) {
	kernels := []struct {
		typ    tensor.Type
		kernel func([]byte, int, []int16, []float32, []float32, int, int)
		model  func([]byte, int, []int16, []float32, []float32, int, int)
	}{
		{tensor.Q8_0, matvecQ8_0, goMatvecQ8_0},
		{tensor.Q4_0, matvecQ4_0, goMatvecQ4_0},
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, k := range kernels {
		for _, s := range [][2]int{{1, 1}, {3, 2}, {5, 3}, {8, 24}} {
			rows, blocks := s[0], s[1]
			cols := blocks * 32
			t.Run(fmt.Sprintf("%v/%dx%d", k.typ, rows, cols), func(t *testing.T) {
				wf := randFloats(rng, rows*cols)
				rowBytes := blocks * k.typ.BlockBytes()
				w := make([]byte, rows*rowBytes)
				if err := tensor.Quantize(k.typ, wf, w); err != nil {
					t.Fatal(err)
				}
				x := randFloats(rng, cols)
				xq, xd := make([]int16, cols), make([]float32, blocks)
				quantizeQ8(x, xq, xd)
				got, model := make([]float32, rows), make([]float32, rows)
				k.kernel(w, rowBytes, xq, xd, got, rows, blocks)
				k.model(w, rowBytes, xq, xd, model, rows, blocks)
				sameBits(t, "kernel against its model", got, model)
				deq := make([]float32, cols)
				for r := range rows {
					if err := tensor.Dequantize(k.typ, w[r*rowBytes:(r+1)*rowBytes], deq); err != nil {
						t.Fatal(err)
					}
					want := tensor.Dot(k.typ, w[r*rowBytes:(r+1)*rowBytes], x)
					if d, bound := math.Abs(float64(got[r]-want)), quantBound(deq, x); d > bound {
						t.Errorf("row %d: %v, reference %v: off by %g > %g", r, got[r], want, d, bound)
					}
				}
			})
		}
	}
}

// TestQuantizeQ8MatchesQ8_0 checks the activation quantizer against the
// Q8_0 blocks the reference quantizer writes.
func TestQuantizeQ8MatchesQ8_0(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	x := randFloats(rng, 32*5)
	for i := range 32 {
		x[32+i] = 0 // a block of zeros has scale 0
	}
	blocks := make([]byte, 5*34)
	if err := tensor.Quantize(tensor.Q8_0, x, blocks); err != nil {
		t.Fatal(err)
	}
	xq, xd := make([]int16, len(x)), make([]float32, 5)
	quantizeQ8(x, xq, xd)
	for b := range 5 {
		blk := blocks[b*34:]
		if d := tensor.F16ToF32(binary.LittleEndian.Uint16(blk)); d != xd[b] {
			t.Errorf("block %d: scale %v, want %v", b, xd[b], d)
		}
		for j := range 32 {
			if int16(int8(blk[2+j])) != xq[b*32+j] {
				t.Fatalf("block %d [%d]: %d, want %d", b, j, xq[b*32+j], int8(blk[2+j]))
			}
		}
	}
}
