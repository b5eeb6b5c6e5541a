//go:build js && wasm

package webgpu

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// record runs one operation unless an earlier one failed, keeping its
// error (or a JS exception it raised) as the backend's error.
func (b *Backend) record(what string, f func() error) {
	if b.err != nil {
		return
	}
	var err error
	func() {
		defer catch(&err, what)
		err = f()
	}()
	if err != nil {
		b.fail(fmt.Errorf("webgpu: %s: %w", what, err))
	}
}

// bufs returns the GPU buffers of (up to three) activations, failing when
// one is missing (its allocation failed, or it belongs to another backend).
// An array, not a slice: the per-token path allocates nothing.
func bufs(acts ...*model.Act) ([3]*buffer, error) {
	var out [3]*buffer
	if len(acts) > len(out) {
		return out, fmt.Errorf("%d activations for one operation", len(acts))
	}
	for i, a := range acts {
		buf, ok := a.Device.(*buffer)
		if !ok {
			return out, fmt.Errorf("activations of %d×%d are not on this device", a.Cap, a.Cols)
		}
		out[i] = buf
	}
	return out, nil
}

func weightOf(w *model.Weight) (*deviceWeight, error) {
	dw, ok := w.Device.(*deviceWeight)
	if !ok {
		return nil, fmt.Errorf("weight %s was not uploaded to this device", w.Name)
	}
	return dw, nil
}

// kernel returns the key of op for weight type t, in the device's
// variant: subgroup reductions, f16 arithmetic.
func (b *Backend) kernel(o op, t tensor.Type) pipelineKey {
	return pipelineKey{op: o, weight: t, subgroups: b.info.Subgroups && o.hasSubgroupVariant(), f16: b.info.UseF16 && o.hasF16Variant()}
}

// Embed looks the tokens' rows up in the (possibly split) table.
func (b *Backend) Embed(dst *model.Act, table *model.Weight, tokens []int32) {
	dst.Rows = len(tokens)
	b.record("embed", func() error {
		d, err := bufs(dst)
		if err != nil {
			return err
		}
		tw, err := weightOf(table)
		if err != nil {
			return err
		}
		ids := b.bytesScratch(4 * len(tokens))
		for i, t := range tokens {
			binary.LittleEndian.PutUint32(ids[4*i:], uint32(t))
		}
		for i, c := range tw.chunks {
			var p params
			p.u32(c.first).u32(c.rows).u32(table.Cols).u32(int(tw.rowBytes)).u32(len(tokens))
			bs := []binding{whole(tw.bufs[i]), {data: ids}, whole(d[0])}
			if err := b.dispatch(b.kernel(opEmbed, table.Type), p, bs, ceilDiv(table.Cols, wgElems), len(tokens), 1); err != nil {
				return err
			}
		}
		return nil
	})
}

// RMSNorm normalizes in place on dst (after copying x there).
func (b *Backend) RMSNorm(dst, x *model.Act, weight *model.Weight, eps float32) {
	dst.Rows = x.Rows
	b.record("rmsnorm", func() error {
		a, err := bufs(dst, x)
		if err != nil {
			return err
		}
		nw, err := weightOf(weight)
		if err != nil {
			return err
		}
		if a[0] != a[1] {
			if err := b.copyFloats(a[1], 0, a[0], 0, x.Rows*x.Cols); err != nil {
				return err
			}
		}
		var p params
		p.u32(x.Cols).f32(eps)
		return b.dispatch(b.kernel(opRMSNorm, tensor.F32), p, []binding{whole(a[0]), whole(nw.bufs[0])}, x.Rows, 1, 1)
	})
}

// matVecMaxTokens is the batch size up to which MatMul uses the
// matrix-vector kernel: below a tile's worth of tokens the tiled kernel
// wastes most of its invocations.
const matVecMaxTokens = 4

