package model

import (
	"fmt"

	"github.com/wisp-llm/wisp/wasm/gguf"
)

// Load reads the configuration and binds the weights of f for backend b.
func Load(f *gguf.File, b Backend) (*Llama, error) {
	c, err := ReadConfig(f)
	if err != nil {
		return nil, err
	}
	w, err := BindWeights(f, &c)
	if err != nil {
		return nil, err
	}
	for _, x := range w.All() {
		if err := b.Upload(x); err != nil {
			return nil, fmt.Errorf("model: uploading %s: %w", x.Name, err)
		}
	}
	return &Llama{Config: c, Weights: w, Backend: b}, nil
}

// Params counts the model's parameters.
func (m *Llama) Params() int64 {
	var n int64
	for _, w := range m.Weights.All() {
		n += int64(w.Rows) * int64(w.Cols)
	}
	return n
}
