//go:build js

// Command runtime is the main package of runtime.wasm. Under GOOS=js it puts
// the engine on globalThis.wisp (see wasm/ABI.md): requests and results are
// plain JS objects shaped as the JSON of package abi, and a failed call
// returns an Error with a numeric code that the shim (wasm/js/runtime.mjs)
// throws.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"syscall/js"

	"github.com/wisp-llm/wisp/wasm/abi"
)

var rt = abi.New(newBackend)

func main() {
	api := map[string]any{
		"abiVersion": 1,
		"simd":       simd,
		"backends":   backends,
		"loadBegin":  fn(loadBegin),
		"loadChunk":  fn(loadChunk),
		"loadEnd":    fn(loadEnd),
		"load":       fn(load),
		"info":       fn(info),
		"tokenize":   fn(tokenize),
		"detokenize": fn(detokenize),
		"newSession": fn(newSession),
		"generate":   fn(generate),
		"free":       fn(free),
	}
	js.Global().Set("wisp", js.ValueOf(api))
	if ready := js.Global().Get("__wispReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {} // serve calls until the page or process goes away
}

// fn adapts a Go function to a JS one; its error becomes the returned Error
// object, since Go code cannot throw into JS.
func fn(f func(args []js.Value) (any, error)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		v, err := f(args)
		if err != nil {
			return errorValue(err)
		}
		return v
	})
}

// errorValue is the Error object a failed call returns, with its code.
func errorValue(err error) js.Value {
	e := abi.AsError(err)
	obj := js.Global().Get("Error").New(e.Message)
	obj.Set("name", "WispError")
	obj.Set("code", int(e.Code))
	obj.Set("codeName", e.Code.String())
	return obj
}

func arg(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}

func intArg(args []js.Value, i int, what string) (int, error) {
	v := arg(args, i)
	if v.Type() != js.TypeNumber {
		return 0, &abi.Error{Code: abi.CodeInvalid, Message: what + " must be a number"}
	}
	return v.Int(), nil
}

// decode reads a JS object as the JSON of a typed request.
func decode(v js.Value, into any) error {
	if v.IsUndefined() || v.IsNull() {
		return nil
	}
	s := js.Global().Get("JSON").Call("stringify", v).String()
	if err := json.Unmarshal([]byte(s), into); err != nil {
		return &abi.Error{Code: abi.CodeInvalid, Message: "bad request: " + err.Error()}
	}
	return nil
}

// encode turns a typed result into a JS value.
func encode(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return js.Global().Get("JSON").Call("parse", string(b)), nil
}

func loadBegin(args []js.Value) (any, error) {
	size, err := intArg(args, 0, "size")
	if err != nil {
		return nil, err
	}
	return rt.BeginLoad(int64(size))
}

// loadChunk(handle, offset, Uint8Array) copies one chunk into the model.
func loadChunk(args []js.Value) (any, error) {
	h, err := intArg(args, 0, "handle")
	if err != nil {
		return nil, err
	}
	off, err := intArg(args, 1, "offset")
	if err != nil {
		return nil, err
	}
	chunk := arg(args, 2)
	if !chunk.InstanceOf(js.Global().Get("Uint8Array")) {
		return nil, &abi.Error{Code: abi.CodeInvalid, Message: "chunk must be a Uint8Array"}
	}
	dst, err := rt.LoadBuffer(int32(h), int64(off), int64(chunk.Length()))
	if err != nil {
		return nil, err
	}
	return js.CopyBytesToGo(dst, chunk), nil
}

func loadEnd(args []js.Value) (any, error) {
	h, err := intArg(args, 0, "handle")
	if err != nil {
		return nil, err
	}
	var opts abi.LoadOptions
	if err := decode(arg(args, 1), &opts); err != nil {
		return nil, err
	}
	if isDevice(opts) {
		return promise(func() (any, error) {
			m, err := rt.FinishLoad(int32(h), opts)
			if err == nil {
				deviceModels[m] = true
			}
			return m, err
		}), nil
	}
	return rt.FinishLoad(int32(h), opts)
}

