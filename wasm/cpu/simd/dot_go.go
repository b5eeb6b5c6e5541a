package simd

// Portable quantized dot products. Each block's integer sum is exact; the
// float32 combination follows llama.cpp's reference vec_dot functions, one
// block (or super-block) at a time in block order.

// Block sizes in bytes of the weight types with integer kernels.
const (
	q8_0Bytes = 34
	q4_0Bytes = 18
	q5_0Bytes = 22
	q4_KBytes = 144
	q5_KBytes = 176
	q6_KBytes = 210
)

func dotQ8_0Go(w []byte, qs []int8, d []float32) float32 {
	var sum float32
	for b, dx := range d {
		blk := w[q8_0Bytes*b : q8_0Bytes*b+q8_0Bytes]
		sum += float32(sumQ8_0(blk, qs[32*b:32*b+32])) * (f16(blk) * dx)
	}
	return sum
}

// sumQ8_0 is the exact integer dot product of a Q8_0 block with 32
// activations.
func sumQ8_0(blk []byte, x []int8) int32 {
	var s int32
	for j, q := range blk[2:34] {
		s += int32(int8(q)) * int32(x[j])
	}
	return s
}

func dotQ4_0Go(w []byte, qs []int8, d []float32) float32 {
	var sum float32
	for b, dx := range d {
		blk := w[q4_0Bytes*b : q4_0Bytes*b+q4_0Bytes]
		sum += float32(sumQ4_0(blk, qs[32*b:32*b+32])) * (f16(blk) * dx)
	}
	return sum
}

// sumQ4_0 is sumQ8_0 for a Q4_0 block.
func sumQ4_0(blk []byte, x []int8) int32 {
	var s int32
	for j, q := range blk[2:18] {
		s += (int32(q&0xf)-8)*int32(x[j]) + (int32(q>>4)-8)*int32(x[j+16])
	}
	return s
}

func dotQ5_0Go(w []byte, qs []int8, d []float32, _ []int16) float32 {
	var sum float32
	for b, dx := range d {
		blk := w[q5_0Bytes*b : q5_0Bytes*b+q5_0Bytes]
		x := qs[32*b : 32*b+32]
		qh := uint32(blk[2]) | uint32(blk[3])<<8 | uint32(blk[4])<<16 | uint32(blk[5])<<24
		var s int32
		for j, q := range blk[6:22] {
			lo := int32(q&0xf) | int32(qh>>j&1)<<4
			hi := int32(q>>4) | int32(qh>>(j+16)&1)<<4
			s += (lo-16)*int32(x[j]) + (hi-16)*int32(x[j+16])
		}
		sum += float32(s) * (f16(blk) * dx)
	}
	return sum
}

// scalesK4 unpacks the eight 6-bit scales and mins of a Q4_K or Q5_K
// super-block (see tensor's decodeQ4_K for the layout).
func scalesK4(b []byte, sc, m *[8]int32) {
	b = b[:12]
	for j := range 4 {
		sc[j] = int32(b[j] & 63)
		m[j] = int32(b[j+4] & 63)
		sc[j+4] = int32(b[j+8]&0xf | b[j]>>6<<4)
		m[j+4] = int32(b[j+8]>>4 | b[j+4]>>6<<4)
	}
}

func dotQ4_KGo(w []byte, qs []int8, d []float32, sums []int16) float32 {
	var sum float32
	var sc, m [8]int32
	for b, dx := range d {
		blk := w[q4_KBytes*b : q4_KBytes*b+q4_KBytes]
		sumi, summ := sumsQ4_K(blk, qs[256*b:256*b+256], sums[16*b:16*b+16], &sc, &m)
		sum += f16(blk)*dx*float32(sumi) - f16(blk[2:])*dx*float32(summ)
	}
	return sum
}

// sumsQ4_K returns the exact integer parts of a Q4_K super-block's dot
// product with 256 activations (sums of 16 in bs): Σ sc_j·(sub-block j's
// dot product) and Σ m_j·(sub-block j's activation sum). sc and m are
// scratch.
func sumsQ4_K(blk []byte, x []int8, bs []int16, sc, m *[8]int32) (sumi, summ int32) {
	scalesK4(blk[4:16], sc, m)
	q := blk[16:144]
	for sub := range 8 {
		qq := q[32*(sub/2) : 32*(sub/2)+32]
		xs := x[32*sub : 32*sub+32]
		shift := 4 * uint(sub%2)
		var s int32
		for l, v := range qq {
			s += int32(v>>shift&0xf) * int32(xs[l])
		}
		sumi += sc[sub] * s
		summ += m[sub] * (int32(bs[2*sub]) + int32(bs[2*sub+1]))
	}
	return sumi, summ
}

