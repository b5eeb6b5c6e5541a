//go:build !js && !wasip1

// Command runtime is the main package of runtime.wasm; it is built only for
// GOOS=js and GOOS=wasip1 (see scripts/build-wasm and wasm/ABI.md).
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "runtime: build with GOOS=js or GOOS=wasip1 GOARCH=wasm (scripts/build-wasm)")
	os.Exit(2)
}
