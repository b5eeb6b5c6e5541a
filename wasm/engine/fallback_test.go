package engine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/model"
)

// flakyDevice is the CPU reference that "loses its device" after a number
// of matrix products, as a GPU backend reports through Err.
type flakyDevice struct {
	cpu.Reference
	left *int
	err  *error
}

var errDeviceLost = errors.New("device lost")

func (d flakyDevice) MatMul(dst *model.Act, w *model.Weight, x *model.Act, bias *model.Weight) {
	if *d.left == 0 {
		*d.err = errDeviceLost
		return // like a lost GPU: the work silently does not happen
	}
	*d.left--
	d.Reference.MatMul(dst, w, x, bias)
}

func (d flakyDevice) Err() error { return *d.err }

func TestDeviceLossFallsBackWithoutLosingTheConversation(t *testing.T) {
	left, failure := 300, error(nil)
	m, err := Open(testdata+"/models/stories260K.gguf", Options{Backend: flakyDevice{left: &left, err: &failure}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	s, err := m.NewSession(256)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Generate(context.Background(), Request{Prompt: []int32{m.Tokenizer.Vocab().BOS}, MaxTokens: 200}, func(Delta) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(m.FallbackReason(), errDeviceLost) {
		t.Fatalf("fallback reason %v: the device never failed?", m.FallbackReason())
	}
	if res.Text != golden(t) {
		t.Fatalf("text after falling back differs from the golden:\n%q", res.Text)
	}
	// New sessions start on the CPU.
	s2, _ := m.NewSession(64)
	if _, ok := s2.llm.Backend.(cpu.Reference); !ok {
		t.Fatalf("new session runs on %T", s2.llm.Backend)
	}
}

func TestNoFallbackForReferenceFailures(t *testing.T) {
	m := openStories(t)
	if err := m.fallBack(errDeviceLost); err == nil || !strings.Contains(err.Error(), "no CPU fallback") {
		t.Fatalf("fallBack on the CPU backend: %v", err)
	}
}
