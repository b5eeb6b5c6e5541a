//go:build wasip1 && !wisphost

package main

import "github.com/wisp-llm/wisp/wasm/model"

// hostKernels tells the host that this artifact computes everything itself
// and imports nothing beyond wisp_host.emit.
const hostKernels = false

func withHostKernels(newBackend func() model.Backend) func() model.Backend { return newBackend }
