package simd

import (
	"math"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

// halfTable maps every binary16 bit pattern to its float32 value. The
// portable F16 kernels look values up rather than decode them: 256 KiB once,
// against a branchy conversion per weight.
var halfTable = func() *[1 << 16]float32 {
	var t [1 << 16]float32
	for h := range t {
		t[h] = tensor.F16ToF32(uint16(h))
	}
	return &t
}()

// f16 reads the little-endian half at b[0:2]. Block scales are normal
// numbers, which convert with two integer operations; zeros, subnormals,
// infinities and NaNs take the table.
func f16(b []byte) float32 {
	h := uint32(b[0]) | uint32(b[1])<<8
	if e := h & 0x7c00; e != 0 && e != 0x7c00 {
		return math.Float32frombits(h&0x8000<<16 | (h&0x7fff)<<13 + (127-15)<<23)
	}
	return halfTable[h]
}

// roundF16 rounds v to the nearest half and back, as llama.cpp stores the
// scale of a Q8_0 block.
func roundF16(v float32) float32 { return halfTable[tensor.F32ToF16(v)] }

// RoundF16 sets dst to src rounded to the nearest F16 values (ties to
// even), as llama.cpp rounds the activations multiplied by F16 weights.
func RoundF16(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = halfTable[tensor.F32ToF16(v)]
	}
}
