package cpu

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/wisp-llm/wisp/wasm/cpu/simd"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// Fast is the native CPU backend: matrix products split by rows over a
// persistent pool of threads, with the activations rounded as llama.cpp
// rounds them (8-bit Q8_0/Q8_K blocks and integer dot products for Q8_0,
// Q4_0, Q5_0, Q4_K, Q5_K and Q6_K weights; F16 for F16 weights; none for
// F32 and the other types, which use the reference kernels), vector
// kernels from package simd, a prefill that multiplies each weight block
// by four tokens at once, attention split by heads, and no allocation per
// token once its buffers have grown to the largest batch seen.
//
// A Fast may be shared by several models and sessions: its parallel
// operations take turns. Close stops its worker goroutines; a Fast that is
// no longer referenced stops them itself.
type Fast struct {
	threads int
	pool    *pool

	// mu serialises the operations that use the pool or the scratch below.
	mu   sync.Mutex
	q    q8Acts
	mm   matmulTask
	att  attentionTask
	rope ropeTable
	glu  swigluTask
}

// maxThreads bounds NewFast's thread count; beyond the core count more
// threads only contend.
const maxThreads = 1024

// NewFast returns a backend that runs on threads threads (all cores when
// threads ≤ 0).
func NewFast(threads int) *Fast {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	threads = min(threads, maxThreads)
	f := &Fast{threads: threads, pool: newPool(threads)}
	runtime.AddCleanup(f, func(p *pool) { p.close() }, f.pool)
	return f
}

// Threads is the number of threads the backend computes on.
func (f *Fast) Threads() int { return f.threads }

// Close stops the worker goroutines. A closed backend still works, on the
// calling goroutine alone.
func (f *Fast) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pool.close()
	return nil
}

// String describes the backend, e.g. "cpu-fast (2 threads, avx2+fma)".
func (f *Fast) String() string {
	return fmt.Sprintf("cpu-fast (%d threads, %s)", f.threads, simd.Features())
}

func (f *Fast) NewAct(rows, cols int) *model.Act { return Reference{}.NewAct(rows, cols) }

func (f *Fast) NewKVCache(layers, positions, kvDim int) model.KVCache {
	c := &fastKV{kvCache: *Reference{}.NewKVCache(layers, positions, kvDim).(*kvCache)}
	c.scores = make([][]float32, f.threads)
	for i := range c.scores {
		c.scores[i] = make([]float32, positions)
	}
	return c
}

// Upload checks the weight as Check does and, for the weights the x16
// kernels take (fast_x16.go), repacks it.
func (f *Fast) Upload(w *model.Weight) error {
	if x16Of(w) != nil {
		return nil // uploaded before
	}
	if err := f.Check(w); err != nil {
		return err
	}
	if repackable(w) {
		repack(w)
	}
	return nil
}

// Check verifies that the weight's bytes are exactly its shape in its
// type, so that the kernels can trust every row. A weight that is only
// checked, not uploaded, runs on the kernels for the file's layout: for
// weights that live for one product, as the wazero host's do.
func (f *Fast) Check(w *model.Weight) error {
	if !tensor.CanDequantize(w.Type) {
		return fmt.Errorf("cpu: weight %s has type %v, which has no kernel", w.Name, w.Type)
	}
	rowBytes, err := tensor.RowBytes(w.Type, int64(w.Cols))
	if err != nil {
		return fmt.Errorf("cpu: weight %s: %w", w.Name, err)
	}
	if w.Rows < 1 || rowBytes > math.MaxInt64/int64(w.Rows) || int64(len(w.Data)) != rowBytes*int64(w.Rows) {
		return fmt.Errorf("cpu: weight %s: %d bytes for %d×%d %v", w.Name, len(w.Data), w.Rows, w.Cols, w.Type)
	}
	return nil
}

