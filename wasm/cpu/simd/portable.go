//go:build !(goexperiment.simd && amd64)

package simd

import "github.com/wisp-llm/wisp/wasm/tensor"

// Without simd/archsimd every kernel is the portable one.

// Features names the vector instructions the kernels use on this build.
func Features() string { return "portable" }

// QuantizeQ8_0 quantizes x (a multiple of 32 long) into qs, one scale per
// 32 elements in d and the sum of each 32 quantized values in sums.
func QuantizeQ8_0(x []float32, qs []int8, d []float32, sums []int16) {
	quantizeQ8_0Go(x, qs, d, sums)
}

// QuantizeQ8_K quantizes x (a multiple of 256 long) into qs, one scale per
// 256 elements in d and one sum per 16 quantized values in sums.
func QuantizeQ8_K(x []float32, qs []int8, d []float32, sums []int16) {
	quantizeQ8_KGo(x, qs, d, sums)
}

// DotQ8_0 is the dot product of a Q8_0 weight row with a Q8_0 activation row.
func DotQ8_0(w []byte, qs []int8, d []float32) float32 { return dotQ8_0Go(w, qs, d) }

// DotQ4_0 is the dot product of a Q4_0 weight row with a Q8_0 activation row.
func DotQ4_0(w []byte, qs []int8, d []float32) float32 {
	return dotQ4_0Go(w, qs, d)
}

// DotQ5_0 is the dot product of a Q5_0 weight row with a Q8_0 activation row.
func DotQ5_0(w []byte, qs []int8, d []float32, sums []int16) float32 {
	return dotQ5_0Go(w, qs, d, sums)
}

// DotQ8_0x4 computes the dot products of one Q8_0 weight row with four Q8_0
// activation rows, stride elements apart in qs and stride/32 apart in d.
// Each equals DotQ8_0 on its row exactly.
func DotQ8_0x4(w []byte, qs []int8, d []float32, stride int, out *[4]float32) {
	dotQ8_0x4Go(w, qs, d, stride, out)
}

// DotQ4_Kx4 is DotQ8_0x4 for a Q4_K weight row and Q8_K activation rows
// (stride/256 apart in d, stride/16 apart in sums).
func DotQ4_Kx4(w []byte, qs []int8, d []float32, sums []int16, stride int, out *[4]float32) {
	dotQ4_Kx4Go(w, qs, d, sums, stride, out)
}

// DotQ4_0x4 is DotQ8_0x4 for a Q4_0 weight row.
func DotQ4_0x4(w []byte, qs []int8, d []float32, stride int, out *[4]float32) {
	dotQ4_0x4Go(w, qs, d, stride, out)
}

// DotQ4_K is the dot product of a Q4_K weight row with a Q8_K activation row.
func DotQ4_K(w []byte, qs []int8, d []float32, sums []int16) float32 {
	return dotQ4_KGo(w, qs, d, sums)
}

// DotQ5_K is the dot product of a Q5_K weight row with a Q8_K activation row.
func DotQ5_K(w []byte, qs []int8, d []float32, sums []int16) float32 {
	return dotQ5_KGo(w, qs, d, sums)
}

// DotQ6_K is the dot product of a Q6_K weight row with a Q8_K activation row.
func DotQ6_K(w []byte, qs []int8, d []float32, sums []int16) float32 {
	return dotQ6_KGo(w, qs, d, sums)
}

// DotF16 is the dot product of an F16 weight row with float32 activations.
func DotF16(w []byte, x []float32) float32 { return dotF16Go(w, x) }

// DotF32 is the dot product of w and x (len(w) ≥ len(x)).
func DotF32(w, x []float32) float32 { return dotF32Go(w, x) }

// Axpy adds a·x to dst.
func Axpy(dst []float32, a float32, x []float32) { axpyGo(dst, a, x) }

// SumSquares is Σx².
func SumSquares(x []float32) float32 { return sumSquaresGo(x) }

// ScaleMul sets dst = w·(s·x), element-wise.
func ScaleMul(dst, x, w []float32, s float32) { scaleMulGo(dst, x, w, s) }

// Add adds x to dst.
func Add(dst, x []float32) { addGo(dst, x) }

// SwiGLU sets dst = silu(gate)·up, element-wise.
func SwiGLU(dst, gate, up []float32) { swiGLUGo(dst, gate, up) }

// Softmax replaces x by its softmax.
func Softmax(x []float32) { tensor.Softmax(x) }

