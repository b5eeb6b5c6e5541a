package wasmsimd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wisp-llm/wisp/wasm/cpu/simd"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// kKernels are qk.wat's kernels with their Go models, and where each block
// keeps its F16 scales (overwritten with finite values in random blocks).
var kKernels = []struct {
	typ           tensor.Type
	kernel, model kMatvec
	halves        []int
}{
	{tensor.Q4_K, matvecQ4_K, goMatvecQ4_K, []int{0, 2}},
	{tensor.Q5_K, matvecQ5_K, goMatvecQ5_K, []int{0, 2}},
	{tensor.Q6_K, matvecQ6_K, goMatvecQ6_K, []int{208}},
	{tensor.Q5_0, matvecQ5_0, goMatvecQ5_0, []int{0}},
}

// actBlock is the block of the activations that weights of type t take:
// Q8_0's 32 for Q5_0, Q8_K's 256 for the K-quants.
func actBlock(t tensor.Type) int { return t.BlockSize() }

// randomKWeights returns rows × cols weights of type t: quantized from
// normal floats, or (raw) random bytes with finite scales, which reach bit
// patterns the quantizer rarely writes (6-bit scales near 63, every high
// bit set).
func randomKWeights(tb testing.TB, rng *rand.Rand, t tensor.Type, halves []int, rows, cols int, raw bool) []byte {
	tb.Helper()
	w := make([]byte, rows*cols/t.BlockSize()*t.BlockBytes())
	if !raw {
		if err := tensor.Quantize(t, randFloats(rng, rows*cols), w); err != nil {
			tb.Fatal(err)
		}
		return w
	}
	for i := range w {
		w[i] = byte(rng.Uint32())
	}
	for b := 0; b < len(w); b += t.BlockBytes() {
		for _, off := range halves {
			h := tensor.F32ToF16(float32(rng.NormFloat64() * 0.01))
			w[b+off], w[b+off+1] = byte(h), byte(h>>8)
		}
	}
	return w
}

// kBound is how far a product with activations quantized per block may be
// from the reference: half a quantization step of x per element times |w|
// (plus the F16 rounding of Q8_0's scale), and float rounding.
func kBound(deq, x []float32, block int) float64 {
	scale := 0.0
	if block == 32 {
		scale = 1.0 / 1024
	}
	var bound float64
	for b := range len(x) / block {
		var amax, wsum, pabs float64
		for j := b * block; j < b*block+block; j++ {
			amax = max(amax, math.Abs(float64(x[j])))
			wsum += math.Abs(float64(deq[j]))
			pabs += math.Abs(float64(deq[j]) * float64(x[j]))
		}
		bound += wsum*amax*(0.5/127+scale) + 1e-5*pabs
	}
	return bound
}

func TestMatvecKQuantsMatchModelAndReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, k := range kKernels {
		for _, s := range [][2]int{{1, 1}, {2, 3}, {3, 1}, {5, 2}, {8, 4}, {4, 9}} {
			for _, raw := range []bool{false, true} {
				rows, blocks := s[0], s[1]
				cols := blocks * actBlock(k.typ)
				t.Run(fmt.Sprintf("%v/%dx%d/raw=%v", k.typ, rows, cols, raw), func(t *testing.T) {
					w := randomKWeights(t, rng, k.typ, k.halves, rows, cols, raw)
					rowBytes := len(w) / rows
					x := randFloats(rng, cols)
					if blocks > 1 {
						clear(x[cols/blocks : 2*cols/blocks]) // a block of zeros has scale 0
					}
					var acts kActs
					acts.quantize(&model.Act{Rows: 1, Cols: cols, Data: x}, actBlock(k.typ))
					got, want := make([]float32, rows), make([]float32, rows)
					k.kernel(w, rowBytes, acts.row(0), got, rows)
					k.model(w, rowBytes, acts.row(0), want, rows)
					sameBits(t, "kernel against its model", got, want)
					deq := make([]float32, cols)
					for r := range rows {
						wr := w[r*rowBytes : (r+1)*rowBytes]
						if err := tensor.Dequantize(k.typ, wr, deq); err != nil {
							t.Fatal(err)
						}
						ref := tensor.Dot(k.typ, wr, x)
						if d, bound := math.Abs(float64(got[r]-ref)), kBound(deq, x, actBlock(k.typ)); d > bound {
							t.Errorf("row %d: %v, reference %v: off by %g > %g", r, got[r], ref, d, bound)
						}
					}
				})
			}
		}
	}
}

