package cpu

import (
	"sync/atomic"

	"github.com/wisp-llm/wisp/wasm/cpu/simd"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// matmulTask computes dst = W·x for every row of x. Threads take chunks of
// weight rows from a counter; within a chunk every activation row is
// multiplied by the chunk's weight rows while they are still in the L1/L2
// cache, so a prefill reads each weight block from memory once per chunk,
// not once per token.
type matmulTask struct {
	w        *model.Weight
	x, dst   *model.Act
	bias     []float32
	q        *q8Acts // quantized x, for the integer kernels
	x16      []byte  // w in the x16 layout, when Upload repacked it
	rowBytes int
	chunk    int // weight rows per chunk
	next     atomic.Int64
}

// chunkBytes bounds the weight bytes of one chunk during a prefill so that
// the chunk stays in a core's L1 and L2 caches while the batch's activation
// rows stream past it.
const chunkBytes = 32 << 10

func (t *matmulTask) setup(threads int) {
	w := t.w
	t.x16 = x16Of(w)
	t.rowBytes = len(w.Data) / w.Rows
	if t.x16 != nil {
		t.rowBytes = len(t.x16) / w.Rows
	}
	// Several chunks per thread even out threads that start late or run on
	// a busy core; a chunk is never so small that taking it costs more than
	// computing it.
	chunk := max(4, w.Rows/(threads*8))
	if t.x.Rows > 1 {
		chunk = min(chunk, max(1, chunkBytes/t.rowBytes))
	}
	if t.x16 != nil { // whole groups of sixteen rows
		chunk = (chunk + 15) &^ 15
	}
	t.chunk = chunk
	t.next.Store(0)
}

func (t *matmulTask) run(int) {
	rows := t.w.Rows
	for {
		i0 := (int(t.next.Add(1)) - 1) * t.chunk
		if i0 >= rows {
			return
		}
		i1 := min(i0+t.chunk, rows)
		r := 0
		if typ := t.w.Type; typ == tensor.Q8_0 || typ == tensor.Q4_0 || typ == tensor.Q4_K || typ == tensor.Q6_K {
			for ; r+4 <= t.x.Rows; r += 4 {
				t.fourRowsOf(r, i0, i1)
			}
		}
		for ; r < t.x.Rows; r++ {
			t.rowsOf(r, i0, i1)
		}
	}
}

// rowsOf computes dst[r][i0:i1].
func (t *matmulTask) rowsOf(r, i0, i1 int) {
	out := t.dst.Data[r*t.dst.Cols : (r+1)*t.dst.Cols][i0:i1]
	if t.x16 != nil {
		qs, d, sums := t.q.row(r)
		simd.MatVecX16(t.w.Type, out, t.x16[i0*t.rowBytes:i1*t.rowBytes], qs, d, sums)
	} else {
		t.fileRowsOf(out, r, i0, i1)
	}
	if t.bias != nil {
		for k, b := range t.bias[i0:i1] {
			out[k] += b
		}
	}
}

// fileRowsOf computes out = dst[r][i0:i1] from weights in the file's
// layout.
func (t *matmulTask) fileRowsOf(out []float32, r, i0, i1 int) {
	w, rb := t.w.Data, t.rowBytes
	switch t.w.Type {
	case tensor.Q8_0:
		qs, d, _ := t.q.row(r)
		simd.MatVecQ8_0(out, w[i0*rb:i1*rb], rb, qs, d)
	case tensor.Q4_0:
		qs, d, _ := t.q.row(r)
		simd.MatVecQ4_0(out, w[i0*rb:i1*rb], rb, qs, d)
	case tensor.Q5_0:
		qs, d, sums := t.q.row(r)
		for k := range out {
			i := i0 + k
			out[k] = simd.DotQ5_0(w[i*rb:(i+1)*rb], qs, d, sums)
		}
	case tensor.Q4_K:
		qs, d, sums := t.q.row(r)
		simd.MatVecQ4_K(out, w[i0*rb:i1*rb], rb, qs, d, sums)
	case tensor.Q5_K:
		qs, d, sums := t.q.row(r)
		for k := range out {
			i := i0 + k
			out[k] = simd.DotQ5_K(w[i*rb:(i+1)*rb], qs, d, sums)
		}
	case tensor.Q6_K:
		qs, d, sums := t.q.row(r)
		simd.MatVecQ6_K(out, w[i0*rb:i1*rb], rb, qs, d, sums)
	case tensor.F32:
		x := row(t.x, r)
		wf := F32(w)
		n := len(x)
		for k := range out {
			i := i0 + k
			out[k] = simd.DotF32(wf[i*n:(i+1)*n], x)
		}
	case tensor.F16:
		x := t.q.f16[r*t.x.Cols : (r+1)*t.x.Cols]
		for k := range out {
			i := i0 + k
			out[k] = simd.DotF16(w[i*rb:(i+1)*rb], x)
		}
	default:
		x := row(t.x, r)
		for k := range out {
			i := i0 + k
			out[k] = tensor.Dot(t.w.Type, w[i*rb:(i+1)*rb], x)
		}
	}
}

// fourRowsOf computes dst[r..r+3][i0:i1] with the four-token kernels, which
// unpack each weight block once for four tokens (on CPUs without VNNI,
// Q6_K's is a loop of one-row kernels).
func (t *matmulTask) fourRowsOf(r, i0, i1 int) {
	w, rb := t.w.Data, t.rowBytes
	if t.x16 != nil {
		w = t.x16
	}
	cols := t.dst.Cols
	out := t.dst.Data[r*cols : (r+4)*cols]
	qs, d, sums := t.q.rowRange(r, 4)
	stride := t.x.Cols
	block, ws, rows := out[i0:], w[i0*rb:i1*rb], i1-i0
	switch typ := t.w.Type; {
	case t.x16 != nil:
		simd.MatMulX16x4(typ, block, cols, ws, rows, qs, d, sums, stride)
	case typ == tensor.Q8_0:
		simd.MatMulQ8_0x4(block, cols, ws, rb, rows, qs, d, stride)
	case typ == tensor.Q4_0:
		simd.MatMulQ4_0x4(block, cols, ws, rb, rows, qs, d, stride)
	case typ == tensor.Q4_K:
		simd.MatMulQ4_Kx4(block, cols, ws, rb, rows, qs, d, sums, stride)
	case typ == tensor.Q6_K:
		simd.MatMulQ6_Kx4(block, cols, ws, rb, rows, qs, d, sums, stride)
	}
	if t.bias != nil {
		for k := range 4 {
			for i, b := range t.bias[i0:i1] {
				block[k*cols+i] += b
			}
		}
	}
}
