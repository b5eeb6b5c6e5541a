//go:build goexperiment.simd && amd64

package simd

import "simd/archsimd"

// useAVX2 selects the archsimd kernels; without AVX2 and FMA (pre-2013 x86)
// the portable ones run.
var useAVX2 = archsimd.X86.AVX2() && archsimd.X86.FMA()

// Features names the vector instructions the kernels use on this build.
func Features() string {
	if useAVX2 {
		return "avx2+fma"
	}
	return "portable (no AVX2)"
}

// QuantizeQ8_0 quantizes x (a multiple of 32 long) into qs and one scale per
// 32 elements in d.
func QuantizeQ8_0(x []float32, qs []int8, d []float32) {
	if useAVX2 {
		quantizeQ8_0AVX2(x, qs, d)
		return
	}
	quantizeQ8_0Go(x, qs, d)
}

// QuantizeQ8_K quantizes x (a multiple of 256 long) into qs, one scale per
// 256 elements in d and one sum per 16 quantized values in sums.
func QuantizeQ8_K(x []float32, qs []int8, d []float32, sums []int16) {
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

// SwiGLU sets dst = silu(gate)·up, element-wise. It stays scalar: the
// reference's float64 exponential is what keeps F32 models on llama2.c's
// tokens.
func SwiGLU(dst, gate, up []float32) { swiGLUGo(dst, gate, up) }
