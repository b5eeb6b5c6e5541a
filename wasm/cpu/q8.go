package cpu

import (
	"slices"
	"sync/atomic"

	"github.com/wisp-llm/wisp/wasm/cpu/simd"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// activationType is how activations are rounded before their dot product
// with a weight of type t, as llama.cpp does it: Q8_0 blocks for the 32-wide
// formats, Q8_K super-blocks for the K-quants, F16 for F16 weights, and no
// rounding (F32) for F32 weights and the formats without an integer kernel.
func activationType(t tensor.Type) tensor.Type {
	switch t {
	case tensor.F16:
		return tensor.F16
	case tensor.Q8_0, tensor.Q4_0, tensor.Q5_0:
		return tensor.Q8_0
	case tensor.Q4_K, tensor.Q5_K, tensor.Q6_K:
		return tensor.Q8_K
	}
	return tensor.F32
}

// q8Acts holds a batch of activation rows quantized to 8-bit blocks (or
// rounded to F16, in f16). The
// forward pass multiplies the same normalised input by several weights in a
// row (Q, K and V; gate and up), so the last input is remembered (its
// backend buffer and a copy of its values) and not quantized again.
type q8Acts struct {
	kind       tensor.Type // tensor.Q8_0, tensor.Q8_K or tensor.F16
	rows, cols int
	qs         []int8
	d          []float32
	sums       []int16
	f16        []float32 // F16-rounded values, exactly representable

	src    *model.Act
	values []float32 // copy of src's rows when quantized

	task quantizeTask
}

// quantize fills q from x for weights that want kind, unless q already
// holds exactly these values.
func (q *q8Acts) quantize(p *pool, kind tensor.Type, x *model.Act) {
	n := x.Rows * x.Cols
	if q.kind == kind && q.src == x && q.rows == x.Rows && q.cols == x.Cols && slices.Equal(q.values, x.Data[:n]) {
		return
	}
	q.kind, q.src, q.rows, q.cols = kind, x, x.Rows, x.Cols
	q.values = append(q.values[:0], x.Data[:n]...)
	if kind == tensor.F16 {
		q.f16 = grow(q.f16, n)
		simd.RoundF16(q.f16, q.values)
		return
	}
	block := 32
	if kind == tensor.Q8_K {
		block = 256
	}
	q.qs = grow(q.qs, n)
	q.d = grow(q.d, n/block)
	q.sums = grow(q.sums, n/q.sumGroup())
	if x.Rows == 1 {
		q.quantizeRows(0, 1)
		return
	}
	q.task.q = q
	q.task.next.Store(0)
	p.run(&q.task)
}

// sumGroup is how many quantized values each entry of sums adds up: a Q8_0
// block, or a sixteenth of a Q8_K super-block.
func (q *q8Acts) sumGroup() int {
	if q.kind == tensor.Q8_K {
		return 16
	}
	return 32
}

// rowRange returns the quantized values, scales and sums of rows r..r+n-1.
func (q *q8Acts) rowRange(r, n int) ([]int8, []float32, []int16) {
	block, g := 32, q.sumGroup()
	if q.kind == tensor.Q8_K {
		block = 256
	}
	qs := q.qs[r*q.cols : (r+n)*q.cols]
	d := q.d[r*q.cols/block : (r+n)*q.cols/block]
	return qs, d, q.sums[r*q.cols/g : (r+n)*q.cols/g]
}

func (q *q8Acts) row(r int) ([]int8, []float32, []int16) { return q.rowRange(r, 1) }

func (q *q8Acts) quantizeRows(r0, r1 int) {
	for r := r0; r < r1; r++ {
		x := q.values[r*q.cols : (r+1)*q.cols]
		qs, d, sums := q.row(r)
		if q.kind == tensor.Q8_K {
			simd.QuantizeQ8_K(x, qs, d, sums)
		} else {
			simd.QuantizeQ8_0(x, qs, d, sums)
		}
	}
}

// quantizeTask quantizes a batch's rows in parallel, one row at a time.
type quantizeTask struct {
	q    *q8Acts
	next atomic.Int64
}

func (t *quantizeTask) run(int) {
	for {
		r := int(t.next.Add(1)) - 1
		if r >= t.q.rows {
			return
		}
		t.q.quantizeRows(r, r+1)
	}
}

// grow returns s resized to n, reallocating only when it is too small; after
// warm-up the buffers have their largest size and nothing is allocated.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
