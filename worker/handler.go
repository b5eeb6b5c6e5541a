package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/wisp-llm/wisp/wasm/api"
	"github.com/wisp-llm/wisp/wasm/api/httpapi"
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

// apiHandler builds the OpenAI API handler shared with `wisp serve`. An
// isolate runs one request's JavaScript at a time, so one session decodes
// and others queue.
func apiHandler(m *engine.Model, ctxLen int, cfg settings) http.Handler {
	svc, err := api.NewService(api.Native(m), api.Options{Parallel: 1, Queue: 16, Context: ctxLen})
	if err != nil {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": map[string]any{
				"message": err.Error(), "type": "server_error", "param": nil, "code": "model_unavailable"}})
		})
	}
	var origins []string
	for _, o := range strings.Split(cfg.CORS, ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}
	return httpapi.New(httpapi.Config{Service: svc, APIKey: cfg.APIKey, CORSOrigins: origins})
}
