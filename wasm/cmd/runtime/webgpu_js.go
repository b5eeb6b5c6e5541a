//go:build js

package main

import (
	"errors"
	"fmt"
	"syscall/js"

	"github.com/wisp-llm/wisp/wasm/abi"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/webgpu"
)

// WebGPU calls wait on JS promises, which a Go function called from JS
// cannot do; so a model on WebGPU is loaded, and its sessions generate, in
// goroutines, and those calls return Promises (see wasm/ABI.md).

func init() { rt.NewDeviceBackend = openDevice }

// backends lists what LoadOptions.Device accepts besides the CPU.
var backends = []any{"wasm", "webgpu"}

func openDevice(device string) (model.Backend, error) {
	if device != "webgpu" {
		return nil, fmt.Errorf("unknown device %q (this runtime has webgpu)", device)
	}
	nav := js.Global().Get("navigator")
	if !nav.Truthy() || !nav.Get("gpu").Truthy() {
		return nil, errors.New("navigator.gpu is not available here")
	}
	return webgpu.Open(nav.Get("gpu"), webgpu.Options{})
}

var (
	deviceModels   = map[int32]bool{}
	deviceSessions = map[int32]bool{}
)

// promise runs f in a goroutine and returns a Promise of its result; an
// error resolves to the same Error object a synchronous call returns.
func promise(f func() (any, error)) js.Value {
	var executor js.Func
	executor = js.FuncOf(func(_ js.Value, args []js.Value) any {
		executor.Release()
		resolve := args[0]
		go func() {
			v, err := f()
			if err != nil {
				resolve.Invoke(errorValue(err))
				return
			}
			resolve.Invoke(v)
		}()
		return nil
	})
	return js.Global().Get("Promise").New(executor)
}

func isDevice(opts abi.LoadOptions) bool {
	return opts.Device != "" && opts.Device != "cpu" && opts.Device != "wasm"
}
