//go:build !(js && wasm)

// Command kernelcheck checks Wisp's WebGPU kernels against the reference
// backend. It runs only as js/wasm, under scripts/webgpu's Node and Chromium
// runners.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "kernelcheck runs as GOOS=js GOARCH=wasm under scripts/webgpu/test.sh")
	os.Exit(2)
}
