package api

import (
	"errors"
	"testing"
)

// Request bodies are untrusted: decoding never panics, and every failure
// is an *Error with a 4xx status.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"messages":[{"role":"user","content":"hi"}],"temperature":0.5,"stop":["x"]}`,
		`{"messages":[{"role":"user","content":[{"type":"text","text":"a"}]}],"n":1,"logprobs":true,"top_logprobs":2}`,
		`{"prompt":[[1,2,3]],"max_tokens":4,"logprobs":2,"echo":true}`,
		`{"prompt":["a"],"stream":true,"stream_options":{"include_usage":true}}`,
		`{"messages":null}`, `[]`, `{`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, decode := range []func(Codec, []byte) error{
			func(c Codec, b []byte) error { _, err := DecodeChat(c, b); return err },
			func(c Codec, b []byte) error { _, err := DecodeChatStream(c, b); return err },
			func(c Codec, b []byte) error { _, err := DecodeCompletion(c, b); return err },
		} {
			err := decode(StdCodec{}, body)
			if err == nil {
				continue
			}
			var e *Error
			if !errors.As(err, &e) || e.Status < 400 || e.Status >= 500 || e.Message == "" {
				t.Fatalf("error %v (%T) is not a client error", err, err)
			}
		}
	})
}
