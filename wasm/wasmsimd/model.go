package wasmsimd

import (
	"encoding/binary"
	"math"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

// The Go models of the kernels in wasm/simd128: the same arithmetic in the
// same order, so a SIMD kernel must match its model bit for bit. They are
// the kernels of builds without SIMD128, and what the parity tests compare
// the SIMD kernels with.

func f32At(b []byte, i int) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])) }

// goMatvecF32 models f32.wat's matvec: out[r] = Σ_c w[r][c]·x[c] in
// element order, row r at byte r*stride of w.
func goMatvecF32(w []byte, stride int, x, out []float32, rows, cols int) {
	for r := range rows {
		row := w[r*stride:]
		var s float32
		for c := range cols {
			s += float32(f32At(row, c) * x[c])
		}
		out[r] = s
	}
}

// goMatvecF16 models f16.wat's matvec.
func goMatvecF16(w []byte, stride int, x, out []float32, rows, cols int) {
	for r := range rows {
		row := w[r*stride:]
		var s float32
		for c := range cols {
			s += float32(tensor.F16ToF32(binary.LittleEndian.Uint16(row[2*c:])) * x[c])
		}
		out[r] = s
	}
}

// goWeightedSum models f32.wat's weighted_sum: out[i] = Σ_t a[t]·v[t][i]
// in position order, row t at float t*stride of v.
func goWeightedSum(v []float32, stride int, a, out []float32, n, dim int) {
	for i := range dim {
		var s float32
		for t := range n {
			s += float32(a[t] * v[t*stride+i])
		}
		out[i] = s
	}
}

// goMatvecQ8_0 models q8.wat's matvec_q8_0: per block, the exact integer
// dot product, scaled by d_w·d_x and added to the row's f32 sum in block
// order.
func goMatvecQ8_0(w []byte, rowBytes int, xq []int16, xd, out []float32, rows, blocks int) {
	goMatmulQ8_0(w, rowBytes, xq, xd, out, rows, blocks, 1, 1)
}

// goMatvecQ4_0 models q8.wat's matvec_q4_0; xs holds each block's Σ xq.
func goMatvecQ4_0(w []byte, rowBytes int, xq []int16, xd []float32, xs []int32, out []float32, rows, blocks int) {
	goMatmulQ4_0(w, rowBytes, xq, xd, xs, out, rows, blocks, 1, 1)
}

// goMatmulQ8_0 models q8mm.wat's matmul_q8_0, and is the matrix-vector
// product token by token: out[t][r] = row r · token t, with token t's values
// at xq[t·blocks·32:] and its block scales at xd[b·tstride+t].
func goMatmulQ8_0(w []byte, rowBytes int, xq []int16, xd, out []float32, rows, blocks, tokens, tstride int) {
	for t := range tokens {
		x := xq[t*blocks*32:]
		for r := range rows {
			row := w[r*rowBytes:]
			var acc float32
			for b := range blocks {
				blk := row[b*34 : b*34+34]
				var isum int32
				for j, q := range blk[2:] {
					isum += int32(int8(q)) * int32(x[b*32+j])
				}
				acc = addScaled(acc, isum, binary.LittleEndian.Uint16(blk), xd[b*tstride+t])
			}
			out[t*rows+r] = acc
		}
	}
}

// goMatmulQ4_0 models q8mm.wat's matmul_q4_0: the nibbles' offset of 8 is
// taken off the integer dot product as 8·Σx (xs[b·tstride+t]).
func goMatmulQ4_0(w []byte, rowBytes int, xq []int16, xd []float32, xs []int32, out []float32, rows, blocks, tokens, tstride int) {
	for t := range tokens {
		x := xq[t*blocks*32:]
		for r := range rows {
			row := w[r*rowBytes:]
			var acc float32
			for b := range blocks {
				blk := row[b*18 : b*18+18]
				xb := x[b*32 : b*32+32]
				var isum int32
				for j, q := range blk[2:] {
					isum += int32(q&15)*int32(xb[j]) + int32(q>>4)*int32(xb[16+j])
				}
				isum -= 8 * xs[b*tstride+t]
				acc = addScaled(acc, isum, binary.LittleEndian.Uint16(blk), xd[b*tstride+t])
			}
			out[t*rows+r] = acc
		}
	}
}

// addScaled returns acc + isum·(d_w·d_x), each operation rounded to f32 as
// the kernels round it.
func addScaled(acc float32, isum int32, dw uint16, dx float32) float32 {
	scale := float32(tensor.F16ToF32(dw) * dx)
	return acc + float32(float32(isum)*scale)
}

// goQuantizeQ8 models q8.wat's quantize_q8: it quantizes x to 8-bit values
// (kept widened to int16, as the kernels multiply them) in blocks of 32 as
// llama.cpp's quantize_row_q8_0_ref does, keeping block b's scale as the f32
// value of its F16 rounding (what the Q8_0 block would store) at
// xd[b·sstride], and the sum of its values at xs[b·sstride].
func goQuantizeQ8(x []float32, xq []int16, xd []float32, xs []int32, sstride int) {
	for b := range len(x) / 32 {
		xb := x[b*32 : b*32+32]
		var amax float32
		for _, v := range xb {
			amax = max(amax, float32(math.Abs(float64(v))))
		}
		d := amax / 127
		var id float32
		if d != 0 {
			id = 1 / d
		}
		xd[b*sstride] = tensor.F16ToF32(tensor.F32ToF16(d))
		var sum int32
		for j, v := range xb {
			q := int16(math.Round(float64(float32(v * id))))
			xq[b*32+j] = q
			sum += int32(q)
		}
		xs[b*sstride] = sum
	}
}

// goMatmulF32 models f32mm.wat's matmul_f32: out[t][r] = Σ_c w[r][c]·x[t][c]
// in element order, with x transposed (xt[c·tstride+t]): the reference's
// bits, token by token.
func goMatmulF32(w []byte, stride int, xt, out []float32, rows, cols, tokens, tstride int) {
	for t := range tokens {
		for r := range rows {
			row := w[r*stride:]
			var s float32
			for c := range cols {
				s += float32(f32At(row, c) * xt[c*tstride+t])
			}
			out[t*rows+r] = s
		}
	}
}

// goMatmulF16 models f32mm.wat's matmul_f16.
func goMatmulF16(w []byte, stride int, xt, out []float32, rows, cols, tokens, tstride int) {
	for t := range tokens {
		for r := range rows {
			row := w[r*stride:]
			var s float32
			for c := range cols {
				s += float32(tensor.F16ToF32(binary.LittleEndian.Uint16(row[2*c:])) * xt[c*tstride+t])
			}
			out[t*rows+r] = s
		}
	}
}
