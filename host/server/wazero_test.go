package server

import (
	"fmt"
	"os"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/wisp-llm/wisp/host/wazero"
)

// runtimeWasm is where scripts/build-wasm leaves the wasip1 runtime.
const runtimeWasm = "../../build/wasip1/runtime.wasm"

// The engine inside wazero answers the API tests as the native one does.
func TestWazeroEngineSameAnswers(t *testing.T) {
	path := os.Getenv("WISP_RUNTIME_WASM")
	if path == "" {
		path = runtimeWasm
	}
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no runtime.wasm (%v): run scripts/build-wasm first", err)
	}
	e, err := OpenWazero(modelPath, wazero.Options{Runtime: path})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ts := startServer(t, Config{Engine: e})
	// (The openai-client test runs the completion golden on this engine.)
	t.Run("chat", func(t *testing.T) { checkChatGolden(t, ts) })
	t.Run("context length", func(t *testing.T) {
		status, _, b := ts.do(t, "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"max_tokens":5000}`)
		if e := errorBody(t, b); status != 400 || deref(e.Code) != "context_length_exceeded" {
			t.Errorf("%d %+v", status, e)
		}
	})
	t.Run("websocket cancel", func(t *testing.T) {
		conn := dialSocket(t, ts)
		conn.WriteMessage(websocket.TextMessage, []byte(`{"messages":[{"role":"user","content":"Hi"}]}`))
		readSocket(t, conn)
		conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"cancel"}`))
		if _, end := readStream(t, conn); end.Type != "done" || !end.Cancelled {
			t.Errorf("end = %+v", end)
		}
	})
}

// With host kernels, every session's guest multiplies on one shared pool
// of native threads (wazero's TestEnginesShareAKernelPool checks the
// sharing itself), and two sessions at once both answer correctly.
func TestWazeroGuestsShareHostKernels(t *testing.T) {
	path := "../../build/wasip1/runtime-host.wasm"
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no runtime-host.wasm (%v): run scripts/build-wasm first", err)
	}
	e, err := OpenWazero(modelPath, wazero.Options{Runtime: path, HostKernels: true, HostThreads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.pool == nil || e.opts.Kernels != e.pool {
		t.Fatal("the engine's guests do not share a kernel pool")
	}
	ts := startServer(t, Config{Engine: e, Parallel: 2})
	t.Run("two sessions", func(t *testing.T) {
		for i := range 2 {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				checkChatGolden(t, ts)
			})
		}
	})
}
