package tensor

import "math"

// K-quant reference quantizers (ggml's quantize_row_q*_K_ref). Each one
// first searches a scale (and min) per sub-block, then quantizes the
// sub-block scales to 4, 6 or 8 bits against one f16 super-block scale, and
// finally re-quantizes the elements against the scales as actually stored.

// groupMaxEps is ggml's GROUP_MAX_EPS: a group whose largest magnitude is
// below it is treated as all zero.
const groupMaxEps = 1e-15

func sqrt32(v float32) float32 { return float32(math.Sqrt(float64(v))) }

func clamp32(v, lo, hi int32) int32 { return max(lo, min(hi, v)) }

// makeQKX2Quants is ggml's make_qkx2_quants: it fits x ≈ scale·L − min with
// L in 0..nmax, minimising the weighted squared (or, with useMAD, absolute)
// error over nstep+1 candidate scales around nmax/(max−min). It writes the
// levels to L, returns the scale and the min (as a non-negative offset that
// is subtracted). laux is scratch of len(x).
func makeQKX2Quants(x, weights []float32, nmax int32, L, laux []uint8, rmin, rdelta float32, nstep int, useMAD bool) (scale, theMin float32) {
	n := len(x)
	weights, L, laux = weights[:n], L[:n], laux[:n]
	lo, hi := x[0], x[0]
	sumW := weights[0]
	sumX := sumW * x[0]
	for i := 1; i < n; i++ {
		if x[i] < lo {
			lo = x[i]
		}
		if x[i] > hi {
			hi = x[i]
		}
		w := weights[i]
		sumW += w
		sumX += float32(w * x[i])
	}
	if lo > 0 {
		lo = 0
	}
	if hi == lo {
		clear(L)
		return 0, -lo
	}
	iscale := float32(nmax) / (hi - lo)
	scale = 1 / iscale
	var bestError float32
	for i, v := range x {
		l := clamp32(nearestInt(float32(iscale*(v-lo))), 0, nmax)
		L[i] = uint8(l)
		diff := float32(float32(scale*float32(l))+lo) - v
		bestError += float32(weights[i] * fitError(diff, useMAD))
	}
	if nstep < 1 {
		return scale, -lo
	}
	for is := 0; is <= nstep; is++ {
		iscale = (float32(rmin+float32(rdelta*float32(is))) + float32(nmax)) / (hi - lo)
		var sumL, sumL2, sumXL float32
		for i, v := range x {
			l := clamp32(nearestInt(float32(iscale*(v-lo))), 0, nmax)
			laux[i] = uint8(l)
			wl := float32(weights[i] * float32(l))
			sumL += wl
			sumL2 += float32(wl * float32(l))
			sumXL += float32(wl * v)
		}
		det := float32(sumW*sumL2) - float32(sumL*sumL)
		if !(det > 0) {
			continue
		}
		thisScale := (float32(sumW*sumXL) - float32(sumX*sumL)) / det
		thisMin := (float32(sumL2*sumX) - float32(sumL*sumXL)) / det
		if thisMin > 0 {
			thisMin = 0
			thisScale = sumXL / sumL2
		}
		var curError float32
		for i, v := range x {
			diff := float32(float32(thisScale*float32(laux[i]))+thisMin) - v
			curError += float32(weights[i] * fitError(diff, useMAD))
		}
		if curError < bestError {
			copy(L, laux)
			bestError = curError
			scale, lo = thisScale, thisMin
		}
	}
	return scale, -lo
}

// fitError is the per-element error of makeQKX2Quants: absolute or squared.
func fitError(diff float32, useMAD bool) float32 {
	if useMAD {
		return abs32(diff)
	}
	return float32(diff * diff)
}

