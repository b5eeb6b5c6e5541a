package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"sync"

	"github.com/wisp-llm/wisp/wasm/engine"
)

// handler serves /health itself (without loading the model) and everything
// else through the shared OpenAI API handler, once the model is loaded.
type handler struct {
	l *loader

	once sync.Once
	api  http.Handler
}

func newHandler(l *loader) http.Handler { return &handler{l: l} }

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/health" {
		writeJSON(w, http.StatusOK, h.l.status())
		return
	}
	m, ctxLen, err := h.l.get(r.Context())
	if err != nil {
		status := http.StatusServiceUnavailable
		writeJSON(w, status, map[string]any{"error": map[string]any{
			"message": err.Error(), "type": "server_error", "param": nil,
			"code": map[bool]string{true: "model_over_budget", false: "model_unavailable"}[errors.Is(err, ErrOverBudget)],
		}})
		return
	}
	h.once.Do(func() { h.api = apiHandler(m, ctxLen, h.l.cfg) })
	h.api.ServeHTTP(w, r)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// apiHandler builds the OpenAI API handler shared with `wisp serve`.
var apiHandler = func(m *engine.Model, ctxLen int, cfg settings) http.Handler {
	return http.NotFoundHandler()
}
