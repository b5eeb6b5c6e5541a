package webgpu

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/wisp-llm/wisp/wasm/model"
)

// rowChunk is a run of whole rows of a weight stored in one GPU buffer.
type rowChunk struct {
	first, rows int   // rows first..first+rows-1 of the weight
	offset      int64 // byte offset of the first row in the weight's data
	bytes       int64 // bytes of data (the buffer is padded to a multiple of 4)
}

// splitRows cuts rows rows of rowBytes bytes into chunks that each fit a
// storage-buffer binding of at most limit bytes, and whose byte offsets the
// shaders can address with 32-bit indices. A single row larger than the
// limit cannot be split this way and is an error.
func splitRows(rows int, rowBytes, limit int64) ([]rowChunk, error) {
	if rows < 1 || rowBytes < 1 {
		return nil, fmt.Errorf("webgpu: cannot split %d rows of %d bytes", rows, rowBytes)
	}
	limit = min(limit, math.MaxUint32) &^ 3 // the shaders index u32 words by byte offset
	perChunk := limit / rowBytes
	if perChunk < 1 {
		return nil, fmt.Errorf("webgpu: a row of %d bytes exceeds the device's buffer binding limit of %d", rowBytes, limit)
	}
	var chunks []rowChunk
	for first := 0; first < rows; {
		n := int(min(int64(rows-first), perChunk))
		chunks = append(chunks, rowChunk{first: first, rows: n, offset: int64(first) * rowBytes, bytes: int64(n) * rowBytes})
		first += n
	}
	return chunks, nil
}

// paddedSize rounds a buffer size up to a multiple of 4 bytes (WebGPU's
// requirement for mapped and written ranges), with a minimum of 4.
func paddedSize(n int64) int64 { return max(4, (n+3)&^3) }

// alignUp rounds n up to a multiple of a (a power of two).
func alignUp(n, a int) int { return (n + a - 1) &^ (a - 1) }

// maxWorkgroupsPerDim is WebGPU's default maxComputeWorkgroupsPerDimension.
const maxWorkgroupsPerDim = 65535

// fold spreads n workgroups over two dimensions when n exceeds the
// per-dimension limit; the shaders recover the index as x + y·groupsX.
func fold(n int) (groupsX, groupsY int) {
	if n <= maxWorkgroupsPerDim {
		return max(n, 1), 1
	}
	groupsY = (n + maxWorkgroupsPerDim - 1) / maxWorkgroupsPerDim
	groupsX = (n + groupsY - 1) / groupsY
	return groupsX, groupsY
}

// ceilDiv is ⌈a/b⌉ for positive b.
func ceilDiv(a, b int) int { return (a + b - 1) / b }

// params packs a kernel's uniform struct: a run of 4-byte u32 and f32
// fields, in the order the WGSL struct declares them.
type params struct {
	b [64]byte
	n int
}

func (p *params) u32(v int) *params {
	binary.LittleEndian.PutUint32(p.b[p.n:], uint32(v))
	p.n += 4
	return p
}

func (p *params) f32(v float32) *params {
	binary.LittleEndian.PutUint32(p.b[p.n:], math.Float32bits(v))
	p.n += 4
	return p
}

// bytes returns the packed struct, padded to 16 bytes as uniform buffers
// require.
func (p *params) bytes() []byte { return p.b[:alignUp(max(p.n, 16), 16)] }

// ropeTable fills cs with cos and sin of every rotation angle of tokens
// tokens at positions pos, pos+1, …: cs[2(t·half+i)] = cos, [..+1] = sin.
// The angles are computed in float64 exactly as the reference backend does.
func ropeTable(cs []float32, rope *model.RoPE, pos, tokens int) {
	half := rope.Dims / 2
	for t := range tokens {
		p := float64(pos+t) * float64(rope.Scale)
		for i := range half {
			freq := math.Pow(float64(rope.Base), -float64(2*i)/float64(rope.Dims))
			if rope.FreqFactors != nil {
				freq /= float64(rope.FreqFactors[i])
			}
			angle := p * freq
			k := 2 * (t*half + i)
			cs[k], cs[k+1] = float32(math.Cos(angle)), float32(math.Sin(angle))
		}
	}
}

// checkAttentionShape reports head shapes the attention kernel cannot run.
func checkAttentionShape(heads, kvHeads, headDim int) error {
	switch {
	case headDim < 1 || headDim > maxHeadDim:
		return fmt.Errorf("webgpu: attention head size %d outside 1..%d", headDim, maxHeadDim)
	case kvHeads < 1 || heads%kvHeads != 0:
		return fmt.Errorf("webgpu: %d query heads do not group evenly over %d KV heads", heads, kvHeads)
	}
	return nil
}
