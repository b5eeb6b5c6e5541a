package main

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/wisp-llm/wisp/wasm/engine"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/sample"
)

// generation is one engine request's tokens and text.
type generation struct {
	tokens   []int32
	text     string
	perToken time.Duration // after the first token, which builds the pipelines
}

// generate loads data on b through the engine and runs req in a fresh
// session. The engine would quietly finish on the CPU if the device
// failed, so a fallback is an error here.
func generate(data []byte, b model.Backend, req engine.Request) (generation, error) {
	var g generation
	m, err := engine.LoadBytes(data, engine.Options{Backend: b})
	if err != nil {
		return g, err
	}
	if req.Prompt == nil {
		req.Prompt = []int32{m.Tokenizer.Vocab().BOS}
	}
	s, err := m.NewSession(len(req.Prompt) + req.MaxTokens)
	if err != nil {
		return g, err
	}
	var first time.Time
	res, err := s.Generate(context.Background(), req, func(d engine.Delta) error {
		if g.tokens == nil {
			first = time.Now()
		}
		g.tokens = append(g.tokens, d.Tokens...)
		return nil
	})
	if err != nil {
		return g, err
	}
	if err := m.FallbackReason(); err != nil {
		return g, fmt.Errorf("the engine fell back to the CPU: %w", err)
	}
	g.text = res.Text
	if n := len(g.tokens) - 1; n > 0 {
		g.perToken = time.Since(first) / time.Duration(n)
	}
	return g, nil
}

// checkSampling draws tokens with top-k, top-p, temperature and a seed
// through the engine twice on the backend under test: reading back only
// the top candidates, and reading whole logits rows (asking for logprobs
// needs them). The same device logits must give the same tokens.
func (c *checker) checkSampling(data []byte) {
	const name = "engine/stories260K/top-k-sampling"
	req := engine.Request{MaxTokens: 40, Sampling: sample.Params{Temperature: 0.9, TopK: 40, TopP: 0.95, Seed: 11}}
	picked, err := generate(data, c.gpu, req)
	if err != nil {
		c.fail(name, err)
		return
	}
	req.Logprobs = true
	rows, err := generate(data, c.gpu, req)
	if err != nil {
		c.fail(name, err)
		return
	}
	r := Result{Name: name, OK: true, Detail: fmt.Sprintf("%d tokens", len(picked.tokens))}
	if !slices.Equal(picked.tokens, rows.tokens) {
		r.OK, r.MaxErr = false, 1
		r.Detail = fmt.Sprintf("top candidates drew %v, whole rows %v", picked.tokens, rows.tokens)
	}
	c.add(r)
}

// deferredRead leaves the logits on the device, as the engine does when it
// reads back only the top candidates.
type deferredRead struct {
	model.Backend
	x   *model.Act
	row int
}

func (d *deferredRead) Read(_ []float32, x *model.Act, row int) { d.x, d.row = x, row }

// maxAllocsPerToken is the heap allocations a greedy decode step may make
// on the device path after warm-up: the JS handles a step must create
// (command encoder, compute pass, command buffer, the read's promises and
// its mapped range), each of which syscall/js tracks with a small heap
// object. Everything on the Go side is reused.
const maxAllocsPerToken = 16

// submitter is a backend that counts its command submissions.
type submitter interface{ Submits() int }

// checkAllocs counts heap allocations of greedy decode steps after warm-up,
// reading whole logits rows and (when the backend selects on the device)
// only the top token, and command submissions: a step must be one.
func (c *checker) checkAllocs(data []byte) {
	m, err := c.load(data)
	if err != nil {
		c.fail("allocs", err)
		return
	}
	sel, selects := c.gpu.(selector)
	paths := []string{"whole-row"}
	if selects {
		paths = append(paths, "top-k")
	}
	for _, path := range paths {
		name := "allocs/stories260K/" + path
		const warm, steps, rounds = 3, 16, 3
		s, err := m.gpu.NewState(warm+rounds*steps+1, 1)
		if err != nil {
			c.fail(name, err)
			continue
		}
		llm, read := m.gpu, (*deferredRead)(nil)
		if path == "top-k" {
			read = &deferredRead{Backend: m.gpu.Backend}
			view := *m.gpu
			view.Backend = read
			llm = &view
		}
		logits := make([]float32, m.gpu.Config.Vocab)
		ids, vals := make([]int32, 1), make([]float32, 1)
		token := []int32{1}
		step := func() error {
			if err := llm.Forward(s, token, logits); err != nil {
				return err
			}
			if read != nil {
				if err := sel.TopK(read.x, read.row, 1, ids, vals); err != nil {
					return err
				}
				token[0] = ids[0]
			} else {
				token[0] = sample.Argmax(logits)
			}
			return backendErr(c.gpu)
		}
		submits := func() int { return 0 }
		if sub, ok := c.gpu.(submitter); ok {
			submits = sub.Submits
		}
		// Allocation counts are process-wide: a stray allocation by the
		// runtime or another goroutine lands in one round, not in every
		// one, so the round with the fewest counts.
		var per, bytes float64
		var submitted int
		for range warm {
			if err = step(); err != nil {
				break
			}
		}
		for round := range rounds {
			if err != nil {
				break
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			submitsBefore := submits()
			for range steps {
				if err = step(); err != nil {
					break
				}
			}
			runtime.ReadMemStats(&after)
			if err != nil {
				break
			}
			if p := float64(after.Mallocs-before.Mallocs) / steps; round == 0 || p < per {
				per, bytes, submitted = p, float64(after.TotalAlloc-before.TotalAlloc)/steps, submits()-submitsBefore
			}
		}
		if err != nil {
			c.fail(name, err)
			continue
		}
		r := Result{Name: name, OK: per <= maxAllocsPerToken, MaxErr: per, Tol: maxAllocsPerToken,
			Detail: fmt.Sprintf("%.1f allocations, %.0f bytes per token", per, bytes)}
		if _, ok := c.gpu.(submitter); ok {
			r.Detail += fmt.Sprintf(", %d submissions in %d tokens", submitted, steps)
			r.OK = r.OK && submitted == steps
		}
		c.add(r)
	}
}
