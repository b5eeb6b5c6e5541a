//go:build wispsimd

package main

import (
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/wasmsimd"
)

// newBackend runs the model on the SIMD128 kernels that scripts/build-wasm
// merges into the Worker.
func newBackend() model.Backend { return wasmsimd.New() }
