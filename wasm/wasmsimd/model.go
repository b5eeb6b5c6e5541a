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

// goMatvecQ8_0 models q8.wat's matvec_q8_0: per block, int32 lanes of
// products (lane (j/2)%4 for element j), scaled by d_w·d_x into four f32
// lanes, summed in lane order at the end of the row.
func goMatvecQ8_0(w []byte, rowBytes int, xq []int16, xd, out []float32, rows, blocks int) {
	for r := range rows {
		row := w[r*rowBytes:]
		var acc [4]float32
		for b := range blocks {
			blk := row[b*34 : b*34+34]
			var isum [4]int32
			for j, q := range blk[2:] {
				isum[(j/2)%4] += int32(int8(q)) * int32(xq[b*32+j])
			}
			accumulate(&acc, &isum, binary.LittleEndian.Uint16(blk), xd[b])
		}
		out[r] = acc[0] + acc[1] + acc[2] + acc[3]
	}
}

// goMatvecQ4_0 models q8.wat's matvec_q4_0.
func goMatvecQ4_0(w []byte, rowBytes int, xq []int16, xd, out []float32, rows, blocks int) {
	for r := range rows {
		row := w[r*rowBytes:]
		var acc [4]float32
		for b := range blocks {
			blk := row[b*18 : b*18+18]
			x := xq[b*32 : b*32+32]
			var isum [4]int32
			for j, q := range blk[2:] {
				lo, hi := int32(q&15)-8, int32(q>>4)-8
				isum[(j/2)%4] += lo * int32(x[j])
				isum[((16+j)/2)%4] += hi * int32(x[16+j])
			}
			accumulate(&acc, &isum, binary.LittleEndian.Uint16(blk), xd[b])
		}
		out[r] = acc[0] + acc[1] + acc[2] + acc[3]
	}
}

func accumulate(acc *[4]float32, isum *[4]int32, dw uint16, dx float32) {
	scale := float32(tensor.F16ToF32(dw) * dx)
	for k := range acc {
		acc[k] += float32(float32(isum[k]) * scale)
	}
}

// quantizeQ8 quantizes x to 8-bit values (kept widened to int16, as the
// kernels multiply them) in blocks of 32 as llama.cpp's
// quantize_row_q8_0_ref does, keeping each block's scale as the f32 value
// of its F16 rounding (what the Q8_0 block would store).
func quantizeQ8(x []float32, xq []int16, xd []float32) {
	for b := range len(x) / 32 {
		xs := x[b*32 : b*32+32]
		var amax float32
		for _, v := range xs {
			amax = max(amax, float32(math.Abs(float64(v))))
		}
		d := amax / 127
		var id float32
		if d != 0 {
			id = 1 / d
		}
		xd[b] = tensor.F16ToF32(tensor.F32ToF16(d))
		for j, v := range xs {
			xq[b*32+j] = int16(math.Round(float64(float32(v * id))))
		}
	}
}
