package server

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestScratchCancel(t *testing.T) {
	ts := startServer(t, Config{Parallel: 1})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.url+"/v1/chat/completions", strings.NewReader(`{"messages":[{"role":"user","content":"Hi"}],"stream":true}`))
	resp, err := ts.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	n := 0
	for n < 3000 {
		k, _ := resp.Body.Read(buf)
		n += k
	}
	start := time.Now()
	cancel()
	io.Copy(io.Discard, resp.Body)
	t.Logf("client done %v", time.Since(start))
	for h := ts.svc.Health(); h.Busy > 0; h = ts.svc.Health() {
		time.Sleep(time.Millisecond)
	}
	t.Logf("server free %v", time.Since(start))
}
