package simd

func dotsF32Go(dst, rows []float32, stride int, x []float32, scale float32) {
	n := len(x)
	for p := range dst {
		dst[p] = dotF32Go(rows[p*stride:p*stride+n], x) * scale
	}
}

func axpyRowsGo(dst, a, rows []float32, stride int) {
	n := len(dst)
	for p, ap := range a {
		axpyGo(dst, ap, rows[p*stride:p*stride+n])
	}
}