// makeQXQuants is ggml's make_qx_quants with rmse_type 1 and no importance
// weights (each element weighted by x²): a symmetric fit x ≈ scale·(L−nmax)
// with L−nmax in −nmax..nmax−1, trying 19 scales around −nmax/max and keeping
// the least-squares best.
func makeQXQuants(x []float32, nmax int32, L []int8) float32 {
	n := len(x)
	L = L[:n]
	extreme, amax := absMax(x)
	if amax < groupMaxEps {
		clear(L)
		return 0
	}
	iscale := float32(-nmax) / extreme
	var sumLX, sumL2 float32
	for i, v := range x {
		l := clamp32(nearestInt(float32(iscale*v)), -nmax, nmax-1)
		L[i] = int8(l + nmax)
		w := v * v
		sumLX += float32(float32(w*v) * float32(l))
		sumL2 += float32(float32(w*float32(l)) * float32(l))
	}
	var scale float32
	if sumL2 != 0 {
		scale = sumLX / sumL2
	}
	best := scale * sumLX
	for is := -9; is <= 9; is++ {
		if is == 0 {
			continue
		}
		iscale = -(float32(nmax) + float32(0.1*float32(is))) / extreme
		sumLX, sumL2 = 0, 0
		for _, v := range x {
			l := clamp32(nearestInt(float32(iscale*v)), -nmax, nmax-1)
			w := v * v
			sumLX += float32(float32(w*v) * float32(l))
			sumL2 += float32(float32(w*float32(l)) * float32(l))
		}
		if sumL2 > 0 && float32(sumLX*sumLX) > float32(best*sumL2) {
			for i, v := range x {
				l := clamp32(nearestInt(float32(iscale*v)), -nmax, nmax-1)
				L[i] = int8(l + nmax)
			}
			scale = sumLX / sumL2
			best = scale * sumLX
		}
	}
	return scale
}

// makeQ3Quants is ggml's make_q3_quants with do_rmse: start from the levels
// of −nmax/max, then for up to five rounds move single levels to where the
// x²-weighted least-squares fit improves. L gets levels biased by nmax.
func makeQ3Quants(x []float32, nmax int32, L []int8) float32 {
	n := len(x)
	L = L[:n]
	extreme, amax := absMax(x)
	if amax < groupMaxEps {
		clear(L)
		return 0
	}
	iscale := float32(-nmax) / extreme
	var sumLX, sumL2 float32
	for i, v := range x {
		l := clamp32(nearestInt(float32(iscale*v)), -nmax, nmax-1)
		L[i] = int8(l)
		w := v * v
		sumLX += float32(float32(w*v) * float32(l))
		sumL2 += float32(float32(w*float32(l)) * float32(l))
	}
	for range 5 {
		changed := 0
		for i, v := range x {
			w := v * v
			li := float32(L[i])
			slx := sumLX - float32(float32(w*v)*li)
			if !(slx > 0) {
				continue
			}
			sl2 := sumL2 - float32(float32(w*li)*li)
			newL := clamp32(nearestInt(float32(v*sl2)/slx), -nmax, nmax-1)
			if newL == int32(L[i]) {
				continue
			}
			nl := float32(newL)
			slx += float32(float32(w*v) * nl)
			sl2 += float32(float32(w*nl) * nl)
			if sl2 > 0 && float32(float32(slx*slx)*sumL2) > float32(float32(sumLX*sumLX)*sl2) {
				L[i] = int8(newL)
				sumLX, sumL2 = slx, sl2
				changed++
			}
		}
		if changed == 0 {
			break
		}
	}
	for i := range L {
		L[i] += int8(nmax)
	}
	if sumL2 > 0 {
		return sumLX / sumL2
	}
	return 0
}

// pack2Bit stores 256 two-bit levels as Q2_K and Q3_K lay them out: in each
// half of 128, byte l holds elements l, l+32, l+64, l+96 from the low bits up.
func pack2Bit(L []uint8, qs []byte) {
	L, qs = L[:QK_K], qs[:QK_K/4]
	for half := range 2 {
		for l := range 32 {
			e := 128*half + l
			qs[32*half+l] = L[e] | L[e+32]<<2 | L[e+64]<<4 | L[e+96]<<6
		}
	}
}

