package sample

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomLogits has ties on purpose (values rounded to 1/8), so that the
// order by id among equal logits is exercised.
func randomLogits(tb testing.TB, n int, seed uint64) []float32 {
	tb.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	l := make([]float32, n)
	for i := range l {
		l[i] = float32(math.Round(r.NormFloat64()*3*8) / 8)
	}
	return l
}

func TestSelectTopEqualsSortedPrefix(t *testing.T) {
	for _, n := range []int{1, 2, 7, 100, 5000} {
		l := randomLogits(t, n, uint64(n))
		all := make([]candidate, n)
		for i, v := range l {
			all[i] = candidate{id: int32(i), logit: v}
		}
		slices.SortFunc(all, byLikelihood)
		for _, k := range []int{1, 2, 40, n - 1, n} {
			if k < 1 || k > n {
				continue
			}
			got := selectTop(l, k, make([]candidate, n))
			if !slices.Equal(got, all[:k]) {
				t.Fatalf("n=%d k=%d: selected %v, want %v", n, k, got[:min(k, 5)], all[:min(k, 5)])
			}
		}
	}
}

// sampleBySorting is the plain definition the sampler must agree with: sort
// the whole vocabulary, cut by top-k, top-p and min-p, draw in that order.
func sampleBySorting(p Params, l []float32, r float32) int32 {
	c := make([]candidate, len(l))
	for i, v := range l {
		c[i] = candidate{id: int32(i), logit: v}
	}
	slices.SortFunc(c, byLikelihood)
	if p.TopK > 0 && p.TopK < len(c) {
		c = c[:p.TopK]
	}
	softmax(c, 1)
	if p.TopP > 0 && p.TopP < 1 {
		var cum float32
		for i := range c {
			cum += c[i].p
			if cum >= p.TopP {
				c = c[:i+1]
				break
			}
		}
	}
	if p.MinP > 0 {
		keep := 1
		for keep < len(c) && c[keep].p >= p.MinP*c[0].p {
			keep++
		}
		c = c[:keep]
	}
	softmax(c, p.Temperature)
	var cum float32
	for i := range c {
		cum += c[i].p
		if r < cum {
			return c[i].id
		}
	}
	return c[len(c)-1].id
}

func TestCutsAgreeWithSortingTheWholeVocabulary(t *testing.T) {
	tests := []Params{
		{Temperature: 0.8, TopK: 40},
		{Temperature: 1, TopK: 3},
		{Temperature: 0.7, TopP: 0.9},
		{Temperature: 1.2, TopP: 0.999}, // reaches deep: widens the selection
		{Temperature: 1, TopP: 0.3},
		{Temperature: 0.9, MinP: 0.05},
		{Temperature: 0.8, TopK: 40, TopP: 0.95, MinP: 0.02},
	}
	for _, n := range []int{50, 3000} {
		l := randomLogits(t, n, 99)
		for _, p := range tests {
			p.Seed = 5
			s := New(p, n)
			shadow := newRNG(p.Seed)
			for step := range 200 {
				got := s.Sample(l, nil)
				want := sampleBySorting(p, l, shadow.float32())
				if got != want {
					t.Fatalf("n=%d %+v step %d: sampled %d, sorting the vocabulary gives %d", n, p, step, got, want)
				}
			}
		}
	}
}

func benchmarkSample(b *testing.B, p Params) {
	logits := randomLogits(b, 128256, 1)
	s := New(p, len(logits))
	b.ReportAllocs()
	for b.Loop() {
		s.Sample(logits, nil)
	}
}

// A Llama 3 vocabulary: the size at which sorting every token costs more
// than a small model's forward pass.
func BenchmarkSample128kTopK40(b *testing.B) {
	benchmarkSample(b, Params{Temperature: 0.8, TopK: 40, TopP: 0.95, Seed: 1})
}
func BenchmarkSample128kTopP(b *testing.B) {
	benchmarkSample(b, Params{Temperature: 0.7, TopP: 0.9, Seed: 1})
}
func BenchmarkSample128kPlain(b *testing.B) { benchmarkSample(b, Params{Temperature: 0.7, Seed: 1}) }
