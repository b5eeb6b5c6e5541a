package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/wisp-llm/wisp/tokenizer"
	"github.com/wisp-llm/wisp/wasm/engine"
	"github.com/wisp-llm/wisp/wasm/gguf"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/sample"
)

// loaded is one model file on both backends.
type loaded struct {
	gpu, ref *model.Llama
	tok      tokenizer.Tokenizer
}

func (c *checker) load(data []byte) (*loaded, error) {
	f, err := gguf.FromBytes(data)
	if err != nil {
		return nil, err
	}
	ref, err := model.Load(f, c.ref)
	if err != nil {
		return nil, err
	}
	gpu, err := model.Load(f, c.gpu)
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		return nil, err
	}
	return &loaded{gpu: gpu, ref: ref, tok: tok}, nil
}

// backendErr is the backend's kept failure, if it keeps one.
func backendErr(b model.Backend) error {
	if e, ok := b.(errorer); ok {
		return e.Err()
	}
	return nil
}

// greedy generates from BOS alone, taking the argmax of each step's logits,
// until positions tokens (BOS included) are in the context or EOS comes.
// It returns the ids and the mean time per token after the first.
func greedy(m *model.Llama, tok tokenizer.Tokenizer, positions int) ([]int32, time.Duration, error) {
	s, err := m.NewState(positions, 1)
	if err != nil {
		return nil, 0, err
	}
	logits := make([]float32, m.Config.Vocab)
	ids := []int32{tok.Vocab().BOS}
	var start time.Time
	for len(ids) < positions {
		if len(ids) == 2 {
			start = time.Now() // the first step compiles pipelines
		}
		if err := m.Forward(s, ids[len(ids)-1:], logits); err != nil {
			return nil, 0, err
		}
		if err := backendErr(m.Backend); err != nil {
			return nil, 0, err
		}
		next := sample.Argmax(logits)
		if next == tok.Vocab().EOS {
			break
		}
		ids = append(ids, next)
	}
	per := time.Duration(0)
	if n := len(ids) - 2; n > 0 {
		per = time.Since(start) / time.Duration(n)
	}
	return ids, per, nil
}

// checkGolden generates stories260K's greedy text on both backends: the
// reference must print the golden text (llama2.c's), and the backend under
// test, through the engine, the same text.
func (c *checker) checkGolden(data []byte, golden string) {
	const name = "model/stories260K/greedy-golden"
	const positions = 201 // BOS and the 200 tokens the golden holds
	m, err := c.load(data)
	if err != nil {
		c.fail(name, err)
		return
	}
	refIDs, _, err := greedy(m.ref, m.tok, positions)
	if err != nil {
		c.fail(name, err)
		return
	}
	if got := tokenizer.Decode(m.tok, refIDs); got != golden {
		c.fail(name, fmt.Errorf("the reference backend printed %q, want the golden %q", got, golden))
		return
	}
	// The backend under test runs through the engine, which reads back
	// only the sampled token when the backend can select it.
	g, err := generate(data, c.gpu, engine.Request{MaxTokens: positions - 1})
	if err != nil {
		c.fail(name, err)
		return
	}
	r := Result{Name: name, OK: true, Detail: fmt.Sprintf("%d tokens, %.1f tokens/s", len(g.tokens)+1, 1/g.perToken.Seconds())}
	if g.text != golden {
		r.OK, r.MaxErr = false, 1
		r.Detail = fmt.Sprintf("printed %q, want %q", g.text, golden)
	}
	c.add(r)
}

// checkLogits prefills a random prompt in one batch and decodes a few
// tokens on both backends, comparing every step's logits.
func (c *checker) checkLogits(label string, data []byte, promptLen, steps int, tol float64) {
	name := "model/" + label + "/logits"
	m, err := c.load(data)
	if err != nil {
		c.fail(name, err)
		return
	}
	vocab := m.ref.Config.Vocab
	prompt := make([]int32, promptLen)
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range prompt {
		prompt[i] = int32(rng.IntN(vocab))
	}
	ctx := promptLen + steps
	rs, err1 := m.ref.NewState(ctx, promptLen)
	gs, err2 := m.gpu.NewState(ctx, promptLen)
	if err := errors.Join(err1, err2, backendErr(c.gpu)); err != nil {
		c.fail(name, err)
		return
	}
	want, got := make([]float32, vocab), make([]float32, vocab)
	batch := prompt
	for step := 0; step <= steps; step++ {
		err1, err2 := m.ref.Forward(rs, batch, want), m.gpu.Forward(gs, batch, got)
		if err := errors.Join(err1, err2, backendErr(c.gpu)); err != nil {
			c.fail(name, err)
			return
		}
		c.compare(fmt.Sprintf("%s/step=%d/tokens=%d", name, step, len(batch)), want, got, tol)
		batch = []int32{sample.Argmax(want)}
	}
}

// runModels runs the model checks whose files are present; the golden text
// (200 tokens) only when asked.
func (c *checker) runModels(files map[string][]byte, golden bool) {
	if data, ok := files["stories260K.gguf"]; ok {
		if text, ok := files["stories260K.expected.txt"]; ok && golden {
			c.checkGolden(data, string(text))
			c.checkSampling(data)
		}
		c.checkAllocs(data)
		c.checkLogits("stories260K", data, 11, 3, 1e-4)
	}
	if data, ok := files["llama-2-tiny-random.gguf"]; ok {
		c.checkLogits("llama-2-tiny-random", data, 13, 3, 1e-3)
	}
}
