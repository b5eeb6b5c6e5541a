// Package sample picks the next token from logits: greedy, or random with
// temperature, top-k, top-p and min-p, after repetition, presence and
// frequency penalties. A Sampler allocates nothing per token.
package sample

import (
	"fmt"
	"math"
	"slices"
)

// Params are the sampling settings. The zero value is greedy decoding.
type Params struct {
	Temperature      float32 // <= 0: greedy (argmax)
	TopK             int     // keep the K most likely tokens; 0: all
	TopP             float32 // keep the smallest set whose probability reaches P; 0 or 1: all
	MinP             float32 // drop tokens below MinP × the top probability; 0: none
	RepeatPenalty    float32 // llama.cpp's repetition penalty over the last RepeatLastN tokens; 0 or 1: none
	RepeatLastN      int     // window for RepeatPenalty; 0 means 64
	PresencePenalty  float32 // OpenAI: subtracted once from every token already generated
	FrequencyPenalty float32 // OpenAI: subtracted per occurrence of a generated token
	Seed             uint64
}

// Validate reports settings outside their meaningful ranges.
func (p Params) Validate() error {
	switch {
	case math.IsNaN(float64(p.Temperature)) || p.Temperature > 100:
		return fmt.Errorf("temperature %v out of range", p.Temperature)
	case p.TopK < 0:
		return fmt.Errorf("top_k %d is negative", p.TopK)
	case !(p.TopP >= 0 && p.TopP <= 1):
		return fmt.Errorf("top_p %v outside [0, 1]", p.TopP)
	case !(p.MinP >= 0 && p.MinP <= 1):
		return fmt.Errorf("min_p %v outside [0, 1]", p.MinP)
	case p.RepeatPenalty < 0 || math.IsNaN(float64(p.RepeatPenalty)):
		return fmt.Errorf("repeat penalty %v is negative", p.RepeatPenalty)
	case p.RepeatLastN < 0:
		return fmt.Errorf("repeat window %d is negative", p.RepeatLastN)
	case !(p.PresencePenalty >= -2 && p.PresencePenalty <= 2):
		return fmt.Errorf("presence_penalty %v outside [-2, 2]", p.PresencePenalty)
	case !(p.FrequencyPenalty >= -2 && p.FrequencyPenalty <= 2):
		return fmt.Errorf("frequency_penalty %v outside [-2, 2]", p.FrequencyPenalty)
	}
	return nil
}

type candidate struct {
	id    int32
	logit float32
	p     float32
}

// Sampler holds the state of one sequence's sampling: its random stream and
// scratch buffers sized to the vocabulary.
type Sampler struct {
	params  Params
	rng     rng
	cands   []candidate
	counts  []int32 // occurrences of each token among the generated ones
	touched []int32 // ids with a non-zero count, to reset cheaply
	logits  []float32

	toppMass [toppBins]float64 // scratch of topPOfAll
}

// New returns a sampler for a vocabulary of vocab tokens.
func New(p Params, vocab int) *Sampler {
	return &Sampler{
		params: p,
		rng:    newRNG(p.Seed),
		cands:  make([]candidate, vocab),
		counts: make([]int32, vocab),
		logits: make([]float32, vocab),
	}
}

// Params returns the sampler's settings.
func (s *Sampler) Params() Params { return s.params }

// Reset forgets the generated tokens and reseeds the random stream.
func (s *Sampler) Reset() {
	for _, id := range s.touched {
		s.counts[id] = 0
	}
	s.touched = s.touched[:0]
	s.rng = newRNG(s.params.Seed)
}

// Accept records a generated token for the presence and frequency penalties.
func (s *Sampler) Accept(id int32) {
	if id < 0 || int(id) >= len(s.counts) {
		return
	}
	if s.counts[id] == 0 {
		s.touched = append(s.touched, id)
	}
	s.counts[id]++
}

// Sample picks the next token. recent holds the latest tokens of the
// sequence (prompt included) for the repetition penalty; logits are not
// modified.
func (s *Sampler) Sample(logits []float32, recent []int32) int32 {
	p := &s.params
	l := s.logits[:len(logits)]
	copy(l, logits)
	s.penalize(l, recent)
	if p.Temperature <= 0 {
		return argmax(l)
	}

	c := s.candidates(l)
	if p.MinP > 0 {
		limit := p.MinP * c[0].p
		keep := 1
		for keep < len(c) && c[keep].p >= limit {
			keep++
		}
		c = c[:keep]
	}
	softmax(c, p.Temperature)
	r := s.rng.float32()
	var cum float32
	for i := range c {
		cum += c[i].p
		if r < cum {
			return c[i].id
		}
	}
	return c[len(c)-1].id
}

