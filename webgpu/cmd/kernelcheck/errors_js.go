//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"syscall/js"

	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
	"github.com/wisp-llm/wisp/webgpu"
)

// checkErrors exercises the failure paths a host falls back to the CPU on:
// a buffer the device cannot allocate, and a lost device.
func checkErrors(gpu js.Value) []Result {
	var out []Result
	result := func(name string, err error, ok bool) {
		r := Result{Name: name, OK: ok}
		if err != nil {
			r.Detail = err.Error()
		}
		out = append(out, r)
	}

	b, err := webgpu.Open(gpu, webgpu.Options{})
	if err != nil {
		result("errors/open", err, false)
		return out
	}
	b.NewAct(1<<20, 1<<11) // 8 GiB: over every device's buffer limit
	err = b.Err()
	result("errors/buffer-over-limit", err, err != nil)
	b.Close()

	// A command the device rejects surfaces as an error of the read that
	// submits it, not as stale bytes.
	b, err = webgpu.Open(gpu, webgpu.Options{})
	if err != nil {
		result("errors/open", err, false)
		return out
	}
	small := b.NewAct(1, 4)
	b.Read(make([]float32, 4), small, 5) // rows 5 of a one-row buffer
	err = b.Err()
	result("errors/invalid-command", err, err != nil)
	b.Close()

	b, err = webgpu.Open(gpu, webgpu.Options{})
	if err != nil {
		result("errors/open", err, false)
		return out
	}
	w := &model.Weight{Name: "w", Type: tensor.F32, Rows: 4, Cols: 4, Data: make([]byte, 64)}
	if err := b.Upload(w); err != nil {
		result("errors/device-lost", err, false)
		return out
	}
	x, y := b.NewAct(1, 4), b.NewAct(1, 4)
	b.Close() // destroys the device, as a driver reset would lose it
	b.MatMul(y, w, x, nil)
	got := []float32{7}
	b.Read(got, y, 0)
	err = b.Err()
	ok := errors.Is(err, webgpu.ErrDeviceLost) && got[0] == 7
	if err == nil {
		err = fmt.Errorf("no error after the device was destroyed; read %v", got)
	}
	result("errors/device-lost", err, ok)
	return out
}

// checkF16 runs the matrix products (decode shapes through the f16 matvec,
// prefill ones through the f16 matmul) when the adapter has shader-f16.
func checkF16(gpu js.Value, available bool) []Result {
	if !available {
		return nil
	}
	b, err := webgpu.Open(gpu, webgpu.Options{ShaderF16: true})
	if err != nil {
		return []Result{{Name: "f16/open", Detail: err.Error()}}
	}
	defer b.Close()
	c := newChecker(b, 2)
	c.matmulTol = 1e-2
	for _, t := range webgpu.WeightTypes() {
		c.checkMatMul(t)
	}
	for i := range c.results {
		c.results[i].Name = "f16/" + c.results[i].Name
	}
	return c.results
}