// load(Uint8Array, options) is loadBegin, one loadChunk and loadEnd.
func load(args []js.Value) (any, error) {
	bytes := arg(args, 0)
	if !bytes.InstanceOf(js.Global().Get("Uint8Array")) {
		return nil, &abi.Error{Code: abi.CodeInvalid, Message: "model must be a Uint8Array"}
	}
	h, err := rt.BeginLoad(int64(bytes.Length()))
	if err != nil {
		return nil, err
	}
	dst, err := rt.LoadBuffer(h, 0, int64(bytes.Length()))
	if err != nil {
		return nil, err
	}
	js.CopyBytesToGo(dst, bytes)
	var opts abi.LoadOptions
	if err := decode(arg(args, 1), &opts); err != nil {
		rt.Free(h)
		return nil, err
	}
	return rt.FinishLoad(h, opts)
}

func info(args []js.Value) (any, error) {
	h, err := intArg(args, 0, "model")
	if err != nil {
		return nil, err
	}
	i, err := rt.Info(int32(h))
	if err != nil {
		return nil, err
	}
	return encode(i)
}

func tokenize(args []js.Value) (any, error) {
	h, err := intArg(args, 0, "model")
	if err != nil {
		return nil, err
	}
	var req abi.TokenizeRequest
	if err := decode(arg(args, 1), &req); err != nil {
		return nil, err
	}
	ids, err := rt.Tokenize(int32(h), req)
	if err != nil {
		return nil, err
	}
	return encode(ids)
}

func detokenize(args []js.Value) (any, error) {
	h, err := intArg(args, 0, "model")
	if err != nil {
		return nil, err
	}
	var ids []int32
	if err := decode(arg(args, 1), &ids); err != nil {
		return nil, err
	}
	return rt.Detokenize(int32(h), ids)
}

func newSession(args []js.Value) (any, error) {
	h, err := intArg(args, 0, "model")
	if err != nil {
		return nil, err
	}
	var opts abi.SessionOptions
	if err := decode(arg(args, 1), &opts); err != nil {
		return nil, err
	}
	if deviceModels[int32(h)] {
		return promise(func() (any, error) {
			s, err := rt.NewSession(int32(h), opts)
			if err == nil {
				deviceSessions[s] = true
			}
			return s, err
		}), nil
	}
	return rt.NewSession(int32(h), opts)
}

// generate(session, request, onDelta) runs to the end, calling onDelta with
// each delta; onDelta returning false stops generation early.
func generate(args []js.Value) (any, error) {
	h, err := intArg(args, 0, "session")
	if err != nil {
		return nil, err
	}
	var req abi.GenerateRequest
	if err := decode(arg(args, 1), &req); err != nil {
		return nil, err
	}
	onDelta := arg(args, 2)
	if deviceSessions[int32(h)] {
		return promise(func() (any, error) { return runGenerate(int32(h), req, onDelta) }), nil
	}
	return runGenerate(int32(h), req, onDelta)
}

func runGenerate(h int32, req abi.GenerateRequest, onDelta js.Value) (any, error) {
	res, err := rt.Generate(context.Background(), h, req, func(d abi.Delta) error {
		if onDelta.Type() != js.TypeFunction {
			return nil
		}
		v, err := encode(d)
		if err != nil {
			return err
		}
		if r := onDelta.Invoke(v); r.Type() == js.TypeBoolean && !r.Bool() {
			return abi.ErrStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, abi.ErrStop) {
		return nil, err
	}
	return encode(res)
}

func free(args []js.Value) (any, error) {
	h, err := intArg(args, 0, "handle")
	if err != nil {
		return nil, err
	}
	delete(deviceModels, int32(h))
	delete(deviceSessions, int32(h))
	return nil, rt.Free(int32(h))
}
