//go:build goexperiment.simd && amd64

package simd

import (
	"simd/archsimd"
	"unsafe"
)

// AVX2 kernels. The integer products use VPMADDUBSW (unsigned × signed bytes,
// pairs summed to int16) and VPMADDWD (int16 pairs summed to int32), the
// sequence llama.cpp uses on AVX2; archsimd in Go 1.26 has no VNNI dot
// product (VPDPBUSD) to fuse the two.
//
// Each kernel checks once that its slices hold every block it will read
// and then walks them with pointer arithmetic: per-block slicing costs
// more than the arithmetic at these sizes. Constants are built outside the
// loops, since the compiler does not hoist vector broadcasts.

func i8x32(p unsafe.Pointer, off int) archsimd.Int8x32 {
	return archsimd.LoadInt8x32((*[32]int8)(unsafe.Add(p, off)))
}

func u8x32(p unsafe.Pointer, off int) archsimd.Uint8x32 {
	return archsimd.LoadUint8x32((*[32]uint8)(unsafe.Add(p, off)))
}

// f16p reads the half at p+off. A table lookup costs fewer instructions
// than converting in registers, and the kernels are bound by instructions.
func f16p(p unsafe.Pointer, off int) float32 {
	b := (*[2]byte)(unsafe.Add(p, off))
	return halfTable[uint16(b[0])|uint16(b[1])<<8]
}

// dotSigned32 sums a·b over pairs of signed bytes into eight int32 lanes.
// VPMADDUBSW wants one unsigned operand, so it multiplies |a| by b carrying
// a's sign; no pair sum can saturate because b is never -128 in Q8_0.
func dotSigned32(a, b archsimd.Int8x32, one archsimd.Int16x16) archsimd.Int32x8 {
	return a.Abs().AsUint8x32().DotProductPairsSaturated(b.CopySign(a)).DotProductPairs(one)
}

// dotUnsigned32 sums a·b for unsigned a < 64 and signed b into int32 lanes;
// pair sums stay below 2·63·128 and cannot saturate.
func dotUnsigned32(a archsimd.Uint8x32, b archsimd.Int8x32, one archsimd.Int16x16) archsimd.Int32x8 {
	return a.DotProductPairsSaturated(b).DotProductPairs(one)
}

func hsum8(v archsimd.Float32x8) float32 {
	s := v.GetLo().Add(v.GetHi())
	s = s.AddPairs(s)
	s = s.AddPairs(s)
	return s.GetElem(0)
}

func hsumInt8(v archsimd.Int32x8) int32 {
	s := v.GetLo().Add(v.GetHi())
	s = s.AddPairs(s)
	s = s.AddPairs(s)
	return s.GetElem(0)
}

// The Q8_0 and Q4_0 kernels keep one accumulator per activation row and add
// blocks in order, so that the four-row kernels used for prefill give each
// row exactly what the one-row kernel gives. Both take signed weights
// (Q4_0's nibbles minus 8) through dotSigned32's sign trick; in the
// four-row kernels |w| is computed once per block for all four rows.

// f32x8 broadcasts the float32 at p+off.
func f32x8(p unsafe.Pointer, off int) archsimd.Float32x8 {
	return archsimd.BroadcastFloat32x8(*(*float32)(unsafe.Add(p, off)))
}

func dotQ8_0AVX2(w []byte, qs []int8, d []float32) float32 {
	n := len(d)
	if n == 0 {
		return 0
	}
	_, _ = w[q8_0Bytes*n-1], qs[32*n-1]
	wp, xp, dp := unsafe.Pointer(&w[0]), unsafe.Pointer(&qs[0]), unsafe.Pointer(&d[0])
	one := archsimd.BroadcastInt16x16(1)
	var acc archsimd.Float32x8
	for b := range n {
		off := q8_0Bytes * b
		p := dotSigned32(i8x32(wp, off+2), i8x32(xp, 32*b), one)
		dw := archsimd.BroadcastFloat32x8(f16p(wp, off))
		acc = p.ConvertToFloat32().MulAdd(dw.Mul(f32x8(dp, 4*b)), acc)
	}
	return hsum8(acc)
}

