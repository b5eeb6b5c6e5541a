package simd

import "math"

// Q4_0 and Q8_0 weights repacked sixteen rows at a time ("x16") for the
// AVX-512 VNNI kernels, which keep one weight row in each 32-bit lane of a
// ZMM register. A group of sixteen rows stores, for each block b of 32
// columns, the size of the sixteen blocks it replaces:
//
//	[0, 32)    the sixteen rows' F16 scales, row r at 2r
//	Q4_0: [32, 288) four quarters of 64 bytes; quarter k holds, for row r
//	           at 32+64k+4r, the block's packed bytes 4k..4k+3: elements
//	           4k..4k+3 in their low nibbles, 16+4k..16+4k+3 in the high
//	Q8_0: [32, 544) eight parts of 64 bytes; part k holds, for row r at
//	           32+64k+4r, elements 4k..4k+3 plus 128, as unsigned bytes
//
// so one load brings four bytes of every row, the same activations serve
// all sixteen lanes (broadcast from memory into VPDPBUSD), and each lane
// ends a block holding its row's exact integer sum. The float work is then
// one conversion, one scale product and one FMA per block for sixteen rows,
// where the file-layout kernels spend them per row on eight partial lanes;
// those instructions, not the integer products, bounded the prefill.
//
// The order of operations therefore differs from DotQ4_0's and DotQ8_0's:
// a row's result is acc ← fma(float32(isum_b), d_w·d_x, acc) over its
// blocks in order, from acc = 0, with isum_b = Σ w·x exact in int32.
// matVecX16Go is the model, followed bit for bit by the assembly (and by
// both of its batch sizes, so a prefill still equals token-by-token
// decoding).
const (
	q4_0x16Bytes = 16 * q4_0Bytes
	q8_0x16Bytes = 16 * q8_0Bytes
)

// x16Bytes is the size of a group's block of type q4 (Q4_0) or not (Q8_0).
func x16Bytes(q4 bool) int {
	if q4 {
		return q4_0x16Bytes
	}
	return q8_0x16Bytes
}

// RepackQ4_0x16 writes rows (a multiple of 16) rows of cols-wide Q4_0
// weights, in the file's layout in src, to dst in the x16 layout.
func RepackQ4_0x16(dst, src []byte, rows, cols int) { repackX16(dst, src, rows, cols, true) }

// RepackQ8_0x16 is RepackQ4_0x16 for Q8_0 weights.
func RepackQ8_0x16(dst, src []byte, rows, cols int) { repackX16(dst, src, rows, cols, false) }

func repackX16(dst, src []byte, rows, cols int, q4 bool) {
	blocks, size := cols/32, x16Bytes(q4)/16
	rowBytes := blocks * size
	_, _ = dst[rows*rowBytes-1], src[rows*rowBytes-1]
	for g := range rows / 16 {
		group := dst[g*16*rowBytes : (g+1)*16*rowBytes]
		for r := range 16 {
			row := src[(16*g+r)*rowBytes : (16*g+r+1)*rowBytes]
			for b := range blocks {
				blk, out := row[b*size:(b+1)*size], group[16*b*size:]
				out[2*r], out[2*r+1] = blk[0], blk[1]
				for k := range (size - 2) / 4 {
					part := out[32+64*k+4*r : 32+64*k+4*r+4]
					copy(part, blk[2+4*k:2+4*k+4])
					if !q4 {
						for i := range part {
							part[i] ^= 0x80 // q+128, as an unsigned byte
						}
					}
				}
			}
		}
	}
}

// DequantizeRowQ4_0x16 sets dst (cols values) to row r of x16 Q4_0
// weights w, exactly as tensor.Dequantize sets it from the file's layout.
func DequantizeRowQ4_0x16(dst []float32, w []byte, r, cols int) {
	dequantizeRowX16(dst, w, r, cols, true)
}

