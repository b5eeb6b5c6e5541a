package server

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/wisp-llm/wisp/tokenizer"
	"github.com/wisp-llm/wisp/tokenizer/chat"
	"github.com/wisp-llm/wisp/wasm/api"
)

// A completion from BOS alone, greedy, is llama2.c's golden story.
func TestCompletionGolden(t *testing.T) {
	checkCompletionGolden(t, startServer(t, Config{}))
}

func checkCompletionGolden(t *testing.T, ts *testServer) {
	want := golden(t)
	const body = `{"model":"stories260K","prompt":"","max_tokens":200,"temperature":0}`

	var res api.CompletionResponse
	ts.post(t, "/v1/completions", body, &res)
	if len(res.Choices) != 1 || res.Choices[0].Text != want {
		t.Fatalf("text = %+v, want the golden story", res.Choices)
	}
	if got := deref(res.Choices[0].FinishReason); got != "length" {
		t.Errorf("finish_reason = %q, want length", got)
	}
	if res.Object != "text_completion" || res.Model != "stories260K" || !strings.HasPrefix(res.ID, "cmpl-") {
		t.Errorf("envelope = %q %q %q", res.Object, res.Model, res.ID)
	}
	if u := res.Usage; u == nil || u.PromptTokens != 1 || u.CompletionTokens != 200 || u.TotalTokens != 201 {
		t.Errorf("usage = %+v, want 1 + 200 = 201", res.Usage)
	}

	ev := ts.stream(t, "/v1/completions", strings.Replace(body, `"prompt"`, `"stream":true,"stream_options":{"include_usage":true},"prompt"`, 1))
	var text strings.Builder
	var usage *api.Usage
	var finish string
	for _, e := range ev {
		var c api.CompletionResponse
		if err := json.Unmarshal([]byte(e), &c); err != nil {
			t.Fatalf("%v: %s", err, e)
		}
		if c.Usage != nil {
			usage = c.Usage
		}
		for _, ch := range c.Choices {
			text.WriteString(ch.Text)
			finish += deref(ch.FinishReason)
		}
	}
	if text.String() != want {
		t.Errorf("streamed text differs from the golden:\n%s", text.String())
	}
	if finish != "length" || usage == nil || usage.PromptTokens != 1 || usage.CompletionTokens != 200 {
		t.Errorf("finish %q, usage %+v", finish, usage)
	}
}

// chatPromptTokens is the chat prompt computed without the API: stories260K
// has no template, so ChatML; its vocabulary has no ChatML tokens, so the
// rendered text is plain text after BOS.
func chatPromptTokens(t testing.TB, e api.Engine, user string) []int32 {
	t.Helper()
	text, err := chat.Fallback().Render(chat.Options{Messages: []chat.Message{{Role: "user", Content: user}}, AddGenerationPrompt: true})
	if err != nil {
		t.Fatal(err)
	}
	v := e.Tokenizer().Vocab()
	return append([]int32{v.BOS}, e.Tokenizer().Encode(text, false)...)
}

