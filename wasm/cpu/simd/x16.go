package simd

import (
	"encoding/binary"
	"math"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

// Weights repacked sixteen rows at a time ("x16") for the AVX-512 VNNI
// kernels, which keep one weight row in each 32-bit lane of a ZMM register.
// A group of sixteen rows stores, block by block, the sixteen rows' blocks
// in the same number of bytes, rearranged so that one 64-byte load brings
// four bytes of every row:
//
//	Q4_0 (288 bytes): [0, 32) the F16 scales, row r at 2r; then four parts
//	     of 64 bytes, part k holding row r's packed bytes 4k..4k+3 at
//	     32+64k+4r (elements 4k.. in the low nibbles, 16+4k.. in the high)
//	Q8_0 (544 bytes): the scales, then eight parts of elements 4k..4k+3
//	     plus 128 (the unsigned operand of VPDPBUSD)
//	Q4_K (2304 bytes): [0, 32) d, [32, 64) dmin, [64, 256) the twelve
//	     packed scale bytes as three parts, [256, 2304) the nibbles, chunk
//	     j's bytes 4k.. at 256+512j+64k+4r
//	Q6_K (3360 bytes): [0, 32) d, [32, 288) the sixteen int8 scales as
//	     four parts, [288, 2336) ql as 32 parts, [2336, 3360) qh as 16
//
// The same activations then serve all sixteen lanes (broadcast from memory
// into VPDPBUSD), every lane ends a block holding its row's exact integer
// sums, and the float work is done once per sixteen rows, where the
// file-layout kernels spend it per row on eight partial lanes; those
// instructions, not the integer products, bounded the prefill.
//
// The order of float operations therefore differs from the file-layout
// kernels': a row's result is, over its blocks in order from acc = 0,
// acc ← fma(float32(isum), d·d_x, acc) with the block's exact integer sum
// (for Q4_K then also acc ← fma(−float32(Σ m_j·S_j), dmin·d_x, acc)).
// matVecX16Go is the model, which the assembly follows bit for bit (and in
// both of its batch sizes, so a prefill still equals token-by-token
// decoding).

// x16Format describes one type's x16 layout.
type x16Format struct {
	typ              tensor.Type
	cols, blockBytes int // columns and file bytes of one block
	parts            []x16Part
	q8               bool // Q8_0: parts store their bytes plus 128
}

// x16Part is a run of n bytes per row: row r's file bytes [file, file+n)
// lie at at+stride·(i/4)+4r+i%4 in the group's block (stride 64, parts of
// four bytes; Q8_0's values stored plus 128), or at at+2r for an F16 scale
// (stride 2).
type x16Part struct{ file, n, at, stride int }

var (
	x16Q4_0 = x16Format{tensor.Q4_0, 32, q4_0Bytes, []x16Part{{0, 2, 0, 2}, {2, 16, 32, 64}}, false}
	x16Q8_0 = x16Format{tensor.Q8_0, 32, q8_0Bytes, []x16Part{{0, 2, 0, 2}, {2, 32, 32, 64}}, true}
	x16Q4_K = x16Format{tensor.Q4_K, 256, q4_KBytes, []x16Part{{0, 2, 0, 2}, {2, 2, 32, 2}, {4, 12, 64, 64}, {16, 128, 256, 64}}, false}
	x16Q6_K = x16Format{tensor.Q6_K, 256, q6_KBytes, []x16Part{{208, 2, 0, 2}, {192, 16, 32, 64}, {0, 128, 288, 64}, {128, 64, 2336, 64}}, false}
)

// x16FormatOf returns t's x16 layout, or false.
func x16FormatOf(t tensor.Type) (*x16Format, bool) {
	switch t {
	case tensor.Q4_0:
		return &x16Q4_0, true
	case tensor.Q8_0:
		return &x16Q8_0, true
	case tensor.Q4_K:
		return &x16Q4_K, true
	case tensor.Q6_K:
		return &x16Q6_K, true
	}
	return nil, false
}

// sumsPerBlock is how many activation sums a block has: one per 32 for
// Q8_0 activations, sixteen per Q8_K super-block.
func (f *x16Format) sumsPerBlock() int {
	if f.cols == 256 {
		return 16
	}
	return 1
}

// HasX16 reports whether weights of type t can be repacked (RepackX16)
// for MatVecX16.
func HasX16(t tensor.Type) bool { _, ok := x16FormatOf(t); return ok }

// move copies row r's block between the file layout (blk) and its group's
// x16 block (group): into the group when in, else out of it.
func (f *x16Format) move(group, blk []byte, r int, in bool) {
	for _, p := range f.parts {
		if p.stride == 2 { // an F16 scale
			x, b := group[p.at+2*r:p.at+2*r+2], blk[p.file:p.file+2]
			if in {
				copy(x, b)
			} else {
				copy(b, x)
			}
			continue
		}
		for i := 0; i < p.n; i += 4 {
			x, b := group[p.at+p.stride*(i/4)+4*r:][:4], blk[p.file+i:][:4]
			if !in {
				x, b = b, x
			}
			v := binary.LittleEndian.Uint32(b)
			if f.q8 {
				v ^= 0x80808080
			}
			binary.LittleEndian.PutUint32(x, v)
		}
	}
}

// RepackX16 writes rows (a multiple of 16) rows of cols-wide weights of
// type t (HasX16), in the file's layout in src, to dst in the x16 layout.
func RepackX16(t tensor.Type, dst, src []byte, rows, cols int) {
	f, _ := x16FormatOf(t)
	blocks := cols / f.cols
	rowBytes := blocks * f.blockBytes
	_, _ = dst[rows*rowBytes-1], src[rows*rowBytes-1]
	for g := range rows / 16 {
		group := dst[g*16*rowBytes : (g+1)*16*rowBytes]
		for r := range 16 {
			row := src[(16*g+r)*rowBytes : (16*g+r+1)*rowBytes]
			for b := range blocks {
				f.move(group[16*b*f.blockBytes:], row[b*f.blockBytes:], r, true)
			}
		}
	}
}

// DequantizeRowX16 sets dst (cols values) to row r of x16 weights w of
// type t, exactly as tensor.Dequantize sets it from the file's layout.
func DequantizeRowX16(t tensor.Type, dst []float32, w []byte, r, cols int) {
	f, _ := x16FormatOf(t)
	blocks := cols / f.cols
	group := w[r/16*blocks*16*f.blockBytes:]
	var buf [q6_KBytes]byte // the largest block
	blk := buf[:f.blockBytes]
	for b := range blocks {
		f.move(group[16*b*f.blockBytes:], blk, r%16, false)
		// A whole block of a type with a dequantizer cannot fail.
		_ = tensor.Dequantize(t, blk, dst[b*f.cols:(b+1)*f.cols])
	}
}

// matVecX16Go sets out[i] to row i of x16 weights w (len(out)/16 groups of
// blocks blocks) times the activation row (qs, d, sums: Q8_0 blocks and
// their sums for Q4_0 and Q8_0, Q8_K super-blocks and their sums of 16 for
// the K-quants), in the order the comment at the top gives.
func matVecX16Go(f *x16Format, out []float32, w []byte, blocks int, qs []int8, d []float32, sums []int16) {
	var buf [q6_KBytes]byte // the largest block
	blk := buf[:f.blockBytes]
	var sc, m [8]int32
	for i := range out {
		group := w[i/16*blocks*16*f.blockBytes:]
		var acc float32
		for b, dx := range d[:blocks] {
			f.move(group[16*b*f.blockBytes:], blk, i%16, false)
			x := qs[f.cols*b : f.cols*(b+1)]
			switch f.typ {
			case tensor.Q4_0:
				acc = fma32(float32(sumQ4_0(blk, x)), float32(f16(blk)*dx), acc)
			case tensor.Q8_0:
				acc = fma32(float32(sumQ8_0(blk, x)), float32(f16(blk)*dx), acc)
			case tensor.Q4_K:
				sumi, summ := sumsQ4_K(blk, x, sums[16*b:16*b+16], &sc, &m)
				acc = fma32(float32(sumi), float32(f16(blk)*dx), acc)
				acc = fma32(-float32(summ), float32(f16(blk[2:])*dx), acc)
			case tensor.Q6_K:
				sumi := sumQ6_K(blk, x, sums[16*b:16*b+16])
				acc = fma32(float32(sumi), float32(f16(blk[208:])*dx), acc)
			}
		}
		out[i] = acc
	}
}

// eachToken calls matVec for each of four activation rows (stride
// elements apart in qs, a block's scale and sums apart in d and sums),
// token t's results at out[t*cols:].
func eachToken(f *x16Format, out []float32, cols, rows int, qs []int8, d []float32, sums []int16, stride int,
	matVec func(out []float32, qs []int8, d []float32, sums []int16)) {
	n := stride / f.cols
	ns := n * f.sumsPerBlock()
	for t := range 4 {
		matVec(out[t*cols:t*cols+rows], qs[t*stride:(t+1)*stride], d[t*n:(t+1)*n], sums[t*ns:(t+1)*ns])
	}
}

// matMulX16x4Go is matVecX16Go for four activation rows (see eachToken).
func matMulX16x4Go(f *x16Format, out []float32, cols int, w []byte, rows int, qs []int8, d []float32, sums []int16, stride int) {
	eachToken(f, out, cols, rows, qs, d, sums, stride, func(out []float32, qs []int8, d []float32, sums []int16) {
		matVecX16Go(f, out, w, len(d), qs, d, sums)
	})
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
