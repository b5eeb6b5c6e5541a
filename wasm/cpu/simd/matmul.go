package simd

// matMulx4 is the batch kernels' loop over weight rows for the builds and
// CPUs without a dedicated kernel: one four-token dot product per row.
func matMulx4(out []float32, cols int, w []byte, rowBytes, rows int, qs []int8, d []float32, stride int,
	dot4 func(w []byte, qs []int8, d []float32, stride int, out *[4]float32)) {
	var v [4]float32
	for i := range rows {
		dot4(w[i*rowBytes:(i+1)*rowBytes], qs, d, stride, &v)
		out[i], out[cols+i], out[2*cols+i], out[3*cols+i] = v[0], v[1], v[2], v[3]
	}
}

// matMulQ4_Kx4 is matMulx4 for the K-quants.
func matMulQ4_Kx4(out []float32, cols int, w []byte, rowBytes, rows int, qs []int8, d []float32, sums []int16, stride int,
	dot4 func(w []byte, qs []int8, d []float32, sums []int16, stride int, out *[4]float32)) {
	var v [4]float32
	for i := range rows {
		dot4(w[i*rowBytes:(i+1)*rowBytes], qs, d, sums, stride, &v)
		out[i], out[cols+i], out[2*cols+i], out[3*cols+i] = v[0], v[1], v[2], v[3]
	}
}

// dotQ6_Kx4 is DotQ6_K on four activation rows, for the loop above.
func dotQ6_Kx4(w []byte, qs []int8, d []float32, sums []int16, stride int, out *[4]float32) {
	nb, ns := stride/256, stride/16
	for k := range out {
		out[k] = DotQ6_K(w, qs[k*stride:(k+1)*stride], d[k*nb:(k+1)*nb], sums[k*ns:(k+1)*ns])
	}
}
