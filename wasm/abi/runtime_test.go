package abi

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/model"
)

const testdata = "../../../shared/testdata"

func newRuntime() *Runtime { return New(func() model.Backend { return cpu.Reference{} }) }

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(testdata + "/models/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// loadInChunks loads a model the way hosts do with large files.
func loadInChunks(t testing.TB, r *Runtime, b []byte, chunk int) int32 {
	t.Helper()
	h, err := r.BeginLoad(int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(b); off += chunk {
		n := min(chunk, len(b)-off)
		dst, err := r.LoadBuffer(h, int64(off), int64(n))
		if err != nil {
			t.Fatal(err)
		}
		copy(dst, b[off:off+n])
	}
	m, err := r.FinishLoad(h, LoadOptions{Name: "stories"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestChunkedLoadGeneratesTheGolden(t *testing.T) {
	r := newRuntime()
	m := loadInChunks(t, r, readFile(t, "stories260K.gguf"), 100_000)
	s, err := r.NewSession(m, SessionOptions{Context: 256})
	if err != nil {
		t.Fatal(err)
	}
	var streamed strings.Builder
	res, err := r.Generate(context.Background(), s, GenerateRequest{MaxTokens: 200}, func(d Delta) error {
		streamed.WriteString(d.Text)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := string(readFile(t, "stories260K.expected.txt"))
	if res.Text != want || streamed.String() != want {
		t.Fatalf("got %q, want %q", res.Text, want)
	}
	if info, err := r.Info(m); err != nil || info.Name != "stories" {
		t.Fatalf("info %+v, %v", info, err)
	}
}

func TestStopFromTheHost(t *testing.T) {
	r := newRuntime()
	m := loadInChunks(t, r, readFile(t, "stories260K.gguf"), 1<<20)
	s, err := r.NewSession(m, SessionOptions{Context: 64})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	res, err := r.Generate(context.Background(), s, GenerateRequest{MaxTokens: 50}, func(Delta) error {
		if n++; n == 3 {
			return ErrStop
		}
		return nil
	})
	if err != nil || res.FinishReason != "stop" || n != 3 || res.Text == "" {
		t.Fatalf("after %d deltas: %+v, %v", n, res, err)
	}
}

func TestErrorsHaveCodes(t *testing.T) {
	r := newRuntime()
	m := loadInChunks(t, r, readFile(t, "stories260K.gguf"), 1<<20)
	s, err := r.NewSession(m, SessionOptions{Context: 8})
	if err != nil {
		t.Fatal(err)
	}
	small := newRuntime()
	small.MemoryLimit = 1 << 20
	tests := []struct {
		name string
		call func() error
		want Code
	}{
		{"past 4 GiB", func() error { _, err := r.BeginLoad(5 << 30); return err }, CodeTooLarge},
		{"past the memory limit", func() error { _, err := small.BeginLoad(2 << 20); return err }, CodeTooLarge},
		{"empty model", func() error { _, err := r.BeginLoad(0); return err }, CodeInvalid},
		{"not GGUF", func() error { _, err := r.LoadBytes([]byte("GGUX and more"), LoadOptions{}); return err }, CodeBadModel},
		{"chunk past the end", func() error {
			h, _ := r.BeginLoad(10)
			_, err := r.LoadBuffer(h, 8, 4)
			return err
		}, CodeInvalid},
		{"unknown handle", func() error { _, err := r.Info(999); return err }, CodeNotFound},
		{"session is not a model", func() error { _, err := r.Tokenize(s, TokenizeRequest{}); return err }, CodeNotFound},
		{"missing file", func() error { _, err := r.LoadFile("/nope.gguf", LoadOptions{}); return err }, CodeNotFound},
		{"two prompts", func() error {
			_, err := r.Generate(context.Background(), s, GenerateRequest{Prompt: []int32{1}, Text: "x"}, nil)
			return err
		}, CodeInvalid},
		{"token outside the vocabulary", func() error {
			_, err := r.Generate(context.Background(), s, GenerateRequest{Prompt: []int32{512}}, nil)
			return err
		}, CodeInvalid},
		{"context too small", func() error {
			_, err := r.Generate(context.Background(), s, GenerateRequest{MaxTokens: 20}, func(Delta) error { return nil })
			return err
		}, CodeContextLength},
		{"bad sampling", func() error {
			_, err := r.Generate(context.Background(), s, GenerateRequest{Sampling: Sampling{TopP: 2}}, nil)
			return err
		}, CodeInvalid},
		{"detokenize outside the vocabulary", func() error { _, err := r.Detokenize(m, []int32{-1}); return err }, CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var e *Error
			if !errors.As(AsError(err), &e) || e.Code != tt.want {
				t.Fatalf("got %v, want code %v", err, tt.want)
			}
		})
	}
}

func TestFreeReleasesHandles(t *testing.T) {
	r := newRuntime()
	m := loadInChunks(t, r, readFile(t, "stories260K.gguf"), 1<<20)
	if err := r.Free(m); err != nil {
		t.Fatal(err)
	}
	if err := r.Free(m); AsError(err).Code != CodeNotFound {
		t.Fatalf("second free: %v", err)
	}
}

func TestTokenizeRoundTrip(t *testing.T) {
	r := newRuntime()
	m := loadInChunks(t, r, readFile(t, "stories260K.gguf"), 1<<20)
	ids, err := r.Tokenize(m, TokenizeRequest{Text: "Once upon a time", BOS: true})
	if err != nil {
		t.Fatal(err)
	}
	if ids[0] != 1 || len(ids) < 3 {
		t.Fatalf("ids %v", ids)
	}
	text, err := r.Detokenize(m, ids[1:])
	if err != nil || strings.TrimSpace(text) != "Once upon a time" {
		t.Fatalf("%q, %v", text, err)
	}
}

func TestCodeNames(t *testing.T) {
	if CodeTooLarge.String() != "too_large" || Code(99).String() != "code(99)" {
		t.Fatal(CodeTooLarge.String(), Code(99).String())
	}
}

func TestUnknownDeviceIsUnsupported(t *testing.T) {
	r := New(func() model.Backend { return cpu.Reference{} })
	data, err := os.ReadFile(testdata + "/models/stories260K.gguf")
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.LoadBytes(data, LoadOptions{Device: "webgpu"})
	if e := AsError(err); e == nil || e.Code != CodeUnsupported {
		t.Fatalf("error %v, want code unsupported", err)
	}
	r.NewDeviceBackend = func(string) (model.Backend, error) { return cpu.Reference{}, nil }
	if _, err := r.LoadBytes(data, LoadOptions{Device: "webgpu"}); err != nil {
		t.Fatal(err)
	}
}
