//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

// main explains how to build the Worker: it only runs as js/wasm.
func main() {
	fmt.Fprintln(os.Stderr, "worker: this is the Cloudflare Worker; build it with scripts/build-worker (GOOS=js GOARCH=wasm)")
	os.Exit(2)
}
