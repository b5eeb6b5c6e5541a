package model

import (
	"encoding/binary"
	"math"
)

// f32s decodes little-endian float32 data.
func f32s(b []byte) []float32 {
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}