// MatMul multiplies every row of x by the weight, one dispatch per weight
// buffer.
func (b *Backend) MatMul(dst *model.Act, w *model.Weight, x *model.Act, bias *model.Weight) {
	dst.Rows = x.Rows
	b.record("matmul", func() error {
		a, err := bufs(dst, x)
		if err != nil {
			return err
		}
		dw, err := weightOf(w)
		if err != nil {
			return err
		}
		fail := func(err error) error { return fmt.Errorf("%s: %w", w.Name, err) }
		biasBind, hasBias := whole(b.dummy), 0
		if bias != nil {
			bw, err := weightOf(bias)
			if err != nil {
				return fail(err)
			}
			biasBind, hasBias = whole(bw.bufs[0]), 1
		}
		for i, c := range dw.chunks {
			bs := []binding{whole(dw.bufs[i]), whole(a[1]), whole(a[0]), biasBind}
			var p params
			if x.Rows <= matVecMaxTokens {
				k := b.kernel(opMatVec, w.Type)
				perGroup := wgRows
				if k.subgroups {
					perGroup = subgroupRows(b.minSubgroup)
				}
				gx, gy := fold(ceilDiv(c.rows, perGroup))
				p.u32(c.rows).u32(w.Cols).u32(int(dw.rowBytes)).u32(c.first).u32(dst.Cols).u32(hasBias).u32(gx).u32(x.Rows)
				err = b.dispatch(k, p, bs, gx, gy, x.Rows)
			} else {
				k := b.kernel(opMatMul, w.Type)
				gx, gz := fold(ceilDiv(c.rows, matmulTile))
				p.u32(c.rows).u32(w.Cols).u32(int(dw.rowBytes)).u32(c.first).u32(dst.Cols).u32(hasBias).u32(gx).u32(x.Rows)
				err = b.dispatch(k, p, bs, gx, ceilDiv(x.Rows, matmulTile), gz)
			}
			if err != nil {
				return fail(err)
			}
		}
		return nil
	})
}

// ropeKey identifies the last RoPE table built, which every layer reuses.
type ropeKey struct {
	rope      *model.RoPE
	pos, rows int
}

// RoPE rotates x in place with cos/sin computed on the host.
func (b *Backend) RoPE(x *model.Act, headDim int, pos int, rope *model.RoPE) {
	b.record("rope", func() error {
		a, err := bufs(x)
		if err != nil {
			return err
		}
		half := rope.Dims / 2
		if half < 1 || rope.Dims > headDim {
			return fmt.Errorf("rotating %d of %d dimensions", rope.Dims, headDim)
		}
		n := 2 * half * x.Rows
		key := ropeKey{rope: rope, pos: pos, rows: x.Rows}
		if key != b.ropeCache || len(b.scratch) < n {
			if cap(b.scratch) < n {
				b.scratch = make([]float32, n)
			}
			b.scratch = b.scratch[:n]
			ropeTable(b.scratch, rope, pos, x.Rows)
			b.ropeCache = key
		}
		table := b.bytesScratch(4 * n)
		for i, v := range b.scratch[:n] {
			binary.LittleEndian.PutUint32(table[4*i:], math.Float32bits(v))
		}
		neox := 0
		if rope.NeoX {
			neox = 1
		}
		var p params
		p.u32(x.Cols).u32(headDim).u32(half).u32(neox).u32(x.Rows)
		heads := x.Cols / headDim
		return b.dispatch(b.kernel(opRoPE, tensor.F32), p, []binding{whole(a[0]), {data: table}}, ceilDiv(heads*half, wgElems), x.Rows, 1)
	})
}

// bytesScratch returns n bytes of host scratch, reused between operations
// (the arena copies what it stages).
func (b *Backend) bytesScratch(n int) []byte {
	if cap(b.scratchBytes) < n {
		b.scratchBytes = make([]byte, n)
	}
	return b.scratchBytes[:n]
}

