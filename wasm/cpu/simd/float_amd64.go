//go:build goexperiment.simd && amd64

package simd

import (
	"simd/archsimd"
	"unsafe"
)

func dotF32AVX2(w, x []float32) float32 {
	n := len(x)
	w = w[:n]
	var a0, a1, a2, a3 archsimd.Float32x8
	i := 0
	for ; i+32 <= n; i += 32 {
		a0 = archsimd.LoadFloat32x8Slice(w[i:]).MulAdd(archsimd.LoadFloat32x8Slice(x[i:]), a0)
		a1 = archsimd.LoadFloat32x8Slice(w[i+8:]).MulAdd(archsimd.LoadFloat32x8Slice(x[i+8:]), a1)
		a2 = archsimd.LoadFloat32x8Slice(w[i+16:]).MulAdd(archsimd.LoadFloat32x8Slice(x[i+16:]), a2)
		a3 = archsimd.LoadFloat32x8Slice(w[i+24:]).MulAdd(archsimd.LoadFloat32x8Slice(x[i+24:]), a3)
	}
	for ; i+8 <= n; i += 8 {
		a0 = archsimd.LoadFloat32x8Slice(w[i:]).MulAdd(archsimd.LoadFloat32x8Slice(x[i:]), a0)
	}
	if i < n {
		a1 = archsimd.LoadFloat32x8SlicePart(w[i:]).MulAdd(archsimd.LoadFloat32x8SlicePart(x[i:]), a1)
	}
	return hsum8(a0.Add(a1).Add(a2.Add(a3)))
}

// halves8 widens eight F16 values to float32 with integer operations
// (no F16C in archsimd): the exponent is rebased from 15 to 127, infinities
// and NaNs get the full float32 exponent, and subnormals are normalised by
// subtracting 2⁻¹⁴ from a value built with that bias, so no operation ever
// sees a float32 subnormal.
func halves8(p *[8]uint16) archsimd.Float32x8 {
	h := archsimd.LoadUint16x8(p).ExtendToUint32()
	sign := h.And(archsimd.BroadcastUint32x8(0x8000)).ShiftAllLeft(16)
	o := h.And(archsimd.BroadcastUint32x8(0x7fff)).ShiftAllLeft(13)
	e := o.And(archsimd.BroadcastUint32x8(0x0f800000))
	bias := archsimd.BroadcastUint32x8(112 << 23)
	o = o.Add(bias)
	o = o.Add(bias.Masked(e.Equal(archsimd.BroadcastUint32x8(0x0f800000))))
	sub := e.Equal(archsimd.BroadcastUint32x8(0))
	o = o.Add(archsimd.BroadcastUint32x8(1 << 23).Masked(sub))
	f := o.AsFloat32x8().Sub(archsimd.BroadcastFloat32x8(0x1p-14).AsUint32x8().Masked(sub).AsFloat32x8())
	return f.AsUint32x8().Or(sign).AsFloat32x8()
}

func dotF16AVX2(w []byte, x []float32) float32 {
	n := len(x)
	w = w[:2*n]
	var a0, a1 archsimd.Float32x8
	i := 0
	for ; i+16 <= n; i += 16 {
		a0 = halves8((*[8]uint16)(unsafe.Pointer(&w[2*i]))).MulAdd(archsimd.LoadFloat32x8Slice(x[i:]), a0)
		a1 = halves8((*[8]uint16)(unsafe.Pointer(&w[2*i+16]))).MulAdd(archsimd.LoadFloat32x8Slice(x[i+8:]), a1)
	}
	for ; i+8 <= n; i += 8 {
		a0 = halves8((*[8]uint16)(unsafe.Pointer(&w[2*i]))).MulAdd(archsimd.LoadFloat32x8Slice(x[i:]), a0)
	}
	s := hsum8(a0.Add(a1))
	for ; i < n; i++ {
		s += f16(w[2*i:]) * x[i]
	}
	return s
}

