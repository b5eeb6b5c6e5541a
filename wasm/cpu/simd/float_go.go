package simd

import "math"

// Portable float32 kernels. Four accumulators let the compiler keep several
// additions in flight; the result differs from one sequential sum only by
// float32 rounding.

func dotF32Go(w, x []float32) float32 {
	w = w[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += w[i] * x[i]
		s1 += w[i+1] * x[i+1]
		s2 += w[i+2] * x[i+2]
		s3 += w[i+3] * x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += w[i] * x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func dotF16Go(w []byte, x []float32) float32 {
	w = w[:2*len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += f16(w[2*i:]) * x[i]
		s1 += f16(w[2*i+2:]) * x[i+1]
		s2 += f16(w[2*i+4:]) * x[i+2]
		s3 += f16(w[2*i+6:]) * x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += f16(w[2*i:]) * x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func axpyGo(dst []float32, a float32, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] += a * x[i]
	}
}

func sumSquaresGo(x []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * x[i]
		s1 += x[i+1] * x[i+1]
		s2 += x[i+2] * x[i+2]
		s3 += x[i+3] * x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// scaleMulGo is RMSNorm's last step: dst = w·(s·x).
func scaleMulGo(dst, x, w []float32, s float32) {
	x, w = x[:len(dst)], w[:len(dst)]
	for i := range dst {
		dst[i] = w[i] * (s * x[i])
	}
}

func addGo(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] += x[i]
	}
}

// swiGLUGo computes dst = silu(gate)·up in the reference backend's order.
func swiGLUGo(dst, gate, up []float32) {
	gate, up = gate[:len(dst)], up[:len(dst)]
	for i, g := range gate {
		g *= 1 / (1 + float32(math.Exp(float64(-g))))
		dst[i] = g * up[i]
	}
}
