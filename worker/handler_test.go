package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

const testdata = "../../shared/testdata"

// fileOpener serves model files from disk as the R2 bucket would, counting
// how often the model is opened.
type fileOpener struct {
	data  map[string][]byte
	opens int
}

func (o *fileOpener) open(_ context.Context, key string) (*modelStream, error) {
	o.opens++
	b, ok := o.data[key]
	if !ok {
		return nil, errors.New("no such object")
	}
	return &modelStream{Size: int64(len(b)), Body: iotestHalfReader{bytes.NewReader(b)}, Close: func() {}}, nil
}

// iotestHalfReader returns short reads, as a network stream does.
type iotestHalfReader struct{ r io.Reader }

func (h iotestHalfReader) Read(p []byte) (int, error) {
	if len(p) > 4096 {
		p = p[:4096]
	}
	return h.r.Read(p)
}

func newTestWorker(t testing.TB, cfg settings) (*fileOpener, http.Handler) {
	t.Helper()
	stories, err := os.ReadFile(testdata + "/models/stories260K.gguf")
	if err != nil {
		t.Fatal(err)
	}
	o := &fileOpener{data: map[string][]byte{
		"stories260K.gguf": stories,
		"truncated.gguf":   stories[:len(stories)/2],
		"garbage.gguf":     []byte(strings.Repeat("not a model ", 1000)),
	}}
	if cfg.Budget == 0 {
		cfg.Budget = 128 << 20
	}
	if cfg.Context == 0 {
		cfg.Context = 2048
	}
	return o, newHandler(&loader{cfg: cfg, open: o.open})
}

func do(t testing.TB, h http.Handler, method, path, body string, header ...string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func TestWorkerServesGoldenAndLoadsOnce(t *testing.T) {
	o, h := newTestWorker(t, settings{ModelKey: "stories260K.gguf"})
	code, body := do(t, h, "GET", "/health", "")
	if code != 200 || !strings.Contains(body, `"model_loaded":false`) || o.opens != 0 {
		t.Fatalf("health before any request: %d %s (opens %d)", code, body, o.opens)
	}
	want, _ := os.ReadFile(testdata + "/models/stories260K.expected.txt")
	for range 3 {
		code, body = do(t, h, "POST", "/v1/completions", `{"model":"stories260K.gguf","prompt":"","max_tokens":200,"temperature":0}`)
		if code != 200 {
			t.Fatalf("completion: %d %s", code, body)
		}
		var resp struct {
			Choices []struct{ Text string } `json:"choices"`
		}
		if err := json.Unmarshal([]byte(body), &resp); err != nil || len(resp.Choices) != 1 {
			t.Fatalf("completion body %s: %v", body, err)
		}
		if resp.Choices[0].Text != string(want) {
			t.Fatalf("completion text %q, want the golden", resp.Choices[0].Text)
		}
	}
	if o.opens != 1 {
		t.Fatalf("model opened %d times for 3 requests", o.opens)
	}
	_, body = do(t, h, "GET", "/health", "")
	if !strings.Contains(body, `"loads":1`) || !strings.Contains(body, `"model_loaded":true`) {
		t.Fatalf("health after requests: %s", body)
	}
}

func TestWorkerRefusesWhatDoesNotFit(t *testing.T) {
	tests := []struct {
		name string
		cfg  settings
		code string
	}{
		{"over budget", settings{ModelKey: "stories260K.gguf", Budget: 1 << 20}, "model_over_budget"},
		{"KV cache over budget", settings{ModelKey: "stories260K.gguf", Budget: 26 << 20, Context: 2048}, ""},
		{"missing", settings{ModelKey: "nope.gguf"}, "model_unavailable"},
		{"no model configured", settings{}, "model_unavailable"},
		{"truncated", settings{ModelKey: "truncated.gguf"}, "model_unavailable"},
		{"garbage", settings{ModelKey: "garbage.gguf"}, "model_unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, h := newTestWorker(t, tt.cfg)
			code, body := do(t, h, "POST", "/v1/completions", `{"prompt":"","max_tokens":5}`)
			if tt.code == "" { // fits once the context is capped
				if code != 200 {
					t.Fatalf("%d %s", code, body)
				}
				_, health := do(t, h, "GET", "/health", "")
				if strings.Contains(health, `"context":2048`) {
					t.Fatalf("context not capped: %s", health)
				}
				return
			}
			if code != http.StatusServiceUnavailable || !strings.Contains(body, tt.code) || !strings.Contains(body, `"message"`) {
				t.Fatalf("%d %s, want 503 %s", code, body, tt.code)
			}
			if code, _ := do(t, h, "GET", "/health", ""); code != 200 {
				t.Fatal("health fails after a failed load")
			}
		})
	}
}

func TestWorkerAPIKey(t *testing.T) {
	_, h := newTestWorker(t, settings{ModelKey: "stories260K.gguf", APIKey: "sekret"})
	if code, _ := do(t, h, "GET", "/v1/models", ""); code != 401 {
		t.Fatalf("no key: %d", code)
	}
	if code, _ := do(t, h, "GET", "/v1/models", "", "Authorization", "Bearer wrong"); code != 401 {
		t.Fatalf("wrong key: %d", code)
	}
	if code, body := do(t, h, "GET", "/v1/models", "", "Authorization", "Bearer sekret"); code != 200 || !strings.Contains(body, "stories260K") {
		t.Fatalf("right key: %d %s", code, body)
	}
}
