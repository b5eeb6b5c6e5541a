package engine

import (
	"fmt"

	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/model"
)

// failingBackend is a backend that can fail after the fact, such as a GPU
// whose device is lost: its operations return nothing, so it keeps the
// first error for Err to report.
type failingBackend interface {
	Err() error
}

func backendErr(llm *model.Llama) error {
	if fb, ok := llm.Backend.(failingBackend); ok {
		return fb.Err()
	}
	return nil
}

// active is the model sessions should run on: the primary backend, or the
// CPU once the primary has failed.
func (m *Model) active() *model.Llama {
	if m.fellBack.Load() {
		return m.cpuLLM
	}
	return m.LLM
}

// FallbackReason is why the model moved to the CPU, or nil.
func (m *Model) FallbackReason() error {
	if !m.fellBack.Load() {
		return nil
	}
	return m.fallbackCause
}

// fallBack moves the model to the CPU backend after its own failed with
// cause. Sessions notice and rebuild their caches on the CPU from their
// tokens, so no conversation is lost.
func (m *Model) fallBack(cause error) error {
	m.fallbackMu.Lock()
	defer m.fallbackMu.Unlock()
	if m.fellBack.Load() {
		return nil
	}
	b := m.fallbackBackend
	if b == nil {
		return fmt.Errorf("engine: %w (no CPU fallback configured)", cause)
	}
	llm, err := model.Load(m.File, b)
	if err != nil {
		return fmt.Errorf("engine: %w; the CPU fallback failed too: %v", cause, err)
	}
	m.cpuLLM, m.fallbackCause = llm, cause
	m.fellBack.Store(true)
	return nil
}

// defaultFallback is the CPU backend a failing backend falls back to.
func defaultFallback(primary model.Backend) model.Backend {
	if _, ok := primary.(failingBackend); ok {
		return cpu.Reference{}
	}
	return nil
}
