//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"syscall/js"
)

// This file is Wisp's own bridge between the Workers runtime and Go's
// net/http: syumai/workers' stock glue re-runs the Go program for every
// request, which would reload the model each time. Here the program runs
// once per isolate and serves every request through handleRequest.

var (
	promiseClass    = js.Global().Get("Promise")
	responseClass   = js.Global().Get("Response")
	uint8ArrayClass = js.Global().Get("Uint8Array")
	streamClass     = js.Global().Get("ReadableStream")
	objectClass     = js.Global().Get("Object")
)

// newPromise runs fn in a goroutine and settles a JS promise with its result.
func newPromise(fn func() (js.Value, error)) js.Value {
	var executor js.Func
	executor = js.FuncOf(func(_ js.Value, args []js.Value) any {
		executor.Release()
		resolve, reject := args[0], args[1]
		go func() {
			v, err := fn()
			if err != nil {
				reject.Invoke(js.Global().Get("Error").New(err.Error()))
				return
			}
			resolve.Invoke(v)
		}()
		return nil
	})
	return promiseClass.New(executor)
}

// await blocks the calling goroutine until p settles.
func await(p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	var onOK, onErr js.Func
	onOK = js.FuncOf(func(_ js.Value, args []js.Value) any {
		onOK.Release()
		onErr.Release()
		ch <- result{v: args[0]}
		return nil
	})
	onErr = js.FuncOf(func(_ js.Value, args []js.Value) any {
		onOK.Release()
		onErr.Release()
		ch <- result{err: fmt.Errorf("%s", args[0].Call("toString").String())}
		return nil
	})
	p.Call("then", onOK, onErr)
	r := <-ch
	return r.v, r.err
}

func bytesFromJS(v js.Value) []byte {
	arr := uint8ArrayClass.New(v)
	b := make([]byte, arr.Get("byteLength").Int())
	js.CopyBytesToGo(b, arr)
	return b
}

// toRequest converts a JS Request into a Go request whose context ends when
// the returned cancel function is called.
func toRequest(jsReq js.Value) (*http.Request, context.CancelFunc, error) {
	body, err := await(jsReq.Call("arrayBuffer"))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the request body: %w", err)
	}
	data := bytesFromJS(body)
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, jsReq.Get("method").String(), jsReq.Get("url").String(), bytes.NewReader(data))
	if err != nil {
		cancel()
		return nil, nil, err
	}
	entries := js.Global().Get("Array").Call("from", jsReq.Get("headers").Call("entries"))
	for i := range entries.Length() {
		kv := entries.Index(i)
		req.Header.Add(kv.Index(0).String(), kv.Index(1).String())
	}
	req.ContentLength = int64(len(data))
	return req, cancel, nil
}

// streamWriter is an http.ResponseWriter whose body becomes a JS
// ReadableStream; each Flush hands what was written so far to the stream, so
// server-sent events reach the client as they are produced.
type streamWriter struct {
	header  http.Header
	status  int
	buf     bytes.Buffer
	chunks  chan []byte
	started chan struct{} // closed when the Response can be built
	once    sync.Once
	cancel  context.CancelFunc
}

func newStreamWriter(cancel context.CancelFunc) *streamWriter {
	return &streamWriter{header: http.Header{}, chunks: make(chan []byte, 16), started: make(chan struct{}), cancel: cancel}
}

func (w *streamWriter) Header() http.Header { return w.header }

func (w *streamWriter) WriteHeader(status int) {
	w.once.Do(func() {
		w.status = status
		close(w.started)
	})
}

func (w *streamWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.buf.Write(p)
}

func (w *streamWriter) Flush() {
	w.WriteHeader(http.StatusOK)
	if w.buf.Len() == 0 {
		return
	}
	chunk := bytes.Clone(w.buf.Bytes())
	w.buf.Reset()
	w.chunks <- chunk
}

func (w *streamWriter) finish() {
	w.Flush()
	close(w.chunks)
}

// response builds the JS Response: status, headers, and a pull-based stream.
func (w *streamWriter) response() js.Value {
	headers := objectClass.New()
	for k, vs := range w.header {
		for _, v := range vs {
			if prev := headers.Get(k); prev.Truthy() {
				v = prev.String() + ", " + v
			}
			headers.Set(k, v)
		}
	}
	init := objectClass.New()
	init.Set("status", w.status)
	init.Set("headers", headers)
	if w.status == http.StatusNoContent || w.status == http.StatusNotModified {
		return responseClass.New(js.Null(), init)
	}
	source := objectClass.New()
	var pull, cancel js.Func
	pull = js.FuncOf(func(_ js.Value, args []js.Value) any {
		controller := args[0]
		return newPromise(func() (js.Value, error) {
			chunk, ok := <-w.chunks
			if !ok {
				controller.Call("close")
				pull.Release()
				cancel.Release()
				return js.Undefined(), nil
			}
			arr := uint8ArrayClass.New(len(chunk))
			js.CopyBytesToJS(arr, chunk)
			controller.Call("enqueue", arr)
			return js.Undefined(), nil
		})
	})
	// The client went away: stop the generation and drain the writer.
	cancel = js.FuncOf(func(js.Value, []js.Value) any {
		w.cancel()
		go func() {
			for range w.chunks {
			}
		}()
		return nil
	})
	source.Set("pull", pull)
	source.Set("cancel", cancel)
	return responseClass.New(streamClass.New(source), init)
}

// serve registers handleRequest on the runtime context's binding object.
func serve(h http.Handler) {
	binding := js.Global().Get("context").Get("binding")
	binding.Set("handleRequest", js.FuncOf(func(_ js.Value, args []js.Value) any {
		jsReq := args[0]
		return newPromise(func() (js.Value, error) {
			req, cancel, err := toRequest(jsReq)
			if err != nil {
				return js.Value{}, err
			}
			w := newStreamWriter(cancel)
			go func() {
				defer cancel()
				defer w.finish()
				defer func() {
					if r := recover(); r != nil {
						if w.buf.Len() == 0 {
							w.WriteHeader(http.StatusInternalServerError)
							w.header.Set("Content-Length", strconv.Itoa(0))
						}
						fmt.Println("wisp worker: handler panic:", r)
					}
				}()
				h.ServeHTTP(w, req)
			}()
			<-w.started
			return w.response(), nil
		})
	}))
	if ready := binding.Get("ready"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
}