// StoreKV copies k and v into the layer's cache at positions pos….
func (b *Backend) StoreKV(cache model.KVCache, layer, pos int, k, v *model.Act) {
	b.record("store kv", func() error {
		c, ok := cache.(*kvCache)
		if !ok || layer >= len(c.k) {
			return fmt.Errorf("KV cache layer %d is not on this device", layer)
		}
		a, err := bufs(k, v)
		if err != nil {
			return err
		}
		off, n := int64(pos*c.kvDim*4), k.Rows*c.kvDim
		if err := b.copyFloats(a[0], 0, c.k[layer], off, n); err != nil {
			return err
		}
		return b.copyFloats(a[1], 0, c.v[layer], off, n)
	})
}

// Attention runs the flash-attention kernel over the layer's cache.
func (b *Backend) Attention(out, q *model.Act, cache model.KVCache, layer, pos, heads, kvHeads, headDim int) {
	out.Rows = q.Rows
	b.record("attention", func() error {
		if err := checkAttentionShape(heads, kvHeads, headDim); err != nil {
			return err
		}
		c, ok := cache.(*kvCache)
		if !ok || layer >= len(c.k) {
			return fmt.Errorf("KV cache layer %d is not on this device", layer)
		}
		a, err := bufs(out, q)
		if err != nil {
			return err
		}
		var p params
		p.u32(headDim).u32(heads).u32(heads / kvHeads).u32(c.kvDim).u32(pos).f32(float32(1 / math.Sqrt(float64(headDim))))
		bs := []binding{whole(a[1]), whole(c.k[layer]), whole(c.v[layer]), whole(a[0])}
		return b.dispatch(b.kernel(opAttention, tensor.F32), p, bs, heads, q.Rows, 1)
	})
}

// SwiGLU computes in place on dst (after copying gate there).
func (b *Backend) SwiGLU(dst, gate, up *model.Act) {
	dst.Rows = gate.Rows
	b.record("swiglu", func() error {
		a, err := bufs(dst, gate, up)
		if err != nil {
			return err
		}
		if a[0] == a[2] && a[0] != a[1] {
			return fmt.Errorf("swiglu into its up input is not supported")
		}
		n := gate.Rows * gate.Cols
		if a[0] != a[1] {
			if err := b.copyFloats(a[1], 0, a[0], 0, n); err != nil {
				return err
			}
		}
		return b.elementwise(opSwiGLU, a[0], a[2], n)
	})
}

// Add adds x into dst.
func (b *Backend) Add(dst, x *model.Act) {
	b.record("add", func() error {
		a, err := bufs(dst, x)
		if err != nil {
			return err
		}
		return b.elementwise(opAdd, a[0], a[1], x.Rows*x.Cols)
	})
}

func (b *Backend) elementwise(o op, dst, src *buffer, n int) error {
	gx, gy := fold(ceilDiv(n, wgElems))
	var p params
	p.u32(n).u32(gx)
	return b.dispatch(b.kernel(o, tensor.F32), p, []binding{whole(dst), whole(src)}, gx, gy, 1)
}

// CopyRow copies row src of x into row 0 of dst.
func (b *Backend) CopyRow(dst, x *model.Act, src int) {
	dst.Rows = 1
	b.record("copy row", func() error {
		a, err := bufs(dst, x)
		if err != nil {
			return err
		}
		return b.copyFloats(a[1], int64(src*x.Cols*4), a[0], 0, x.Cols)
	})
}

// Read submits the recorded work and copies row r of x to dst. On failure
// dst is left unchanged and Err reports why.
func (b *Backend) Read(dst []float32, x *model.Act, r int) {
	b.record("read", func() error {
		a, err := bufs(x)
		if err != nil {
			return err
		}
		n := min(len(dst), x.Cols)
		raw, err := b.readBack(a[0], int64(r*x.Cols*4), int64(n*4))
		if err != nil {
			return err
		}
		for i := range n {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		return nil
	})
}

// Flush submits the recorded work without waiting for it.
func (b *Backend) Flush() error {
	b.record("submit", b.submit)
	return b.Err()
}
