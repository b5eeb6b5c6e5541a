package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// Result is one comparison of the backend under test with the reference.
type Result struct {
	Name   string  `json:"name"`
	MaxErr float64 `json:"maxErr"` // largest |got−want| / max(1, max|want|)
	Tol    float64 `json:"tol"`
	OK     bool    `json:"ok"`
	Detail string  `json:"detail,omitempty"`
}

// selector is the device-side top-k of the WebGPU backend.
type selector interface {
	TopK(x *model.Act, r, k int, idx []int32, val []float32) error
}

// errorer is a backend that keeps the first failure of its operations.
type errorer interface{ Err() error }

// checker runs operations on a backend under test and on the reference, on
// the same random inputs, and collects the comparisons.
type checker struct {
	gpu     model.Backend
	ref     cpu.Reference
	rng     *rand.Rand
	results []Result
	// matmulTol is the tolerance of matrix products: f32 kernels differ from
	// the reference only in summation order; f16 ones round their inputs.
	matmulTol float64
}

func newChecker(b model.Backend, seed uint64) *checker {
	return &checker{gpu: b, rng: rand.New(rand.NewPCG(seed, 1)), matmulTol: 1e-4}
}

func (c *checker) add(r Result) { c.results = append(c.results, r) }

// compare records how far got is from want.
func (c *checker) compare(name string, want, got []float32, tol float64) {
	if len(want) != len(got) {
		c.add(Result{Name: name, Tol: tol, Detail: fmt.Sprintf("%d values, want %d", len(got), len(want))})
		return
	}
	scale := 1.0
	for _, w := range want {
		scale = max(scale, math.Abs(float64(w)))
	}
	worst, at := 0.0, 0
	for i := range want {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if math.IsNaN(d) {
			d = math.Inf(1)
		}
		if d > worst {
			worst, at = d, i
		}
	}
	r := Result{Name: name, MaxErr: worst / scale, Tol: tol}
	r.OK = r.MaxErr <= tol
	if !r.OK && len(want) > 0 {
		r.Detail = fmt.Sprintf("element %d: got %g, want %g", at, got[at], want[at])
	}
	if e, ok := c.gpu.(errorer); ok && e.Err() != nil {
		r.OK, r.Detail = false, e.Err().Error()
	}
	c.add(r)
}

func (c *checker) random(n int, scale float32) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(c.rng.NormFloat64()) * scale
	}
	return x
}

// weight quantizes random values to type t; the reference dequantizes the
// same bytes, so the comparison isolates the kernels.
func (c *checker) weight(name string, t tensor.Type, rows, cols int) (*model.Weight, error) {
	n, err := tensor.RowBytes(t, int64(rows*cols))
	if err != nil {
		return nil, err
	}
	data := make([]byte, n)
	if err := tensor.Quantize(t, c.random(rows*cols, 0.5), data); err != nil {
		return nil, err
	}
	return &model.Weight{Name: name, Type: t, Rows: rows, Cols: cols, Data: data}, nil
}

