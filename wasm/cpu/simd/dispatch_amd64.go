//go:build goexperiment.simd && amd64

package simd

import (
	"simd/archsimd"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

// useAVX2 selects the archsimd kernels; without AVX2 and FMA (pre-2013 x86)
// the portable ones run.
var useAVX2 = archsimd.X86.AVX2() && archsimd.X86.FMA()

// useAVX512 adds AVX-512's narrowing stores to the AVX2 kernels.
var useAVX512 = useAVX2 && archsimd.X86.AVX512()

// Features names the vector instructions the kernels use on this build.
func Features() string {
	switch {
	case useVNNI:
		return "avx2+fma+avx512+vnni"
	case useAVX512:
		return "avx2+fma+avx512"
	case useAVX2:
		return "avx2+fma"
	}
	return "portable (no AVX2)"
}

// QuantizeQ8_0 quantizes x (a multiple of 32 long) into qs, one scale per
// 32 elements in d and the sum of each 32 quantized values in sums.
func QuantizeQ8_0(x []float32, qs []int8, d []float32, sums []int16) {
	if useAVX2 {
		quantizeQ8_0AVX2(x, qs, d, sums)
		return
	}
	quantizeQ8_0Go(x, qs, d, sums)
}

// QuantizeQ8_K quantizes x (a multiple of 256 long) into qs, one scale per
// 256 elements in d and one sum per 16 quantized values in sums.
func QuantizeQ8_K(x []float32, qs []int8, d []float32, sums []int16) {
	if useAVX2 {
		quantizeQ8_KAVX2(x, qs, d, sums)
		return
	}
	quantizeQ8_KGo(x, qs, d, sums)
}

// DotQ8_0 is the dot product of a Q8_0 weight row with a Q8_0 activation row.
func DotQ8_0(w []byte, qs []int8, d []float32) float32 {
	if useAVX2 {
		return dotQ8_0AVX2(w, qs, d)
	}
	return dotQ8_0Go(w, qs, d)
}

// DotQ4_0 is the dot product of a Q4_0 weight row with a Q8_0 activation row.
func DotQ4_0(w []byte, qs []int8, d []float32) float32 {
	if useAVX2 {
		return dotQ4_0AVX2(w, qs, d)
	}
	return dotQ4_0Go(w, qs, d)
}

// DotQ5_0 is the dot product of a Q5_0 weight row with a Q8_0 activation row.
func DotQ5_0(w []byte, qs []int8, d []float32, sums []int16) float32 {
	if useAVX2 {
		return dotQ5_0AVX2(w, qs, d, sums)
	}
	return dotQ5_0Go(w, qs, d, sums)
}

// DotQ8_0x4 computes the dot products of one Q8_0 weight row with four Q8_0
// activation rows, stride elements apart in qs and stride/32 apart in d.
// Each equals DotQ8_0 on its row exactly.
func DotQ8_0x4(w []byte, qs []int8, d []float32, stride int, out *[4]float32) {
	if useAVX2 {
		dotQ8_0x4AVX2(w, qs, d, stride, out)
		return
	}
	dotQ8_0x4Go(w, qs, d, stride, out)
}

// DotQ4_Kx4 is DotQ8_0x4 for a Q4_K weight row and Q8_K activation rows
// (stride/256 apart in d, stride/16 apart in sums).
func DotQ4_Kx4(w []byte, qs []int8, d []float32, sums []int16, stride int, out *[4]float32) {
	if useAVX2 {
		dotQ4_Kx4AVX2(w, qs, d, sums, stride, out)
		return
	}
	dotQ4_Kx4Go(w, qs, d, sums, stride, out)
}

// DotQ4_0x4 is DotQ8_0x4 for a Q4_0 weight row.
func DotQ4_0x4(w []byte, qs []int8, d []float32, stride int, out *[4]float32) {
	if useAVX2 {
		dotQ4_0x4AVX2(w, qs, d, stride, out)
		return
	}
	dotQ4_0x4Go(w, qs, d, stride, out)
}

// DotQ4_K is the dot product of a Q4_K weight row with a Q8_K activation row.
func DotQ4_K(w []byte, qs []int8, d []float32, sums []int16) float32 {
	if useAVX2 {
		return dotQ4_KAVX2(w, qs, d, sums)
	}
	return dotQ4_KGo(w, qs, d, sums)
}

// DotQ5_K is the dot product of a Q5_K weight row with a Q8_K activation row.
func DotQ5_K(w []byte, qs []int8, d []float32, sums []int16) float32 {
	if useAVX2 {
		return dotQ5_KAVX2(w, qs, d, sums)
	}
	return dotQ5_KGo(w, qs, d, sums)
}

// DotQ6_K is the dot product of a Q6_K weight row with a Q8_K activation row.
func DotQ6_K(w []byte, qs []int8, d []float32, sums []int16) float32 {
	if useAVX2 {
		return dotQ6_KAVX2(w, qs, d, sums)
	}
	return dotQ6_KGo(w, qs, d, sums)
}

// DotF16 is the dot product of an F16 weight row with float32 activations.
func DotF16(w []byte, x []float32) float32 {
	if useAVX2 {
		return dotF16AVX2(w, x)
	}
	return dotF16Go(w, x)
}

// DotF32 is the dot product of w and x (len(w) ≥ len(x)).
func DotF32(w, x []float32) float32 {
	if useAVX2 {
		return dotF32AVX2(w, x)
	}
	return dotF32Go(w, x)
}

// Axpy adds a·x to dst.
func Axpy(dst []float32, a float32, x []float32) {
	if useAVX2 {
		axpyAVX2(dst, a, x)
		return
	}
	axpyGo(dst, a, x)
}

// SumSquares is Σx².
func SumSquares(x []float32) float32 {
	if useAVX2 {
		return sumSquaresAVX2(x)
	}
	return sumSquaresGo(x)
}

// ScaleMul sets dst = w·(s·x), element-wise.
func ScaleMul(dst, x, w []float32, s float32) {
	if useAVX2 {
		scaleMulAVX2(dst, x, w, s)
		return
	}
	scaleMulGo(dst, x, w, s)
}

// Add adds x to dst.
func Add(dst, x []float32) {
	if useAVX2 {
		addAVX2(dst, x)
		return
	}
	addGo(dst, x)
}

// SwiGLU sets dst = silu(gate)·up, element-wise, within a few ulps of the
// reference (its exponential is a float32 polynomial, not math.Exp).
func SwiGLU(dst, gate, up []float32) {
	if useAVX2 {
		swiGLUAVX2(dst, gate, up)
		return
	}
	swiGLUGo(dst, gate, up)
}

// Softmax replaces x by its softmax, within a few ulps of the reference
// (its exponential is exp8, not math.Exp).
func Softmax(x []float32) {
	if useAVX2 {
		softmaxAVX2(x)
		return
	}
	tensor.Softmax(x)
}
