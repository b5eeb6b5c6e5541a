package wasmsimd

import "unsafe"

// f32Bytes views float32s as their little-endian bytes (every host Wisp
// runs on is little-endian), so the keys cache can be read as an F32 matrix.
func f32Bytes(f []float32) []byte {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*len(f))
}
