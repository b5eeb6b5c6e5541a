package tensor

// K-quant super-blocks hold QK_K = 256 elements. The layouts below are
// ggml's block_q*_K structs; the element index formulas replace ggml's
// pointer-walking loops and produce the same order.

// Q2_K: scales[16] (low nibble scale, high nibble min, one per 16 elements),
// qs[64] (2-bit values), d f16, dmin f16. Within each half of 128 elements,
// element 32·j+l sits in bits 2j of qs[l] (l < 32); value = d·sc·q − dmin·m.
func decodeQ2_K(b []byte, dst []float32) {
	b, dst = b[:84], dst[:QK_K]
	scales, qs := b[0:16], b[16:80]
	d, dmin := f16At(b[80:]), f16At(b[82:])
	for i := range dst {
		half, j, l := i/128, i%128/32, i%32
		sc := scales[8*half+2*j+l/16]
		dl := d * float32(sc&0xf)
		ml := dmin * float32(sc>>4)
		q := qs[32*half+l] >> (2 * j) & 3
		dst[i] = float32(dl*float32(q)) - ml
	}
}

// q3Scale unpacks the j-th of Q3_K's sixteen 6-bit signed scales: the low
// four bits are nibbles of bytes 0..7, the high two bits are packed four to a
// byte in bytes 8..11; the stored value is biased by 32.
func q3Scale(scales []byte, j int) int32 {
	scales = scales[:12]
	var low byte
	if j < 8 {
		low = scales[j] & 0xf
	} else {
		low = scales[j-8] >> 4
	}
	high := scales[8+j%4] >> (2 * (j / 4)) & 3
	return int32(low|high<<4) - 32
}

// Q3_K: hmask[32] (third bits), qs[64] (low two bits, laid out as Q2_K),
// scales[12] (sixteen 6-bit scales), d f16. Element 32·j+l of half h has its
// third bit in bit 4h+j of hmask[l]; a clear bit subtracts 4, so values are
// d·sc·(q − 4·!bit) with q in 0..3.
func decodeQ3_K(b []byte, dst []float32) {
	b, dst = b[:110], dst[:QK_K]
	hmask, qs, scales := b[0:32], b[32:96], b[96:108]
	d := f16At(b[108:])
	for i := range dst {
		half, j, l := i/128, i%128/32, i%32
		dl := d * float32(q3Scale(scales, 8*half+2*j+l/16))
		q := int32(qs[32*half+l] >> (2 * j) & 3)
		if hmask[l]>>(4*half+j)&1 == 0 {
			q -= 4
		}
		dst[i] = dl * float32(q)
	}
}

// scaleMinK4 unpacks the j-th (of eight) 6-bit scale and min of Q4_K and
// Q5_K from their 12 bytes: for j < 4 they are the low six bits of bytes j
// and j+4; for j ≥ 4 their low nibbles share byte j+4 and their top two bits
// are the top bits of bytes j−4 (scale) and j (min).
func scaleMinK4(scales []byte, j int) (sc, m uint8) {
	scales = scales[:12]
	if j < 4 {
		return scales[j] & 63, scales[j+4] & 63
	}
	sc = scales[j+4]&0xf | scales[j-4]>>6<<4
	m = scales[j+4]>>4 | scales[j]>>6<<4
	return sc, m
}

// Q4_K: d f16, dmin f16, scales[12], qs[128]. Each 64 elements share 32
// bytes: the first 32 in the low nibbles, the next 32 in the high ones; each
// 32 has its own scale and min. Values are d·sc·q − dmin·m.
func decodeQ4_K(b []byte, dst []float32) {
	b, dst = b[:144], dst[:QK_K]
	d, dmin := f16At(b), f16At(b[2:])
	scales, qs := b[4:16], b[16:144]
	for sub := range QK_K / 32 {
		sc, m := scaleMinK4(scales, sub)
		d1, m1 := d*float32(sc), dmin*float32(m)
		q := qs[32*(sub/2):][:32]
		out := dst[32*sub:][:32]
		shift := 4 * uint(sub%2)
		for l := range out {
			out[l] = float32(d1*float32(q[l]>>shift&0xf)) - m1
		}
	}
}

// Q5_K: as Q4_K with qh[32] between scales and qs: the fifth bit of element
// l of sub-block s is bit s of qh[l].
func decodeQ5_K(b []byte, dst []float32) {
	b, dst = b[:176], dst[:QK_K]
	d, dmin := f16At(b), f16At(b[2:])
	scales, qh, qs := b[4:16], b[16:48], b[48:176]
	for sub := range QK_K / 32 {
		sc, m := scaleMinK4(scales, sub)
		d1, m1 := d*float32(sc), dmin*float32(m)
		q := qs[32*(sub/2):][:32]
		out := dst[32*sub:][:32]
		shift := 4 * uint(sub%2)
		for l := range out {
			v := q[l]>>shift&0xf | (qh[l]>>sub&1)<<4
			out[l] = float32(d1*float32(v)) - m1
		}
	}
}

// Q6_K: ql[128] (low four bits), qh[64] (high two bits), scales[16] int8
// (one per 16 elements), d f16. In half h, group g (of four 32-element
// groups) takes its low bits from ql[64h+32(g&1)+l], low nibble for g < 2 and
// high nibble otherwise, and its high bits from bits 2g of qh[32h+l]. Values
// are d·sc·(q − 32).
func decodeQ6_K(b []byte, dst []float32) {
	b, dst = b[:210], dst[:QK_K]
	ql, qh, scales := b[0:128], b[128:192], b[192:208]
	d := f16At(b[208:])
	for i := range dst {
		half, g, l := i/128, i%128/32, i%32
		lo := ql[64*half+32*(g&1)+l] >> (4 * (g / 2)) & 0xf
		hi := qh[32*half+l] >> (2 * g) & 3
		q := int32(lo|hi<<4) - 32
		sc := int8(scales[8*half+2*g+l/16])
		dst[i] = float32(d*float32(sc)) * float32(q)
	}
}