func dotQ8_0x4AVX2(w []byte, qs []int8, d []float32, stride int, out *[4]float32) {
	n := stride / 32
	if n == 0 {
		*out = [4]float32{}
		return
	}
	_, _, _ = w[q8_0Bytes*n-1], qs[4*stride-1], d[4*n-1]
	wp, xp, dp := unsafe.Pointer(&w[0]), unsafe.Pointer(&qs[0]), unsafe.Pointer(&d[0])
	one := archsimd.BroadcastInt16x16(1)
	var a0, a1, a2, a3 archsimd.Float32x8
	for b := range n {
		off, xo, do := q8_0Bytes*b, 32*b, 4*b
		wq := i8x32(wp, off+2)
		wabs := wq.Abs().AsUint8x32()
		dw := archsimd.BroadcastFloat32x8(f16p(wp, off))
		p0 := wabs.DotProductPairsSaturated(i8x32(xp, xo).CopySign(wq)).DotProductPairs(one)
		p1 := wabs.DotProductPairsSaturated(i8x32(xp, xo+stride).CopySign(wq)).DotProductPairs(one)
		p2 := wabs.DotProductPairsSaturated(i8x32(xp, xo+2*stride).CopySign(wq)).DotProductPairs(one)
		p3 := wabs.DotProductPairsSaturated(i8x32(xp, xo+3*stride).CopySign(wq)).DotProductPairs(one)
		a0 = p0.ConvertToFloat32().MulAdd(dw.Mul(f32x8(dp, do)), a0)
		a1 = p1.ConvertToFloat32().MulAdd(dw.Mul(f32x8(dp, do+4*n)), a1)
		a2 = p2.ConvertToFloat32().MulAdd(dw.Mul(f32x8(dp, do+8*n)), a2)
		a3 = p3.ConvertToFloat32().MulAdd(dw.Mul(f32x8(dp, do+12*n)), a3)
	}
	out[0], out[1], out[2], out[3] = hsum8(a0), hsum8(a1), hsum8(a2), hsum8(a3)
}

// nibbles32 expands the 16 bytes of packed 4-bit values at p+off into 32
// bytes: the low nibbles first, then the high ones (the Q4_0 order).
func nibbles32(p unsafe.Pointer, off int, mask archsimd.Uint8x16) archsimd.Uint8x32 {
	raw := archsimd.LoadUint8x16((*[16]uint8)(unsafe.Add(p, off)))
	lo := raw.And(mask)
	hi := raw.AsUint16x8().ShiftAllRight(4).AsUint8x16().And(mask)
	return archsimd.Uint8x32{}.SetLo(lo).SetHi(hi)
}

func dotQ4_0AVX2(w []byte, qs []int8, d []float32) float32 {
	n := len(d)
	if n == 0 {
		return 0
	}
	_, _ = w[q4_0Bytes*n-1], qs[32*n-1]
	wp, xp, dp := unsafe.Pointer(&w[0]), unsafe.Pointer(&qs[0]), unsafe.Pointer(&d[0])
	one := archsimd.BroadcastInt16x16(1)
	mask := archsimd.BroadcastUint8x16(0xf)
	eight := archsimd.BroadcastInt8x32(8)
	var acc archsimd.Float32x8
	for b := range n {
		off := q4_0Bytes * b
		wq := nibbles32(wp, off+2, mask).AsInt8x32().Sub(eight)
		p := dotSigned32(wq, i8x32(xp, 32*b), one)
		dw := archsimd.BroadcastFloat32x8(f16p(wp, off))
		acc = p.ConvertToFloat32().MulAdd(dw.Mul(f32x8(dp, 4*b)), acc)
	}
	return hsum8(acc)
}

func dotQ4_0x4AVX2(w []byte, qs []int8, d []float32, stride int, out *[4]float32) {
	n := stride / 32
	if n == 0 {
		*out = [4]float32{}
		return
	}
	_, _, _ = w[q4_0Bytes*n-1], qs[4*stride-1], d[4*n-1]
	wp, xp, dp := unsafe.Pointer(&w[0]), unsafe.Pointer(&qs[0]), unsafe.Pointer(&d[0])
	one := archsimd.BroadcastInt16x16(1)
	mask := archsimd.BroadcastUint8x16(0xf)
	eight := archsimd.BroadcastInt8x32(8)
	var a0, a1, a2, a3 archsimd.Float32x8
	for b := range n {
		off, xo, do := q4_0Bytes*b, 32*b, 4*b
		wq := nibbles32(wp, off+2, mask).AsInt8x32().Sub(eight)
		wabs := wq.Abs().AsUint8x32()
		dw := archsimd.BroadcastFloat32x8(f16p(wp, off))
		p0 := wabs.DotProductPairsSaturated(i8x32(xp, xo).CopySign(wq)).DotProductPairs(one)
		p1 := wabs.DotProductPairsSaturated(i8x32(xp, xo+stride).CopySign(wq)).DotProductPairs(one)
		p2 := wabs.DotProductPairsSaturated(i8x32(xp, xo+2*stride).CopySign(wq)).DotProductPairs(one)
		p3 := wabs.DotProductPairsSaturated(i8x32(xp, xo+3*stride).CopySign(wq)).DotProductPairs(one)
		a0 = p0.ConvertToFloat32().MulAdd(dw.Mul(f32x8(dp, do)), a0)
		a1 = p1.ConvertToFloat32().MulAdd(dw.Mul(f32x8(dp, do+4*n)), a1)
		a2 = p2.ConvertToFloat32().MulAdd(dw.Mul(f32x8(dp, do+8*n)), a2)
		a3 = p3.ConvertToFloat32().MulAdd(dw.Mul(f32x8(dp, do+12*n)), a3)
	}
	out[0], out[1], out[2], out[3] = hsum8(a0), hsum8(a1), hsum8(a2), hsum8(a3)
}

