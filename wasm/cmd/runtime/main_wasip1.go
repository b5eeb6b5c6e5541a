//go:build wasip1

// Command runtime is the main package of runtime.wasm. Under GOOS=wasip1 it
// is a reactor (built with -buildmode=c-shared): the host calls _initialize
// once, then the wisp_* exports below. wasm/ABI.md documents the calling
// convention; in short, inputs are JSON or bytes in guest buffers from
// wisp_alloc, a call returns a non-negative value or minus an abi.Code, and
// JSON results and errors are read from wisp_result_ptr.
package main

import (
	"context"
	"encoding/json"
	"unsafe"

	"github.com/wisp-llm/wisp/wasm/abi"
)

func main() {} // a reactor has no main: _initialize runs the package inits

var (
	rt = abi.New(withHostKernels(newBackend))
	// buffers keeps what wisp_alloc handed out alive until wisp_dealloc.
	buffers = map[uintptr][]byte{}
	// result is the JSON of the last call's result or error.
	result []byte
)

// emit passes one delta (JSON) to the host; a non-zero answer stops
// generation.
//
//go:wasmimport wisp_host emit
func emit(delta unsafe.Pointer, n uint32) uint32

func ptrOf(b []byte) uint32 {
	if len(b) == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(&b[0])))
}

func bytesAt(p unsafe.Pointer, n uint32) []byte {
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(p), n)
}

// fail stores err's JSON as the result and returns minus its code.
func fail(err error) int32 {
	e := abi.AsError(err)
	result, _ = json.Marshal(e)
	return -int32(e.Code)
}

// reply stores v's JSON as the result and returns its length.
func reply(v any) int32 {
	b, err := json.Marshal(v)
	if err != nil {
		return fail(err)
	}
	result = b
	return int32(len(b))
}

// handle returns a new handle, or the error's code.
func handle(h int32, err error) int32 {
	if err != nil {
		return fail(err)
	}
	return h
}

func decode(p unsafe.Pointer, n uint32, into any) error {
	if n == 0 {
		return nil
	}
	if err := json.Unmarshal(bytesAt(p, n), into); err != nil {
		return &abi.Error{Code: abi.CodeInvalid, Message: "bad request: " + err.Error()}
	}
	return nil
}

//go:wasmexport wisp_abi_version
func abiVersion() int32 { return 1 }

// wisp_features: bit 0 is set when the SIMD128 kernels are linked in, bit 1
// when the matrix products are imported from the host (wasm/hostkernels).
//
//go:wasmexport wisp_features
func features() int32 {
	var f int32
	if simd {
		f |= 1
	}
	if hostKernels {
		f |= 2
	}
	return f
}

//go:wasmexport wisp_alloc
func alloc(n uint32) uint32 {
	if n == 0 || int64(n) > abi.AddressSpace/2 {
		return 0
	}
	b := make([]byte, n)
	p := ptrOf(b)
	buffers[uintptr(p)] = b
	return p
}

//go:wasmexport wisp_dealloc
func dealloc(p uint32) { delete(buffers, uintptr(p)) }

//go:wasmexport wisp_result_ptr
func resultPtr() uint32 { return ptrOf(result) }

//go:wasmexport wisp_result_len
func resultLen() uint32 { return uint32(len(result)) }

//go:wasmexport wisp_load_begin
func loadBegin(size int64) int32 { return handle(rt.BeginLoad(size)) }

// wisp_load_buffer returns where the host writes bytes [offset, offset+n)
// of a pending load, or 0 with the error as the result.
//
//go:wasmexport wisp_load_buffer
func loadBuffer(h int32, offset int64, n uint32) uint32 {
	b, err := rt.LoadBuffer(h, offset, int64(n))
	if err != nil {
		fail(err)
		return 0
	}
	return ptrOf(b)
}

//go:wasmexport wisp_load_end
func loadEnd(h int32, opts unsafe.Pointer, n uint32) int32 {
	var o abi.LoadOptions
	if err := decode(opts, n, &o); err != nil {
		rt.Free(h)
		return fail(err)
	}
	return handle(rt.FinishLoad(h, o))
}

//go:wasmexport wisp_load_file
func loadFile(path unsafe.Pointer, pathLen uint32, opts unsafe.Pointer, n uint32) int32 {
	var o abi.LoadOptions
	if err := decode(opts, n, &o); err != nil {
		return fail(err)
	}
	return handle(rt.LoadFile(string(bytesAt(path, pathLen)), o))
}

//go:wasmexport wisp_info
func info(h int32) int32 {
	i, err := rt.Info(h)
	if err != nil {
		return fail(err)
	}
	return reply(i)
}

//go:wasmexport wisp_tokenize
func tokenize(h int32, req unsafe.Pointer, n uint32) int32 {
	var r abi.TokenizeRequest
	if err := decode(req, n, &r); err != nil {
		return fail(err)
	}
	ids, err := rt.Tokenize(h, r)
	if err != nil {
		return fail(err)
	}
	return reply(ids)
}

//go:wasmexport wisp_detokenize
func detokenize(h int32, ids unsafe.Pointer, n uint32) int32 {
	var r []int32
	if err := decode(ids, n, &r); err != nil {
		return fail(err)
	}
	text, err := rt.Detokenize(h, r)
	if err != nil {
		return fail(err)
	}
	return reply(text)
}

//go:wasmexport wisp_session_new
func sessionNew(h int32, opts unsafe.Pointer, n uint32) int32 {
	var o abi.SessionOptions
	if err := decode(opts, n, &o); err != nil {
		return fail(err)
	}
	return handle(rt.NewSession(h, o))
}

//go:wasmexport wisp_generate
func generate(h int32, req unsafe.Pointer, n uint32) int32 {
	var r abi.GenerateRequest
	if err := decode(req, n, &r); err != nil {
		return fail(err)
	}
	res, err := rt.Generate(context.Background(), h, r, func(d abi.Delta) error {
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		if emit(unsafe.Pointer(&b[0]), uint32(len(b))) != 0 {
			return abi.ErrStop
		}
		return nil
	})
	if err != nil {
		return fail(err)
	}
	return reply(res)
}

//go:wasmexport wisp_free
func free(h int32) int32 {
	if err := rt.Free(h); err != nil {
		return fail(err)
	}
	return 0
}
