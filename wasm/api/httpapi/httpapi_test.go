package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/wisp-llm/wisp/wasm/api"
	"github.com/wisp-llm/wisp/wasm/engine"
)

const models = "../../../../shared/testdata/models"

// The handler with encoding/json, as the WebAssembly hosts run it (the
// native server's tests cover the routes in depth with sonic).
func TestHandlerWithStdCodec(t *testing.T) {
	m, err := engine.Open(models+"/stories260K.gguf", engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	svc, err := api.NewService(api.Native(m), api.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(Config{Service: svc, APIKey: "k"}))
	defer srv.Close()
	golden, err := os.ReadFile(models + "/stories260K.expected.txt")
	if err != nil {
		t.Fatal(err)
	}

	post := func(body string) (*http.Response, string) {
		req, _ := http.NewRequest("POST", srv.URL+"/v1/completions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer k")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := post(`{"prompt":"","max_tokens":200,"temperature":0}`)
	var res api.CompletionResponse
	if err := json.Unmarshal([]byte(body), &res); resp.StatusCode != 200 || err != nil || res.Choices[0].Text != string(golden) {
		t.Fatalf("%d %v: %s", resp.StatusCode, err, body)
	}
	resp, body = post(`{"prompt":"","max_tokens":3,"stream":true,"temperature":0}`)
	if resp.StatusCode != 200 || !strings.HasSuffix(body, "data: [DONE]\n\n") || strings.Count(body, "data: ") != 5 {
		t.Errorf("stream: %d %q", resp.StatusCode, body)
	}
	resp, body = post(`{"prompt":`)
	if resp.StatusCode != 400 || !strings.Contains(body, `"type":"invalid_request_error"`) {
		t.Errorf("malformed: %d %s", resp.StatusCode, body)
	}
}