// Q5_0 adds each element's fifth bit, from a 32-bit mask, to its nibble
// and removes the offset of 16 through the block sums, as Q4_0 does.

// q5Spread and q5Bits turn the 32-bit mask into one byte per element:
// every byte of the mask is copied to the eight lanes it covers, and lane j
// keeps bit j%8.
var (
	q5Spread = [32]int8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3}
	q5Bits   = [32]uint8{1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128}
)

func dotQ5_0AVX2(w []byte, qs []int8, d []float32, sums []int16) float32 {
	n := len(d)
	if n == 0 {
		return 0
	}
	_, _ = w[q5_0Bytes*n-1], qs[32*n-1]
	sums = sums[:n]
	wp, xp := unsafe.Pointer(&w[0]), unsafe.Pointer(&qs[0])
	one := archsimd.BroadcastInt16x16(1)
	mask := archsimd.BroadcastUint8x16(0xf)
	spread := archsimd.LoadInt8x32(&q5Spread)
	bits := archsimd.LoadUint8x32(&q5Bits)
	fifth := archsimd.BroadcastUint8x32(0x10)
	var acc archsimd.Float32x8
	var offset float32
	for b, dx := range d {
		off := q5_0Bytes * b
		h4 := (*[4]byte)(unsafe.Add(wp, off+2))
		qh := uint32(h4[0]) | uint32(h4[1])<<8 | uint32(h4[2])<<16 | uint32(h4[3])<<24
		h := archsimd.BroadcastUint32x8(qh).AsUint8x32().PermuteOrZeroGrouped(spread).And(bits)
		q := nibbles32(wp, off+6, mask).Or(fifth.Masked(h.Equal(bits)))
		p := dotUnsigned32(q, i8x32(xp, 32*b), one)
		s := f16p(wp, off) * dx
		acc = p.ConvertToFloat32().MulAdd(archsimd.BroadcastFloat32x8(s), acc)
		offset += s * float32(sums[b])
	}
	return hsum8(acc) - 16*offset
}

// minTermK4 is Σ m_j·(sum of sub-block j's activations) of a Q4_K or Q5_K
// super-block.
func minTermK4(m *[8]int32, bs []int16) int32 {
	bs = bs[:16]
	var s int32
	for j := range 8 {
		s += m[j] * (int32(bs[2*j]) + int32(bs[2*j+1]))
	}
	return s
}

func dotQ4_KAVX2(w []byte, qs []int8, d []float32, sums []int16) float32 {
	n := len(d)
	if n == 0 {
		return 0
	}
	_, _, _ = w[q4_KBytes*n-1], qs[256*n-1], sums[16*n-1]
	wp, xp := unsafe.Pointer(&w[0]), unsafe.Pointer(&qs[0])
	mask := archsimd.BroadcastUint8x32(0xf)
	var acc archsimd.Float32x8
	var mins float32
	var sc, m [8]int32
	for b, dx := range d {
		off, xo := q4_KBytes*b, 256*b
		scalesK4(w[off+4:off+16], &sc, &m)
		var sumi archsimd.Int32x8
		for j := range 4 {
			raw := u8x32(wp, off+16+32*j)
			lo := raw.And(mask)
			hi := raw.AsUint16x16().ShiftAllRight(4).AsUint8x32().And(mask)
			plo := lo.DotProductPairsSaturated(i8x32(xp, xo+64*j))
			phi := hi.DotProductPairsSaturated(i8x32(xp, xo+64*j+32))
			sumi = sumi.Add(plo.DotProductPairs(archsimd.BroadcastInt16x16(int16(sc[2*j]))))
			sumi = sumi.Add(phi.DotProductPairs(archsimd.BroadcastInt16x16(int16(sc[2*j+1]))))
		}
		acc = sumi.ConvertToFloat32().MulAdd(archsimd.BroadcastFloat32x8(f16p(wp, off)*dx), acc)
		mins += f16p(wp, off+2) * dx * float32(minTermK4(&m, sums[16*b:]))
	}
	return hsum8(acc) - mins
}

