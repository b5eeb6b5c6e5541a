package server

import (
	"net/http"
	"strings"
	"testing"
)

// Each bad request gets its status and an OpenAI error object, and the
// server keeps serving.
func TestBadInput(t *testing.T) {
	ts := startServer(t, Config{Context: 256, MaxBodyBytes: 4096})
	long := strings.Repeat("once upon a time ", 100)
	tests := []struct {
		name, method, path, body string
		status                   int
		param, code              string
	}{
		{"malformed JSON", "POST", "/v1/chat/completions", `{"messages": [`, 400, "", ""},
		{"not an object", "POST", "/v1/chat/completions", `[1,2]`, 400, "", ""},
		{"empty body", "POST", "/v1/chat/completions", ``, 400, "", ""},
		{"temperature as string", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"temperature":"hot"}`, 400, "temperature", "invalid_type"},
		{"messages as object", "POST", "/v1/chat/completions", `{"messages":{"role":"user"}}`, 400, "messages", "invalid_type"},
		{"content as number", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":7}]}`, 400, "content", "invalid_type"},
		{"image content", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}`, 400, "content", "invalid_type"},
		{"stop as number", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"stop":3}`, 400, "stop", "invalid_type"},
		{"stream as string", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"stream":"yes"}`, 400, "stream", "invalid_type"},
		{"no messages", "POST", "/v1/chat/completions", `{"messages":[]}`, 400, "messages", ""},
		{"unknown role", "POST", "/v1/chat/completions", `{"messages":[{"role":"wizard","content":"hi"}]}`, 400, "messages[0].role", ""},
		{"n=2", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"n":2}`, 400, "n", ""},
		{"max_tokens 0", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"max_tokens":0}`, 400, "max_tokens", ""},
		{"temperature 3", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"temperature":3}`, 400, "temperature", ""},
		{"top_p 1.5", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"top_p":1.5}`, 400, "top_p", ""},
		{"presence 9", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"presence_penalty":9}`, 400, "presence_penalty", ""},
		{"top_logprobs alone", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"top_logprobs":2}`, 400, "top_logprobs", ""},
		{"stream_options without stream", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":true}}`, 400, "stream_options", ""},
		{"five stops", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"stop":["a","b","c","d","e"]}`, 400, "stop", ""},
		{"unknown model", "POST", "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`, 404, "model", "model_not_found"},
		{"unknown model listed", "GET", "/v1/models/gpt-4o", ``, 404, "model", "model_not_found"},
		{"oversize body", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"` + strings.Repeat("x", 5000) + `"}]}`, 413, "", "request_too_large"},
		{"prompt over context", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"` + long + `"}]}`, 400, "messages", "context_length_exceeded"},
		{"prompt plus max_tokens over context", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"max_tokens":250}`, 400, "messages", "context_length_exceeded"},
		{"completion over context", "POST", "/v1/completions", `{"prompt":"` + long + `"}`, 400, "prompt", "context_length_exceeded"},
		{"two prompts", "POST", "/v1/completions", `{"prompt":["a","b"]}`, 400, "prompt", ""},
		{"token out of vocabulary", "POST", "/v1/completions", `{"prompt":[1,99999]}`, 400, "prompt", ""},
		{"completion logprobs 9", "POST", "/v1/completions", `{"prompt":"a","logprobs":9}`, 400, "logprobs", ""},
		{"GET on a POST route", "GET", "/v1/chat/completions", ``, 405, "", "method_not_allowed"},
		{"unknown route", "POST", "/v1/embeddings", `{}`, 404, "", "unknown_url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, b := ts.do(t, tc.method, tc.path, tc.body, "Content-Type", "application/json")
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, b)
			}
			e := errorBody(t, b)
			if deref(e.Param) != tc.param || (tc.code != "" && deref(e.Code) != tc.code) {
				t.Errorf("param %q code %q, want %q %q: %s", deref(e.Param), deref(e.Code), tc.param, tc.code, e.Message)
			}
			// Still serving.
			if status, _, b := ts.do(t, "POST", "/v1/completions", `{"prompt":"Once","max_tokens":2}`); status != 200 {
				t.Fatalf("after the bad request: %d %s", status, b)
			}
		})
	}
}

func TestAPIKey(t *testing.T) {
	ts := startServer(t, Config{APIKey: "sekret"})
	const body = `{"prompt":"","max_tokens":1}`
	tests := []struct {
		name   string
		header []string
		status int
	}{
		{"missing", nil, 401},
		{"wrong", []string{"Authorization", "Bearer sekret2"}, 401},
		{"not bearer", []string{"Authorization", "Basic sekret"}, 401},
		{"prefix of the key", []string{"Authorization", "Bearer sek"}, 401},
		{"right", []string{"Authorization", "Bearer sekret"}, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/v1/completions", "/v1/models"} {
				method := "POST"
				if path == "/v1/models" {
					method = "GET"
				}
				status, hdr, b := ts.do(t, method, path, body, tc.header...)
				if status != tc.status {
					t.Fatalf("%s: status %d, want %d: %s", path, status, tc.status, b)
				}
				if status == 401 {
					if e := errorBody(t, b); deref(e.Code) != "invalid_api_key" || hdr.Get("WWW-Authenticate") == "" {
						t.Errorf("%s: %+v, WWW-Authenticate %q", path, e, hdr.Get("WWW-Authenticate"))
					}
				}
			}
		})
	}
	if status, _, _ := ts.do(t, "GET", "/health", ""); status != 200 {
		t.Errorf("/health needs no key, got %d", status)
	}
	status, _, b := ts.do(t, "GET", "/v1/ws", "")
	if status != 401 {
		t.Errorf("/v1/ws without a key: %d %s", status, b)
	}
}

func TestCORS(t *testing.T) {
	ts := startServer(t, Config{CORSOrigins: []string{"https://ok.example"}, APIKey: "k"})
	tests := []struct {
		name, method, origin string
		preflight            bool
		status               int
		allowOrigin          string
	}{
		{"allowed preflight", "OPTIONS", "https://ok.example", true, 204, "https://ok.example"},
		{"refused preflight", "OPTIONS", "https://evil.example", true, 403, ""},
		{"allowed request", "GET", "https://ok.example", false, 200, "https://ok.example"},
		{"other origin", "GET", "https://evil.example", false, 200, ""},
		{"no origin", "GET", "", false, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := []string{"Authorization", "Bearer k"}
			if tc.origin != "" {
				h = append(h, "Origin", tc.origin)
			}
			if tc.preflight { // browsers send no credentials with a preflight
				h = []string{"Origin", tc.origin, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type"}
			}
			status, hdr, b := ts.do(t, tc.method, "/v1/models", "", h...)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, b)
			}
			if got := hdr.Get("Access-Control-Allow-Origin"); got != tc.allowOrigin {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, tc.allowOrigin)
			}
			if tc.status == 204 && !strings.Contains(hdr.Get("Access-Control-Allow-Headers"), "authorization") {
				t.Errorf("Access-Control-Allow-Headers = %q", hdr.Get("Access-Control-Allow-Headers"))
			}
		})
	}
}

func TestQueueFull(t *testing.T) {
	ts := startServer(t, Config{Parallel: 1, Queue: 0})
	resp, err := ts.client.Post(ts.url+"/v1/completions", "application/json", strings.NewReader(`{"prompt":"","stream":true,"max_tokens":2000}`)) // long enough to hold the one slot
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := resp.Body.Read(make([]byte, 1)); err != nil { // the stream is running
		t.Fatal(err)
	}
	status, hdr, b := ts.do(t, "POST", "/v1/completions", `{"prompt":"","max_tokens":1}`)
	if status != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q: %s", status, hdr.Get("Retry-After"), b)
	}
	if e := errorBody(t, b); deref(e.Code) != "rate_limit_exceeded" {
		t.Errorf("error = %+v", e)
	}
}