func dotQ5_KGo(w []byte, qs []int8, d []float32, sums []int16) float32 {
	var sum float32
	var sc, m [8]int32
	for b, dx := range d {
		blk := w[q5_KBytes*b : q5_KBytes*b+q5_KBytes]
		scalesK4(blk[4:16], &sc, &m)
		qh := blk[16:48]
		q := blk[48:176]
		x := qs[256*b : 256*b+256]
		bs := sums[16*b : 16*b+16]
		var sumi, summ int32
		for sub := range 8 {
			qq := q[32*(sub/2) : 32*(sub/2)+32]
			xs := x[32*sub : 32*sub+32]
			shift := 4 * uint(sub%2)
			var s int32
			for l, v := range qq {
				s += int32(v>>shift&0xf|(qh[l]>>sub&1)<<4) * int32(xs[l])
			}
			sumi += sc[sub] * s
			summ += m[sub] * (int32(bs[2*sub]) + int32(bs[2*sub+1]))
		}
		sum += f16(blk)*dx*float32(sumi) - f16(blk[2:])*dx*float32(summ)
	}
	return sum
}

// dotQ6_KGo sums q·x with q in 0..63 and removes the offset of 32 through
// the activation sums: Σ(q−32)·x = Σq·x − 32·Σx.
func dotQ6_KGo(w []byte, qs []int8, d []float32, sums []int16) float32 {
	var sum float32
	for b, dx := range d {
		blk := w[q6_KBytes*b : q6_KBytes*b+q6_KBytes]
		sumi := sumQ6_K(blk, qs[256*b:256*b+256], sums[16*b:16*b+16])
		sum += f16(blk[208:]) * dx * float32(sumi)
	}
	return sum
}

// sumQ6_K is the exact integer part of a Q6_K super-block's dot product
// with 256 activations (sums of 16 in bs): Σ sc_s·(sub-block s's dot
// product with the quants less 32).
func sumQ6_K(blk []byte, x []int8, bs []int16) int32 {
	ql, qh, scales := blk[0:128], blk[128:192], blk[192:208]
	var sumi int32
	for half := range 2 {
		for g := range 4 {
			lo := ql[64*half+32*(g&1) : 64*half+32*(g&1)+32]
			hi := qh[32*half : 32*half+32]
			shift := 4 * uint(g/2)
			for part := range 2 {
				group := 8*half + 2*g + part
				var s int32
				for l := 16 * part; l < 16*part+16; l++ {
					q := int32(lo[l]>>shift&0xf | (hi[l]>>(2*g)&3)<<4)
					s += q * int32(x[128*half+32*g+l])
				}
				sumi += int32(int8(scales[group])) * (s - 32*int32(bs[group]))
			}
		}
	}
	return sumi
}

// The four-row kernels multiply one weight row by four activation rows
// that lie stride elements apart (and stride/32 blocks apart in d and sums),
// for prefill. Each result is bit for bit the one-row kernel's, so a batch
// gives the logits of feeding its tokens one at a time.

func dotQ8_0x4Go(w []byte, qs []int8, d []float32, stride int, out *[4]float32) {
	nb := stride / 32
	for k := range out {
		out[k] = dotQ8_0Go(w, qs[k*stride:k*stride+stride], d[k*nb:k*nb+nb])
	}
}

func dotQ4_0x4Go(w []byte, qs []int8, d []float32, stride int, out *[4]float32) {
	nb := stride / 32
	for k := range out {
		out[k] = dotQ4_0Go(w, qs[k*stride:k*stride+stride], d[k*nb:k*nb+nb])
	}
}

func dotQ4_Kx4Go(w []byte, qs []int8, d []float32, sums []int16, stride int, out *[4]float32) {
	nb, ns := stride/256, stride/16
	for k := range out {
		out[k] = dotQ4_KGo(w, qs[k*stride:k*stride+stride], d[k*nb:k*nb+nb], sums[k*ns:k*ns+ns])
	}
}
