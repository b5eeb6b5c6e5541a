package simd

// Q4_K weights in the x16 layout (see x16.go for the idea). A group of
// sixteen rows stores, for each super-block of 256 columns, 2304 bytes
// (its sixteen Q4_K blocks):
//
//	[0, 32)       the rows' F16 scales d, row r at 2r
//	[32, 64)      their F16 minimum scales dmin
//	[64, 256)     the rows' twelve packed bytes of sub-block scales and
//	              minimums as three 64-byte parts; part i holds row r's
//	              bytes 4i..4i+3 at 64+64i+4r
//	[256, 2304)   the packed nibbles: for chunk j (32 bytes: sub-blocks 2j
//	              in the low nibbles, 2j+1 in the high) and part k, row r's
//	              bytes 32j+4k..32j+4k+3 at 256+512j+64k+4r
//
// A row's result is, over its super-blocks in order from acc = 0,
//
//	acc ← fma(float32(Σ_j sc_j·isum_j), d·d_x, acc)
//	acc ← fma(−float32(Σ_j m_j·S_j), dmin·d_x, acc)
//
// with isum_j the exact integer dot product of sub-block j and S_j the sum
// of its activations; matVecQ4_Kx16Go is the model the assembly follows.
const q4_Kx16Bytes = 16 * q4_KBytes

// RepackQ4_Kx16 writes rows (a multiple of 16) rows of cols-wide Q4_K
// weights, in the file's layout in src, to dst in the x16 layout.
func RepackQ4_Kx16(dst, src []byte, rows, cols int) {
	blocks := cols / 256
	rowBytes := blocks * q4_KBytes
	_, _ = dst[rows*rowBytes-1], src[rows*rowBytes-1]
	for g := range rows / 16 {
		group := dst[g*16*rowBytes : (g+1)*16*rowBytes]
		for r := range 16 {
			row := src[(16*g+r)*rowBytes : (16*g+r+1)*rowBytes]
			for b := range blocks {
				blk, out := row[b*q4_KBytes:(b+1)*q4_KBytes], group[b*q4_Kx16Bytes:]
				copy(out[2*r:2*r+2], blk[0:2])
				copy(out[32+2*r:32+2*r+2], blk[2:4])
				for i := range 3 {
					copy(out[64+64*i+4*r:64+64*i+4*r+4], blk[4+4*i:8+4*i])
				}
				for j := range 4 {
					for k := range 8 {
						o := 256 + 512*j + 64*k + 4*r
						copy(out[o:o+4], blk[16+32*j+4*k:16+32*j+4*k+4])
					}
				}
			}
		}
	}
}

// unpackQ4_Kx16 rebuilds row r's Q4_K block of super-block b (144 bytes,
// in the file's layout) from a group's x16 bytes.
func unpackQ4_Kx16(blk []byte, group []byte, b, r int) {
	in := group[b*q4_Kx16Bytes:]
	copy(blk[0:2], in[2*r:2*r+2])
	copy(blk[2:4], in[32+2*r:32+2*r+2])
	for i := range 3 {
		copy(blk[4+4*i:8+4*i], in[64+64*i+4*r:64+64*i+4*r+4])
	}
	for j := range 4 {
		for k := range 8 {
			o := 256 + 512*j + 64*k + 4*r
			copy(blk[16+32*j+4*k:16+32*j+4*k+4], in[o:o+4])
		}
	}
}

// DequantizeRowQ4_Kx16 sets dst (cols values) to row r of x16 Q4_K weights
// w, exactly as the file's layout dequantizes.
func DequantizeRowQ4_Kx16(dst []float32, w []byte, r, cols int) {
	blocks := cols / 256
	group := w[r/16*blocks*q4_Kx16Bytes:]
	var blk [q4_KBytes]byte
	var sc, m [8]int32
	for b := range blocks {
		unpackQ4_Kx16(blk[:], group, b, r%16)
		scalesK4(blk[4:16], &sc, &m)
		d, dmin := f16(blk[:]), f16(blk[2:])
		for sub := range 8 {
			scale, minimum := d*float32(sc[sub]), dmin*float32(m[sub])
			shift := 4 * uint(sub%2)
			for l, v := range blk[16+32*(sub/2) : 16+32*(sub/2)+32] {
				dst[256*b+32*sub+l] = float32(scale*float32(v>>shift&0xf)) - minimum
			}
		}
	}
}

// matVecQ4_Kx16Go sets out[i] to row i of x16 Q4_K weights w (len(out)/16
// groups of blocks super-blocks) times the activation row (qs, d, sums:
// Q8_K super-blocks with sums per 16), in the order given above.
func matVecQ4_Kx16Go(out []float32, w []byte, blocks int, qs []int8, d []float32, sums []int16) {
	var blk [q4_KBytes]byte
	var sc, m [8]int32
	for i := range out {
		group := w[i/16*blocks*q4_Kx16Bytes:]
		var acc float32
		for b, dx := range d[:blocks] {
			unpackQ4_Kx16(blk[:], group, b, i%16)
			scalesK4(blk[4:16], &sc, &m)
			x, bs := qs[256*b:256*b+256], sums[16*b:16*b+16]
			var sumi, summ int32
			for sub := range 8 {
				shift := 4 * uint(sub%2)
				var s int32
				for l, v := range blk[16+32*(sub/2) : 16+32*(sub/2)+32] {
					s += int32(v>>shift&0xf) * int32(x[32*sub+l])
				}
				sumi += sc[sub] * s
				summ += m[sub] * (int32(bs[2*sub]) + int32(bs[2*sub+1]))
			}
			acc = fma32(float32(sumi), float32(f16(blk[:])*dx), acc)
			acc = fma32(-float32(summ), float32(f16(blk[2:])*dx), acc)
		}
		out[i] = acc
	}
}

