//go:build js && wasm

package main

import (
	"fmt"
	"syscall/js"

	"github.com/wisp-llm/wisp/webgpu"
)

func runBench(gpu js.Value, opts webgpu.Options, files map[string][]byte, name string, tokens int) (rep Report) {
	data, ok := files[name]
	if !ok {
		rep.Error = fmt.Sprintf("model %q was not given", name)
		return rep
	}
	b, err := webgpu.Open(gpu, opts)
	if err != nil {
		rep.Error = err.Error()
		return rep
	}
	rep.Device = b.Info()
	rep.Bench = append(rep.Bench,
		decodeSpeed("webgpu", name, data, b, tokens, true),
		decodeSpeed("webgpu-read-logits", name, data, b, tokens, false),
		cpuBench(name, data, tokens))
	rep.OK = true
	for _, r := range rep.Bench {
		fmt.Println(describe(r))
		rep.OK = rep.OK && r.Error == ""
	}
	return rep
}