func (f *Fast) Embed(dst *model.Act, table *model.Weight, tokens []int32) {
	if x16 := x16Of(table); x16 != nil {
		embedX16(dst, table, x16, tokens)
		return
	}
	Reference{}.Embed(dst, table, tokens)
}

func (f *Fast) RMSNorm(dst, x *model.Act, weight *model.Weight, eps float32) {
	w := F32(weight.Data)
	dst.Rows = x.Rows
	for r := range x.Rows {
		xr := row(x, r)
		ss := simd.SumSquares(xr) / float32(len(xr))
		scale := 1 / float32(math.Sqrt(float64(ss+eps)))
		simd.ScaleMul(row(dst, r), xr, w, scale)
	}
}

func (f *Fast) MatMul(dst *model.Act, w *model.Weight, x *model.Act, bias *model.Weight) {
	f.mu.Lock()
	defer f.mu.Unlock()
	dst.Rows = x.Rows
	t := &f.mm
	t.w, t.x, t.dst, t.bias, t.q = w, x, dst, nil, nil
	if bias != nil {
		t.bias = F32(bias.Data)
	}
	if kind := activationType(w.Type); kind != tensor.F32 {
		f.q.quantize(f.pool, kind, x)
		t.q = &f.q
	}
	t.setup(f.threads)
	f.pool.runSmall(t, w.Rows*w.Cols*x.Rows)
	t.w, t.x, t.dst, t.bias, t.q, t.x16 = nil, nil, nil, nil, nil, nil
}

func (f *Fast) RoPE(x *model.Act, headDim int, pos int, rope *model.RoPE) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rope.apply(x, headDim, pos, rope)
}

func (f *Fast) StoreKV(cache model.KVCache, layer, pos int, k, v *model.Act) {
	c := cache.(*fastKV)
	Reference{}.StoreKV(&c.kvCache, layer, pos, k, v)
}

func (f *Fast) Attention(out, q *model.Act, cache model.KVCache, layer, pos, heads, kvHeads, headDim int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out.Rows = q.Rows
	t := &f.att
	t.out, t.q, t.c = out, q, cache.(*fastKV)
	t.layer, t.pos, t.heads, t.kvHeads, t.headDim = layer, pos, heads, kvHeads, headDim
	t.next.Store(0)
	f.pool.runSmall(t, 2*q.Rows*heads*headDim*(pos+q.Rows))
	t.out, t.q, t.c = nil, nil, nil
}

// swigluTask applies SwiGLU to chunks of the flattened batch in parallel:
// its exponentials cost as much as a small matrix product.
type swigluTask struct {
	dst, gate, up []float32
	next          atomic.Int64
}

const swigluChunk = 512

func (t *swigluTask) run(int) {
	for {
		i0 := (int(t.next.Add(1)) - 1) * swigluChunk
		if i0 >= len(t.dst) {
			return
		}
		i1 := min(i0+swigluChunk, len(t.dst))
		simd.SwiGLU(t.dst[i0:i1], t.gate[i0:i1], t.up[i0:i1])
	}
}

func (f *Fast) SwiGLU(dst, gate, up *model.Act) {
	dst.Rows = gate.Rows
	n := gate.Rows * gate.Cols
	if n < 2*swigluChunk || f.threads == 1 {
		simd.SwiGLU(dst.Data[:n], gate.Data[:n], up.Data[:n])
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t := &f.glu
	t.dst, t.gate, t.up = dst.Data[:n], gate.Data[:n], up.Data[:n]
	t.next.Store(0)
	f.pool.run(t)
	t.dst, t.gate, t.up = nil, nil, nil
}

func (f *Fast) Add(dst, x *model.Act) {
	n := x.Rows * x.Cols
	simd.Add(dst.Data[:n], x.Data[:n])
}

func (f *Fast) CopyRow(dst, x *model.Act, src int) { Reference{}.CopyRow(dst, x, src) }

func (f *Fast) Read(dst []float32, x *model.Act, r int) { Reference{}.Read(dst, x, r) }
