package server

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wisp-llm/wisp/wasm/api"
)

func dialSocket(t testing.TB, ts *testServer) *websocket.Conn {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.url, "http")+"/v1/ws", nil)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	return conn
}

// socketMessage is any message the server sends on /v1/ws.
type socketMessage struct {
	api.ChatChunk
	Type      string           `json:"type"`
	Cancelled bool             `json:"cancelled"`
	Status    int              `json:"status"`
	Error     *api.ErrorObject `json:"error"`
}

func readSocket(t testing.TB, conn *websocket.Conn) socketMessage {
	t.Helper()
	_, data, err := conn.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var m socketMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	return m
}

// readStream reads chunks up to the end of a request and returns the text.
func readStream(t testing.TB, conn *websocket.Conn) (string, socketMessage) {
	t.Helper()
	var text strings.Builder
	for {
		m := readSocket(t, conn)
		if m.Type != "" {
			return text.String(), m
		}
		if m.Object != "chat.completion.chunk" {
			t.Fatalf("unexpected message %+v", m)
		}
		for _, c := range m.Choices {
			text.WriteString(deref(c.Delta.Content))
		}
	}
}

// The WebSocket carries the same request and chunks as SSE.
func TestWebSocketStream(t *testing.T) {
	ts := startServer(t, Config{})
	const body = `{"messages":[{"role":"user","content":"Tell me a story."}],"max_tokens":30,"temperature":0}`
	var res api.ChatResponse
	ts.post(t, "/v1/chat/completions", body, &res)

	conn := dialSocket(t, ts)
	for range 2 { // one connection, several requests
		if err := conn.WriteMessage(websocket.TextMessage, []byte(body)); err != nil {
			t.Fatal(err)
		}
		text, end := readStream(t, conn)
		if end.Type != "done" || end.Cancelled {
			t.Fatalf("end = %+v", end)
		}
		if text != res.Choices[0].Message.Content {
			t.Errorf("socket text %q, HTTP text %q", text, res.Choices[0].Message.Content)
		}
	}

	conn.WriteMessage(websocket.TextMessage, []byte(`{"messages":[],"temperature":"x"}`))
	if m := readSocket(t, conn); m.Type != "error" || m.Status != 400 || m.Error == nil {
		t.Errorf("bad request answered %+v", m)
	}
}

func TestWebSocketCancel(t *testing.T) {
	ts := startServer(t, Config{Parallel: 1})
	conn := dialSocket(t, ts)
	conn.WriteMessage(websocket.TextMessage, []byte(`{"messages":[{"role":"user","content":"Hi"}]}`)) // runs to the end of the context
	if m := readSocket(t, conn); len(m.Choices) != 1 || m.Choices[0].Delta.Role != "assistant" {
		t.Fatalf("first message %+v", m)
	}
	start := time.Now()
	if err := conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"cancel"}`)); err != nil {
		t.Fatal(err)
	}
	_, end := readStream(t, conn)
	if end.Type != "done" || !end.Cancelled {
		t.Fatalf("end = %+v", end)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancel took %v", d)
	}
	// The only session is free again.
	conn.WriteMessage(websocket.TextMessage, []byte(`{"messages":[{"role":"user","content":"Hi"}],"max_tokens":3}`))
	if _, end := readStream(t, conn); end.Type != "done" || end.Cancelled {
		t.Errorf("second request ended %+v", end)
	}
}

// A WebSocket request still running when the grace period ends is told
// that the server is going away.
func TestWebSocketShutdown(t *testing.T) {
	ts := startServer(t, Config{ShutdownGrace: 200 * time.Millisecond})
	conn := dialSocket(t, ts)
	conn.WriteMessage(websocket.TextMessage, []byte(`{"messages":[{"role":"user","content":"Hi"}]}`))
	readSocket(t, conn)
	go ts.stop()
	_, end := readStream(t, conn)
	if end.Type != "error" || end.Status != 503 || end.Error == nil || deref(end.Error.Code) != "server_shutting_down" {
		t.Errorf("end = %+v", end)
	}
	if _, _, err := conn.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Errorf("after the error: %v, want a going-away close", err)
	}
}