// dotQ4_Kx4AVX2 is dotQ4_KAVX2 for four activation rows stride elements
// apart (stride/256 super-blocks apart in d, stride/16 in sums), unpacking
// each weight super-block once; the float operations per row are the
// one-row kernel's, in its order.
func dotQ4_Kx4AVX2(w []byte, qs []int8, d []float32, sums []int16, stride int, out *[4]float32) {
	n := stride / 256
	if n == 0 {
		*out = [4]float32{}
		return
	}
	ns := stride / 16
	_, _, _, _ = w[q4_KBytes*n-1], qs[4*stride-1], d[4*n-1], sums[4*ns-1]
	wp, xp := unsafe.Pointer(&w[0]), unsafe.Pointer(&qs[0])
	mask := archsimd.BroadcastUint8x32(0xf)
	var a0, a1, a2, a3 archsimd.Float32x8
	var m0, m1, m2, m3 float32
	var sc, m [8]int32
	for b := range n {
		off, xo := q4_KBytes*b, 256*b
		scalesK4(w[off+4:off+16], &sc, &m)
		var s0, s1, s2, s3 archsimd.Int32x8
		for j := range 4 {
			raw := u8x32(wp, off+16+32*j)
			lo := raw.And(mask)
			hi := raw.AsUint16x16().ShiftAllRight(4).AsUint8x32().And(mask)
			sl := archsimd.BroadcastInt16x16(int16(sc[2*j]))
			sh := archsimd.BroadcastInt16x16(int16(sc[2*j+1]))
			xl, xh := xo+64*j, xo+64*j+32
			s0 = s0.Add(lo.DotProductPairsSaturated(i8x32(xp, xl)).DotProductPairs(sl)).Add(hi.DotProductPairsSaturated(i8x32(xp, xh)).DotProductPairs(sh))
			s1 = s1.Add(lo.DotProductPairsSaturated(i8x32(xp, xl+stride)).DotProductPairs(sl)).Add(hi.DotProductPairsSaturated(i8x32(xp, xh+stride)).DotProductPairs(sh))
			s2 = s2.Add(lo.DotProductPairsSaturated(i8x32(xp, xl+2*stride)).DotProductPairs(sl)).Add(hi.DotProductPairsSaturated(i8x32(xp, xh+2*stride)).DotProductPairs(sh))
			s3 = s3.Add(lo.DotProductPairsSaturated(i8x32(xp, xl+3*stride)).DotProductPairs(sl)).Add(hi.DotProductPairsSaturated(i8x32(xp, xh+3*stride)).DotProductPairs(sh))
		}
		dw, dmin := f16p(wp, off), f16p(wp, off+2)
		d0, d1, d2, d3 := d[b], d[n+b], d[2*n+b], d[3*n+b]
		a0 = s0.ConvertToFloat32().MulAdd(archsimd.BroadcastFloat32x8(dw*d0), a0)
		a1 = s1.ConvertToFloat32().MulAdd(archsimd.BroadcastFloat32x8(dw*d1), a1)
		a2 = s2.ConvertToFloat32().MulAdd(archsimd.BroadcastFloat32x8(dw*d2), a2)
		a3 = s3.ConvertToFloat32().MulAdd(archsimd.BroadcastFloat32x8(dw*d3), a3)
		m0 += dmin * d0 * float32(minTermK4(&m, sums[16*b:]))
		m1 += dmin * d1 * float32(minTermK4(&m, sums[ns+16*b:]))
		m2 += dmin * d2 * float32(minTermK4(&m, sums[2*ns+16*b:]))
		m3 += dmin * d3 * float32(minTermK4(&m, sums[3*ns+16*b:]))
	}
	out[0], out[1], out[2], out[3] = hsum8(a0)-m0, hsum8(a1)-m1, hsum8(a2)-m2, hsum8(a3)-m3
}

