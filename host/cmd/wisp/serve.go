package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/wisp-llm/wisp/host/server"
	"github.com/wisp-llm/wisp/host/wazero"
	"github.com/wisp-llm/wisp/wasm/api"
)

func init() {
	commands["serve"] = command{"serve the OpenAI API (HTTP, SSE, WebSocket) and the chat site", runServe}
}

// serveOptions are serve's flags, parsed.
type serveOptions struct {
	model, addr, engine, apiKey, cors, site string
	parallel, queue, ctx, threads           int
	maxBody                                 int64
	hostKernels, mapped                     bool
}

func parseServeFlags(args []string) (serveOptions, error) {
	var o serveOptions
	fs := newFlags("serve")
	fs.StringVar(&o.model, "m", "", "model file (GGUF)")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on (loopback unless told otherwise; port 0 picks a free one)")
	fs.StringVar(&o.engine, "engine", "native", "where the model runs: native or wasm")
	fs.IntVar(&o.parallel, "parallel", 1, "requests decoding at once (each has its own KV cache)")
	fs.IntVar(&o.queue, "queue", 16, "requests that may wait for a free session; more get 429")
	fs.IntVar(&o.ctx, "ctx", 0, "context length per session (0: the model's, at most 4096)")
	fs.StringVar(&o.apiKey, "api-key", os.Getenv("WISP_API_KEY"), "require 'Authorization: Bearer KEY' on /v1 routes (default $WISP_API_KEY)")
	fs.StringVar(&o.cors, "cors", "", "comma-separated origins browsers may call from (* for any)")
	fs.StringVar(&o.site, "site", defaultSite(), "directory served at / when it exists (build it with scripts/build-site build/site)")
	fs.Int64Var(&o.maxBody, "max-body", 1<<20, "largest request body in bytes")
	fs.IntVar(&o.threads, "threads", 0, "threads for the native engine and the host kernels (0: all cores)")
	fs.BoolVar(&o.hostKernels, "host-kernels", false, "with --engine wasm: run runtime-host.wasm, whose matrix products call this host's native kernels on all cores (--threads)")
	fs.BoolVar(&o.mapped, "mmap", false, "native engine: map the model file instead of reading it into private memory (opens faster, shares pages between processes, decodes slower)")
	if _, err := parseFlags(fs, args); err != nil {
		return o, err
	}
	if o.model == "" {
		return o, errors.New("-m MODEL.gguf is required")
	}
	if o.parallel < 1 || o.queue < 0 {
		return o, fmt.Errorf("--parallel must be at least 1 and --queue at least 0 (got %d and %d)", o.parallel, o.queue)
	}
	return o, nil
}

func runServe(args []string, stdout io.Writer) error {
	o, err := parseServeFlags(args)
	if err != nil {
		return err
	}
	eng, closeEngine, err := openServeEngine(o)
	if err != nil {
		return err
	}
	defer closeEngine()
	var origins []string
	if o.cors != "" {
		origins = strings.Split(o.cors, ",")
	}
	srv, err := server.New(server.Config{
		Engine: eng, Parallel: o.parallel, Queue: o.queue, Context: o.ctx,
		APIKey: o.apiKey, CORSOrigins: origins, MaxBodyBytes: o.maxBody, SiteDir: o.site,
		Logf: func(format string, args ...any) { fmt.Fprintf(diagnostics, "wisp serve: "+format+"\n", args...) },
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	if !isLoopback(ln.Addr()) && o.apiKey == "" {
		fmt.Fprintf(diagnostics, "wisp serve: warning: listening on %s without --api-key: anyone who can reach it can use the model\n", ln.Addr())
	}
	// The first line is for scripts (and tests) that start the server on
	// port 0 and need to know where it went.
	fmt.Fprintf(stdout, "listening on http://%s (model %s, %d parallel)\n", ln.Addr(), eng.Name(), o.parallel)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	stop() // a second signal kills the process the usual way
	fmt.Fprintln(diagnostics, "wisp serve: shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	if serveErr := <-served; err == nil {
		err = serveErr
	}
	return err
}

// openServeEngine loads the model natively or inside wazero.
func openServeEngine(o serveOptions) (api.Engine, func() error, error) {
	var eng api.Engine
	var closeEngine func() error
	warning := ""
	switch o.engine {
	case "wasm":
		w, err := server.OpenWazero(o.model, wazero.Options{Context: o.ctx, HostKernels: o.hostKernels, HostThreads: o.threads, Stderr: diagnostics})
		if err != nil {
			return nil, nil, err
		}
		eng, closeEngine, warning = w, w.Close, w.Warning()
	default:
		m, err := openModel(o.model, o.engine, o.threads, o.mapped)
		if err != nil {
			return nil, nil, err
		}
		eng, closeEngine = api.Native(m), m.Close
		warning = api.TemplateWarning(eng)
	}
	if warning != "" {
		fmt.Fprintf(diagnostics, "wisp serve: warning: %s\n", warning)
	}
	return eng, closeEngine, nil
}

func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// defaultSite is the built site when there is one (it holds runtime.wasm),
// else the site's sources.
func defaultSite() string {
	if st, err := os.Stat("build/site/index.html"); err == nil && !st.IsDir() {
		return "build/site"
	}
	return "site"
}
