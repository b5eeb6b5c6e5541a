package tensor

// parityInput is 16 super-blocks of deterministic test data with the shapes
// that exercise quantizer corner cases, one kind per super-block (cycling
// through 8): all zero, constant, all negative, tiny (1e-6), one outlier,
// shifted positive, small (0.02), plain. It uses only float32 operations that
// C evaluates identically, so the same generator written in C feeds
// llama.cpp's reference quantizers to produce the digests below.
func parityInput() []float32 {
	state := uint32(0x12345678)
	uniform := func() float32 {
		state ^= state << 13
		state ^= state >> 17
		state ^= state << 5
		return float32(state>>8) * (1.0 / 16777216)
	}
	x := make([]float32, 16*QK_K)
	for i := range x {
		a, b, c, e := uniform(), uniform(), uniform(), uniform()
		g := (a + b + c + e - 2) * 1.7320508
		var v float32
		switch i / QK_K % 8 {
		case 0:
			v = 0
		case 1:
			v = 0.5
		case 2:
			v = -abs32(g)
		case 3:
			v = g * 1e-6
		case 4:
			v = g
			if i%QK_K == 7 {
				v = 100
			}
		case 5:
			v = float32(g*10) + 3
		case 6:
			v = g * 0.02
		default:
			v = g
		}
		x[i] = v
	}
	return x
}
