//go:build goexperiment.simd && amd64

package simd

import (
	"simd/archsimd"
	"unsafe"
)

// loadPart loads up to eight elements of s, zeros after them. It copies
// through a buffer rather than using archsimd's LoadFloat32x8SlicePart,
// whose pointer conversion the race detector's checkptr rejects at the end
// of an allocation.
func loadPart(s []float32) archsimd.Float32x8 {
	var buf [8]float32
	copy(buf[:], s)
	return archsimd.LoadFloat32x8(&buf)
}

// storePart stores the first len(s) (at most eight) lanes of v into s.
func storePart(v archsimd.Float32x8, s []float32) {
	var buf [8]float32
	v.Store(&buf)
	copy(s, buf[:])
}

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
		a1 = loadPart(w[i:n]).MulAdd(loadPart(x[i:]), a1)
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
		v := loadPart(x[i:])
		a0 = v.MulAdd(v, a0)
		i += 8
	}
	if i < n {
		v := loadPart(x[i:])
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

// store16 writes sixteen int32 lanes, each within int8's range, as bytes:
// one VPMOVSDB with AVX-512, element by element without.
func store16(q0, q1 archsimd.Int32x8, dst *[16]int8) {
	if useAVX512 {
		archsimd.Int32x16{}.SetLo(q0).SetHi(q1).SaturateToInt8().Store(dst)
		return
	}
	var tmp [8]int32
	q0.Store(&tmp)
	for j, v := range tmp {
		dst[j] = int8(v)
	}
	q1.Store(&tmp)
	for j, v := range tmp {
		dst[8+j] = int8(v)
	}
}

func absMax8(v archsimd.Float32x8, m archsimd.Float32x8) archsimd.Float32x8 {
	return v.AsUint32x8().And(archsimd.BroadcastUint32x8(0x7fffffff)).AsFloat32x8().Max(m)
}

func hmax8(m archsimd.Float32x8) float32 {
	m4 := m.GetLo().Max(m.GetHi())
	return max(max(m4.GetElem(0), m4.GetElem(1)), max(m4.GetElem(2), m4.GetElem(3)))
}

// quantizeQ8_0AVX2 is quantizeQ8_0Go eight lanes at a time; the results
// are identical.
func quantizeQ8_0AVX2(x []float32, qs []int8, d []float32, sums []int16) {
	for b := range d {
		xb := x[32*b : 32*b+32]
		v0 := archsimd.LoadFloat32x8Slice(xb)
		v1 := archsimd.LoadFloat32x8Slice(xb[8:])
		v2 := archsimd.LoadFloat32x8Slice(xb[16:])
		v3 := archsimd.LoadFloat32x8Slice(xb[24:])
		var m archsimd.Float32x8
		m = absMax8(v0, m)
		m = absMax8(v1, m)
		m = absMax8(v2, m)
		m = absMax8(v3, m)
		amax := hmax8(m)
		var inv float32
		if amax != 0 {
			inv = 127 / amax
		}
		d[b] = roundF16(amax / 127)
		iv := archsimd.BroadcastFloat32x8(inv)
		q0 := v0.Mul(iv).RoundToEven().ConvertToInt32()
		q1 := v1.Mul(iv).RoundToEven().ConvertToInt32()
		q2 := v2.Mul(iv).RoundToEven().ConvertToInt32()
		q3 := v3.Mul(iv).RoundToEven().ConvertToInt32()
		qb := qs[32*b : 32*b+32]
		store16(q0, q1, (*[16]int8)(qb[:16]))
		store16(q2, q3, (*[16]int8)(qb[16:]))
		sums[b] = int16(hsumInt8(q0.Add(q1).Add(q2.Add(q3))))
	}
}

// quantizeQ8_KAVX2 is quantizeQ8_KGo eight lanes at a time; the results
// are identical.
func quantizeQ8_KAVX2(x []float32, qs []int8, d []float32, sums []int16) {
	limit := archsimd.BroadcastFloat32x8(127)
	for b := range d {
		xb := x[256*b : 256*b+256]
		var m archsimd.Float32x8
		for i := 0; i < 256; i += 8 {
			m = absMax8(archsimd.LoadFloat32x8Slice(xb[i:]), m)
		}
		amax := hmax8(m)
		qb := qs[256*b : 256*b+256]
		sb := sums[16*b : 16*b+16]
		if amax == 0 {
			d[b] = 0
			clear(qb)
			clear(sb)
			continue
		}
		// The signed value of largest magnitude, the first one as in the
		// portable loop.
		var vmax float32
		for _, v := range xb {
			if abs32(v) == amax {
				vmax = v
				break
			}
		}
		iscale := -127 / vmax
		iv := archsimd.BroadcastFloat32x8(iscale)
		for g := range 16 {
			q0 := archsimd.LoadFloat32x8Slice(xb[16*g:]).Mul(iv).RoundToEven().Min(limit).ConvertToInt32()
			q1 := archsimd.LoadFloat32x8Slice(xb[16*g+8:]).Mul(iv).RoundToEven().Min(limit).ConvertToInt32()
			store16(q0, q1, (*[16]int8)(qb[16*g:16*g+16]))
			sb[g] = int16(hsumInt8(q0.Add(q1)))
		}
		d[b] = 1 / iscale
	}
}

// exp8 is e^x in float32 to within about 1 ulp, Cephes's expf in eight
// lanes: x = n·ln2 + r with |r| ≤ ln2/2, a degree-6 polynomial for e^r, and
// 2^n added to the exponent. x is clamped to where the result is a normal
// float32, so the exponent arithmetic never wraps.
func exp8(x archsimd.Float32x8) archsimd.Float32x8 {
	x = x.Max(archsimd.BroadcastFloat32x8(-87.33)).Min(archsimd.BroadcastFloat32x8(88.37))
	n := x.Mul(archsimd.BroadcastFloat32x8(1.44269504088896341)).RoundToEven()
	r := n.MulAdd(archsimd.BroadcastFloat32x8(-0.693359375), x)
	r = n.MulAdd(archsimd.BroadcastFloat32x8(2.12194440e-4), r)
	p := archsimd.BroadcastFloat32x8(1.9875691500e-4)
	p = p.MulAdd(r, archsimd.BroadcastFloat32x8(1.3981999507e-3))
	p = p.MulAdd(r, archsimd.BroadcastFloat32x8(8.3334519073e-3))
	p = p.MulAdd(r, archsimd.BroadcastFloat32x8(4.1665795894e-2))
	p = p.MulAdd(r, archsimd.BroadcastFloat32x8(1.6666665459e-1))
	p = p.MulAdd(r, archsimd.BroadcastFloat32x8(5.0000001201e-1))
	p = p.MulAdd(r.Mul(r), r).Add(archsimd.BroadcastFloat32x8(1))
	e := n.ConvertToInt32().ShiftAllLeft(23)
	return p.AsInt32x8().Add(e).AsFloat32x8()
}

// swiGLUAVX2 is swiGLUGo with exp8 in place of the float64 exponential; the
// other operations are the reference's, in its order. The tail goes
// through the same vector code (partial loads), so an element's result does
// not depend on where a slice of the batch starts or ends.
func swiGLUAVX2(dst, gate, up []float32) {
	n := len(dst)
	gate, up = gate[:n], up[:n]
	one := archsimd.BroadcastFloat32x8(1)
	zero := archsimd.BroadcastFloat32x8(0)
	silu := func(g, u archsimd.Float32x8) archsimd.Float32x8 {
		return g.Mul(one.Div(one.Add(exp8(zero.Sub(g))))).Mul(u)
	}
	i := 0
	for ; i+8 <= n; i += 8 {
		silu(archsimd.LoadFloat32x8Slice(gate[i:]), archsimd.LoadFloat32x8Slice(up[i:])).StoreSlice(dst[i:])
	}
	if i < n {
		storePart(silu(loadPart(gate[i:]), loadPart(up[i:])), dst[i:])
	}
}

// softmaxAVX2 is softmaxGo with exp8 and eight partial sums.
func softmaxAVX2(x []float32) {
	n := len(x)
	mv := archsimd.BroadcastFloat32x8(x[0])
	i := 0
	for ; i+8 <= n; i += 8 {
		mv = mv.Max(archsimd.LoadFloat32x8Slice(x[i:]))
	}
	m := hmax8(mv)
	for ; i < n; i++ {
		m = max(m, x[i])
	}
	mb := archsimd.BroadcastFloat32x8(m)
	var sv archsimd.Float32x8
	i = 0
	for ; i+8 <= n; i += 8 {
		e := exp8(archsimd.LoadFloat32x8Slice(x[i:]).Sub(mb))
		e.StoreSlice(x[i:])
		sv = sv.Add(e)
	}
	sum := hsum8(sv)
	if i < n {
		storePart(exp8(loadPart(x[i:]).Sub(mb)), x[i:])
		for _, v := range x[i:] {
			sum += v
		}
	}
	divide(x, sum)
}

func divide(x []float32, s float32) {
	sb := archsimd.BroadcastFloat32x8(s)
	i := 0
	for ; i+8 <= len(x); i += 8 {
		archsimd.LoadFloat32x8Slice(x[i:]).Div(sb).StoreSlice(x[i:])
	}
	for ; i < len(x); i++ {
		x[i] /= s
	}
}
