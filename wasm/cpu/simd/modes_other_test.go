//go:build !(goexperiment.simd && amd64)

package simd

import "testing"

// kernelModes runs f once: this build has only the portable kernels.
func kernelModes(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	t.Run("portable", f)
}