// TestKActsQuantize checks the kernels' activations against Q8_K's and
// Q8_0's, and that a changed input, or a change of block, quantizes again.
func TestKActsQuantize(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	const rows, cols = 3, 512
	x := &model.Act{Rows: rows, Cols: cols, Data: randFloats(rng, rows*cols)}
	// Row 1 starts with a block whose scale is 1 (its largest value is
	// −127) and whose other values fall halfway between integers: ties.
	x.Data[cols] = -127
	for j := 1; j < 32; j++ {
		x.Data[cols+j] = float32(j-16) + 0.5
	}
	var acts kActs
	for step, block := range []int{256, 256, 32, 32, 256} {
		acts.quantize(x, block)
		group := map[int]int{256: 16, 32: 32}[block]
		for r := range rows {
			q8, d, sums := make([]int8, cols), make([]float32, cols/block), make([]int16, cols/group)
			if block == 256 {
				simd.QuantizeQ8_K(x.Data[r*cols:(r+1)*cols], q8, d, sums)
			} else {
				simd.QuantizeQ8_0(x.Data[r*cols:(r+1)*cols], q8, d, sums)
			}
			got := acts.row(r)
			if !slices.Equal(got.q8, q8) || !slices.Equal(got.d, d) || !slices.Equal(got.sums, sums) {
				t.Fatalf("step %d (block %d) row %d: values differ from the quantizer's", step, block, r)
			}
			for i, q := range q8 {
				if got.xq[i] != int16(q) {
					t.Fatalf("step %d row %d: xq[%d] = %d, want %d", step, r, i, got.xq[i], q)
				}
			}
			if block == 32 {
				continue
			}
			for i := range got.xs {
				var s int16
				for _, q := range q8[32*i : 32*i+32] {
					s += int16(q)
				}
				if got.xs[i] != s {
					t.Fatalf("step %d row %d: xs[%d] = %d, want %d", step, r, i, got.xs[i], s)
				}
			}
		}
		if step == 0 || step == 2 {
			for i := range x.Data {
				x.Data[i] *= -2 // the same buffer with new values
			}
		}
	}
}

// TestMatMulKQuants checks the backend's product on a batch of rows, with
// a bias, against the Go model row by row.
func TestMatMulKQuants(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	const rows, cols, batch = 7, 512, 3
	for _, k := range kKernels {
		w := &model.Weight{Type: k.typ, Rows: rows, Cols: cols, Data: randomKWeights(t, rng, k.typ, k.halves, rows, cols, false)}
		bias := f32Bytes(randFloats(rng, rows))
		b := New()
		x := b.NewAct(batch, cols)
		copy(x.Data, randFloats(rng, batch*cols))
		got := b.NewAct(batch, rows)
		b.MatMul(got, w, x, &model.Weight{Type: tensor.F32, Rows: 1, Cols: rows, Data: bias})
		if got.Rows != batch {
			t.Fatalf("%v: %d rows, want %d", k.typ, got.Rows, batch)
		}
		for r := range batch {
			var acts kActs
			acts.quantize(&model.Act{Rows: 1, Cols: cols, Data: x.Data[r*cols : (r+1)*cols]}, actBlock(k.typ))
			want := make([]float32, rows)
			k.model(w.Data, len(w.Data)/rows, acts.row(0), want, rows)
			for i := range want {
				want[i] += f32At(bias, i)
			}
			sameBits(t, fmt.Sprintf("%v row %d", k.typ, r), got.Data[r*rows:(r+1)*rows], want)
		}
	}
}
