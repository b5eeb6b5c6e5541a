package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wisp-llm/wisp/wasm/api"
	"github.com/wisp-llm/wisp/wasm/engine"
)

const (
	modelPath  = "../../../shared/testdata/models/stories260K.gguf"
	goldenPath = "../../../shared/testdata/models/stories260K.expected.txt"
)

var (
	modelOnce sync.Once
	testModel *engine.Model
	modelErr  error
)

// testEngine loads stories260K once for the whole package.
func testEngine(t testing.TB) api.Engine {
	t.Helper()
	modelOnce.Do(func() { testModel, modelErr = engine.Open(modelPath, engine.Options{}) })
	if modelErr != nil {
		t.Fatalf("load model: %v", modelErr)
	}
	return api.Native(testModel)
}

func golden(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type testServer struct {
	*Server
	url    string
	client *http.Client
	stop   func() // shuts the server down; the test's end calls it too
}

// startServer runs a server for c (the native stories260K engine unless
// c names one) on a loopback
// port until the test ends.
func startServer(t testing.TB, c Config) *testServer {
	t.Helper()
	if c.Engine == nil {
		c.Engine = testEngine(t)
	}
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	ts := &testServer{Server: s, url: "http://" + ln.Addr().String(), client: &http.Client{Transport: &http.Transport{}}}
	var once sync.Once
	ts.stop = func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := s.Shutdown(ctx); err != nil {
				t.Errorf("shutdown: %v", err)
			}
			if err := <-served; err != nil {
				t.Errorf("serve: %v", err)
			}
			ts.client.CloseIdleConnections()
		})
	}
	t.Cleanup(ts.stop)
	return ts
}

// do sends a request and returns the status, headers and body.
func (ts *testServer) do(t testing.TB, method, path, body string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, ts.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := ts.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// post sends a JSON body to path and decodes a 200 answer into out.
func (ts *testServer) post(t testing.TB, path, body string, out any) {
	t.Helper()
	status, _, b := ts.do(t, http.MethodPost, path, body)
	if status != http.StatusOK {
		t.Fatalf("POST %s: status %d: %s", path, status, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("POST %s: %v in %s", path, err, b)
	}
}

// events reads a server-sent event stream: each data payload, in order.
func events(t testing.TB, r io.Reader) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			out = append(out, data)
		} else if line != "" {
			t.Fatalf("unexpected line in event stream: %q", line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading events: %v", err)
	}
	return out
}

// stream posts a streaming request and returns its events, [DONE] last.
func (ts *testServer) stream(t testing.TB, path, body string) []string {
	t.Helper()
	resp, err := ts.client.Post(ts.url+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST %s: status %d: %s", path, resp.StatusCode, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type = %q, want text/event-stream", ct)
	}
	ev := events(t, resp.Body)
	if len(ev) == 0 || ev[len(ev)-1] != "[DONE]" {
		t.Fatalf("stream does not end with [DONE]: %q", ev)
	}
	return ev[:len(ev)-1]
}

// errorBody decodes an OpenAI error answer, failing when it is not one.
func errorBody(t testing.TB, b []byte) api.ErrorObject {
	t.Helper()
	var e struct {
		Error *api.ErrorObject `json:"error"`
	}
	if err := json.Unmarshal(b, &e); err != nil || e.Error == nil || e.Error.Message == "" || e.Error.Type == "" {
		t.Fatalf("not an OpenAI error object: %s", b)
	}
	return *e.Error
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}
