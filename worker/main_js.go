//go:build js && wasm

// Command worker is Wisp's Cloudflare Worker: the OpenAI-compatible API of
// `wisp serve`, running in the isolate, with the model loaded once per
// isolate from R2 (binding MODELS) or from static assets (binding ASSETS).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"syscall/js"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/r2"
)

func main() {
	cfg := settings{
		ModelKey: cloudflare.Getenv("WISP_MODEL"),
		Context:  envInt("WISP_CONTEXT", 2048),
		Budget:   int64(envInt("WISP_MEMORY_BUDGET_MB", 128)) << 20,
		APIKey:   cloudflare.Getenv("WISP_API_KEY"),
		CORS:     cloudflare.Getenv("WISP_CORS"),
	}
	l := &loader{cfg: cfg, open: openModel}
	serve(newHandler(l))
	select {} // serve requests for the life of the isolate
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(cloudflare.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// openModel streams the model from the MODELS bucket, or failing that from
// the static assets binding.
func openModel(ctx context.Context, key string) (*modelStream, error) {
	if !cloudflare.GetBinding("MODELS").IsUndefined() {
		bucket, err := r2.NewBucket("MODELS")
		if err != nil {
			return nil, err
		}
		obj, err := bucket.Get(key)
		if err != nil {
			return nil, err
		}
		if obj == nil {
			return nil, fmt.Errorf("no object %q in the MODELS bucket", key)
		}
		closeBody := func() {
			if c, ok := obj.Body.(io.Closer); ok {
				c.Close()
			}
		}
		return &modelStream{Size: int64(obj.Size), Body: obj.Body, Close: closeBody}, nil
	}
	assets := cloudflare.GetBinding("ASSETS")
	if assets.IsUndefined() {
		return nil, errors.New("neither an R2 bucket MODELS nor static assets ASSETS is bound (see wrangler.toml)")
	}
	resp, err := await(assets.Call("fetch", "https://assets.local/"+key))
	if err != nil {
		return nil, err
	}
	if !resp.Get("ok").Bool() {
		return nil, fmt.Errorf("asset %q: HTTP %d", key, resp.Get("status").Int())
	}
	size, err := strconv.ParseInt(resp.Get("headers").Call("get", "content-length").String(), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("asset %q has no usable Content-Length", key)
	}
	reader := resp.Get("body").Call("getReader")
	return &modelStream{Size: size, Body: &jsStreamReader{reader: reader}, Close: func() { reader.Call("cancel") }}, nil
}

// jsStreamReader reads a JS ReadableStream chunk by chunk.
type jsStreamReader struct {
	reader js.Value
	buf    []byte
}

func (r *jsStreamReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		res, err := await(r.reader.Call("read"))
		if err != nil {
			return 0, err
		}
		if res.Get("done").Bool() {
			return 0, io.EOF
		}
		r.buf = bytesFromJS(res.Get("value"))
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}
