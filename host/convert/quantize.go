package convert

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/wisp-llm/wisp/wasm/gguf"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// QuantizeOptions configure Quantize.
type QuantizeOptions struct {
	// Type is the target, one of Targets(): F32, F16, Q8_0, Q4_0, Q4_K_M and
	// Q6_K follow llama.cpp's per-tensor rules for that file type; Q4_K and
	// Q5_K are "pure" (every matrix in that type, as llama-quantize --pure).
	Type string
	// Progress, when set, is called after each tensor is converted.
	Progress Progress
}

// Quantize writes in's model to out with its matrices converted to
// opts.Type, choosing each tensor's type as llama.cpp's llama-quantize does:
// vectors (norms, biases) keep their type; the output projection (or the
// token embedding when it is shared with the output) gets Q6_K in the
// 4-bit mixes; Q4_K_M gives Q6_K to attn_v and ffn_down in half of the
// layers; a tensor whose rows are not a whole number of the type's blocks
// falls back to a smaller block type, then to F16. Metadata is kept, with
// general.file_type set to llama.cpp's LLAMA_FTYPE for the target.
//
// Only F32, F16 and BF16 tensors are converted; a quantized tensor is an
// error unless its type is already the chosen one.
func Quantize(in *gguf.File, out io.Writer, opts QuantizeOptions) error {
	m, err := lookupMix(opts.Type)
	if err != nil {
		return err
	}
	arch, err := in.String("general.architecture")
	if err != nil {
		return fmt.Errorf("convert: %w", err)
	}
	if !in.Has(arch + ".block_count") {
		return errNoLayers
	}
	layers, err := in.Uint32(arch + ".block_count")
	if err != nil {
		return fmt.Errorf("convert: %w", err)
	}
	is70B := false
	if heads, err := in.Uint32(arch + ".attention.head_count"); err == nil && arch == "llama" && layers == 80 {
		kv, err := in.Uint32(arch + ".attention.head_count_kv")
		is70B = err == nil && kv != heads
	}

	srcs := make([]source, len(in.Tensors))
	for i := range in.Tensors {
		info := &in.Tensors[i]
		data, err := in.Data(info)
		if err != nil {
			return fmt.Errorf("convert: %w", err)
		}
		srcs[i] = source{name: info.Name, dims: info.Dims, typ: info.Type, raw: data, values: fileValues(info.Type, data)}
	}
	tensors, err := convert(srcs, m, int(layers), is70B, opts.Progress)
	if err != nil {
		return err
	}
	return write(out, withFileType(in.KVs, m.fileType), tensors)
}

// fileValues reads a tensor stored as F32, F16 or BF16; it is nil for other
// types, which Quantize does not convert.
func fileValues(t tensor.Type, data []byte) func() valueReader {
	var width int
	switch t {
	case tensor.F32:
		width = 4
	case tensor.F16, tensor.BF16:
		width = 2
	default:
		return nil
	}
	return func() valueReader {
		rest := data
		return func(dst []float32) error {
			n := len(dst) * width
			if n > len(rest) {
				return fmt.Errorf("tensor data ends after %d bytes", len(data)-len(rest))
			}
			chunk := rest[:n]
			rest = rest[n:]
			if t != tensor.F32 {
				return tensor.Dequantize(t, chunk, dst)
			}
			for i := range dst {
				dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(chunk[4*i:]))
			}
			return nil
		}
	}
}