func encodeQ2_K(x []float32, b []byte) {
	x, b = x[:QK_K], b[:84]
	scalesOut, qs := b[0:16], b[16:80]
	var L [QK_K]uint8
	var laux [16]uint8
	var weights [16]float32
	var scales, mins [QK_K / 16]float32
	var maxScale, maxMin float32
	for j := range QK_K / 16 {
		xs := x[16*j:][:16]
		for l, v := range xs {
			weights[l] = abs32(v)
		}
		scales[j], mins[j] = makeQKX2Quants(xs, weights[:], 3, L[16*j:][:16], laux[:], -0.5, 0.1, 15, true)
		maxScale = max32(maxScale, scales[j])
		maxMin = max32(maxMin, mins[j])
	}

	const q4scale = 15
	clear(scalesOut)
	if maxScale > 0 {
		iscale := q4scale / maxScale
		for j, s := range scales {
			scalesOut[j] = uint8(nearestInt(iscale * s))
		}
		putF16(b[80:], maxScale/q4scale)
	} else {
		putF16(b[80:], 0)
	}
	if maxMin > 0 {
		iscale := q4scale / maxMin
		for j, m := range mins {
			scalesOut[j] |= uint8(nearestInt(iscale*m) << 4)
		}
		putF16(b[82:], maxMin/q4scale)
	} else {
		putF16(b[82:], 0)
	}

	d, dmin := f16At(b[80:]), f16At(b[82:])
	for j := range QK_K / 16 {
		dl := d * float32(scalesOut[j]&0xf)
		if dl == 0 {
			continue
		}
		ml := dmin * float32(scalesOut[j]>>4)
		for ii, v := range x[16*j : 16*j+16] {
			L[16*j+ii] = uint8(clamp32(nearestInt((v+ml)/dl), 0, 3))
		}
	}
	pack2Bit(L[:], qs)
}

// max32 is ggml's "if (v > m) m = v", which ignores NaN.
func max32(m, v float32) float32 {
	if v > m {
		return v
	}
	return m
}

func encodeQ3_K(x []float32, b []byte) {
	x, b = x[:QK_K], b[:110]
	hmask, qs, scalesOut := b[0:32], b[32:96], b[96:108]
	var L [QK_K]int8
	var scales [QK_K / 16]float32
	var maxScale, amax float32
	for j := range QK_K / 16 {
		scales[j] = makeQ3Quants(x[16*j:][:16], 4, L[16*j:][:16])
		if a := abs32(scales[j]); a > amax {
			amax, maxScale = a, scales[j]
		}
	}

	clear(scalesOut)
	if maxScale != 0 {
		iscale := -32 / maxScale
		for j, s := range scales {
			l := uint8(clamp32(int32(int8(nearestInt(iscale*s))), -32, 31) + 32)
			if j < 8 {
				scalesOut[j] = l & 0xf
			} else {
				scalesOut[j-8] |= (l & 0xf) << 4
			}
			scalesOut[8+j%4] |= (l >> 4) << (2 * (j / 4))
		}
		putF16(b[108:], 1/iscale)
	} else {
		putF16(b[108:], 0)
	}

	d := f16At(b[108:])
	for j := range QK_K / 16 {
		dl := d * float32(q3Scale(scalesOut, j))
		if dl == 0 {
			continue
		}
		for ii, v := range x[16*j : 16*j+16] {
			L[16*j+ii] = int8(clamp32(nearestInt(v/dl), -4, 3) + 4)
		}
	}

	// The third bit of element j goes to bit j/32 of hmask[j%32].
	clear(hmask)
	var levels [QK_K]uint8
	for j, l := range L {
		if l > 3 {
			hmask[j%32] |= 1 << (j / 32)
			l -= 4
		}
		levels[j] = uint8(l)
	}
	pack2Bit(levels[:], qs)
}

// packScaleMinK4 stores eight 6-bit scales and mins as scaleMinK4 reads them.
func packScaleMinK4(ls, lm *[8]uint8, out []byte) {
	out = out[:12]
	for j := range 8 {
		if j < 4 {
			out[j] = ls[j]
			out[j+4] = lm[j]
		} else {
			out[j+4] = ls[j]&0xf | (lm[j]&0xf)<<4
			out[j-4] |= (ls[j] >> 4) << 6
			out[j] |= (lm[j] >> 4) << 6
		}
	}
}

