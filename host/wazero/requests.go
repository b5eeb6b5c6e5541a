package wazero

import (
	"context"
	"time"

	"github.com/wisp-llm/wisp/wasm/abi"
)

// stopGrace is how long a cancelled request may take to stop by itself
// (its next delta) before the guest is killed.
const stopGrace = time.Second

// Tokenize returns the ids of req.Text.
func (e *Engine) Tokenize(ctx context.Context, req abi.TokenizeRequest) ([]int32, error) {
	var ids []int32
	err := e.request(ctx, "wisp_tokenize", req, &ids)
	return ids, err
}

// Detokenize returns the text of ids.
func (e *Engine) Detokenize(ctx context.Context, ids []int32) (string, error) {
	var text string
	err := e.request(ctx, "wisp_detokenize", ids, &text)
	return text, err
}

// request runs one export that takes the model's handle and a JSON request
// and answers JSON.
func (e *Engine) request(ctx context.Context, name string, req, into any) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	g, err := e.ready(ctx)
	if err != nil {
		return err
	}
	in, err := e.putJSON(ctx, g, req)
	if err != nil {
		return err
	}
	defer e.drop(ctx, g, in)
	callCtx, cancel := e.callContext(ctx)
	defer cancel()
	if _, err := e.call(callCtx, g, name, uint64(g.model), in.ptr, in.n); err != nil {
		return err
	}
	return e.readJSON(g, into)
}

// Generate runs one request in the engine's session (whose cache is reused
// when a prompt extends the previous one), calling emit with each delta.
// When ctx is cancelled or Options.Deadline passes, generation stops at the
// next token and Generate returns the result so far with the context's
// error; a preemptible guest that does not stop is killed a second later.
func (e *Engine) Generate(ctx context.Context, req abi.GenerateRequest, emit func(abi.Delta) error) (abi.Result, error) {
	var res abi.Result
	if e.opts.Deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.opts.Deadline)
		defer cancel()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	g, err := e.ready(ctx)
	if err != nil {
		return res, err
	}
	in, err := e.putJSON(ctx, g, req)
	if err != nil {
		return res, err
	}
	defer e.drop(ctx, g, in)
	e.emit = func(d abi.Delta) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return emit(d)
	}
	e.emitErr = nil
	defer func() { e.emit = nil }()
	callCtx, cancel := e.callContext(ctx)
	defer cancel()
	_, err = e.call(callCtx, g, "wisp_generate", uint64(g.session), in.ptr, in.n)
	if err != nil {
		return res, err
	}
	if err := e.readJSON(g, &res); err != nil {
		return res, err
	}
	if e.emitErr != nil {
		return res, e.emitErr
	}
	return res, nil
}

// callContext is the context a guest call runs under: it ends e.grace
// after ctx does (which kills the guest only when it is preemptible).
func (e *Engine) callContext(ctx context.Context) (context.Context, func()) {
	callCtx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(e.grace, func() { cancel(ctx.Err()) })
		context.AfterFunc(callCtx, func() { t.Stop() })
	})
	return callCtx, func() { stop(); cancel(nil) }
}
