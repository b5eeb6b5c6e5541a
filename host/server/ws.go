package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wisp-llm/wisp/wasm/api"
)

// The WebSocket protocol of GET /v1/ws. The client sends a chat request,
// the same JSON as POST /v1/chat/completions (always streamed), and gets
// each chat.completion.chunk as one text message, then {"type":"done"}.
// While a request runs, {"type":"cancel"} stops it; the server then
// answers {"type":"done","cancelled":true}. Errors arrive as OpenAI error
// objects with the HTTP status the same failure would have had:
// {"type":"error","status":400,"error":{...}}. One connection carries any
// number of requests, one at a time.

type socketDone struct {
	Type      string `json:"type"` // "done"
	Cancelled bool   `json:"cancelled,omitempty"`
}

type socketError struct {
	Type   string          `json:"type"` // "error"
	Status int             `json:"status"`
	Error  api.ErrorObject `json:"error"`
}

// socketWriteTimeout bounds one message write, so that a client that
// stops reading cannot hold a session forever.
const socketWriteTimeout = 30 * time.Second

// socket serialises writes to one connection: gorilla allows one writer
// at a time, and both the request loop and a running generation write.
type socket struct {
	mu    sync.Mutex
	conn  *websocket.Conn
	codec api.Codec
}

func (c *socket) send(v any) error {
	b, err := c.codec.Marshal(v)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conn.SetWriteDeadline(time.Now().Add(socketWriteTimeout))
	return c.conn.WriteMessage(websocket.TextMessage, b)
}

func (c *socket) sendError(err error) {
	e := api.AsError(err)
	c.send(socketError{Type: "error", Status: e.Status, Error: e.Body().Error})
}

func (c *socket) close(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, reason)
	c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
}

func (s *Server) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: s.allowSocketOrigin}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered the client
	}
	defer conn.Close()
	conn.SetReadLimit(s.maxBody)
	// After the upgrade the connection is no longer http.Server's: its
	// lifetime follows the server's base context instead.
	ctx, cancel := context.WithCancel(s.base)
	defer cancel()
	c := &socket{conn: conn, codec: s.api.Codec()}

	incoming := make(chan []byte)
	go func() { // the connection's only reader
		defer close(incoming)
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			select {
			case incoming <- data:
			case <-ctx.Done():
				return
			}
		}
	}()

	var stop context.CancelFunc // cancels the running request
	var done chan error         // receives its outcome
	closing := s.closing
	for {
		select {
		case data, ok := <-incoming:
			if !ok { // the client went away: free its session at once
				if stop != nil {
					stop()
					<-done
				}
				return
			}
			if messageType(data) == "cancel" {
				if stop != nil {
					stop()
				}
				continue
			}
			if stop != nil {
				c.sendError(&api.Error{Status: http.StatusConflict, Type: api.TypeInvalidRequest, Code: "request_in_progress",
					Message: "A request is already running on this connection; wait for it or send {\"type\":\"cancel\"}."})
				continue
			}
			req, err := api.DecodeChatStream(c.codec, data)
			if err != nil {
				c.sendError(err)
				continue
			}
			var gctx context.Context
			gctx, stop = context.WithCancel(ctx)
			done = make(chan error, 1)
			go func() {
				_, err := s.svc.Chat(gctx, req, func(chunk *api.ChatChunk) error { return c.send(chunk) })
				if err != nil && gctx.Err() != nil {
					err = context.Canceled
					if cause := context.Cause(gctx); errors.Is(cause, errShuttingDown) {
						err = cause
					}
				}
				done <- err
			}()
		case err := <-done:
			// The end of a request is announced here, after the state is
			// cleared, so that the client may send the next one at once.
			stop()
			stop, done = nil, nil
			switch {
			case err == nil:
				c.send(socketDone{Type: "done"})
			case errors.Is(err, context.Canceled):
				c.send(socketDone{Type: "done", Cancelled: true})
			default:
				c.sendError(err)
			}
			if closing == nil {
				c.close("server shutting down")
				return
			}
		case <-closing:
			closing = nil
			if stop == nil {
				c.close("server shutting down")
				return
			}
		case <-ctx.Done(): // the server's grace period is over
			if stop != nil {
				if err := <-done; err != nil {
					c.sendError(err)
				}
			}
			c.close("server shutting down")
			return
		}
	}
}

// messageType reads the "type" field of a client message, "" if none.
func messageType(data []byte) string {
	var m struct {
		Type string `json:"type"`
	}
	if (SonicCodec{}).Unmarshal(data, &m) != nil {
		return ""
	}
	return m.Type
}

// allowSocketOrigin lets browsers connect from the server's own pages and
// from the CORS origins; other clients send no Origin.
func (s *Server) allowSocketOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if s.anyOrigin || s.origins[strings.TrimRight(origin, "/")] {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}
