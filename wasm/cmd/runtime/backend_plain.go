//go:build !wispsimd

package main

import (
	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/model"
)

// simd tells the host which artifact it runs: this one has no SIMD128
// kernels, so it validates on every engine.
const simd = false

func newBackend() model.Backend { return cpu.Reference{} }
