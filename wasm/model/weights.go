package model

import (
	"fmt"

	"github.com/wisp-llm/wisp/wasm/gguf"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// Layer holds the weights of one transformer block.
type Layer struct {
	AttnNorm       *Weight // (dim)
	Q, K, V        *Weight // (heads*headDim, dim), (kvHeads*headDim, dim) ×2
	QBias, KBias   *Weight // qwen2 only
	VBias          *Weight
	AttnOut        *Weight // (dim, heads*headDim)
	FFNNorm        *Weight // (dim)
	Gate, Up, Down *Weight // (ffn, dim), (ffn, dim), (dim, ffn)
}

// Weights are all the tensors of a llama-family model, bound by name.
type Weights struct {
	TokenEmbd  *Weight // (vocab, dim)
	Layers     []Layer
	OutputNorm *Weight // (dim)
	Output     *Weight // (vocab, dim); TokenEmbd when tied
	RoPEFreqs  *Weight // (headDim/2), optional
}

// binder looks tensors up by name and checks their shapes.
type binder struct {
	f   *gguf.File
	err error
}

// bind returns the named tensor, checking it has rows × cols elements
// (rows 0 for a vector). The first failure is kept in b.err.
func (b *binder) bind(name string, rows, cols int) *Weight {
	if b.err != nil {
		return nil
	}
	info, err := b.f.Tensor(name)
	if err != nil {
		b.err = fmt.Errorf("model: %w", err)
		return nil
	}
	wantDims := []uint64{uint64(cols)}
	if rows > 0 {
		wantDims = append(wantDims, uint64(rows))
	}
	got := info.Dims
	for len(got) > len(wantDims) && got[len(got)-1] == 1 {
		got = got[:len(got)-1]
	}
	if fmt.Sprint(got) != fmt.Sprint(wantDims) {
		b.err = fmt.Errorf("model: tensor %q has shape %v, want %v", name, info.Dims, wantDims)
		return nil
	}
	if rows > 0 && !tensor.CanDequantize(info.Type) {
		b.err = fmt.Errorf("model: tensor %q has type %s, which has no matrix kernel", name, info.Type)
		return nil
	}
	if rows == 0 && info.Type != tensor.F32 {
		b.err = fmt.Errorf("model: tensor %q has type %s, want F32", name, info.Type)
		return nil
	}
	data, err := b.f.Data(info)
	if err != nil {
		b.err = fmt.Errorf("model: %w", err)
		return nil
	}
	return &Weight{Name: name, Type: info.Type, Rows: max(rows, 1), Cols: cols, Data: data}
}

func (b *binder) optional(name string, rows, cols int) *Weight {
	if _, err := b.f.Tensor(name); err != nil {
		return nil
	}
	return b.bind(name, rows, cols)
}

// BindWeights binds every tensor the architecture needs, by its GGUF name.
// A missing tensor or a wrong shape is an error naming the tensor.
func BindWeights(f *gguf.File, c *Config) (*Weights, error) {
	b := &binder{f: f}
	emb, err := f.Tensor("token_embd.weight")
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if len(emb.Dims) != 2 || emb.Dims[1] > maxVocab {
		return nil, fmt.Errorf("model: token_embd.weight has shape %v", emb.Dims)
	}
	c.Vocab = int(emb.Dims[1])
	qDim, kvDim := c.Heads*c.HeadDim, c.KVHeads*c.HeadDim
	w := &Weights{TokenEmbd: b.bind("token_embd.weight", c.Vocab, c.Dim)}
	w.Layers = make([]Layer, c.Layers)
	for i := range w.Layers {
		l := &w.Layers[i]
		p := fmt.Sprintf("blk.%d.", i)
		l.AttnNorm = b.bind(p+"attn_norm.weight", 0, c.Dim)
		l.Q = b.bind(p+"attn_q.weight", qDim, c.Dim)
		l.K = b.bind(p+"attn_k.weight", kvDim, c.Dim)
		l.V = b.bind(p+"attn_v.weight", kvDim, c.Dim)
		if c.QKVBias {
			l.QBias = b.bind(p+"attn_q.bias", 0, qDim)
			l.KBias = b.bind(p+"attn_k.bias", 0, kvDim)
			l.VBias = b.bind(p+"attn_v.bias", 0, kvDim)
		}
		l.AttnOut = b.bind(p+"attn_output.weight", c.Dim, qDim)
		l.FFNNorm = b.bind(p+"ffn_norm.weight", 0, c.Dim)
		l.Gate = b.bind(p+"ffn_gate.weight", c.FFN, c.Dim)
		l.Up = b.bind(p+"ffn_up.weight", c.FFN, c.Dim)
		l.Down = b.bind(p+"ffn_down.weight", c.Dim, c.FFN)
	}
	w.OutputNorm = b.bind("output_norm.weight", 0, c.Dim)
	w.Output = b.optional("output.weight", c.Vocab, c.Dim)
	if w.Output == nil && b.err == nil {
		c.TiedOutput = true
		w.Output = w.TokenEmbd
	}
	w.RoPEFreqs = b.optional("rope_freqs.weight", 0, c.RoPE.Dims/2)
	if b.err != nil {
		return nil, b.err
	}
	if w.RoPEFreqs != nil {
		c.RoPE.FreqFactors = f32s(w.RoPEFreqs.Data)
	}
	return w, nil
}

// All lists every weight once, for uploading to a backend.
func (w *Weights) All() []*Weight {
	all := []*Weight{w.TokenEmbd, w.OutputNorm}
	if w.Output != w.TokenEmbd {
		all = append(all, w.Output)
	}
	for i := range w.Layers {
		l := &w.Layers[i]
		for _, x := range []*Weight{l.AttnNorm, l.Q, l.K, l.V, l.QBias, l.KBias, l.VBias, l.AttnOut, l.FFNNorm, l.Gate, l.Up, l.Down} {
			if x != nil {
				all = append(all, x)
			}
		}
	}
	return all
}