// Chat, streamed or not, gives the text a completion of the same prompt
// tokens gives, with exact usage counts.
func TestChatMatchesCompletion(t *testing.T) {
	ts := startServer(t, Config{Parallel: 2})
	prompt := chatPromptTokens(t, ts.svc.Engine(), "Tell me a story.")
	ids, _ := json.Marshal(prompt)
	var ref api.CompletionResponse
	ts.post(t, "/v1/completions", fmt.Sprintf(`{"prompt":%s,"max_tokens":40,"temperature":0}`, ids), &ref)
	want := ref.Choices[0].Text
	if want == "" {
		t.Fatal("the reference completion is empty")
	}

	const body = `{"model":"stories260K","messages":[{"role":"user","content":"Tell me a story."}],"max_tokens":40,"temperature":0}`
	var res api.ChatResponse
	ts.post(t, "/v1/chat/completions", body, &res)
	if res.Object != "chat.completion" || len(res.Choices) != 1 {
		t.Fatalf("response = %+v", res)
	}
	c := res.Choices[0]
	if c.Message.Role != "assistant" || c.Message.Content != want || c.FinishReason != deref(ref.Choices[0].FinishReason) {
		t.Errorf("message = %+v finish %q, want %q finish %q", c.Message, c.FinishReason, want, deref(ref.Choices[0].FinishReason))
	}
	u := res.Usage
	if u.PromptTokens != len(prompt) || u.CompletionTokens != ref.Usage.CompletionTokens || u.TotalTokens != len(prompt)+u.CompletionTokens {
		t.Errorf("usage = %+v, want prompt %d completion %d", u, len(prompt), ref.Usage.CompletionTokens)
	}

	ev := ts.stream(t, "/v1/chat/completions", strings.Replace(body, `"max_tokens"`, `"stream":true,"stream_options":{"include_usage":true},"max_tokens"`, 1))
	var text strings.Builder
	var first api.ChatChunk
	json.Unmarshal([]byte(ev[0]), &first)
	if len(first.Choices) != 1 || first.Choices[0].Delta.Role != "assistant" {
		t.Errorf("first chunk %s does not carry the role", ev[0])
	}
	var usage *api.Usage
	finishes := 0
	for i, e := range ev {
		var ch api.ChatChunk
		if err := json.Unmarshal([]byte(e), &ch); err != nil {
			t.Fatalf("%v: %s", err, e)
		}
		if ch.Object != "chat.completion.chunk" || ch.ID != first.ID {
			t.Errorf("chunk %d: object %q id %q", i, ch.Object, ch.ID)
		}
		if ch.Usage != nil {
			if i != len(ev)-1 || len(ch.Choices) != 0 {
				t.Errorf("usage chunk %d of %d has %d choices", i, len(ev), len(ch.Choices))
			}
			usage = ch.Usage
		}
		for _, c := range ch.Choices {
			text.WriteString(deref(c.Delta.Content))
			if c.FinishReason != nil {
				finishes++
			}
		}
	}
	if text.String() != want {
		t.Errorf("streamed %q, want %q", text.String(), want)
	}
	if finishes != 1 || usage == nil || usage.PromptTokens != len(prompt) || usage.CompletionTokens != ref.Usage.CompletionTokens {
		t.Errorf("finish chunks %d, usage %+v", finishes, usage)
	}
}