func dotQ5_KAVX2(w []byte, qs []int8, d []float32, sums []int16) float32 {
	n := len(d)
	if n == 0 {
		return 0
	}
	_, _, _ = w[q5_KBytes*n-1], qs[256*n-1], sums[16*n-1]
	wp, xp := unsafe.Pointer(&w[0]), unsafe.Pointer(&qs[0])
	mask := archsimd.BroadcastUint8x32(0xf)
	one := archsimd.BroadcastUint8x32(1)
	var acc archsimd.Float32x8
	var mins float32
	var sc, m [8]int32
	for b, dx := range d {
		off, xo := q5_KBytes*b, 256*b
		scalesK4(w[off+4:off+16], &sc, &m)
		qh := u8x32(wp, off+16)
		var sumi archsimd.Int32x8
		for j := range 4 {
			raw := u8x32(wp, off+48+32*j)
			// The fifth bits of sub-blocks 2j and 2j+1, moved to bit 4; the
			// 16-bit shifts cannot carry between bytes once masked to one bit.
			h := qh.AsUint16x16().ShiftAllRight(uint64(2 * j)).AsUint8x32()
			hlo := h.And(one).AsUint16x16().ShiftAllLeft(4).AsUint8x32()
			hhi := h.AsUint16x16().ShiftAllRight(1).AsUint8x32().And(one).AsUint16x16().ShiftAllLeft(4).AsUint8x32()
			lo := raw.And(mask).Or(hlo)
			hi := raw.AsUint16x16().ShiftAllRight(4).AsUint8x32().And(mask).Or(hhi)
			plo := lo.DotProductPairsSaturated(i8x32(xp, xo+64*j))
			phi := hi.DotProductPairsSaturated(i8x32(xp, xo+64*j+32))
			sumi = sumi.Add(plo.DotProductPairs(archsimd.BroadcastInt16x16(int16(sc[2*j]))))
			sumi = sumi.Add(phi.DotProductPairs(archsimd.BroadcastInt16x16(int16(sc[2*j+1]))))
		}
		acc = sumi.ConvertToFloat32().MulAdd(archsimd.BroadcastFloat32x8(f16p(wp, off)*dx), acc)
		mins += f16p(wp, off+2) * dx * float32(minTermK4(&m, sums[16*b:]))
	}
	return hsum8(acc) - mins
}

func dotQ6_KAVX2(w []byte, qs []int8, d []float32, sums []int16) float32 {
	n := len(d)
	if n == 0 {
		return 0
	}
	_, _, _ = w[q6_KBytes*n-1], qs[256*n-1], sums[16*n-1]
	wp, xp := unsafe.Pointer(&w[0]), unsafe.Pointer(&qs[0])
	mask := archsimd.BroadcastUint8x32(0xf)
	three := archsimd.BroadcastUint8x32(3)
	var acc archsimd.Float32x8
	var offsets float32
	for b, dx := range d {
		off, xo := q6_KBytes*b, 256*b
		scales := (*[16]int8)(unsafe.Add(wp, off+192))
		var sumi archsimd.Int32x8
		for half := range 2 {
			l0 := u8x32(wp, off+64*half)
			l1 := u8x32(wp, off+64*half+32)
			qh := u8x32(wp, off+128+32*half)
			for g := range 4 {
				lo := l0
				if g&1 == 1 {
					lo = l1
				}
				if g >= 2 {
					lo = lo.AsUint16x16().ShiftAllRight(4).AsUint8x32()
				}
				hi := qh.AsUint16x16().ShiftAllRight(uint64(2 * g)).AsUint8x32().And(three)
				q := lo.And(mask).Or(hi.AsUint16x16().ShiftAllLeft(4).AsUint8x32())
				p := q.DotProductPairsSaturated(i8x32(xp, xo+128*half+32*g))
				group := 8*half + 2*g
				s16 := archsimd.Int16x16{}.SetLo(archsimd.BroadcastInt16x8(int16(scales[group]))).
					SetHi(archsimd.BroadcastInt16x8(int16(scales[group+1])))
				sumi = sumi.Add(p.DotProductPairs(s16))
			}
		}
		bs := sums[16*b : 16*b+16]
		var corr int32
		for g, s := range scales {
			corr += int32(s) * int32(bs[g])
		}
		scale := f16p(wp, off+208) * dx
		acc = sumi.ConvertToFloat32().MulAdd(archsimd.BroadcastFloat32x8(scale), acc)
		offsets += scale * float32(32*corr)
	}
	return hsum8(acc) - offsets
}
