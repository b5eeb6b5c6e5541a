package sample

import (
	"math"
	"testing"
)

func TestGreedyAndNarrowingSettingsPickArgmax(t *testing.T) {
	logits := []float32{0.1, 2.5, -1, 2.4, 0}
	tests := []struct {
		name string
		p    Params
	}{
		{"greedy", Params{}},
		{"top-k 1", Params{Temperature: 1, TopK: 1, Seed: 3}},
		{"tiny top-p", Params{Temperature: 1, TopP: 0.01, Seed: 3}},
		{"min-p 1", Params{Temperature: 1, MinP: 1, Seed: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(tt.p, len(logits))
			for range 20 {
				if got := s.Sample(logits, nil); got != 1 {
					t.Fatalf("sampled %d, want 1", got)
				}
			}
		})
	}
}

func TestSameSeedSameTokens(t *testing.T) {
	logits := make([]float32, 100)
	for i := range logits {
		logits[i] = float32(math.Sin(float64(i)))
	}
	run := func(seed uint64) []int32 {
		s := New(Params{Temperature: 1, Seed: seed}, len(logits))
		var out []int32
		for range 50 {
			out = append(out, s.Sample(logits, nil))
		}
		return out
	}
	a, b, c := run(7), run(7), run(8)
	if !equal(a, b) {
		t.Fatal("same seed gave different tokens")
	}
	if equal(a, c) {
		t.Fatal("different seeds gave the same 50 tokens")
	}
}

func equal(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFrequencies checks that sampling follows softmax(logits / T) and that
// top-k and top-p cut the tail.
func TestFrequencies(t *testing.T) {
	logits := []float32{2, 1, 0, -1}
	const n = 40000
	count := func(p Params) []float64 {
		s := New(p, len(logits))
		c := make([]float64, len(logits))
		for range n {
			c[s.Sample(logits, nil)]++
		}
		for i := range c {
			c[i] /= n
		}
		return c
	}
	want := func(temp float64, keep int) []float64 {
		w := make([]float64, len(logits))
		var sum float64
		for i := range keep {
			w[i] = math.Exp(float64(logits[i]) / temp)
			sum += w[i]
		}
		for i := range w {
			w[i] /= sum
		}
		return w
	}
	tests := []struct {
		name string
		p    Params
		want []float64
	}{
		{"T=1", Params{Temperature: 1, Seed: 1}, want(1, 4)},
		{"T=0.5", Params{Temperature: 0.5, Seed: 2}, want(0.5, 4)},
		{"top-k 2", Params{Temperature: 1, TopK: 2, Seed: 3}, want(1, 2)},
		// softmax(2,1,0,-1) = .644 .237 .087 .032: top-p 0.85 keeps two.
		{"top-p 0.85", Params{Temperature: 1, TopP: 0.85, Seed: 4}, want(1, 2)},
		// min-p 0.1 drops tokens below 0.0644: the last one.
		{"min-p 0.1", Params{Temperature: 1, MinP: 0.1, Seed: 5}, want(1, 3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := count(tt.p)
			for i := range got {
				if math.Abs(got[i]-tt.want[i]) > 0.012 {
					t.Fatalf("frequencies %.3f, want %.3f", got, tt.want)
				}
			}
		})
	}
}

func TestPenalties(t *testing.T) {
	logits := []float32{3, 2.9, 1}
	s := New(Params{RepeatPenalty: 1.5}, 3)
	if got := s.Sample(logits, []int32{0, 0, 0}); got != 1 {
		t.Fatalf("repeat penalty: got %d, want 1", got)
	}
	s = New(Params{FrequencyPenalty: 0.2}, 3)
	s.Accept(0)
	if got := s.Sample(logits, nil); got != 1 {
		t.Fatalf("frequency penalty: got %d, want 1", got)
	}
	s.Reset()
	if got := s.Sample(logits, nil); got != 0 {
		t.Fatalf("after reset: got %d, want 0", got)
	}
	s = New(Params{PresencePenalty: 0.5}, 3)
	s.Accept(0)
	s.Accept(0)
	if got := s.Sample(logits, nil); got != 1 {
		t.Fatalf("presence penalty: got %d, want 1", got)
	}
	if logits[0] != 3 {
		t.Fatal("Sample modified the caller's logits")
	}
}

func TestValidate(t *testing.T) {
	bad := []Params{
		{Temperature: float32(math.NaN())}, {TopK: -1}, {TopP: 1.5}, {MinP: -0.1},
		{RepeatPenalty: -1}, {PresencePenalty: 3}, {FrequencyPenalty: -2.5}, {RepeatLastN: -4},
	}
	for _, p := range bad {
		if p.Validate() == nil {
			t.Errorf("%+v: no error", p)
		}
	}
	if err := (Params{Temperature: 0.7, TopK: 40, TopP: 0.9, MinP: 0.05}).Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestLogprobs(t *testing.T) {
	logits := []float32{1, 3, 2}
	top := make([]TokenLogprob, 2)
	lp := Logprobs(logits, 2, top)
	z := math.Log(math.Exp(1) + math.Exp(3) + math.Exp(2))
	if math.Abs(float64(lp)-(2-z)) > 1e-5 {
		t.Fatalf("logprob %v, want %v", lp, 2-z)
	}
	if top[0].ID != 1 || top[1].ID != 2 {
		t.Fatalf("top = %+v", top)
	}
}

func TestSampleAllocatesNothing(t *testing.T) {
	logits := make([]float32, 1000)
	for i := range logits {
		logits[i] = float32(i % 17)
	}
	recent := []int32{1, 2, 3}
	s := New(Params{Temperature: 0.8, TopK: 40, TopP: 0.9, MinP: 0.05, RepeatPenalty: 1.1, FrequencyPenalty: 0.1, Seed: 1}, len(logits))
	s.Accept(5)
	allocs := testing.AllocsPerRun(100, func() { s.Sample(logits, recent) })
	if allocs != 0 {
		t.Fatalf("Sample allocates %v times per call", allocs)
	}
}

func BenchmarkSample32k(b *testing.B) {
	logits := make([]float32, 32000)
	for i := range logits {
		logits[i] = float32(math.Sin(float64(i)))
	}
	s := New(Params{Temperature: 0.8, TopK: 40, TopP: 0.95, Seed: 1}, len(logits))
	b.ReportAllocs()
	for b.Loop() {
		s.Sample(logits, nil)
	}
}