// MatVecQ4_0 sets out[i] to DotQ4_0 of weight row i with the activation
// row (qs, d), bit for bit, for len(out) rows rowBytes apart in w.
func MatVecQ4_0(out []float32, w []byte, rowBytes int, qs []int8, d []float32) {
	for i := range out {
		out[i] = dotQ4_0Go(w[i*rowBytes:(i+1)*rowBytes], qs, d)
	}
}

// MatVecQ8_0 is MatVecQ4_0 for Q8_0 weights.
func MatVecQ8_0(out []float32, w []byte, rowBytes int, qs []int8, d []float32) {
	for i := range out {
		out[i] = dotQ8_0Go(w[i*rowBytes:(i+1)*rowBytes], qs, d)
	}
}

// MatMulQ4_0x4 sets out[t*cols+i] to DotQ4_0 of weight row i (of rows,
// rowBytes apart in w) with activation row t (of four, stride elements
// apart in qs and stride/32 in d), bit for bit.
func MatMulQ4_0x4(out []float32, cols int, w []byte, rowBytes, rows int, qs []int8, d []float32, stride int) {
	matMulx4(out, cols, w, rowBytes, rows, qs, d, stride, dotQ4_0x4Go)
}

// MatMulQ8_0x4 is MatMulQ4_0x4 for Q8_0 weights.
func MatMulQ8_0x4(out []float32, cols int, w []byte, rowBytes, rows int, qs []int8, d []float32, stride int) {
	matMulx4(out, cols, w, rowBytes, rows, qs, d, stride, dotQ8_0x4Go)
}

// DotsF32 sets dst[p] = DotF32(rows[p*stride:], x)·scale for every p.
func DotsF32(dst, rows []float32, stride int, x []float32, scale float32) {
	dotsF32Go(dst, rows, stride, x, scale)
}

// AxpyRows adds a[p]·rows[p*stride:] to dst for p = 0, 1, … in order.
func AxpyRows(dst, a, rows []float32, stride int) { axpyRowsGo(dst, a, rows, stride) }

// MatVecQ4_K sets out[i] to DotQ4_K of weight row i with the activation
// row (qs, d, sums), bit for bit, for len(out) rows rowBytes apart in w.
func MatVecQ4_K(out []float32, w []byte, rowBytes int, qs []int8, d []float32, sums []int16) {
	for i := range out {
		out[i] = dotQ4_KGo(w[i*rowBytes:(i+1)*rowBytes], qs, d, sums)
	}
}

// MatVecQ6_K is MatVecQ4_K for Q6_K weights.
func MatVecQ6_K(out []float32, w []byte, rowBytes int, qs []int8, d []float32, sums []int16) {
	for i := range out {
		out[i] = dotQ6_KGo(w[i*rowBytes:(i+1)*rowBytes], qs, d, sums)
	}
}

// MatMulQ4_Kx4 is MatMulQ4_0x4 for Q4_K weights and Q8_K activations
// (stride/256 apart in d, stride/16 in sums).
func MatMulQ4_Kx4(out []float32, cols int, w []byte, rowBytes, rows int, qs []int8, d []float32, sums []int16, stride int) {
	matMulQ4_Kx4(out, cols, w, rowBytes, rows, qs, d, sums, stride, dotQ4_Kx4Go)
}

// MatMulQ6_Kx4 is MatMulQ4_Kx4 for Q6_K weights.
func MatMulQ6_Kx4(out []float32, cols int, w []byte, rowBytes, rows int, qs []int8, d []float32, sums []int16, stride int) {
	matMulQ4_Kx4(out, cols, w, rowBytes, rows, qs, d, sums, stride, dotQ6_Kx4)
}

// X16 reports whether the CPU runs the x16 kernels: never here, where
// x16 weights would run only as their Go model.
func X16() bool { return false }

// MatVecX16 sets out[i] to row i of the x16 weights w of type t times the
// activation row, in matVecX16Go's order.
func MatVecX16(t tensor.Type, out []float32, w []byte, qs []int8, d []float32, sums []int16) {
	f, _ := x16FormatOf(t)
	matVecX16Go(f, out, w, len(d), qs, d, sums)
}

// MatMulX16x4 is MatVecX16 for four activation rows.
func MatMulX16x4(typ tensor.Type, out []float32, cols int, w []byte, rows int, qs []int8, d []float32, sums []int16, stride int) {
	f, _ := x16FormatOf(typ)
	matMulX16x4Go(f, out, cols, w, rows, qs, d, sums, stride)
}
