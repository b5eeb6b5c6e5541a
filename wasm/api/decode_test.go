package api

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeUnions(t *testing.T) {
	tests := []struct {
		name string
		body string
		want ChatRequest
	}{
		{"string content", `{"messages":[{"role":"user","content":"hi"}]}`,
			ChatRequest{Messages: []Message{{Role: "user", Content: Content{Text: "hi"}}}}},
		{"null content", `{"messages":[{"role":"assistant","content":null}]}`,
			ChatRequest{Messages: []Message{{Role: "assistant", Content: Content{Null: true}}}}},
		{"text parts", `{"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]}`,
			ChatRequest{Messages: []Message{{Role: "user", Content: Content{Parts: []ContentPart{{"text", "a"}, {"text", "b"}}}}}}},
		{"one stop", `{"messages":[{"role":"user","content":"x"}],"stop":"END"}`,
			ChatRequest{Messages: []Message{{Role: "user", Content: Content{Text: "x"}}}, Stop: StringList{"END"}}},
		{"stop list", `{"messages":[{"role":"user","content":"x"}],"stop":["a","b"]}`,
			ChatRequest{Messages: []Message{{Role: "user", Content: Content{Text: "x"}}}, Stop: StringList{"a", "b"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeChat(StdCodec{}, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("got %+v\nwant %+v", *got, tc.want)
			}
		})
	}
	if s := (Content{Parts: []ContentPart{{"text", "a"}, {"text", "b"}}}).String(); s != "a\nb" {
		t.Errorf("parts join to %q", s)
	}
}

func TestDecodePrompt(t *testing.T) {
	tests := []struct {
		body string
		want Prompt
	}{
		{`{"prompt":"once"}`, Prompt{Text: "once", Count: 1}},
		{`{"prompt":["once"]}`, Prompt{Text: "once", Count: 1}},
		{`{"prompt":[1,2,3]}`, Prompt{Tokens: []int32{1, 2, 3}, Count: 1}},
		{`{"prompt":[[4,5]]}`, Prompt{Tokens: []int32{4, 5}, Count: 1}},
		{`{"prompt":null}`, Prompt{Count: 1}},
		{`{}`, Prompt{}},
	}
	for _, tc := range tests {
		got, err := DecodeCompletion(StdCodec{}, []byte(tc.body))
		if err != nil {
			t.Errorf("%s: %v", tc.body, err)
			continue
		}
		if !reflect.DeepEqual(got.Prompt, tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.body, got.Prompt, tc.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, body, param, code string
	}{
		{"syntax", `{"messages":`, "", ""},
		{"array body", `[]`, "", ""},
		{"number as string", `{"messages":[{"role":"user","content":"x"}],"max_tokens":"9"}`, "max_tokens", "invalid_type"},
		{"embedded field", `{"messages":[{"role":"user","content":"x"}],"seed":"s"}`, "seed", "invalid_type"},
		{"nested field", `{"messages":[{"role":7}]}`, "messages.role", "invalid_type"},
		{"content object", `{"messages":[{"role":"user","content":{}}]}`, "content", "invalid_type"},
		{"prompt object", `{"prompt":{}}`, "prompt", "invalid_type"},
		{"prompt of floats", `{"prompt":[1.5]}`, "prompt", "invalid_type"},
		{"NaN-free range", `{"messages":[{"role":"user","content":"x"}],"frequency_penalty":-3}`, "frequency_penalty", ""},
		{"negative top_k", `{"messages":[{"role":"user","content":"x"}],"top_k":-1}`, "top_k", ""},
		{"max tokens disagree", `{"messages":[{"role":"user","content":"x"}],"max_tokens":3,"max_completion_tokens":4}`, "max_tokens", ""},
		{"json response format", `{"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"}}`, "response_format", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if strings.HasPrefix(tc.body, `{"prompt"`) {
				_, err = DecodeCompletion(StdCodec{}, []byte(tc.body))
			} else {
				_, err = DecodeChat(StdCodec{}, []byte(tc.body))
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if e.Status != 400 || e.Type != TypeInvalidRequest || e.Param != tc.param || e.Code != tc.code || e.Message == "" {
				t.Errorf("got %d %s param %q code %q (%s), want param %q code %q", e.Status, e.Type, e.Param, e.Code, e.Message, tc.param, tc.code)
			}
		})
	}
}

func TestSamplingParams(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	seed := int64(7)
	p := (&SamplingFields{}).Params()
	if p.Temperature != 1 || p.TopP != 0 || (p.Seed == 0 && (&SamplingFields{}).Params().Seed == 0) {
		t.Errorf("defaults = %+v, want temperature 1 and a random seed", p)
	}
	p = (&SamplingFields{Temperature: f(0.5), TopP: f(0.9), PresencePenalty: f(1), FrequencyPenalty: f(-1), Seed: &seed}).Params()
	if p.Temperature != 0.5 || p.TopP != 0.9 || p.PresencePenalty != 1 || p.FrequencyPenalty != -1 || p.Seed != 7 {
		t.Errorf("params = %+v", p)
	}
	if p := (&SamplingFields{TopP: f(0)}).Params(); p.Temperature != 0 {
		t.Errorf("top_p 0 should be greedy: %+v", p)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("converted params do not validate: %v", err)
	}
}

func TestErrorBody(t *testing.T) {
	e := BadRequest("temperature", "too %s", "hot")
	b := e.Body()
	if b.Error.Message != "too hot" || *b.Error.Param != "temperature" || b.Error.Code != nil || b.Error.Type != TypeInvalidRequest {
		t.Errorf("body = %+v", b)
	}
	if AsError(e) != e {
		t.Error("AsError does not keep an *Error")
	}
	if got := AsError(errors.New("boom")); got.Status != 500 || got.Type != TypeServer {
		t.Errorf("plain error became %+v", got)
	}
}
