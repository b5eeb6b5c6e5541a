package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wisp-llm/wisp/wasm/api"
)

// settledGoroutines waits for the goroutine count to fall to at most want
// and returns the last count seen.
func settledGoroutines(want int) int {
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(5 * time.Second); n > want && time.Now().Before(deadline); n = runtime.NumGoroutine() {
		time.Sleep(20 * time.Millisecond)
	}
	return n
}

// 64 concurrent streams against 4 sessions and a queue of 8: each
// completes or gets 429, nothing else, and nothing is left running.
func TestLoad(t *testing.T) {
	before := runtime.NumGoroutine()
	heapBefore := heapInUse()
	func() {
		ts := startServer(t, Config{Parallel: 4, Queue: 8})
		var wg sync.WaitGroup
		var mu sync.Mutex
		outcomes := map[string]int{}
		for i := range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				outcome := loadRequest(ts, fmt.Sprintf(`{"messages":[{"role":"user","content":"story %d"}],"max_tokens":48,"temperature":0.8,"seed":%d,"stream":true,"stream_options":{"include_usage":true}}`, i, i))
				mu.Lock()
				outcomes[outcome]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if outcomes["complete"]+outcomes["429"] != 64 || outcomes["complete"] < 12 {
			t.Errorf("outcomes = %v, want only complete (at least 12) and 429", outcomes)
		}
		t.Logf("outcomes: %v", outcomes)
		if h := ts.svc.Health(); h.Busy != 0 || h.Waiting != 0 || h.Served != int64(outcomes["complete"]) {
			t.Errorf("health after load = %+v", h)
		}
		ts.stop()
	}()
	// What stays is the sessions' KV caches (4 × 2.6 MB for stories260K);
	// 64 requests' worth of buffers must not pile up.
	if grown := heapInUse() - heapBefore; grown > 32<<20 {
		t.Errorf("heap grew by %d MB under load", grown>>20)
	}
	if after := settledGoroutines(before); after > before {
		buf := make([]byte, 1<<16)
		t.Errorf("goroutines: %d before, %d after\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

// loadRequest runs one streaming chat and classifies the outcome.
func loadRequest(ts *testServer, body string) string {
	resp, err := ts.client.Post(ts.url+"/v1/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		return "transport: " + err.Error()
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests {
		if resp.Header.Get("Retry-After") == "" {
			return "429 without Retry-After"
		}
		return "429"
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("status %d", resp.StatusCode)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "read: " + err.Error()
	}
	s := string(b)
	if !strings.HasSuffix(s, "data: [DONE]\n\n") || !strings.Contains(s, `"usage":{"prompt_tokens"`) || strings.Contains(s, `"error"`) {
		return "broken stream"
	}
	return "complete"
}

// Clients that hang up mid-stream free their sessions at once.
func TestDisconnectFreesSlots(t *testing.T) {
	ts := startServer(t, Config{Parallel: 4, Queue: 16})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	started := make(chan struct{}, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// No max_tokens: each would run to the end of its 2048-token context.
			req, _ := http.NewRequestWithContext(ctx, "POST", ts.url+"/v1/chat/completions", strings.NewReader(`{"messages":[{"role":"user","content":"Hi"}],"stream":true}`))
			resp, err := ts.client.Do(req)
			if err != nil {
				return
			}
			defer resp.Body.Close()
			if _, err := resp.Body.Read(make([]byte, 1)); err == nil {
				started <- struct{}{}
			}
			io.Copy(io.Discard, resp.Body)
		}()
	}
	start := time.Now()
	for range 4 { // every session is decoding
		<-started
	}
	for h := ts.svc.Health(); h.Busy != 4 || h.Waiting != 6; h = ts.svc.Health() {
		if time.Since(start) > 5*time.Second {
			t.Fatalf("health with 10 clients = %+v, want 4 busy and 6 waiting", h)
		}
		time.Sleep(5 * time.Millisecond)
	}
	hungUp := time.Now()
	cancel()
	wg.Wait()
	for h := ts.svc.Health(); h.Busy+h.Waiting > 0; h = ts.svc.Health() {
		// Each stream would run for seconds to the end of its context;
		// the bound is loose for slow (race-enabled) runs, and the
		// abandoned count below shows that cancellation freed them.
		if time.Since(hungUp) > 20*time.Second {
			t.Fatalf("sessions still held after the clients left: %+v", h)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if h := ts.svc.Health(); h.Abandoned != 10 {
		t.Errorf("health = %+v, want all 10 requests abandoned", h)
	}
	var res api.CompletionResponse
	ts.post(t, "/v1/completions", `{"prompt":"Once","max_tokens":4}`, &res)
	t.Logf("all slots free %v after hang-up", time.Since(hungUp))
}

// Shutdown lets a short request finish and cuts a long stream after the
// grace period.
func TestShutdown(t *testing.T) {
	c := Config{Parallel: 2, ShutdownGrace: 300 * time.Millisecond, Engine: testEngine(t)}
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: s, client: &http.Client{Transport: &http.Transport{}}}
	defer ts.client.CloseIdleConnections()
	ln := listen(t)
	ts.url = "http://" + ln.Addr().String()
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()

	long, err := ts.client.Post(ts.url+"/v1/chat/completions", "application/json", strings.NewReader(`{"messages":[{"role":"user","content":"Hi"}],"stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer long.Body.Close()
	if _, err := long.Body.Read(make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	rest, _ := io.ReadAll(long.Body) // ends when the stream is cut
	if !strings.Contains(string(rest), `"code":"server_shutting_down"`) {
		t.Errorf("the cut stream does not say why; it ends %q", rest[max(0, len(rest)-200):])
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("shutdown took %v", d)
	}
	if _, err := ts.client.Get(ts.url + "/health"); err == nil {
		t.Error("the server still answers after Shutdown")
	}
	if h := s.svc.Health(); h.Busy != 0 {
		t.Errorf("health after shutdown = %+v", h)
	}
}

func TestShutdownFinishesShortRequests(t *testing.T) {
	ts := startServer(t, Config{ShutdownGrace: 5 * time.Second})
	resp, err := ts.client.Post(ts.url+"/v1/completions", "application/json", strings.NewReader(`{"prompt":"","max_tokens":100,"stream":true,"temperature":0}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	go ts.stop() // the headers are in: the stream is running
	ev := events(t, resp.Body)
	if len(ev) == 0 || ev[len(ev)-1] != "[DONE]" {
		t.Fatalf("stream was cut: %d events", len(ev))
	}
	var last api.CompletionResponse
	json.Unmarshal([]byte(ev[len(ev)-2]), &last)
	if len(last.Choices) != 1 || deref(last.Choices[0].FinishReason) != "length" {
		t.Errorf("last chunk %s", ev[len(ev)-2])
	}
}
