package wasmsimd

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

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

// quantWeights returns rows × blocks·32 random weights in typ's blocks.
func quantWeights(t testing.TB, rng *rand.Rand, typ tensor.Type, rows, blocks int) []byte {
	t.Helper()
	w := make([]byte, rows*blocks*typ.BlockBytes())
	if err := tensor.Quantize(typ, randFloats(rng, rows*blocks*32), w); err != nil {
		t.Fatal(err)
	}
	return w
}

// q8Tokens quantizes tokens × cols random activations as the backend lays
// them out for a batch.
func q8Tokens(rng *rand.Rand, tokens, cols int) (*model.Act, *q8Acts) {
	x := &model.Act{Rows: tokens, Cols: cols, Cap: tokens, Data: randFloats(rng, tokens*cols)}
	var a q8Acts
	a.quantize(x)
	return x, &a
}

// rowShapes has odd row counts around the four-row groups, and column
// counts of one block up to SmolLM2's FFN.
var rowShapes = [][2]int{{1, 1}, {2, 3}, {3, 2}, {5, 3}, {7, 18}, {8, 24}, {13, 1}, {6, 48}}

// matvecQ8 runs the matrix-vector kernel (or model, when model is set) of
// typ on one quantized token.
func matvecQ8(typ tensor.Type, useModel bool, w []byte, a *q8Acts, out []float32, rows, blocks int) {
	rowBytes := blocks * typ.BlockBytes()
	switch {
	case typ == tensor.Q8_0 && useModel:
		goMatvecQ8_0(w, rowBytes, a.xq, a.xd, out, rows, blocks)
	case typ == tensor.Q8_0:
		matvecQ8_0(w, rowBytes, a.xq, a.xd, out, rows, blocks)
	case useModel:
		goMatvecQ4_0(w, rowBytes, a.xq, a.xd, a.xs, out, rows, blocks)
	default:
		matvecQ4_0(w, rowBytes, a.xq, a.xd, a.xs, out, rows, blocks)
	}
}

func TestMatvecQuantizedMatchesModelAndReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, typ := range []tensor.Type{tensor.Q8_0, tensor.Q4_0} {
		for _, s := range rowShapes {
			rows, blocks := s[0], s[1]
			cols := blocks * 32
			t.Run(fmt.Sprintf("%v/%dx%d", typ, rows, cols), func(t *testing.T) {
				w := quantWeights(t, rng, typ, rows, blocks)
				x, a := q8Tokens(rng, 1, cols)
				got, want := make([]float32, rows), make([]float32, rows)
				matvecQ8(typ, false, w, a, got, rows, blocks)
				matvecQ8(typ, true, w, a, want, rows, blocks)
				sameBits(t, "kernel against its model", got, want)
				rowBytes := blocks * typ.BlockBytes()
				deq := make([]float32, cols)
				for r := range rows {
					wr := w[r*rowBytes : (r+1)*rowBytes]
					if err := tensor.Dequantize(typ, wr, deq); err != nil {
						t.Fatal(err)
					}
					ref := tensor.Dot(typ, wr, x.Data)
					if d, bound := math.Abs(float64(got[r]-ref)), quantBound(deq, x.Data); d > bound {
						t.Errorf("row %d: %v, reference %v: off by %g > %g", r, got[r], ref, d, bound)
					}
				}
			})
		}
	}
}