func axpyAVX2(dst []float32, a float32, x []float32) {
	n := len(dst)
	x = x[:n]
	av := archsimd.BroadcastFloat32x8(a)
	i := 0
	for ; i+8 <= n; i += 8 {
		// Multiply then add, unfused, so that the result is the portable one.
		archsimd.LoadFloat32x8Slice(dst[i:]).Add(av.Mul(archsimd.LoadFloat32x8Slice(x[i:]))).StoreSlice(dst[i:])
	}
	for ; i < n; i++ {
		dst[i] += a * x[i]
	}
}

func sumSquaresAVX2(x []float32) float32 {
	n := len(x)
	var a0, a1 archsimd.Float32x8
	i := 0
	for ; i+16 <= n; i += 16 {
		v0 := archsimd.LoadFloat32x8Slice(x[i:])
		v1 := archsimd.LoadFloat32x8Slice(x[i+8:])
		a0 = v0.MulAdd(v0, a0)
		a1 = v1.MulAdd(v1, a1)
	}
	if i < n {
		v := archsimd.LoadFloat32x8SlicePart(x[i:])
		a0 = v.MulAdd(v, a0)
		i += 8
	}
	if i < n {
		v := archsimd.LoadFloat32x8SlicePart(x[i:])
		a1 = v.MulAdd(v, a1)
	}
	return hsum8(a0.Add(a1))
}

func scaleMulAVX2(dst, x, w []float32, s float32) {
	n := len(dst)
	x, w = x[:n], w[:n]
	sv := archsimd.BroadcastFloat32x8(s)
	i := 0
	for ; i+8 <= n; i += 8 {
		archsimd.LoadFloat32x8Slice(w[i:]).Mul(sv.Mul(archsimd.LoadFloat32x8Slice(x[i:]))).StoreSlice(dst[i:])
	}
	for ; i < n; i++ {
		dst[i] = w[i] * (s * x[i])
	}
}

func addAVX2(dst, x []float32) {
	n := len(dst)
	x = x[:n]
	i := 0
	for ; i+8 <= n; i += 8 {
		archsimd.LoadFloat32x8Slice(dst[i:]).Add(archsimd.LoadFloat32x8Slice(x[i:])).StoreSlice(dst[i:])
	}
	for ; i < n; i++ {
		dst[i] += x[i]
	}
}

// quantizeQ8_0AVX2 is quantizeQ8_0Go with the rounding and the maximum done
// eight lanes at a time; the results are identical.
func quantizeQ8_0AVX2(x []float32, qs []int8, d []float32) {
	absMask := archsimd.BroadcastUint32x8(0x7fffffff)
	var tmp [8]int32
	for b := range d {
		xb := x[32*b : 32*b+32]
		v0 := archsimd.LoadFloat32x8Slice(xb)
		v1 := archsimd.LoadFloat32x8Slice(xb[8:])
		v2 := archsimd.LoadFloat32x8Slice(xb[16:])
		v3 := archsimd.LoadFloat32x8Slice(xb[24:])
		m := v0.AsUint32x8().And(absMask).AsFloat32x8().Max(v1.AsUint32x8().And(absMask).AsFloat32x8())
		m = m.Max(v2.AsUint32x8().And(absMask).AsFloat32x8().Max(v3.AsUint32x8().And(absMask).AsFloat32x8()))
		m4 := m.GetLo().Max(m.GetHi())
		amax := max(max(m4.GetElem(0), m4.GetElem(1)), max(m4.GetElem(2), m4.GetElem(3)))
		scale := amax / 127
		var inv float32
		if scale != 0 {
			inv = 1 / scale
		}
		d[b] = roundF16(scale)
		iv := archsimd.BroadcastFloat32x8(inv)
		qb := qs[32*b : 32*b+32]
		for k, v := range [4]archsimd.Float32x8{v0, v1, v2, v3} {
			v.Mul(iv).RoundToEven().ConvertToInt32().Store(&tmp)
			for j, q := range tmp {
				qb[8*k+j] = int8(q)
			}
		}
	}
}