// candidates returns the tokens that top-k and top-p keep, most likely
// first, with their probabilities before temperature (top-p and min-p act on
// that distribution, in the order of llama.cpp's default sampler chain).
// Only as many candidates are ordered as the cuts need: the whole
// vocabulary is sorted only when top-p reaches deep into it.
func (s *Sampler) candidates(l []float32) []candidate {
	p := &s.params
	n := len(l)
	if p.TopK > 0 && p.TopK < n {
		c := selectTop(l, p.TopK, s.cands)
		softmax(c, 1)
		return s.cutTopP(c)
	}
	if p.TopP > 0 && p.TopP < 1 {
		return s.topPOfAll(l)
	}
	if p.MinP > 0 {
		// Only tokens within ln(min-p) of the best logit can pass min-p.
		m := slices.Max(l)
		floor := m + float32(math.Log(float64(p.MinP)))
		c := s.cands[:0]
		for i, v := range l {
			if v >= floor {
				c = append(c, candidate{id: int32(i), logit: v})
			}
		}
		slices.SortFunc(c, byLikelihood)
		softmax(c, 1)
		return c
	}
	// No cut: every token stays, and the order of the draw does not change
	// the distribution, so nothing is sorted.
	c := s.cands[:n]
	for i, v := range l {
		c[i] = candidate{id: int32(i), logit: v}
	}
	return c
}

// cutTopP keeps the shortest prefix of c whose probability reaches top-p;
// when it is not reached, all of c (a caller that holds only part of the
// distribution widens it then).
func (s *Sampler) cutTopP(c []candidate) []candidate {
	if p := s.params.TopP; p > 0 && p < 1 {
		var cum float32
		for i := range c {
			cum += c[i].p
			if cum >= p {
				return c[:i+1]
			}
		}
	}
	return c
}

func (s *Sampler) penalize(l []float32, recent []int32) {
	p := &s.params
	if p.RepeatPenalty > 0 && p.RepeatPenalty != 1 {
		window := p.RepeatLastN
		if window == 0 {
			window = 64
		}
		if len(recent) > window {
			recent = recent[len(recent)-window:]
		}
		// Penalise each distinct token once, as llama.cpp does: mark by
		// negating after use (restored below).
		for _, id := range recent {
			if id < 0 || int(id) >= len(l) || s.cands[id].id == -1 {
				continue
			}
			if l[id] > 0 {
				l[id] /= p.RepeatPenalty
			} else {
				l[id] *= p.RepeatPenalty
			}
			s.cands[id].id = -1
		}
		for _, id := range recent {
			if id >= 0 && int(id) < len(l) {
				s.cands[id].id = id
			}
		}
	}
	if p.PresencePenalty != 0 || p.FrequencyPenalty != 0 {
		for _, id := range s.touched {
			n := s.counts[id]
			l[id] -= float32(n)*p.FrequencyPenalty + p.PresencePenalty
		}
	}
}

func argmax(l []float32) int32 {
	best := 0
	for i, v := range l {
		if v > l[best] {
			best = i
		}
	}
	return int32(best)
}

// Argmax returns the index of the largest logit (the first on ties).
func Argmax(logits []float32) int32 { return argmax(logits) }

func softmax(c []candidate, temp float32) {
	m := c[0].logit
	for _, x := range c {
		m = max(m, x.logit)
	}
	var sum float64
	for i := range c {
		e := math.Exp(float64((c[i].logit - m) / temp))
		c[i].p = float32(e)
		sum += e
	}
	for i := range c {
		c[i].p = float32(float64(c[i].p) / sum)
	}
}

// rng is xoshiro256**, seeded by splitmix64: fast, allocation-free and the
// same on every platform, so a seed gives the same text everywhere.
type rng struct{ s [4]uint64 }

func newRNG(seed uint64) rng {
	var r rng
	for i := range r.s {
		seed += 0x9e3779b97f4a7c15
		z := seed
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		r.s[i] = z ^ (z >> 31)
	}
	return r
}

func (r *rng) next() uint64 {
	s := &r.s
	result := rotl(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = rotl(s[3], 45)
	return result
}

func rotl(x uint64, k uint) uint64 { return x<<k | x>>(64-k) }

// float32 returns a uniform number in [0, 1).
func (r *rng) float32() float32 { return float32(r.next()>>40) / (1 << 24) }
