package model

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/wisp-llm/wisp/wasm/gguf"
)

// Load reads the configuration and binds the weights of f for backend b.
func Load(f *gguf.File, b Backend) (*Llama, error) { return load(f, b, false) }

// LoadOwned is Load for a file whose tensor data is the caller's own copy,
// loaded for this model alone: the backend may rewrite its weights in
// place (Weight.Owned), so f's tensor data must not be read afterwards.
func LoadOwned(f *gguf.File, b Backend) (*Llama, error) { return load(f, b, true) }

func load(f *gguf.File, b Backend, owned bool) (*Llama, error) {
	c, err := ReadConfig(f)
	if err != nil {
		return nil, err
	}
	w, err := BindWeights(f, &c)
	if err != nil {
		return nil, err
	}
	// Tensors whose bytes overlap (a hostile or odd file) would be
	// rewritten twice; their weights are left to the backend as shared.
	owned = owned && !tensorsOverlap(f.Tensors)
	for _, x := range w.All() {
		x.Owned = owned
		if err := b.Upload(x); err != nil {
			return nil, fmt.Errorf("model: uploading %s: %w", x.Name, err)
		}
	}
	return &Llama{Config: c, Weights: w, Backend: b}, nil
}

// tensorsOverlap reports whether any two tensors' data ranges overlap.
func tensorsOverlap(tensors []gguf.TensorInfo) bool {
	byOffset := make([]gguf.TensorInfo, len(tensors))
	copy(byOffset, tensors)
	slices.SortFunc(byOffset, func(a, b gguf.TensorInfo) int { return cmp.Compare(a.Offset, b.Offset) })
	for i := 1; i < len(byOffset); i++ {
		if prev := byOffset[i-1]; prev.Offset+uint64(prev.Size) > byOffset[i].Offset {
			return true
		}
	}
	return false
}

// Params counts the model's parameters.
func (m *Llama) Params() int64 {
	var n int64
	for _, w := range m.Weights.All() {
		n += int64(w.Rows) * int64(w.Cols)
	}
	return n
}
