// Package convert writes GGUF models: it quantizes F32/F16/BF16 models to
// llama.cpp's types with llama.cpp's per-tensor rules (Quantize), and makes
// random-weight llama-family models at the shapes of real ones (Synth).
//
// Output is deterministic: the same input and options give the same bytes,
// so files made here can be checked against goldens by their digest.
package convert

import (
	"errors"
	"fmt"
	"io"

	"github.com/wisp-llm/wisp/wasm/gguf"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// quantizationVersion is ggml's GGML_QNT_VERSION, which llama-quantize
// records in general.quantization_version.
const quantizationVersion = 2

// chunkElements bounds the float32 scratch used while converting one tensor,
// so a 128256×2048 embedding never needs a gigabyte of floats at once.
const chunkElements = 1 << 20

// source is one tensor to be written: its name, shape and type before
// conversion, and how to read its values.
type source struct {
	name string
	dims []uint64
	typ  tensor.Type
	// raw is the tensor's bytes in typ, written as they are when the type
	// does not change; nil when the tensor only exists as values.
	raw []byte
	// values returns a reader that fills float32 slices with the tensor's
	// values in row-major order, a whole number of rows at a time.
	values func() valueReader
}

// valueReader fills dst with the next len(dst) values of a tensor.
type valueReader func(dst []float32) error

// Progress reports that done of total tensors are written; name is the
// tensor just finished.
type Progress func(done, total int, name string)

// convert chooses each tensor's type with llama.cpp's rules for m and
// returns the tensors ready for gguf.Write, in llama.cpp's order.
func convert(srcs []source, m mix, layers int, is70B bool, progress Progress) ([]gguf.NewTensor, error) {
	sortLikeLlamaCpp(srcs)
	p := newPlanner(m, srcs, layers, is70B)
	out := make([]gguf.NewTensor, len(srcs))
	for i, s := range srcs {
		t := p.choose(s)
		data, err := encode(s, t)
		if err != nil {
			return nil, fmt.Errorf("convert: tensor %q: %w", s.name, err)
		}
		out[i] = gguf.NewTensor{Name: s.name, Dims: s.dims, Type: t, Data: data}
		if progress != nil {
			progress(i+1, len(srcs), s.name)
		}
	}
	return out, nil
}

// encode returns s's data in type t.
func encode(s source, t tensor.Type) ([]byte, error) {
	if t == s.typ && s.raw != nil {
		return s.raw, nil
	}
	if s.values == nil {
		return nil, fmt.Errorf("converting from %s to %s is not supported (only F32, F16 and BF16 tensors are converted)", s.typ, t)
	}
	n := int64(1)
	for _, d := range s.dims {
		n *= int64(d)
	}
	size, err := tensor.RowBytes(t, n)
	if err != nil {
		return nil, err
	}
	rowLen := int64(rowLength(s.dims))
	rowBytes, err := tensor.RowBytes(t, rowLen)
	if err != nil {
		return nil, err
	}
	rowsPerChunk := max(1, chunkElements/rowLen)
	rows := n / rowLen
	out := make([]byte, size)
	buf := make([]float32, min(rows, rowsPerChunk)*rowLen)
	read := s.values()
	for r := int64(0); r < rows; r += rowsPerChunk {
		k := min(rowsPerChunk, rows-r)
		vals := buf[:k*rowLen]
		if err := read(vals); err != nil {
			return nil, err
		}
		if err := tensor.Quantize(t, vals, out[r*rowBytes:(r+k)*rowBytes]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// withFileType returns kvs with general.quantization_version and
// general.file_type set last, as llama-quantize leaves them.
func withFileType(kvs []gguf.KV, fileType uint32) []gguf.KV {
	out := make([]gguf.KV, 0, len(kvs)+2)
	for _, kv := range kvs {
		if kv.Key != "general.quantization_version" && kv.Key != "general.file_type" {
			out = append(out, kv)
		}
	}
	return append(out,
		gguf.KV{Key: "general.quantization_version", Value: gguf.Uint32Value(quantizationVersion)},
		gguf.KV{Key: "general.file_type", Value: gguf.Uint32Value(fileType)})
}

// errNoLayers is returned for a model without a block count.
var errNoLayers = errors.New("convert: the model has no block_count")

// write writes a GGUF version 3 file, the version llama.cpp writes.
func write(out io.Writer, kvs []gguf.KV, tensors []gguf.NewTensor) error {
	if err := gguf.Write(out, 3, kvs, tensors); err != nil {
		return fmt.Errorf("convert: %w", err)
	}
	return nil
}