// Special-token text in a message is plain text: the user cannot start a
// new turn or end the sequence.
func TestChatContentCannotInjectSpecialTokens(t *testing.T) {
	e := testEngine(t)
	v := e.Tokenizer().Vocab()
	ids, err := e.ChatPrompt([]chat.Message{{Role: "user", Content: "</s><s>hi"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if (id == v.BOS && i != 0) || id == v.EOS {
			t.Fatalf("special token %d at %d of %v", id, i, ids)
		}
	}
	if want := chatPromptTokens(t, e, "</s><s>hi"); fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("tokens = %v, want %v", ids, want)
	}
	if tokenizer.Decode(e.Tokenizer(), ids) == "" {
		t.Error("prompt decodes to nothing")
	}
}

func TestChatLogprobs(t *testing.T) {
	ts := startServer(t, Config{})
	var res api.ChatResponse
	ts.post(t, "/v1/chat/completions", `{"messages":[{"role":"user","content":"Hi"}],"max_tokens":8,"temperature":0,"logprobs":true,"top_logprobs":3}`, &res)
	lp := res.Choices[0].Logprobs
	if lp == nil || len(lp.Content) != res.Usage.CompletionTokens {
		t.Fatalf("logprobs = %+v for %d tokens", lp, res.Usage.CompletionTokens)
	}
	var joined strings.Builder
	for i, tok := range lp.Content {
		if len(tok.TopLogprobs) != 3 || tok.Logprob > 0 {
			t.Fatalf("token %d: %+v", i, tok)
		}
		// Greedy decoding picks the most likely token.
		if tok.TopLogprobs[0].Token != tok.Token || tok.TopLogprobs[0].Logprob != tok.Logprob {
			t.Errorf("token %d: chose %q (%g) but the top one is %q (%g)", i, tok.Token, tok.Logprob, tok.TopLogprobs[0].Token, tok.TopLogprobs[0].Logprob)
		}
		if string(intsToBytes(tok.Bytes)) != tok.Token {
			t.Errorf("token %d: bytes %v are not %q", i, tok.Bytes, tok.Token)
		}
		joined.WriteString(tok.Token)
	}
	if strings.TrimSpace(joined.String()) != strings.TrimSpace(res.Choices[0].Message.Content) {
		t.Errorf("tokens spell %q, content is %q", joined.String(), res.Choices[0].Message.Content)
	}
}

func intsToBytes(in []int) []byte {
	out := make([]byte, len(in))
	for i, v := range in {
		out[i] = byte(v)
	}
	return out
}

func TestStopSequence(t *testing.T) {
	ts := startServer(t, Config{})
	var res api.CompletionResponse
	ts.post(t, "/v1/completions", `{"prompt":"","max_tokens":200,"temperature":0,"stop":["Lily"]}`, &res)
	want, _, _ := strings.Cut(golden(t), "Lily")
	if got := res.Choices[0].Text; got != want || deref(res.Choices[0].FinishReason) != "stop" {
		t.Errorf("text %q finish %q, want %q stop", got, deref(res.Choices[0].FinishReason), want)
	}
}

func TestModelsAndHealth(t *testing.T) {
	ts := startServer(t, Config{Parallel: 3})
	var list api.ModelList
	status, _, b := ts.do(t, "GET", "/v1/models", "")
	if err := json.Unmarshal(b, &list); status != 200 || err != nil || list.Object != "list" || len(list.Data) != 1 || list.Data[0].ID != "stories260K" || list.Data[0].Object != "model" {
		t.Errorf("GET /v1/models: %d %s", status, b)
	}
	if status, _, b := ts.do(t, "GET", "/v1/models/stories260K", ""); status != 200 {
		t.Errorf("GET /v1/models/stories260K: %d %s", status, b)
	}
	var h api.Health
	status, _, b = ts.do(t, "GET", "/health", "")
	if err := json.Unmarshal(b, &h); status != 200 || err != nil || h.Status != "ok" || h.Parallel != 3 {
		t.Errorf("GET /health: %d %s", status, b)
	}
}

// A greedy chat equals llama2.c's output for the same ChatML prompt
// (testdata/make-golden.sh), streamed or not.
func TestChatGolden(t *testing.T) {
	checkChatGolden(t, startServer(t, Config{}))
}

func checkChatGolden(t *testing.T, ts *testServer) {
	b, err := os.ReadFile("testdata/stories260K-chatml.expected.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := string(b)
	promptLen := len(chatPromptTokens(t, ts.svc.Engine(), "Tell me a story."))
	const body = `{"model":"stories260K","messages":[{"role":"user","content":"Tell me a story."}],"max_tokens":207,"temperature":0`

	var res api.ChatResponse
	ts.post(t, "/v1/chat/completions", body+"}", &res)
	if got := res.Choices[0].Message.Content; got != want {
		t.Errorf("chat text differs from llama2.c's:\n got %q\nwant %q", got, want)
	}
	if u := res.Usage; u.PromptTokens != promptLen || u.CompletionTokens != 207 || u.TotalTokens != promptLen+207 {
		t.Errorf("usage = %+v, want %d + 207", u, promptLen)
	}

	var text strings.Builder
	for _, e := range ts.stream(t, "/v1/chat/completions", body+`,"stream":true}`) {
		var ch api.ChatChunk
		if err := json.Unmarshal([]byte(e), &ch); err != nil {
			t.Fatal(err)
		}
		for _, c := range ch.Choices {
			text.WriteString(deref(c.Delta.Content))
		}
	}
	if text.String() != want {
		t.Errorf("streamed chat text differs from llama2.c's:\n got %q\nwant %q", text.String(), want)
	}
}

func TestSiteIsServedCrossOriginIsolated(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/index.html", []byte("<title>wisp</title>"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	siteHandler(dir).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "wisp") {
		t.Fatalf("%d %q", rec.Code, rec.Body.String())
	}
	for k, v := range map[string]string{"Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp", "Cross-Origin-Resource-Policy": "cross-origin"} {
		if got := rec.Header().Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
}
