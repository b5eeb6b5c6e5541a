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

func bytesAt32(b []byte) *[32]uint8 { return (*[32]uint8)(b[:32]) }
func bytesAt16(b []byte) *[16]uint8 { return (*[16]uint8)(b[:16]) }
func int8sAt32(q []int8) *[32]int8  { return (*[32]int8)(q[:32]) }

// int8At32 views 32 bytes of weights as signed.
func int8At32(b []byte) *[32]int8 { return (*[32]int8)(unsafe.Pointer(&b[:32][0])) }

// dotSigned32 sums a·b over pairs of signed bytes into eight int32 lanes.
// VPMADDUBSW wants one unsigned operand, so it multiplies |a| by b carrying
// a's sign; no pair sum can saturate because b is never -128 in Q8_0.
func dotSigned32(a, b archsimd.Int8x32) archsimd.Int32x8 {
	p := a.Abs().AsUint8x32().DotProductPairsSaturated(b.CopySign(a))
	return p.DotProductPairs(archsimd.BroadcastInt16x16(1))
}

// dotUnsigned32 sums a·b for unsigned a < 64 and signed b into int32 lanes;
// pair sums stay below 2·63·128 and cannot saturate.
func dotUnsigned32(a archsimd.Uint8x32, b archsimd.Int8x32) archsimd.Int32x8 {
	return a.DotProductPairsSaturated(b).DotProductPairs(archsimd.BroadcastInt16x16(1))
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

func dotQ8_0AVX2(w []byte, qs []int8, d []float32) float32 {
	var acc0, acc1 archsimd.Float32x8
	b := 0
	for ; b+2 <= len(d); b += 2 {
		blk := w[q8_0Bytes*b : q8_0Bytes*b+2*q8_0Bytes]
		p0 := dotSigned32(archsimd.LoadInt8x32(int8At32(blk[2:])), archsimd.LoadInt8x32(int8sAt32(qs[32*b:])))
		p1 := dotSigned32(archsimd.LoadInt8x32(int8At32(blk[q8_0Bytes+2:])), archsimd.LoadInt8x32(int8sAt32(qs[32*b+32:])))
		acc0 = p0.ConvertToFloat32().MulAdd(archsimd.BroadcastFloat32x8(f16(blk)*d[b]), acc0)
		acc1 = p1.ConvertToFloat32().MulAdd(archsimd.BroadcastFloat32x8(f16(blk[q8_0Bytes:])*d[b+1]), acc1)
	}
	if b < len(d) {
		blk := w[q8_0Bytes*b : q8_0Bytes*b+q8_0Bytes]
		p := dotSigned32(archsimd.LoadInt8x32(int8At32(blk[2:])), archsimd.LoadInt8x32(int8sAt32(qs[32*b:])))
		acc0 = p.ConvertToFloat32().MulAdd(archsimd.BroadcastFloat32x8(f16(blk)*d[b]), acc0)
	}
	return hsum8(acc0.Add(acc1))
}

// nibbles32 expands 16 bytes of packed 4-bit values into 32 bytes: the low
// nibbles first, then the high ones (the Q4_0 element order).
func nibbles32(b []byte) archsimd.Uint8x32 {
	raw := archsimd.LoadUint8x16(bytesAt16(b))
	m := archsimd.BroadcastUint8x16(0xf)
	lo := raw.And(m)
	hi := raw.AsUint16x8().ShiftAllRight(4).AsUint8x16().And(m)
	return archsimd.Uint8x32{}.SetLo(lo).SetHi(hi)
}

func dotQ4_0AVX2(w []byte, qs []int8, d []float32) float32 {
	var acc0, acc1 archsimd.Float32x8
	eight := archsimd.BroadcastInt8x32(8)
	b := 0
	for ; b+2 <= len(d); b += 2 {
		blk := w[q4_0Bytes*b : q4_0Bytes*b+2*q4_0Bytes]
		q0 := nibbles32(blk[2:]).AsInt8x32().Sub(eight)
		q1 := nibbles32(blk[q4_0Bytes+2:]).AsInt8x32().Sub(eight)
		p0 := dotSigned32(q0, archsimd.LoadInt8x32(int8sAt32(qs[32*b:])))
		p1 := dotSigned32(q1, archsimd.LoadInt8x32(int8sAt32(qs[32*b+32:])))
		acc0 = p0.ConvertToFloat32().MulAdd(archsimd.BroadcastFloat32x8(f16(blk)*d[b]), acc0)
		acc1 = p1.ConvertToFloat32().MulAdd(archsimd.BroadcastFloat32x8(f16(blk[q4_0Bytes:])*d[b+1]), acc1)
	}
	if b < len(d) {
		blk := w[q4_0Bytes*b : q4_0Bytes*b+q4_0Bytes]
		q := nibbles32(blk[2:]).AsInt8x32().Sub(eight)
		p := dotSigned32(q, archsimd.LoadInt8x32(int8sAt32(qs[32*b:])))
		acc0 = p.ConvertToFloat32().MulAdd(archsimd.BroadcastFloat32x8(f16(blk)*d[b]), acc0)
	}
	return hsum8(acc0.Add(acc1))
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
	var acc archsimd.Float32x8
	var mins float32
	var sc, m [8]int32
	mask := archsimd.BroadcastUint8x32(0xf)
	for b, dx := range d {
		blk := w[q4_KBytes*b : q4_KBytes*b+q4_KBytes]
		scalesK4(blk[4:16], &sc, &m)
		x := qs[256*b : 256*b+256]
		var sumi archsimd.Int32x8
		for j := range 4 {
			raw := archsimd.LoadUint8x32(bytesAt32(blk[16+32*j:]))
			lo := raw.And(mask)
			hi := raw.AsUint16x16().ShiftAllRight(4).AsUint8x32().And(mask)
			plo := lo.DotProductPairsSaturated(archsimd.LoadInt8x32(int8sAt32(x[64*j:])))
			phi := hi.DotProductPairsSaturated(archsimd.LoadInt8x32(int8sAt32(x[64*j+32:])))
			sumi = sumi.Add(plo.DotProductPairs(archsimd.BroadcastInt16x16(int16(sc[2*j]))))
			sumi = sumi.Add(phi.DotProductPairs(archsimd.BroadcastInt16x16(int16(sc[2*j+1]))))
		}
		acc = sumi.ConvertToFloat32().MulAdd(archsimd.BroadcastFloat32x8(f16(blk)*dx), acc)
		mins += f16(blk[2:]) * dx * float32(minTermK4(&m, sums[16*b:]))
	}
	return hsum8(acc) - mins
}

func dotQ5_KAVX2(w []byte, qs []int8, d []float32, sums []int16) float32 {
	var acc archsimd.Float32x8
	var mins float32
	var sc, m [8]int32
	mask := archsimd.BroadcastUint8x32(0xf)
	one := archsimd.BroadcastUint8x32(1)
	for b, dx := range d {
		blk := w[q5_KBytes*b : q5_KBytes*b+q5_KBytes]
		scalesK4(blk[4:16], &sc, &m)
		qh := archsimd.LoadUint8x32(bytesAt32(blk[16:]))
		x := qs[256*b : 256*b+256]
		var sumi archsimd.Int32x8
		for j := range 4 {
			raw := archsimd.LoadUint8x32(bytesAt32(blk[48+32*j:]))
			// The fifth bits of sub-blocks 2j and 2j+1, moved to bit 4; the
			// 16-bit shifts cannot carry between bytes once masked to one bit.
			h := qh.AsUint16x16().ShiftAllRight(uint64(2 * j)).AsUint8x32()
			hlo := h.And(one).AsUint16x16().ShiftAllLeft(4).AsUint8x32()
			hhi := h.AsUint16x16().ShiftAllRight(1).AsUint8x32().And(one).AsUint16x16().ShiftAllLeft(4).AsUint8x32()
			lo := raw.And(mask).Or(hlo)
			hi := raw.AsUint16x16().ShiftAllRight(4).AsUint8x32().And(mask).Or(hhi)
			plo := lo.DotProductPairsSaturated(archsimd.LoadInt8x32(int8sAt32(x[64*j:])))
			phi := hi.DotProductPairsSaturated(archsimd.LoadInt8x32(int8sAt32(x[64*j+32:])))
			sumi = sumi.Add(plo.DotProductPairs(archsimd.BroadcastInt16x16(int16(sc[2*j]))))
			sumi = sumi.Add(phi.DotProductPairs(archsimd.BroadcastInt16x16(int16(sc[2*j+1]))))
		}
		acc = sumi.ConvertToFloat32().MulAdd(archsimd.BroadcastFloat32x8(f16(blk)*dx), acc)
		mins += f16(blk[2:]) * dx * float32(minTermK4(&m, sums[16*b:]))
	}
	return hsum8(acc) - mins
}

func dotQ6_KAVX2(w []byte, qs []int8, d []float32, sums []int16) float32 {
	var acc archsimd.Float32x8
	var offsets float32
	mask := archsimd.BroadcastUint8x32(0xf)
	three := archsimd.BroadcastUint8x32(3)
	for b, dx := range d {
		blk := w[q6_KBytes*b : q6_KBytes*b+q6_KBytes]
		scales := blk[192:208]
		x := qs[256*b : 256*b+256]
		var sumi archsimd.Int32x8
		for half := range 2 {
			l0 := archsimd.LoadUint8x32(bytesAt32(blk[64*half:]))
			l1 := archsimd.LoadUint8x32(bytesAt32(blk[64*half+32:]))
			qh := archsimd.LoadUint8x32(bytesAt32(blk[128+32*half:]))
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
				p := q.DotProductPairsSaturated(archsimd.LoadInt8x32(int8sAt32(x[128*half+32*g:])))
				group := 8*half + 2*g
				s := archsimd.BroadcastInt16x8(int16(int8(scales[group])))
				s16 := archsimd.Int16x16{}.SetLo(s).SetHi(archsimd.BroadcastInt16x8(int16(int8(scales[group+1]))))
				sumi = sumi.Add(p.DotProductPairs(s16))
			}
		}
		bs := sums[16*b : 16*b+16]
		var off int32
		for g := range 16 {
			off += int32(int8(scales[g])) * int32(bs[g])
		}
		scale := f16(blk[208:]) * dx
		acc = sumi.ConvertToFloat32().MulAdd(archsimd.BroadcastFloat32x8(scale), acc)
		offsets += scale * float32(32*off)
	}
	return hsum8(acc) - offsets
}
