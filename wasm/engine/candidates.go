package engine

import (
	"fmt"

	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/sample"
)

// candidateK is how many of the most likely tokens sampling with p can
// choose from, or 0 when it needs every logit: penalties change logits
// before the cut (a penalized favourite can fall out of the top k, a
// negative penalty can lift any token into it), log-probabilities are
// normalized over the whole vocabulary, and without top-k every token can
// be drawn.
func candidateK(p sample.Params, logprobs bool, vocab int) int {
	switch {
	case logprobs,
		p.RepeatPenalty > 0 && p.RepeatPenalty != 1,
		p.PresencePenalty != 0, p.FrequencyPenalty != 0:
		return 0
	case p.Temperature <= 0:
		return 1
	case p.TopK > 0 && p.TopK <= min(model.MaxTopK, vocab):
		return p.TopK
	}
	return 0
}

// deferredRead is a session's view of a backend that can select the top
// candidates itself: the forward pass's read of the logits row (its only
// read) is remembered instead of performed, so that the candidates can be
// taken from the row where it lives. (Embedding hides the backend's
// optional powers from the forward function; it looks for none today.)
type deferredRead struct {
	model.Backend
	x   *model.Act
	row int
}

func (d *deferredRead) Read(_ []float32, x *model.Act, row int) { d.x, d.row = x, row }

// picker reads back the top candidates instead of whole logits rows when
// the session's backend is a model.TopKReader and the request's sampling
// allows it. The sampler then draws from the k candidates' logits as if
// they were a vocabulary of k tokens, and the drawn index names the token.
// That is the same draw as from the whole row: the sampler ranks by logit
// and then by index, the candidates come ranked by logit and then by token
// id, and its top-k cut of the whole row keeps exactly them; without
// penalties nothing else looks at the row.
type picker struct {
	k       int          // candidates per token for the current request; 0: read whole rows
	base    *model.Llama // the model view was made for
	view    *model.Llama // base with its backend wrapped in read
	read    *deferredRead
	reader  model.TopKReader
	pending bool // the last forward pass's row awaits selection
	ids     []int32
	vals    []float32
}

// model returns the model the next forward pass should run: llm itself, or
// its view that defers the logits read.
func (p *picker) model(llm *model.Llama) *model.Llama {
	if p.k == 0 {
		return llm
	}
	if p.base != llm {
		p.base, p.view, p.read, p.reader = llm, nil, nil, nil
		if r, ok := llm.Backend.(model.TopKReader); ok {
			p.read = &deferredRead{Backend: llm.Backend}
			v := *llm
			v.Backend = p.read
			p.view, p.reader = &v, r
		}
	}
	if p.view == nil {
		return llm
	}
	return p.view
}

// candidates selects the top k of the deferred row: their logits, best
// first, and their token ids.
func (p *picker) candidates(vocab int) ([]float32, []int32, error) {
	if p.ids == nil {
		p.ids, p.vals = make([]int32, model.MaxTopK), make([]float32, model.MaxTopK)
	}
	ids, vals := p.ids[:p.k], p.vals[:p.k]
	if err := p.reader.TopK(p.read.x, p.read.row, p.k, ids, vals); err != nil {
		return nil, nil, err
	}
	for _, id := range ids {
		if id < 0 || int(id) >= vocab {
			return nil, nil, fmt.Errorf("the backend selected token %d of a vocabulary of %d", id, vocab)
		}
	}
	return vals, ids, nil
}

// nextLogits returns the logits the sampler should draw the next token from
// and, when they are candidates, the token id of each; ids is nil when
// logits is the whole row. A device that fails while selecting candidates
// moves the session to the CPU, which computes the whole row again.
func (s *Session) nextLogits() (logits []float32, ids []int32, err error) {
	p := &s.pick
	if !p.pending {
		return s.logits, nil, nil
	}
	p.pending = false
	logits, ids, err = p.candidates(len(s.logits))
	if err == nil {
		err = backendErr(s.llm)
	}
	if err == nil {
		return logits, ids, nil
	}
	if ferr := s.m.fallBack(err); ferr != nil {
		s.cached, s.state.Pos = s.cached[:0], 0
		return nil, nil, ferr
	}
	if err := s.rebuild(); err != nil {
		return nil, nil, err
	}
	return s.logits, nil, nil
}
