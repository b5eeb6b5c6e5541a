package tensor

import "math"

// Softmax replaces x by softmax(x) in place: float64 exponentials of
// x − max(x), normalised by their float32 sum, as llama2.c computes it. It is
// the reference every backend's attention softmax is checked against.
func Softmax(x []float32) {
	if len(x) == 0 {
		return
	}
	m := x[0]
	for _, v := range x[1:] {
		m = max(m, v)
	}
	var sum float32
	for i, v := range x {
		e := float32(math.Exp(float64(v - m)))
		x[i] = e
		sum += e
	}
	for i := range x {
		x[i] /= sum
	}
}
