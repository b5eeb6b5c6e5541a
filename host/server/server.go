// Package server is `wisp serve`: the OpenAI API of wasm/api/httpapi with
// sonic as its JSON codec, a WebSocket route for streamed chats, the
// static chat site, and an http.Server that shuts down gracefully.
package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/bytedance/sonic"

	"github.com/wisp-llm/wisp/wasm/api"
	"github.com/wisp-llm/wisp/wasm/api/httpapi"
)

// Config configures a Server.
type Config struct {
	Engine   api.Engine
	Parallel int // sessions decoding at once; 0 means 1
	Queue    int // requests waiting for a session before 429s
	Context  int // tokens per session; 0: the model's, at most 4096

	APIKey       string
	CORSOrigins  []string
	MaxBodyBytes int64 // 0: 1 MiB
	// SiteDir is served at / when it names a directory; "" serves none.
	SiteDir string
	// ShutdownGrace is how long Shutdown lets in-flight requests finish
	// before cancelling them; 0 means 10 s.
	ShutdownGrace time.Duration
	// Logf reports server-side failures; nil drops them.
	Logf func(format string, args ...any)
}

// Server is the HTTP server of one model.
type Server struct {
	svc     *api.Service
	api     *httpapi.Handler
	handler http.Handler
	srv     *http.Server
	grace   time.Duration
	logf    func(string, ...any)
	maxBody int64

	origins   map[string]bool // CORS origins, also allowed to open WebSockets
	anyOrigin bool

	// base is the parent of every request's context: cancelling it ends
	// all generations, which Shutdown does when the grace period is over.
	base       context.Context
	cancelBase context.CancelCauseFunc
	closing    chan struct{} // closed when Shutdown starts
	closeOnce  sync.Once
	// handlers counts running handlers (WebSockets included, which
	// http.Server stops tracking after the upgrade), so that Shutdown
	// returns only when every generation has unwound.
	handlers sync.WaitGroup
}

// errShuttingDown is what requests cut by Shutdown are told.
var errShuttingDown = &api.Error{Status: http.StatusServiceUnavailable, Type: api.TypeServer, Code: "server_shutting_down",
	Message: "The server is shutting down; retry elsewhere or later."}

// SonicCodec is the native JSON codec, compatible with encoding/json.
type SonicCodec struct{}

// Marshal encodes v with sonic.
func (SonicCodec) Marshal(v any) ([]byte, error) { return sonic.ConfigStd.Marshal(v) }

// Unmarshal decodes data into v with sonic.
func (SonicCodec) Unmarshal(data []byte, v any) error { return sonic.ConfigStd.Unmarshal(data, v) }

// New builds a server for c.
func New(c Config) (*Server, error) {
	if c.Engine == nil {
		return nil, errors.New("server: no engine")
	}
	svc, err := api.NewService(c.Engine, api.Options{Parallel: c.Parallel, Queue: c.Queue, Context: c.Context})
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s := &Server{svc: svc, grace: c.ShutdownGrace, logf: c.Logf, closing: make(chan struct{})}
	if s.grace <= 0 {
		s.grace = 10 * time.Second
	}
	if s.logf == nil {
		s.logf = func(string, ...any) {}
	}
	s.maxBody = c.MaxBodyBytes
	if s.maxBody <= 0 {
		s.maxBody = 1 << 20
	}
	s.origins = map[string]bool{}
	for _, o := range c.CORSOrigins {
		o = strings.TrimRight(strings.TrimSpace(o), "/")
		s.anyOrigin = s.anyOrigin || o == "*"
		s.origins[o] = true
	}
	s.api = httpapi.New(httpapi.Config{Service: svc, Codec: SonicCodec{}, APIKey: c.APIKey, CORSOrigins: c.CORSOrigins, MaxBodyBytes: s.maxBody, Logf: s.logf})
	mux := http.NewServeMux()
	mux.Handle("/v1/ws", s.api.Guard(http.HandlerFunc(s.serveWebSocket)))
	mux.Handle("/v1/", s.api)
	mux.Handle("/health", s.api)
	if st, err := os.Stat(c.SiteDir); c.SiteDir != "" && err == nil && st.IsDir() {
		mux.Handle("/", siteHandler(c.SiteDir))
	} else {
		mux.Handle("/", s.api) // OpenAI-shaped 404s
	}
	s.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.handlers.Add(1)
		defer s.handlers.Done()
		mux.ServeHTTP(w, r)
	})
	s.base, s.cancelBase = context.WithCancelCause(context.Background())
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return s.base },
	}
	return s, nil
}

// Handler is the server's routes, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.handler }

// Service is the API service behind the routes.
func (s *Server) Service() *api.Service { return s.svc }

// Serve answers requests on ln until Shutdown; it returns nil after a
// shutdown and the listener's error otherwise.
func (s *Server) Serve(ln net.Listener) error {
	err := s.srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections, lets in-flight requests finish
// for the grace period (or until ctx ends), then cancels the rest, which
// end their streams with a "server_shutting_down" error, and waits for
// them to unwind.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeOnce.Do(func() { close(s.closing) })
	graceCtx, cancel := context.WithTimeout(ctx, s.grace)
	defer cancel()
	err := s.srv.Shutdown(graceCtx)
	if err == nil {
		// Plain HTTP is done; WebSockets, which http.Server does not
		// track, finish their current request within the grace period.
		waitFor(&s.handlers, graceCtx)
	}
	// Grace is over: cut the generations and give their handlers a moment
	// to tell their clients why before the connections drop.
	s.cancelBase(errShuttingDown)
	last, cancelLast := context.WithTimeout(context.Background(), time.Second)
	defer cancelLast()
	waitFor(&s.handlers, last)
	if err != nil {
		err = s.srv.Close()
	}
	s.handlers.Wait()
	return err
}

// waitFor waits for wg, or until ctx ends.
func waitFor(wg *sync.WaitGroup, ctx context.Context) {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// siteHandler serves the static chat site. The page is cross-origin
// isolated (COOP/COEP), which gives its Web Worker shared memory to stop a
// generation at once; its files may be loaded from other origins, which the
// embed widget on someone else's page does.
func siteHandler(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Embedder-Policy", "require-corp")
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}
