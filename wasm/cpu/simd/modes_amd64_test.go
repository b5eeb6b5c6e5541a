//go:build goexperiment.simd && amd64

package simd

import "testing"

// kernelModes runs f with the assembly kernels and, where the CPU has them,
// again without GFNI and with them switched off, so that the fallbacks are
// tested on this machine too.
func kernelModes(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	t.Run("dispatched", f)
	if !useVNNI {
		return
	}
	if useGFNI {
		useGFNI = false
		t.Run("vnni", f)
		useGFNI = true
	}
	useVNNI = false
	defer func() { useVNNI = true }()
	t.Run("avx2", f)
}
