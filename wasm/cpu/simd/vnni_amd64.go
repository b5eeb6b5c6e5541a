//go:build goexperiment.simd && amd64

package simd

import (
	"simd/archsimd"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

// useVNNI selects the Go assembly kernels in vnni_amd64.s: AVX-512 with
// VPDPBUSD, which Go 1.26's archsimd does not offer. archsimd's AVX512
// feature covers F, CD, BW, DQ and VL.
var useVNNI = useAVX2 && archsimd.X86.AVX512() && archsimd.X86.AVX512VNNI()

// useGFNI selects the Q4_K kernel variant that unpacks nibbles with one
// GF2P8AFFINEQB instead of a shift and a mask (Ice Lake and Zen 4 on; the
// first VNNI CPUs, Cascade Lake, lack it).
var useGFNI = useVNNI && archsimd.X86.AVX512GFNI()

//go:noescape
func matVecQ4_0VNNI(out *float32, w *byte, rowBytes, rows, blocks int, qs *int8, d *float32)

//go:noescape
func matVecQ8_0VNNI(out *float32, w *byte, rowBytes, rows, blocks int, qs *int8, d *float32)

// MatVecQ4_0 sets out[i] to DotQ4_0 of weight row i with the activation
// row (qs, d), bit for bit, for len(out) rows rowBytes apart in w.
func MatVecQ4_0(out []float32, w []byte, rowBytes int, qs []int8, d []float32) {
	if useVNNI && len(out) > 0 && len(d) > 0 {
		n := len(d)
		_, _ = w[(len(out)-1)*rowBytes+q4_0Bytes*n-1], qs[32*n-1]
		matVecQ4_0VNNI(&out[0], &w[0], rowBytes, len(out), n, &qs[0], &d[0])
		return
	}
	for i := range out {
		out[i] = DotQ4_0(w[i*rowBytes:(i+1)*rowBytes], qs, d)
	}
}

// MatVecQ8_0 is MatVecQ4_0 for Q8_0 weights.
func MatVecQ8_0(out []float32, w []byte, rowBytes int, qs []int8, d []float32) {
	if useVNNI && len(out) > 0 && len(d) > 0 {
		n := len(d)
		_, _ = w[(len(out)-1)*rowBytes+q8_0Bytes*n-1], qs[32*n-1]
		matVecQ8_0VNNI(&out[0], &w[0], rowBytes, len(out), n, &qs[0], &d[0])
		return
	}
	for i := range out {
		out[i] = DotQ8_0(w[i*rowBytes:(i+1)*rowBytes], qs, d)
	}
}

//go:noescape
func matMulQ4_0x4VNNI(out *float32, cols int, w *byte, rowBytes, rows, blocks int, qs *int8, d *float32, stride int)

//go:noescape
func matMulQ8_0x4VNNI(out *float32, cols int, w *byte, rowBytes, rows, blocks int, qs *int8, d *float32, stride int)

// MatMulQ4_0x4 sets out[t*cols+i] to DotQ4_0 of weight row i (of rows,
// rowBytes apart in w) with activation row t (of four, stride elements
// apart in qs and stride/32 in d), bit for bit.
func MatMulQ4_0x4(out []float32, cols int, w []byte, rowBytes, rows int, qs []int8, d []float32, stride int) {
	if n := stride / 32; useVNNI && rows > 0 && n > 0 {
		_, _, _, _ = out[3*cols+rows-1], w[(rows-1)*rowBytes+q4_0Bytes*n-1], qs[4*stride-1], d[4*n-1]
		matMulQ4_0x4VNNI(&out[0], cols, &w[0], rowBytes, rows, n, &qs[0], &d[0], stride)
		return
	}
	matMulx4(out, cols, w, rowBytes, rows, qs, d, stride, DotQ4_0x4)
}

// MatMulQ8_0x4 is MatMulQ4_0x4 for Q8_0 weights.
func MatMulQ8_0x4(out []float32, cols int, w []byte, rowBytes, rows int, qs []int8, d []float32, stride int) {
	if n := stride / 32; useVNNI && rows > 0 && n > 0 {
		_, _, _, _ = out[3*cols+rows-1], w[(rows-1)*rowBytes+q8_0Bytes*n-1], qs[4*stride-1], d[4*n-1]
		matMulQ8_0x4VNNI(&out[0], cols, &w[0], rowBytes, rows, n, &qs[0], &d[0], stride)
		return
	}
	matMulx4(out, cols, w, rowBytes, rows, qs, d, stride, DotQ8_0x4)
}

//go:noescape
func matVecQ4_KVNNI(out *float32, w *byte, rowBytes, rows, blocks int, qs *int8, d *float32, sums *int16)

//go:noescape
func matVecQ4_KGFNI(out *float32, w *byte, rowBytes, rows, blocks int, qs *int8, d *float32, sums *int16)

// MatVecQ4_K sets out[i] to DotQ4_K of weight row i with the activation
// row (qs, d, sums), bit for bit, for len(out) rows rowBytes apart in w.
func MatVecQ4_K(out []float32, w []byte, rowBytes int, qs []int8, d []float32, sums []int16) {
	if useVNNI && len(out) > 0 && len(d) > 0 {
		n := len(d)
		_, _, _ = w[(len(out)-1)*rowBytes+q4_KBytes*n-1], qs[256*n-1], sums[16*n-1]
		kernel := matVecQ4_KVNNI
		if useGFNI {
			kernel = matVecQ4_KGFNI
		}
		kernel(&out[0], &w[0], rowBytes, len(out), n, &qs[0], &d[0], &sums[0])
		return
	}
	for i := range out {
		out[i] = DotQ4_K(w[i*rowBytes:(i+1)*rowBytes], qs, d, sums)
	}
}

//go:noescape
func matVecQ6_KVNNI(out *float32, w *byte, rowBytes, rows, blocks int, qs *int8, d *float32, sums *int16)

// MatVecQ6_K is MatVecQ4_K for Q6_K weights.
func MatVecQ6_K(out []float32, w []byte, rowBytes int, qs []int8, d []float32, sums []int16) {
	if useVNNI && len(out) > 0 && len(d) > 0 {
		n := len(d)
		_, _, _ = w[(len(out)-1)*rowBytes+q6_KBytes*n-1], qs[256*n-1], sums[16*n-1]
		matVecQ6_KVNNI(&out[0], &w[0], rowBytes, len(out), n, &qs[0], &d[0], &sums[0])
		return
	}
	for i := range out {
		out[i] = DotQ6_K(w[i*rowBytes:(i+1)*rowBytes], qs, d, sums)
	}
}

//go:noescape
func matMulQ4_Kx4VNNI(out *float32, cols int, w *byte, rowBytes, rows, blocks int, qs *int8, d *float32, sums *int16, stride int)

// MatMulQ4_Kx4 is MatMulQ4_0x4 for Q4_K weights and Q8_K activations
// (stride/256 apart in d, stride/16 in sums).
func MatMulQ4_Kx4(out []float32, cols int, w []byte, rowBytes, rows int, qs []int8, d []float32, sums []int16, stride int) {
	if n := stride / 256; useVNNI && rows > 0 && n > 0 {
		_, _ = out[3*cols+rows-1], w[(rows-1)*rowBytes+q4_KBytes*n-1]
		_, _, _ = qs[4*stride-1], d[4*n-1], sums[4*stride/16-1]
		matMulQ4_Kx4VNNI(&out[0], cols, &w[0], rowBytes, rows, n, &qs[0], &d[0], &sums[0], stride)
		return
	}
	matMulQ4_Kx4(out, cols, w, rowBytes, rows, qs, d, sums, stride, DotQ4_Kx4)
}

//go:noescape
func matMulQ6_Kx4VNNI(out *float32, cols int, w *byte, rowBytes, rows, blocks int, qs *int8, d *float32, sums *int16, stride int)

// MatMulQ6_Kx4 is MatMulQ4_Kx4 for Q6_K weights.
func MatMulQ6_Kx4(out []float32, cols int, w []byte, rowBytes, rows int, qs []int8, d []float32, sums []int16, stride int) {
	if n := stride / 256; useVNNI && rows > 0 && n > 0 {
		_, _ = out[3*cols+rows-1], w[(rows-1)*rowBytes+q6_KBytes*n-1]
		_, _, _ = qs[4*stride-1], d[4*n-1], sums[4*stride/16-1]
		matMulQ6_Kx4VNNI(&out[0], cols, &w[0], rowBytes, rows, n, &qs[0], &d[0], &sums[0], stride)
		return
	}
	matMulQ4_Kx4(out, cols, w, rowBytes, rows, qs, d, sums, stride, dotQ6_Kx4)
}

//go:noescape
func matVecQ4_0x16VNNI(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16)

//go:noescape
func matVecQ4_0x16GFNI(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16)

//go:noescape
func matVecQ8_0x16VNNI(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16)

//go:noescape
func matMulQ4_0x16x4VNNI(out *float32, cols int, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16, stride int)

//go:noescape
func matMulQ4_0x16x4GFNI(out *float32, cols int, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16, stride int)

//go:noescape
func matMulQ8_0x16x4VNNI(out *float32, cols int, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16, stride int)

//go:noescape
func matVecQ4_Kx16VNNI(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16)

//go:noescape
func matVecQ4_Kx16GFNI(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16)

//go:noescape
func matVecQ6_Kx16VNNI(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16)

//go:noescape
func matVecQ6_Kx16GFNI(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16)

// X16 reports whether the CPU runs the x16 kernels (AVX-512 VNNI), for
// which weights of the types HasX16 accepts should be repacked
// (RepackX16); elsewhere they keep the file's layout.
func X16() bool { return useVNNI }

// x16Kernel is the decode kernel for x16 weights of type t.
func x16Kernel(t tensor.Type) func(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16) {
	switch t {
	case tensor.Q4_0:
		if useGFNI {
			return matVecQ4_0x16GFNI
		}
		return matVecQ4_0x16VNNI
	case tensor.Q8_0:
		return matVecQ8_0x16VNNI
	case tensor.Q4_K:
		if useGFNI {
			return matVecQ4_Kx16GFNI
		}
		return matVecQ4_Kx16VNNI
	}
	if useGFNI {
		return matVecQ6_Kx16GFNI
	}
	return matVecQ6_Kx16VNNI
}

// MatVecX16 sets out[i] to row i of the x16 weights w of type t (len(out),
// a multiple of 16, rows) times the activation row (qs, d, sums: Q8_0
// blocks and their sums for Q4_0 and Q8_0, Q8_K super-blocks and their
// sums of 16 for Q4_K and Q6_K), in matVecX16Go's order.
func MatVecX16(t tensor.Type, out []float32, w []byte, qs []int8, d []float32, sums []int16) {
	f, _ := x16FormatOf(t)
	n, groups := len(d), len(out)/16
	if useVNNI && groups > 0 && n > 0 {
		_, _, _, _ = out[16*groups-1], w[groups*n*16*f.blockBytes-1], qs[f.cols*n-1], sums[f.sumsPerBlock()*n-1]
		x16Kernel(t)(&out[0], &w[0], groups, n, &qs[0], &d[0], &sums[0])
		return
	}
	matVecX16Go(f, out, w, n, qs, d, sums)
}

// MatMulX16x4 sets out[t*cols+i] to row i of the x16 weights w of type typ
// (rows, a multiple of 16) times activation row t (of four, stride elements
// apart in qs, a block's scale and sums apart in d and sums), as MatVecX16
// does for each. Q4_0 and Q8_0 have a kernel that reads each weight block
// once for the four; the K-quants' kernels take one token at a time.
func MatMulX16x4(typ tensor.Type, out []float32, cols int, w []byte, rows int, qs []int8, d []float32, sums []int16, stride int) {
	f, _ := x16FormatOf(typ)
	if f.cols != 32 {
		eachToken(f, out, cols, rows, qs, d, sums, stride, func(out []float32, qs []int8, d []float32, sums []int16) {
			MatVecX16(typ, out, w, qs, d, sums)
		})
		return
	}
	n, groups := stride/32, rows/16
	if useVNNI && groups > 0 && n > 0 {
		_, _, _ = out[3*cols+16*groups-1], w[groups*n*16*f.blockBytes-1], qs[4*stride-1]
		_, _ = d[4*n-1], sums[4*n-1]
		kernel := matMulQ8_0x16x4VNNI
		switch {
		case typ == tensor.Q4_0 && useGFNI:
			kernel = matMulQ4_0x16x4GFNI
		case typ == tensor.Q4_0:
			kernel = matMulQ4_0x16x4VNNI
		}
		kernel(&out[0], cols, &w[0], groups, n, &qs[0], &d[0], &sums[0], stride)
		return
	}
	matMulX16x4Go(f, out, cols, w, rows, qs, d, sums, stride)
}