// encodeQ45K is the shared body of the Q4_K (nmax 15) and Q5_K (nmax 31)
// reference quantizers: it writes d, dmin and the scales into b[0:16] and
// returns the levels for the caller to pack.
func encodeQ45K(x []float32, b []byte, nmax int32, rmin float32, nstep int, L *[QK_K]uint8) {
	var laux [32]uint8
	var weights [32]float32
	var scales, mins [QK_K / 32]float32
	var maxScale, maxMin float32
	for j := range QK_K / 32 {
		xs := x[32*j:][:32]
		var sumX2 float32
		for _, v := range xs {
			sumX2 += float32(v * v)
		}
		avX := sqrt32(sumX2 / 32)
		for l, v := range xs {
			weights[l] = avX + abs32(v)
		}
		scales[j], mins[j] = makeQKX2Quants(xs, weights[:], nmax, L[32*j:][:32], laux[:], rmin, 0.1, nstep, false)
		maxScale = max32(maxScale, scales[j])
		maxMin = max32(maxMin, mins[j])
	}

	var invScale, invMin float32
	if maxScale > 0 {
		invScale = 63 / maxScale
	}
	if maxMin > 0 {
		invMin = 63 / maxMin
	}
	var ls, lm [8]uint8
	for j := range QK_K / 32 {
		ls[j] = min(63, uint8(nearestInt(invScale*scales[j])))
		lm[j] = min(63, uint8(nearestInt(invMin*mins[j])))
	}
	scalesOut := b[4:16]
	clear(scalesOut)
	packScaleMinK4(&ls, &lm, scalesOut)
	putF16(b, maxScale/63)
	putF16(b[2:], maxMin/63)

	d, dmin := f16At(b), f16At(b[2:])
	for j := range QK_K / 32 {
		sc, m := scaleMinK4(scalesOut, j)
		dl := d * float32(sc)
		if dl == 0 {
			continue
		}
		ml := dmin * float32(m)
		for ii, v := range x[32*j : 32*j+32] {
			L[32*j+ii] = uint8(clamp32(nearestInt((v+ml)/dl), 0, nmax))
		}
	}
}

func encodeQ4_K(x []float32, b []byte) {
	x, b = x[:QK_K], b[:144]
	var L [QK_K]uint8
	encodeQ45K(x, b, 15, -1, 20, &L)
	qs := b[16:144]
	for c := range QK_K / 64 {
		for l := range 32 {
			qs[32*c+l] = L[64*c+l] | L[64*c+l+32]<<4
		}
	}
}

func encodeQ5_K(x []float32, b []byte) {
	x, b = x[:QK_K], b[:176]
	var L [QK_K]uint8
	encodeQ45K(x, b, 31, -0.5, 15, &L)
	qh, qs := b[16:48], b[48:176]
	clear(qh)
	for c := range QK_K / 64 {
		for l := range 32 {
			lo, hi := L[64*c+l], L[64*c+l+32]
			qh[l] |= (lo>>4)<<(2*c) | (hi>>4)<<(2*c+1)
			qs[32*c+l] = lo&0xf | (hi&0xf)<<4
		}
	}
}

func encodeQ6_K(x []float32, b []byte) {
	x, b = x[:QK_K], b[:210]
	ql, qh, scalesOut := b[0:128], b[128:192], b[192:208]
	var L [QK_K]int8
	var scales [QK_K / 16]float32
	var maxScale, maxAbsScale float32
	for ib := range QK_K / 16 {
		scales[ib] = makeQXQuants(x[16*ib:][:16], 32, L[16*ib:][:16])
		if a := abs32(scales[ib]); a > maxAbsScale {
			maxAbsScale, maxScale = a, scales[ib]
		}
	}
	if maxAbsScale < groupMaxEps {
		clear(b)
		return
	}

	iscale := -128 / maxScale
	putF16(b[208:], 1/iscale)
	for ib, s := range scales {
		scalesOut[ib] = uint8(int8(min(127, nearestInt(iscale*s))))
	}

	d := f16At(b[208:])
	for j := range QK_K / 16 {
		dl := d * float32(int8(scalesOut[j]))
		if dl == 0 {
			continue
		}
		for ii, v := range x[16*j : 16*j+16] {
			L[16*j+ii] = int8(clamp32(nearestInt(v/dl), -32, 31) + 32)
		}
	}

	for half := range 2 {
		for l := range 32 {
			e := 128*half + l
			q1, q2, q3, q4 := uint8(L[e]), uint8(L[e+32]), uint8(L[e+64]), uint8(L[e+96])
			ql[64*half+l] = q1&0xf | (q3&0xf)<<4
			ql[64*half+l+32] = q2&0xf | (q4&0xf)<<4
			qh[32*half+l] = q1>>4 | (q2>>4)<<2 | (q3>>4)<<4 | (q4>>4)<<6
		}
	}
}