// TestMatmulQuantizedMatchesMatvec: a batch's product gives every token the
// bits of its own matrix-vector product, through the kernels and through
// the backend, for token counts around the four-token tiles.
func TestMatmulQuantizedMatchesMatvec(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, typ := range []tensor.Type{tensor.Q8_0, tensor.Q4_0} {
		for _, s := range [][3]int{{5, 3, 2}, {3, 2, 3}, {7, 18, 5}, {4, 1, 4}, {9, 5, 9}, {1, 2, 6}} {
			rows, blocks, tokens := s[0], s[1], s[2]
			cols := blocks * 32
			t.Run(fmt.Sprintf("%v/%dx%dx%d", typ, rows, cols, tokens), func(t *testing.T) {
				w := quantWeights(t, rng, typ, rows, blocks)
				x, a := q8Tokens(rng, tokens, cols)
				rowBytes := blocks * typ.BlockBytes()
				got, want := make([]float32, tokens*rows), make([]float32, tokens*rows)
				if typ == tensor.Q8_0 {
					matmulQ8_0(w, rowBytes, a.xq, a.xd, got, rows, blocks, tokens, a.stride)
					goMatmulQ8_0(w, rowBytes, a.xq, a.xd, want, rows, blocks, tokens, a.stride)
				} else {
					matmulQ4_0(w, rowBytes, a.xq, a.xd, a.xs, got, rows, blocks, tokens, a.stride)
					goMatmulQ4_0(w, rowBytes, a.xq, a.xd, a.xs, want, rows, blocks, tokens, a.stride)
				}
				sameBits(t, "kernel against its model", got, want)

				b := New()
				wt := &model.Weight{Type: typ, Rows: rows, Cols: cols, Data: w}
				batch := b.NewAct(tokens, rows)
				b.MatMul(batch, wt, x, nil)
				sameBits(t, "backend batch against the kernel", batch.Data[:tokens*rows], got)
				one, out := b.NewAct(1, cols), b.NewAct(1, rows)
				for tok := range tokens {
					copy(one.Data, row(x, tok))
					b.MatMul(out, wt, one, nil)
					sameBits(t, fmt.Sprintf("token %d: matvec against the batch", tok), out.Data, got[tok*rows:(tok+1)*rows])
				}
			})
		}
	}
}

// q8Block fills a block of 32 with values whose largest magnitude is amax.
func q8Block(rng *rand.Rand, amax float32) []float32 {
	x := make([]float32, 32)
	for i := range x {
		x[i] = amax * float32(rng.Float64()*2-1)
	}
	x[rng.IntN(32)] = -amax
	return x
}

// TestQuantizeQ8MatchesModel covers the scale's F16 rounding at every range
// (subnormal halves, overflow to infinity, a zero block) and halves rounded
// away from zero.
func TestQuantizeQ8MatchesModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	ties := make([]float32, 32)
	for i := range ties {
		ties[i] = float32(i%8) - 3.5 // amax 127 gives d = 1: every value but ±127 a tie
	}
	ties[0], ties[31] = 127, -127
	var x []float32
	for _, amax := range []float32{1, 3.7, 127 * 0x1p-20, 1e-6, 127 * 0x1p-14, 127 * 65504, 127 * 65519.9, 127 * 65520, 1e7, 0} {
		x = append(x, q8Block(rng, amax)...)
	}
	x = append(x, ties...)
	x = append(x, randFloats(rng, 32*5)...)
	blocks := len(x) / 32
	var xq []int16
	for _, stride := range []int{1, 3} {
		kq, xd, xs := make([]int16, len(x)), make([]float32, blocks*stride), make([]int32, blocks*stride)
		mq, md, ms := slices.Clone(kq), slices.Clone(xd), slices.Clone(xs)
		quantizeQ8(x, kq, xd, xs, stride)
		goQuantizeQ8(x, mq, md, ms, stride)
		sameBits(t, fmt.Sprintf("stride %d: scales", stride), xd, md)
		if !slices.Equal(kq, mq) {
			t.Errorf("stride %d: values differ from the model:\n got %v\nwant %v", stride, kq, mq)
		}
		if !slices.Equal(xs, ms) {
			t.Errorf("stride %d: sums %v, model %v", stride, xs, ms)
		}
		xq = kq
	}
	tieBlock := blocks - 6
	for j, v := range ties[1:31] {
		want := int16(math.Copysign(math.Floor(math.Abs(float64(v))+0.5), float64(v)))
		if got := xq[tieBlock*32+1+j]; got != want {
			t.Errorf("tie %v quantized to %d, want %d", v, got, want)
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
	xq, xd, xs := make([]int16, len(x)), make([]float32, 5), make([]int32, 5)
	quantizeQ8(x, xq, xd, xs, 1)
	for b := range 5 {
		blk := blocks[b*34:]
		if d := tensor.F16ToF32(binary.LittleEndian.Uint16(blk)); d != xd[b] {
			t.Errorf("block %d: scale %v, want %v", b, xd[b], d)
		}
		var sum int32
		for j := range 32 {
			if int16(int8(blk[2+j])) != xq[b*32+j] {
				t.Fatalf("block %d [%d]: %d, want %d", b, j, xq[b*32+j], int8(blk[2+j]))
			}
			sum += int32(int8(blk[2+j]))
		}
		if xs[b] != sum {
			t.Errorf("block %d: sum %d, want %d", b, xs[b], sum)
		}
	}
}
