package cpu_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/wisp-llm/wisp/wasm/gguf"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// synthShape is the shape of a random-weight llama model built in memory.
type synthShape struct {
	dim, ffn, layers, heads, kvHeads, vocab int
	tied                                    bool // no output.weight
}

// smallShape is the smallest shape every block type fits (rows of 256).
var smallShape = synthShape{dim: 256, ffn: 512, layers: 2, heads: 4, kvHeads: 2, vocab: 384}

// smollm2Shape is SmolLM2-135M's.
var smollm2Shape = synthShape{dim: 576, ffn: 1536, layers: 30, heads: 9, kvHeads: 3, vocab: 49152, tied: true}

// synthTypes picks the type of each weight matrix, as a quantization
// recipe does: mix names the type of the attention value and FFN down
// projections and of the output (of the embedding when tied), the rest use
// main.
type synthTypes struct {
	main, mix tensor.Type
}

// synthModel writes a llama GGUF with normally distributed weights (scaled
// so that activations stay of order one through the layers) in the given
// types and returns its bytes.
func synthModel(tb testing.TB, s synthShape, types synthTypes, seed uint64) []byte {
	tb.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	kvDim := s.dim / s.heads * s.kvHeads
	var tensors []gguf.NewTensor
	add := func(name string, typ tensor.Type, rows, cols int, scale float64, constant bool) {
		x := make([]float32, rows*cols)
		for i := range x {
			if constant {
				x[i] = float32(scale)
			} else {
				x[i] = float32(r.NormFloat64() * scale)
			}
		}
		n, err := tensor.RowBytes(typ, int64(len(x)))
		if err != nil {
			tb.Fatal(err)
		}
		data := make([]byte, n)
		if err := tensor.Quantize(typ, x, data); err != nil {
			tb.Fatal(err)
		}
		dims := []uint64{uint64(cols)}
		if rows > 1 {
			dims = append(dims, uint64(rows))
		}
		tensors = append(tensors, gguf.NewTensor{Name: name, Dims: dims, Type: typ, Data: data})
	}
	embType := types.main
	if s.tied {
		embType = types.mix
	}
	add("token_embd.weight", embType, s.vocab, s.dim, 1, false)
	for l := range s.layers {
		p := fmt.Sprintf("blk.%d.", l)
		add(p+"attn_norm.weight", tensor.F32, 1, s.dim, 1, true)
		add(p+"attn_q.weight", types.main, s.dim, s.dim, 0.1, false)
		add(p+"attn_k.weight", types.main, kvDim, s.dim, 0.1, false)
		add(p+"attn_v.weight", types.mix, kvDim, s.dim, 0.1, false)
		add(p+"attn_output.weight", types.main, s.dim, s.dim, 0.05, false)
		add(p+"ffn_norm.weight", tensor.F32, 1, s.dim, 1, true)
		add(p+"ffn_gate.weight", types.main, s.ffn, s.dim, 0.1, false)
		add(p+"ffn_up.weight", types.main, s.ffn, s.dim, 0.1, false)
		add(p+"ffn_down.weight", types.mix, s.dim, s.ffn, 0.05, false)
	}
	add("output_norm.weight", tensor.F32, 1, s.dim, 1, true)
	if !s.tied {
		add("output.weight", types.mix, s.vocab, s.dim, 0.1, false)
	}
	kvs := []gguf.KV{
		{Key: "general.architecture", Value: gguf.StringValue("llama")},
		{Key: "llama.embedding_length", Value: gguf.Uint32Value(uint32(s.dim))},
		{Key: "llama.block_count", Value: gguf.Uint32Value(uint32(s.layers))},
		{Key: "llama.feed_forward_length", Value: gguf.Uint32Value(uint32(s.ffn))},
		{Key: "llama.attention.head_count", Value: gguf.Uint32Value(uint32(s.heads))},
		{Key: "llama.attention.head_count_kv", Value: gguf.Uint32Value(uint32(s.kvHeads))},
		{Key: "llama.context_length", Value: gguf.Uint32Value(2048)},
		{Key: "llama.attention.layer_norm_rms_epsilon", Value: gguf.Float32Value(1e-5)},
	}
	var buf bytes.Buffer
	if err := gguf.Write(&buf, 3, kvs, tensors); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
