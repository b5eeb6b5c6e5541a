package wasmsimd

import (
	"slices"

	"github.com/wisp-llm/wisp/wasm/cpu/simd"
	"github.com/wisp-llm/wisp/wasm/model"
)

// kActs holds activation rows quantized for the kernels of qk.wat: Q8_K
// super-blocks of 256 (block 256) or Q8_0 blocks of 32 (block 32), the
// values wasm/cpu/simd's QuantizeQ8_K and QuantizeQ8_0 write (q8, d, and
// sums per 16 or per 32; kernels_k_quant.go computes them faster), and for
// the SIMD128 kernels the same values widened to int16 (xq), which the
// kernels multiply without widening, and for Q8_K their sums per 32 (xs),
// which the mins of Q4_K and Q5_K take whole into one i32x4.dot_i16x8_s.
//
// The forward pass multiplies one normalised input by several weights in a
// row (Q, K and V; gate and up), so the last input is remembered and not
// quantized again.
type kActs struct {
	block      int
	rows, cols int
	q8         []int8
	d          []float32
	sums       []int16
	xq         []int16
	xs         []int16

	src    *model.Act
	values []float32 // a copy of src's rows when quantized
}

// quantize fills a from x's rows (cols a multiple of block, 32 or 256),
// unless a already holds exactly these values.
func (a *kActs) quantize(x *model.Act, block int) {
	n := x.Rows * x.Cols
	if a.block == block && a.src == x && a.rows == x.Rows && a.cols == x.Cols && slices.Equal(a.values, x.Data[:n]) {
		return
	}
	a.block, a.src, a.rows, a.cols = block, x, x.Rows, x.Cols
	a.values = append(a.values[:0], x.Data[:n]...)
	a.q8 = resize(a.q8, n)
	a.xq = resize(a.xq, n)
	a.d = resize(a.d, n/block)
	if block == 32 {
		a.sums = resize(a.sums, n/32)
		for b := range a.d {
			quantizeQ8_0(a.values[32*b:], a.q8[32*b:], a.xq[32*b:], &a.d[b], &a.sums[b])
		}
		return
	}
	a.sums = resize(a.sums, n/16)
	a.xs = resize(a.xs, n/32)
	for b := range a.d {
		quantizeQ8K(a.values[256*b:], a.q8[256*b:], a.xq[256*b:], &a.d[b], a.sums[16*b:], a.xs[8*b:])
	}
}

// row returns the quantized values of row r.
func (a *kActs) row(r int) kRow {
	c, g := a.cols, 16
	x := kRow{q8: a.q8[r*c : (r+1)*c], xq: a.xq[r*c : (r+1)*c], d: a.d[r*c/a.block : (r+1)*c/a.block]}
	if a.block == 32 {
		g = 32
	} else {
		x.xs = a.xs[r*c/32 : (r+1)*c/32]
	}
	x.sums = a.sums[r*c/g : (r+1)*c/g]
	return x
}

// kRow is one quantized activation row of kActs (xs only for Q8_K).
type kRow struct {
	q8       []int8
	d        []float32
	sums, xq []int16
	xs       []int16
}

func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// The Go models of qk.wat's kernels are wasm/cpu/simd's portable dot
// products, which the kernels follow operation for operation: out[r] is
// the product of weight row r (at byte r*rowBytes of w) with x.
var (
	goMatvecQ4_K = eachRow(simd.DotQ4_K)
	goMatvecQ5_K = eachRow(simd.DotQ5_K)
	goMatvecQ5_0 = eachRow(simd.DotQ5_0)
	goMatvecQ6_K = eachRow(simd.DotQ6_K)
)

// eachRow is the product of every row with x by a one-row dot product.
func eachRow(dot func(w []byte, qs []int8, d []float32, sums []int16) float32) kMatvec {
	return func(w []byte, rowBytes int, x kRow, out []float32, rows int) {
		for r := range rows {
			out[r] = dot(w[r*rowBytes:(r+1)*rowBytes], x.q8, x.d, x.sums)
		}
	}
}
