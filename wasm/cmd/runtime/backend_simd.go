//go:build wispsimd

package main

import (
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/wasmsimd"
)

// simd tells the host which artifact it runs: this one calls the SIMD128
// kernels merged in by scripts/build-wasm.
const simd = true

func newBackend() model.Backend { return wasmsimd.New() }
