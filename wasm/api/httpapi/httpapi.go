// Package httpapi serves the api.Service over HTTP with OpenAI's routes:
// POST /v1/chat/completions and /v1/completions (JSON or server-sent
// events), GET /v1/models and /health, with API-key checks, CORS and body
// limits. It is an http.Handler so that the native server and the
// Cloudflare Worker (whose glue speaks http.Handler) share it; hosts add
// their own routes (the native WebSocket, the static site) around it.
package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/wisp-llm/wisp/wasm/api"
)

// Config configures a Handler.
type Config struct {
	Service *api.Service
	// Codec encodes and decodes bodies; nil means encoding/json.
	Codec api.Codec
	// APIKey, when set, is required as "Authorization: Bearer KEY" on
	// every /v1 route.
	APIKey string
	// CORSOrigins are the origins browsers may call from; "*" allows any.
	// Empty: no cross-origin access.
	CORSOrigins []string
	// MaxBodyBytes caps request bodies (413 beyond); 0 means 1 MiB.
	MaxBodyBytes int64
	// Logf reports server-side failures; nil drops them.
	Logf func(format string, args ...any)
}

// Handler is the OpenAI API over HTTP.
type Handler struct {
	svc     *api.Service
	codec   api.Codec
	key     []byte // SHA-256 of the API key; nil when none is required
	origins map[string]bool
	anyOrig bool
	limit   int64
	logf    func(string, ...any)
}

// New returns the handler for c.
func New(c Config) *Handler {
	h := &Handler{svc: c.Service, codec: c.Codec, limit: c.MaxBodyBytes, logf: c.Logf, origins: map[string]bool{}}
	if h.codec == nil {
		h.codec = api.StdCodec{}
	}
	if h.limit <= 0 {
		h.limit = 1 << 20
	}
	if h.logf == nil {
		h.logf = func(string, ...any) {}
	}
	if c.APIKey != "" {
		sum := sha256.Sum256([]byte(c.APIKey))
		h.key = sum[:]
	}
	for _, o := range c.CORSOrigins {
		o = strings.TrimRight(strings.TrimSpace(o), "/")
		if o == "*" {
			h.anyOrig = true
		} else if o != "" {
			h.origins[o] = true
		}
	}
	return h
}

// Codec is the handler's JSON codec.
func (h *Handler) Codec() api.Codec { return h.codec }

// Service is the handler's service.
func (h *Handler) Service() *api.Service { return h.svc }

// ServeHTTP routes one request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.Guard(http.HandlerFunc(h.route)).ServeHTTP(w, r)
}

func (h *Handler) route(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case path == "/health":
		if allow(w, r, http.MethodGet, h) {
			h.WriteJSON(w, http.StatusOK, h.svc.Health())
		}
	case path == "/v1/models":
		if allow(w, r, http.MethodGet, h) {
			h.WriteJSON(w, http.StatusOK, h.svc.Models())
		}
	case strings.HasPrefix(path, "/v1/models/"):
		if allow(w, r, http.MethodGet, h) {
			if err := h.svc.CheckModel(strings.TrimPrefix(path, "/v1/models/")); err != nil {
				h.WriteError(w, err)
				return
			}
			h.WriteJSON(w, http.StatusOK, h.svc.Model())
		}
	case path == "/v1/chat/completions":
		if allow(w, r, http.MethodPost, h) {
			h.chat(w, r)
		}
	case path == "/v1/completions":
		if allow(w, r, http.MethodPost, h) {
			h.complete(w, r)
		}
	default:
		h.WriteError(w, &api.Error{Status: http.StatusNotFound, Type: api.TypeInvalidRequest, Code: "unknown_url",
			Message: "Unknown request URL: " + r.Method + " " + r.URL.Path + "."})
	}
}

func allow(w http.ResponseWriter, r *http.Request, method string, h *Handler) bool {
	if r.Method == method || (method == http.MethodGet && r.Method == http.MethodHead) {
		return true
	}
	w.Header().Set("Allow", method)
	h.WriteError(w, &api.Error{Status: http.StatusMethodNotAllowed, Type: api.TypeInvalidRequest, Code: "method_not_allowed",
		Message: "Method " + r.Method + " is not allowed on " + r.URL.Path + "; use " + method + "."})
	return false
}

// Guard applies CORS and, on /v1 routes, the API key check before next;
// hosts wrap their own /v1 routes with it.
func (h *Handler) Guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.cors(w, r) {
			return
		}
		if strings.HasPrefix(r.URL.Path, "/v1/") || r.URL.Path == "/v1" {
			if err := h.Authorize(r); err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="wisp"`)
				h.WriteError(w, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Authorize checks r's bearer token against the API key (in constant
// time); nil when no key is configured.
func (h *Handler) Authorize(r *http.Request) error {
	if h.key == nil {
		return nil
	}
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return &api.Error{Status: http.StatusUnauthorized, Type: api.TypeInvalidRequest, Code: "invalid_api_key",
			Message: "You didn't provide an API key. Send it in the Authorization header as 'Bearer YOUR_KEY'."}
	}
	// Comparing digests keeps the key's length out of the timing too.
	sum := sha256.Sum256([]byte(token))
	if subtle.ConstantTimeCompare(sum[:], h.key) != 1 {
		return &api.Error{Status: http.StatusUnauthorized, Type: api.TypeInvalidRequest, Code: "invalid_api_key",
			Message: "Incorrect API key provided."}
	}
	return nil
}

// cors sets the CORS headers for an allowed origin and answers
// preflight requests; it reports whether the request should go on.
func (h *Handler) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	if origin == "" {
		return !preflight || h.refusePreflight(w)
	}
	w.Header().Add("Vary", "Origin")
	if !h.anyOrig && !h.origins[origin] {
		if preflight {
			return h.refusePreflight(w)
		}
		return true // no CORS headers: the browser keeps the answer from the page
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	if !preflight {
		return true
	}
	w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	headers := r.Header.Get("Access-Control-Request-Headers")
	if headers == "" {
		headers = "Authorization, Content-Type"
	}
	w.Header().Set("Access-Control-Allow-Headers", headers)
	w.Header().Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return false
}

func (h *Handler) refusePreflight(w http.ResponseWriter) bool {
	h.WriteError(w, &api.Error{Status: http.StatusForbidden, Type: api.TypeInvalidRequest, Code: "cors_origin_not_allowed",
		Message: "This origin may not call the API; start the server with --cors listing it."})
	return false
}

// readBody reads a request body up to the limit.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, &api.Error{Status: http.StatusRequestEntityTooLarge, Type: api.TypeInvalidRequest, Code: "request_too_large",
			Message: "The request body exceeds " + strconv.FormatInt(h.limit, 10) + " bytes."}
	}
	if err != nil {
		return nil, api.BadRequest("", "The request body could not be read: %v", err)
	}
	return body, nil
}

// WriteJSON answers with status and v encoded.
func (h *Handler) WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := h.codec.Marshal(v)
	if err != nil {
		h.logf("encode response: %v", err)
		status, b = http.StatusInternalServerError, []byte(`{"error":{"message":"response encoding failed","type":"server_error","param":null,"code":null}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// WriteError answers with err as an OpenAI error object.
func (h *Handler) WriteError(w http.ResponseWriter, err error) {
	e := api.AsError(err)
	if e.Status >= 500 {
		h.logf("request failed: %v", err)
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	h.WriteJSON(w, e.Status, e.Body())
}
