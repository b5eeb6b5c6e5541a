//go:build goexperiment.simd && amd64

package simd

import "simd/archsimd"

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

// X16 reports whether Q4_0 and Q8_0 weights should be repacked
// (RepackQ4_0x16, RepackQ8_0x16) for the x16 kernels: on CPUs with AVX-512
// VNNI, where they have assembly kernels.
func X16() bool { return useVNNI }

// MatVecQ4_0x16 sets out[i] to row i of the x16 Q4_0 weights w (len(out),
// a multiple of 16, rows) times the activation row (qs, d, sums: Q8_0
// blocks and their sums), in matVecX16Go's order.
func MatVecQ4_0x16(out []float32, w []byte, qs []int8, d []float32, sums []int16) {
	kernel := matVecQ4_0x16VNNI
	if useGFNI {
		kernel = matVecQ4_0x16GFNI
	}
	matVecX16(out, w, qs, d, sums, true, kernel)
}

// MatVecQ8_0x16 is MatVecQ4_0x16 for Q8_0 weights.
func MatVecQ8_0x16(out []float32, w []byte, qs []int8, d []float32, sums []int16) {
	matVecX16(out, w, qs, d, sums, false, matVecQ8_0x16VNNI)
}

func matVecX16(out []float32, w []byte, qs []int8, d []float32, sums []int16, q4 bool,
	kernel func(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16)) {
	n, groups := len(d), len(out)/16
	if useVNNI && groups > 0 && n > 0 {
		_, _, _, _ = out[16*groups-1], w[groups*n*x16Bytes(q4)-1], qs[32*n-1], sums[n-1]
		kernel(&out[0], &w[0], groups, n, &qs[0], &d[0], &sums[0])
		return
	}
	matVecX16Go(out, w, n, qs, d, sums, q4)
}

// MatMulQ4_0x16x4 sets out[t*cols+i] to row i of the x16 Q4_0 weights w
// (rows, a multiple of 16) times activation row t (of four, stride elements
// apart in qs and stride/32 in d and sums), as MatVecQ4_0x16 does for each.
func MatMulQ4_0x16x4(out []float32, cols int, w []byte, rows int, qs []int8, d []float32, sums []int16, stride int) {
	kernel := matMulQ4_0x16x4VNNI
	if useGFNI {
		kernel = matMulQ4_0x16x4GFNI
	}
	matMulX16x4(out, cols, w, rows, qs, d, sums, stride, true, kernel)
}

// MatMulQ8_0x16x4 is MatMulQ4_0x16x4 for Q8_0 weights.
func MatMulQ8_0x16x4(out []float32, cols int, w []byte, rows int, qs []int8, d []float32, sums []int16, stride int) {
	matMulX16x4(out, cols, w, rows, qs, d, sums, stride, false, matMulQ8_0x16x4VNNI)
}

func matMulX16x4(out []float32, cols int, w []byte, rows int, qs []int8, d []float32, sums []int16, stride int, q4 bool,
	kernel func(out *float32, cols int, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16, stride int)) {
	n, groups := stride/32, rows/16
	if useVNNI && groups > 0 && n > 0 {
		_, _, _ = out[3*cols+16*groups-1], w[groups*n*x16Bytes(q4)-1], qs[4*stride-1]
		_, _ = d[4*n-1], sums[4*n-1]
		kernel(&out[0], cols, &w[0], groups, n, &qs[0], &d[0], &sums[0], stride)
		return
	}
	matMulX16x4Go(out, cols, w, rows, qs, d, sums, stride, q4)
}

//go:noescape
func matVecQ4_Kx16VNNI(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16)

//go:noescape
func matVecQ4_Kx16GFNI(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16)

// MatVecQ4_Kx16 sets out[i] to row i of the x16 Q4_K weights w (len(out),
// a multiple of 16, rows) times the activation row (qs, d, sums: Q8_K
// super-blocks and their sums of 16), in matVecQ4_Kx16Go's order.
func MatVecQ4_Kx16(out []float32, w []byte, qs []int8, d []float32, sums []int16) {
	n, groups := len(d), len(out)/16
	if useVNNI && groups > 0 && n > 0 {
		_, _, _, _ = out[16*groups-1], w[groups*n*q4_Kx16Bytes-1], qs[256*n-1], sums[16*n-1]
		kernel := matVecQ4_Kx16VNNI
		if useGFNI {
			kernel = matVecQ4_Kx16GFNI
		}
		kernel(&out[0], &w[0], groups, n, &qs[0], &d[0], &sums[0])
		return
	}
	matVecQ4_Kx16Go(out, w, n, qs, d, sums)
}

//go:noescape
func matVecQ6_Kx16VNNI(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16)

//go:noescape
func matVecQ6_Kx16GFNI(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16)

// MatVecQ6_Kx16 is MatVecQ4_Kx16 for x16 Q6_K weights.
func MatVecQ6_Kx16(out []float32, w []byte, qs []int8, d []float32, sums []int16) {
	n, groups := len(d), len(out)/16
	if useVNNI && groups > 0 && n > 0 {
		_, _, _, _ = out[16*groups-1], w[groups*n*q6_Kx16Bytes-1], qs[256*n-1], sums[16*n-1]
		kernel := matVecQ6_Kx16VNNI
		if useGFNI {
			kernel = matVecQ6_Kx16GFNI
		}
		kernel(&out[0], &w[0], groups, n, &qs[0], &d[0], &sums[0])
		return
	}
	matVecQ6_Kx16Go(out, w, n, qs, d, sums)
}