func f32Bytes(x []float32) []byte {
	b := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

// pair is one activation matrix on both backends.
type pair struct{ gpu, ref *model.Act }

// acts puts the same values (rows × cols) into activations of both
// backends. model.Backend has no host-to-device write, so the values go in
// as an F32 embedding table looked up at tokens 0..rows−1.
func (c *checker) acts(values []float32, rows, cols int) (pair, error) {
	table := &model.Weight{Name: "input", Type: tensor.F32, Rows: rows, Cols: cols, Data: f32Bytes(values)}
	if err := c.gpu.Upload(table); err != nil {
		return pair{}, err
	}
	ids := make([]int32, rows)
	for i := range ids {
		ids[i] = int32(i)
	}
	p := pair{gpu: c.gpu.NewAct(rows, cols), ref: c.ref.NewAct(rows, cols)}
	c.gpu.Embed(p.gpu, table, ids)
	c.ref.Embed(p.ref, table, ids)
	return p, nil
}

func (c *checker) randomActs(rows, cols int) (pair, error) {
	return c.acts(c.random(rows*cols, 1), rows, cols)
}

func (c *checker) empty(rows, cols int) pair {
	return pair{gpu: c.gpu.NewAct(rows, cols), ref: c.ref.NewAct(rows, cols)}
}

// readBoth returns rows 0..rows−1 of both sides, reference first.
func (c *checker) readBoth(p pair) (want, got []float32) {
	cols := p.ref.Cols
	want = slices.Clone(p.ref.Data[:p.ref.Rows*cols])
	got = make([]float32, p.gpu.Rows*cols)
	for r := range p.gpu.Rows {
		c.gpu.Read(got[r*cols:(r+1)*cols], p.gpu, r)
	}
	return want, got
}

func (c *checker) fail(name string, err error) {
	c.add(Result{Name: name, Detail: err.Error()})
}

// runKernels checks every operation of the backend on random inputs of
// several shapes, including sizes that are not multiples of the kernels'
// tile and workgroup sizes.
func (c *checker) runKernels(types []tensor.Type) {
	for _, t := range types {
		c.checkMatMul(t)
		c.checkEmbed(t)
	}
	for _, cols := range []int{64, 100} {
		c.checkRMSNorm(3, cols)
	}
	c.checkRoPE()
	c.checkElementwise()
	for _, s := range []struct{ heads, kvHeads, headDim, pos, rows int }{
		{8, 2, 16, 70, 1},  // decode, GQA, across a KV tile boundary
		{8, 2, 16, 62, 9},  // prefill rows ending at the same position
		{4, 4, 64, 0, 5},   // prefill from the start, multi-head
		{2, 1, 80, 129, 1}, // head size not a power of two, three tiles
		{6, 3, 24, 3, 20},  // prefill longer than the cached prefix
	} {
		c.checkAttention(s.heads, s.kvHeads, s.headDim, s.pos, s.rows)
	}
	c.checkTopK()
}

func (c *checker) checkMatMul(t tensor.Type) {
	block := t.BlockSize()
	shapes := []struct{ rows, cols, tokens int }{
		{7, max(64, block), 1},      // decode
		{33, 2 * max(64, block), 3}, // a few tokens: matrix-vector per token
		{45, max(96, block), 17},    // prefill: tiles with ragged edges
		{130, max(64, block), 5},
	}
	if block == 1 {
		shapes = append(shapes, struct{ rows, cols, tokens int }{19, 50, 6}, struct{ rows, cols, tokens int }{5, 33, 1})
	}
	for i, s := range shapes {
		name := fmt.Sprintf("matmul/%s/%dx%d/tokens=%d", t, s.rows, s.cols, s.tokens)
		if err := c.matMul(t, s.rows, s.cols, s.tokens, i%2 == 1); err != nil {
			c.fail(name, err)
		}
	}
}

func (c *checker) matMul(t tensor.Type, rows, cols, tokens int, withBias bool) error {
	name := fmt.Sprintf("matmul/%s/%dx%d/tokens=%d", t, rows, cols, tokens)
	w, err := c.weight("w", t, rows, cols)
	if err != nil {
		return err
	}
	if err := c.gpu.Upload(w); err != nil {
		return err
	}
	var bias *model.Weight
	if withBias {
		name += "/bias"
		bias = &model.Weight{Name: "bias", Type: tensor.F32, Rows: 1, Cols: rows, Data: f32Bytes(c.random(rows, 1))}
		if err := c.gpu.Upload(bias); err != nil {
			return err
		}
	}
	x, err := c.randomActs(tokens, cols)
	if err != nil {
		return err
	}
	out := c.empty(tokens, rows)
	c.gpu.MatMul(out.gpu, w, x.gpu, bias)
	c.ref.MatMul(out.ref, w, x.ref, bias)
	want, got := c.readBoth(out)
	c.compare(name, want, got, c.matmulTol)
	return nil
}

func (c *checker) checkEmbed(t tensor.Type) {
	name := fmt.Sprintf("embed/%s", t)
	cols := max(64, t.BlockSize())
	table, err := c.weight("table", t, 40, cols)
	if err == nil {
		err = c.gpu.Upload(table)
	}
	if err != nil {
		c.fail(name, err)
		return
	}
	tokens := []int32{3, 39, 0, 17, 3, 22}
	out := c.empty(len(tokens), cols)
	c.gpu.Embed(out.gpu, table, tokens)
	c.ref.Embed(out.ref, table, tokens)
	want, got := c.readBoth(out)
	c.compare(name, want, got, 0)
}

func (c *checker) checkRMSNorm(rows, cols int) {
	for _, inPlace := range []bool{false, true} {
		name := fmt.Sprintf("rmsnorm/%dx%d/inplace=%v", rows, cols, inPlace)
		nw := &model.Weight{Name: "norm", Type: tensor.F32, Rows: 1, Cols: cols, Data: f32Bytes(c.random(cols, 1))}
		x, err := c.randomActs(rows, cols)
		if err == nil {
			err = c.gpu.Upload(nw)
		}
		if err != nil {
			c.fail(name, err)
			continue
		}
		out := x
		if !inPlace {
			out = c.empty(rows, cols)
		}
		c.gpu.RMSNorm(out.gpu, x.gpu, nw, 1e-5)
		c.ref.RMSNorm(out.ref, x.ref, nw, 1e-5)
		want, got := c.readBoth(out)
		c.compare(name, want, got, 1e-5)
	}
}

func (c *checker) checkRoPE() {
	factors := make([]float32, 8)
	for i := range factors {
		factors[i] = 1 + float32(i)
	}
	for _, s := range []struct {
		name           string
		heads, headDim int
		rope           model.RoPE
		pos, rows      int
	}{
		{"normal", 4, 16, model.RoPE{Dims: 16, Base: 10000, Scale: 1}, 0, 3},
		{"neox", 3, 32, model.RoPE{Dims: 32, Base: 1e6, Scale: 1, NeoX: true}, 1000, 2},
		{"partial", 2, 24, model.RoPE{Dims: 16, Base: 10000, Scale: 0.5}, 7, 5},
		{"freq-factors", 2, 16, model.RoPE{Dims: 16, Base: 500000, Scale: 1, FreqFactors: factors}, 4000, 1},
	} {
		name := "rope/" + s.name
		x, err := c.randomActs(s.rows, s.heads*s.headDim)
		if err != nil {
			c.fail(name, err)
			continue
		}
		c.gpu.RoPE(x.gpu, s.headDim, s.pos, &s.rope)
		c.ref.RoPE(x.ref, s.headDim, s.pos, &s.rope)
		want, got := c.readBoth(x)
		c.compare(name, want, got, 1e-5)
	}
}

func (c *checker) checkElementwise() {
	const rows, cols = 3, 70
	gate, err1 := c.randomActs(rows, cols)
	up, err2 := c.randomActs(rows, cols)
	x, err3 := c.randomActs(rows, cols)
	if err := firstErr(err1, err2, err3); err != nil {
		c.fail("elementwise", err)
		return
	}
	out := c.empty(rows, cols)
	c.gpu.SwiGLU(out.gpu, gate.gpu, up.gpu)
	c.ref.SwiGLU(out.ref, gate.ref, up.ref)
	want, got := c.readBoth(out)
	c.compare("swiglu", want, got, 1e-6)

	c.gpu.SwiGLU(gate.gpu, gate.gpu, up.gpu)
	c.ref.SwiGLU(gate.ref, gate.ref, up.ref)
	want, got = c.readBoth(gate)
	c.compare("swiglu/inplace", want, got, 1e-6)

	c.gpu.Add(x.gpu, up.gpu)
	c.ref.Add(x.ref, up.ref)
	want, got = c.readBoth(x)
	c.compare("add", want, got, 0)

	row := c.empty(1, cols)
	c.gpu.CopyRow(row.gpu, x.gpu, 2)
	c.ref.CopyRow(row.ref, x.ref, 2)
	want, got = c.readBoth(row)
	c.compare("copyrow", want, got, 0)
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// checkAttention fills positions 0..pos+rows−1 of layer 1 of a two-layer
// cache, then attends rows queries at positions pos….
func (c *checker) checkAttention(heads, kvHeads, headDim, pos, rows int) {
	name := fmt.Sprintf("attention/h%d-kv%d-d%d/pos=%d/rows=%d", heads, kvHeads, headDim, pos, rows)
	kvDim := kvHeads * headDim
	positions := pos + rows
	k, err1 := c.randomActs(positions, kvDim)
	v, err2 := c.randomActs(positions, kvDim)
	q, err3 := c.randomActs(rows, heads*headDim)
	if err := firstErr(err1, err2, err3); err != nil {
		c.fail(name, err)
		return
	}
	gpuCache := c.gpu.NewKVCache(2, positions+3, kvDim)
	refCache := c.ref.NewKVCache(2, positions+3, kvDim)
	c.gpu.StoreKV(gpuCache, 1, 0, k.gpu, v.gpu)
	c.ref.StoreKV(refCache, 1, 0, k.ref, v.ref)
	out := c.empty(rows, heads*headDim)
	c.gpu.Attention(out.gpu, q.gpu, gpuCache, 1, pos, heads, kvHeads, headDim)
	c.ref.Attention(out.ref, q.ref, refCache, 1, pos, heads, kvHeads, headDim)
	want, got := c.readBoth(out)
	c.compare(name, want, got, 1e-5)
}

func (c *checker) checkTopK() {
	sel, ok := c.gpu.(selector)
	if !ok {
		return
	}
	const n = 1000
	values := c.random(2*n, 1)
	for i := 0; i < 40; i += 4 { // ties must resolve to the lower index
		values[n+500+i] = values[n+100]
	}
	x, err := c.acts(values, 2, n)
	if err != nil {
		c.fail("topk", err)
		return
	}
	row := values[n:]
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		switch {
		case row[a] > row[b]:
			return -1
		case row[a] < row[b]:
			return 1
		}
		return 0
	})
	for _, k := range []int{1, 40, model.MaxTopK} {
		name := fmt.Sprintf("topk/k=%d", k)
		idx, val := make([]int32, k), make([]float32, k)
		if err := sel.TopK(x.gpu, 1, k, idx, val); err != nil {
			c.fail(name, err)
			continue
		}
		r := Result{Name: name, OK: true}
		for i := range k {
			if idx[i] != order[i] || val[i] != row[order[i]] {
				r.OK, r.MaxErr = false, 1
				r.Detail = fmt.Sprintf("rank %d: got %d (%g), want %d (%g)", i, idx[i], val[i], order[i], row[order[i]])
				break
			}
		}
		c.add(r)
	}
}
