package sample

import (
	"math"
	"slices"
)

// Top-p over the whole vocabulary needs the most likely tokens in order
// until their probability reaches p. Rather than sorting the vocabulary, one
// pass sums the probability mass into bins by distance from the best logit;
// the bins, walked from the top, give a logit below which nothing can be in
// the cut, and only the tokens above it are sorted.
const (
	toppBinsPerNat = 16
	toppNats       = 32 // tokens further below the best (p < e⁻³²) share the last bin
	toppBins       = toppBinsPerNat * toppNats
)

func (s *Sampler) topPOfAll(l []float32) []candidate {
	m := slices.Max(l)
	var sum float64
	mass := &s.toppMass
	clear(mass[:])
	for _, v := range l {
		e := math.Exp(float64(v - m))
		sum += e
		mass[toppBin(v, m)] += e
	}
	// The bin where the mass reaches p, with a margin for the float32
	// rounding of the exact cut below.
	need := float64(s.params.TopP)*sum*(1+1e-6) + 1e-30
	last := toppBins - 1
	var cum float64
	for b := range toppBins {
		cum += mass[b]
		if cum >= need {
			last = b
			break
		}
	}
	c := s.cands[:0]
	for i, v := range l {
		if last == toppBins-1 || toppBin(v, m) <= last {
			c = append(c, candidate{id: int32(i), logit: v})
		}
	}
	slices.SortFunc(c, byLikelihood)
	for i := range c {
		c[i].p = float32(math.Exp(float64(c[i].logit-m)) / sum)
	}
	return s.cutTopP(c)
}

func toppBin(v, m float32) int {
	d := float64(m-v) * toppBinsPerNat
	if !(d < toppBins-1) { // NaN included
		return toppBins - 1
	}
	return int(d)
}
