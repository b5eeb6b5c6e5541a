//go:build wasip1 && wisphost

package main

import (
	"github.com/wisp-llm/wisp/wasm/hostkernels"
	"github.com/wisp-llm/wisp/wasm/model"
)

// hostKernels tells the host that this artifact (runtime-host.wasm) imports
// the matrix product from it (wasm/hostkernels).
const hostKernels = true

func withHostKernels(newBackend func() model.Backend) func() model.Backend {
	return func() model.Backend { return hostkernels.New(newBackend()) }
}
