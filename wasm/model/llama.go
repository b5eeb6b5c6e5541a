package model

import (
	"fmt"
)

// Llama is a llama-family transformer (Llama 2/3, TinyLlama, SmolLM2,
// Mistral, Qwen2) bound to a backend.
type Llama struct {
	Config  Config
	Weights *Weights
	Backend Backend
}

// State is the per-sequence working memory of a forward pass: the KV cache
// and activation buffers, allocated once so that decoding allocates nothing.
type State struct {
	Cache KVCache
	Pos   int // tokens already in the cache

	x, xb, xb2 *Act // (batch, dim) residual stream and scratch
	q          *Act // (batch, heads*headDim)
	k, v       *Act // (batch, kvHeads*headDim)
	att        *Act // (batch, heads*headDim) attention output
	hb, hb2    *Act // (batch, ffn)
	last       *Act // (1, dim) the final position's hidden state
	logits     *Act // (1, vocab)
	batch      int
}

// NewState allocates a state for up to positions tokens of context,
// processing at most batch tokens per Forward call.
func (m *Llama) NewState(positions, batch int) (*State, error) {
	c := &m.Config
	if positions < 1 || batch < 1 {
		return nil, fmt.Errorf("model: context %d and batch %d must be positive", positions, batch)
	}
	b := m.Backend
	qDim, kvDim := c.Heads*c.HeadDim, c.KVHeads*c.HeadDim
	return &State{
		Cache:  b.NewKVCache(c.Layers, positions, kvDim),
		x:      b.NewAct(batch, c.Dim),
		xb:     b.NewAct(batch, c.Dim),
		xb2:    b.NewAct(batch, c.Dim),
		q:      b.NewAct(batch, qDim),
		k:      b.NewAct(batch, kvDim),
		v:      b.NewAct(batch, kvDim),
		att:    b.NewAct(batch, qDim),
		hb:     b.NewAct(batch, c.FFN),
		hb2:    b.NewAct(batch, c.FFN),
		last:   b.NewAct(1, c.Dim),
		logits: b.NewAct(1, c.Vocab),
		batch:  batch,
	}, nil
}

// Forward runs tokens (at most the state's batch size) through the model at
// positions s.Pos, s.Pos+1, …, appends them to the KV cache, and writes the
// logits of the last token into logits (length vocab).
func (m *Llama) Forward(s *State, tokens []int32, logits []float32) error {
	c := &m.Config
	n := len(tokens)
	switch {
	case n == 0 || n > s.batch:
		return fmt.Errorf("model: forward of %d tokens (batch size %d)", n, s.batch)
	case s.Pos+n > s.Cache.Positions():
		return fmt.Errorf("model: context full: %d + %d tokens exceed %d positions", s.Pos, n, s.Cache.Positions())
	case len(logits) != c.Vocab:
		return fmt.Errorf("model: logits buffer of %d, want %d", len(logits), c.Vocab)
	}
	for _, t := range tokens {
		if t < 0 || int(t) >= c.Vocab {
			return fmt.Errorf("model: token id %d outside the vocabulary of %d", t, c.Vocab)
		}
	}
	b, w := m.Backend, m.Weights
	for _, a := range []*Act{s.x, s.xb, s.xb2, s.q, s.k, s.v, s.att, s.hb, s.hb2} {
		a.Rows = n
	}
	pos := s.Pos

	b.Embed(s.x, w.TokenEmbd, tokens) // x: (n, dim)
	for l := range w.Layers {
		layer := &w.Layers[l]

		// Attention block: x += Wo · attention(RoPE(Wq·norm(x)), cache).
		b.RMSNorm(s.xb, s.x, layer.AttnNorm, c.NormEps)
		b.MatMul(s.q, layer.Q, s.xb, layer.QBias) // q: (n, heads*headDim)
		b.MatMul(s.k, layer.K, s.xb, layer.KBias) // k: (n, kvHeads*headDim)
		b.MatMul(s.v, layer.V, s.xb, layer.VBias) // v: (n, kvHeads*headDim)
		b.RoPE(s.q, c.HeadDim, pos, &c.RoPE)
		b.RoPE(s.k, c.HeadDim, pos, &c.RoPE)
		b.StoreKV(s.Cache, l, pos, s.k, s.v)
		b.Attention(s.att, s.q, s.Cache, l, pos, c.Heads, c.KVHeads, c.HeadDim)
		b.MatMul(s.xb2, layer.AttnOut, s.att, nil) // xb2: (n, dim)
		b.Add(s.x, s.xb2)

		// Feed-forward block: x += Wdown · (silu(Wgate·norm(x)) * Wup·norm(x)).
		b.RMSNorm(s.xb, s.x, layer.FFNNorm, c.NormEps)
		b.MatMul(s.hb, layer.Gate, s.xb, nil) // hb: (n, ffn)
		b.MatMul(s.hb2, layer.Up, s.xb, nil)  // hb2: (n, ffn)
		b.SwiGLU(s.hb, s.hb, s.hb2)
		b.MatMul(s.xb2, layer.Down, s.hb, nil) // xb2: (n, dim)
		b.Add(s.x, s.xb2)
	}

	// Only the last position's logits are needed to pick the next token.
	b.CopyRow(s.last, s.x, n-1)
	b.RMSNorm(s.last, s.last, w.OutputNorm, c.NormEps)
	s.logits.Rows = 1
	b.MatMul(s.logits, w.Output, s.last, nil) // logits: (1, vocab)
	b.Read(logits, s.logits, 0)
	s.Pos += n
	return nil
}
