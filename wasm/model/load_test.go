package model

import (
	"testing"

	"github.com/wisp-llm/wisp/wasm/gguf"
)

func TestTensorsOverlap(t *testing.T) {
	at := func(offset uint64, size int64) gguf.TensorInfo { return gguf.TensorInfo{Offset: offset, Size: size} }
	for _, tc := range []struct {
		name    string
		tensors []gguf.TensorInfo
		want    bool
	}{
		{"none", nil, false},
		{"one", []gguf.TensorInfo{at(0, 64)}, false},
		{"adjacent", []gguf.TensorInfo{at(0, 64), at(64, 32)}, false},
		{"adjacent, out of order", []gguf.TensorInfo{at(64, 32), at(0, 64)}, false},
		{"gap", []gguf.TensorInfo{at(0, 32), at(64, 32)}, false},
		{"same bytes", []gguf.TensorInfo{at(0, 64), at(0, 64)}, true},
		{"one byte shared", []gguf.TensorInfo{at(96, 8), at(0, 64), at(63, 16)}, true},
	} {
		if got := tensorsOverlap(tc.tensors); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
