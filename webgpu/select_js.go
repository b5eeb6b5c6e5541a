//go:build js && wasm

package webgpu

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// MaxTopK bounds k in TopK: the kernel makes one pass over the row per k.
const MaxTopK = model.MaxTopK

// The engine reads back only the sampled token's candidates through TopK.
var _ model.TopKReader = (*Backend)(nil)

// TopK finds the k largest values of row r of x on the GPU, largest first
// (ties by lower index), and reads back only those: idx and val receive k
// entries. Sampling from them (temperature, top-p, the random draw) is left
// to the host sampler.
func (b *Backend) TopK(x *model.Act, r, k int, idx []int32, val []float32) error {
	if k < 1 || k > MaxTopK || k > x.Cols || len(idx) < k || len(val) < k {
		return fmt.Errorf("webgpu: top-%d of %d values into %d/%d slots", k, x.Cols, len(idx), len(val))
	}
	b.record("top-k", func() error {
		a, err := bufs(x)
		if err != nil {
			return err
		}
		if b.results == nil {
			if b.results, err = b.newBuffer(8*MaxTopK, usageStorage|usageCopySrc, nil); err != nil {
				return err
			}
		}
		var p params
		p.u32(x.Cols).u32(r * x.Cols).u32(k)
		if err := b.dispatch(b.kernel(opTopK, tensor.F32), p, []binding{whole(a[0]), whole(b.results)}, 1, 1, 1); err != nil {
			return err
		}
		raw, err := b.readBack(b.results, 0, int64(8*k))
		if err != nil {
			return err
		}
		for i := range k {
			idx[i] = int32(binary.LittleEndian.Uint32(raw[8*i:]))
			val[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[8*i+4:]))
		}
		return nil
	})
	return b.Err()
}

// ArgMax returns the index of the largest value of row r of x (the first on
// ties): greedy sampling with a read-back of 8 bytes.
func (b *Backend) ArgMax(x *model.Act, r int) (int32, error) {
	var idx [1]int32
	var val [1]float32
	if err := b.TopK(x, r, 1, idx[:], val[:]); err != nil {
		return 0, err
	}
	return idx[0], nil
}