// DequantizeRowQ8_0x16 is DequantizeRowQ4_0x16 for Q8_0 weights.
func DequantizeRowQ8_0x16(dst []float32, w []byte, r, cols int) {
	dequantizeRowX16(dst, w, r, cols, false)
}

func dequantizeRowX16(dst []float32, w []byte, r, cols int, q4 bool) {
	blocks, size := cols/32, x16Bytes(q4)
	group := w[r/16*blocks*size:]
	lane := r % 16
	for b := range blocks {
		blk := group[b*size:]
		scale := halfTable[uint16(blk[2*lane])|uint16(blk[2*lane+1])<<8]
		x := dst[32*b : 32*b+32]
		for k := range (size/16 - 2) / 4 {
			for i := range 4 {
				v := blk[32+64*k+4*lane+i]
				if q4 {
					x[4*k+i] = float32(int(v&15)-8) * scale
					x[16+4*k+i] = float32(int(v>>4)-8) * scale
				} else {
					x[4*k+i] = float32(int8(v^0x80)) * scale
				}
			}
		}
	}
}

// matVecX16Go sets out[i] to row i of x16 weights w (Q4_0 if q4, else
// Q8_0; len(out)/16 groups of blocks blocks) times the activation row (qs,
// d, sums: Q8_0 blocks and their sums), in the order the package comment
// gives.
func matVecX16Go(out []float32, w []byte, blocks int, qs []int8, d []float32, sums []int16, q4 bool) {
	size := x16Bytes(q4)
	for i := range out {
		group := w[i/16*blocks*size:]
		lane := i % 16
		var acc float32
		for b := range blocks {
			blk, x := group[b*size:], qs[32*b:32*b+32]
			var isum int32
			for k := range (size/16 - 2) / 4 {
				for j := range 4 {
					v := blk[32+64*k+4*lane+j]
					if q4 {
						isum += int32(v&15)*int32(x[4*k+j]) + int32(v>>4)*int32(x[16+4*k+j])
					} else {
						isum += int32(v) * int32(x[4*k+j])
					}
				}
			}
			if q4 {
				isum -= 8 * int32(sums[b])
			} else {
				isum -= 128 * int32(sums[b])
			}
			scale := float32(halfTable[uint16(blk[2*lane])|uint16(blk[2*lane+1])<<8] * d[b])
			acc = fma32(float32(isum), scale, acc)
		}
		out[i] = acc
	}
}

// matMulX16x4Go is matVecX16Go for four activation rows (stride elements
// apart in qs, stride/32 in d and sums), token t's results at out[t*cols:].
func matMulX16x4Go(out []float32, cols int, w []byte, rows int, qs []int8, d []float32, sums []int16, stride int, q4 bool) {
	n := stride / 32
	for t := range 4 {
		matVecX16Go(out[t*cols:t*cols+rows], w, n, qs[t*stride:(t+1)*stride], d[t*n:(t+1)*n], sums[t*n:(t+1)*n], q4)
	}
}

// fma32 is a·b+c rounded once to float32, as VFMADD231PS computes it. The
// product is exact in float64; TwoSum gives the float64 sum s and its exact
// error e. Rounding s to float32 is then right unless s lies exactly
// halfway between two float32 values while e is not zero, when the exact
// sum lies on e's side of the halfway point (a float64 nearest to the exact
// sum cannot have a float32 halfway point strictly between it and the sum,
// since that point is a float64 itself).
func fma32(a, b, c float32) float32 {
	p := float64(float64(a) * float64(b))
	s := p + float64(c)
	bv := s - p
	e := (p - (s - bv)) + (float64(c) - bv)
	r := float32(s)
	if e == 0 || float64(r) == s {
		return r
	}
	lo, hi := r, r
	if float64(r) < s {
		hi = math.Nextafter32(r, float32(math.Inf(1)))
	} else {
		lo = math.Nextafter32(r, float32(math.Inf(-1)))
	}
	if s != (float64(lo)+float64(hi))/2 {
		return r
	}
	if e > 0 {
		return hi
	}
	return lo
}
