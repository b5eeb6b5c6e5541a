//go:build !wispsimd

package main

import (
	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/model"
)

// newBackend is the pure-Go reference: native tests and builds without the
// merged SIMD128 kernels.
func newBackend() model.Backend { return cpu.Reference{} }
