package main

import (
	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/model"
)

// nativeBackend picks the fastest CPU backend available: the parallel,
// quantized-activation backend on threads threads (0: all cores), with
// vector kernels when built with GOEXPERIMENT=simd.
func nativeBackend(threads int) model.Backend {
	return cpu.NewFast(threads)
}
