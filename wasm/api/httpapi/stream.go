package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/wisp-llm/wisp/wasm/api"
)

func (h *Handler) chat(w http.ResponseWriter, r *http.Request) {
	serveRequest(h, w, r, api.DecodeChat, func(q *api.ChatRequest) bool { return q.Stream }, h.svc.Chat)
}

func (h *Handler) complete(w http.ResponseWriter, r *http.Request) {
	serveRequest(h, w, r, api.DecodeCompletion, func(q *api.CompletionRequest) bool { return q.Stream }, h.svc.Complete)
}

// serveRequest decodes one request and runs it, answering with one JSON
// object or, when the request streams, with server-sent events.
func serveRequest[Req, Res, Chunk any](h *Handler, w http.ResponseWriter, r *http.Request,
	decode func(api.Codec, []byte) (*Req, error), streams func(*Req) bool,
	run func(context.Context, *Req, func(*Chunk) error) (*Res, error)) {
	body, err := h.readBody(w, r)
	if err != nil {
		h.WriteError(w, err)
		return
	}
	req, err := decode(h.codec, body)
	if err != nil {
		h.WriteError(w, err)
		return
	}
	if !streams(req) {
		res, err := run(r.Context(), req, nil)
		if err != nil {
			h.WriteError(w, err)
			return
		}
		h.WriteJSON(w, http.StatusOK, res)
		return
	}
	sse := &eventStream{h: h, w: w}
	_, err = run(r.Context(), req, func(c *Chunk) error { return sse.send(c) })
	sse.end(r, err)
}

// eventStream writes server-sent events. Headers go out with the first
// event, so that errors found before it (bad input, 429) still get their
// status code.
type eventStream struct {
	h       *Handler
	w       http.ResponseWriter
	started bool
	buf     []byte
}

func (s *eventStream) send(v any) error {
	if !s.started {
		s.started = true
		hdr := s.w.Header()
		hdr.Set("Content-Type", "text/event-stream")
		hdr.Set("Cache-Control", "no-cache")
		hdr.Set("X-Accel-Buffering", "no") // proxies must not hold events back
		s.w.WriteHeader(http.StatusOK)
	}
	b, err := s.h.codec.Marshal(v)
	if err != nil {
		return err
	}
	return s.write(b)
}

func (s *eventStream) write(data []byte) error {
	s.buf = append(append(append(s.buf[:0], "data: "...), data...), "\n\n"...)
	if _, err := s.w.Write(s.buf); err != nil {
		return err
	}
	return http.NewResponseController(s.w).Flush()
}

// end closes the stream: [DONE] after success, an error event when the
// stream had started, an error answer when it had not. A request whose
// context was cancelled with an *api.Error as its cause (the server
// shutting down) is told so; a client that went away gets nothing.
func (s *eventStream) end(r *http.Request, err error) {
	if err != nil && r.Context().Err() != nil {
		var cause *api.Error
		if !errors.As(context.Cause(r.Context()), &cause) {
			return
		}
		err = cause
	}
	switch {
	case err == nil:
		s.write([]byte("[DONE]"))
	case !s.started:
		s.h.WriteError(s.w, err)
	default:
		e := api.AsError(err)
		if e.Status >= 500 {
			s.h.logf("stream cut: %v", err)
		}
		if b, merr := s.h.codec.Marshal(e.Body()); merr == nil {
			s.write(b)
		}
	}
}