// Q6_K weights in the x16 layout: per super-block, 3360 bytes (sixteen
// Q6_K blocks):
//
//	[0, 32)       the rows' F16 scales d, row r at 2r
//	[32, 288)     their sixteen int8 sub-block scales as four 64-byte
//	              parts; part i holds row r's scales 4i..4i+3 at 32+64i+4r
//	[288, 2336)   ql (the low four bits) as 32 parts: row r's bytes
//	              4p..4p+3 at 288+64p+4r
//	[2336, 3360)  qh (the high two bits) as 16 parts: row r's bytes 4p..
//	              4p+3 at 2336+64p+4r
//
// A row's result is acc ← fma(float32(Σ_s sc_s·Σ_{i∈s} (q_i−32)·x_i),
// d·d_x, acc) over its super-blocks in order, from acc = 0;
// matVecQ6_Kx16Go is the model.
const q6_Kx16Bytes = 16 * q6_KBytes

// RepackQ6_Kx16 is RepackQ4_Kx16 for Q6_K weights.
func RepackQ6_Kx16(dst, src []byte, rows, cols int) {
	blocks := cols / 256
	rowBytes := blocks * q6_KBytes
	_, _ = dst[rows*rowBytes-1], src[rows*rowBytes-1]
	for g := range rows / 16 {
		group := dst[g*16*rowBytes : (g+1)*16*rowBytes]
		for r := range 16 {
			row := src[(16*g+r)*rowBytes : (16*g+r+1)*rowBytes]
			for b := range blocks {
				moveQ6_Kx16(group[b*q6_Kx16Bytes:(b+1)*q6_Kx16Bytes], row[b*q6_KBytes:(b+1)*q6_KBytes], r, true)
			}
		}
	}
}

// moveQ6_Kx16 copies row r's Q6_K block between its file layout (blk) and
// the group's x16 bytes (x16): into x16 when in, else out of it.
func moveQ6_Kx16(x16, blk []byte, r int, in bool) {
	move := func(x16Off, blkOff, n int) {
		if in {
			copy(x16[x16Off:x16Off+n], blk[blkOff:blkOff+n])
		} else {
			copy(blk[blkOff:blkOff+n], x16[x16Off:x16Off+n])
		}
	}
	move(2*r, 208, 2)
	for i := range 4 {
		move(32+64*i+4*r, 192+4*i, 4)
	}
	for p := range 32 {
		move(288+64*p+4*r, 4*p, 4)
	}
	for p := range 16 {
		move(2336+64*p+4*r, 128+4*p, 4)
	}
}

// DequantizeRowQ6_Kx16 is DequantizeRowQ4_Kx16 for Q6_K weights.
func DequantizeRowQ6_Kx16(dst []float32, w []byte, r, cols int) {
	blocks := cols / 256
	group := w[r/16*blocks*q6_Kx16Bytes:]
	var blk [q6_KBytes]byte
	for b := range blocks {
		moveQ6_Kx16(group[b*q6_Kx16Bytes:(b+1)*q6_Kx16Bytes], blk[:], r%16, false)
		ql, qh, scales := blk[0:128], blk[128:192], blk[192:208]
		d := f16(blk[208:])
		for i := range 256 {
			half, g, l := i/128, i%128/32, i%32
			lo := ql[64*half+32*(g&1)+l] >> (4 * (g / 2)) & 0xf
			hi := qh[32*half+l] >> (2 * g) & 3
			sc := int8(scales[8*half+2*g+l/16])
			dst[256*b+i] = float32(d*float32(sc)) * float32(int32(lo|hi<<4)-32)
		}
	}
}

// matVecQ6_Kx16Go is matVecQ4_Kx16Go for x16 Q6_K weights.
func matVecQ6_Kx16Go(out []float32, w []byte, blocks int, qs []int8, d []float32, sums []int16) {
	var blk [q6_KBytes]byte
	for i := range out {
		group := w[i/16*blocks*q6_Kx16Bytes:]
		var acc float32
		for b, dx := range d[:blocks] {
			moveQ6_Kx16(group[b*q6_Kx16Bytes:(b+1)*q6_Kx16Bytes], blk[:], i%16, false)
			ql, qh, scales := blk[0:128], blk[128:192], blk[192:208]
			x, bs := qs[256*b:256*b+256], sums[16*b:16*b+16]
			var sumi int32
			for half := range 2 {
				for g := range 4 {
					lo := ql[64*half+32*(g&1) : 64*half+32*(g&1)+32]
					hi := qh[32*half : 32*half+32]
					shift := 4 * uint(g/2)
					for part := range 2 {
						s := 8*half + 2*g + part
						var dot int32
						for l := 16 * part; l < 16*part+16; l++ {
							q := int32(lo[l]>>shift&0xf | (hi[l]>>(2*g)&3)<<4)
							dot += q * int32(x[128*half+32*g+l])
						}
						sumi += int32(int8(scales[s])) * (dot - 32*int32(bs[s]))
					}
				}
			}
			acc = fma32(float32(sumi), float32(f16(blk[208:])*dx), acc)
		}
		out[i] = acc
	}
}
