//go:build goexperiment.simd && amd64

package simd

import "simd/archsimd"

// DotsF32 sets dst[p] = DotF32(rows[p*stride:], x)·scale for every p, bit
// for bit: attention's scores, one per cached key.
func DotsF32(dst, rows []float32, stride int, x []float32, scale float32) {
	if !useAVX2 {
		dotsF32Go(dst, rows, stride, x, scale)
		return
	}
	n := len(x)
	for p := range dst {
		dst[p] = dotF32AVX2(rows[p*stride:p*stride+n], x) * scale
	}
}

// AxpyRows adds a[p]·rows[p*stride:] to dst for p = 0, 1, … in order, bit
// for bit as many Axpy calls: attention's weighted sum of values, with dst
// held in registers 32 elements at a time rather than loaded and stored
// once per value row.
func AxpyRows(dst, a, rows []float32, stride int) {
	if !useAVX2 {
		axpyRowsGo(dst, a, rows, stride)
		return
	}
	n := len(dst)
	if len(a) == 0 || n == 0 {
		return
	}
	_ = rows[(len(a)-1)*stride+n-1]
	i := 0
	for ; i+32 <= n; i += 32 {
		d0 := archsimd.LoadFloat32x8Slice(dst[i:])
		d1 := archsimd.LoadFloat32x8Slice(dst[i+8:])
		d2 := archsimd.LoadFloat32x8Slice(dst[i+16:])
		d3 := archsimd.LoadFloat32x8Slice(dst[i+24:])
		for p, ap := range a {
			av := archsimd.BroadcastFloat32x8(ap)
			v := rows[p*stride+i : p*stride+i+32]
			// Multiply then add, unfused, as axpyAVX2 does.
			d0 = d0.Add(av.Mul(archsimd.LoadFloat32x8Slice(v)))
			d1 = d1.Add(av.Mul(archsimd.LoadFloat32x8Slice(v[8:])))
			d2 = d2.Add(av.Mul(archsimd.LoadFloat32x8Slice(v[16:])))
			d3 = d3.Add(av.Mul(archsimd.LoadFloat32x8Slice(v[24:])))
		}
		d0.StoreSlice(dst[i:])
		d1.StoreSlice(dst[i+8:])
		d2.StoreSlice(dst[i+16:])
		d3.StoreSlice(dst[i+24:])
	}
	if i < n {
		for p, ap := range a {
			axpyAVX2(dst[i:], ap, rows[p*stride+i:p*stride+n])
		}
	}
}
