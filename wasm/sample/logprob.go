package sample

import "math"

// TokenLogprob is a token with its log-probability.
type TokenLogprob struct {
	ID      int32
	Logprob float32
}

// Logprobs writes into top the k most likely tokens of the distribution
// softmax(logits), most likely first, and returns the log-probability of
// chosen. top must have room for k entries; nothing is allocated.
func Logprobs(logits []float32, chosen int32, top []TokenLogprob) float32 {
	m := logits[0]
	for _, v := range logits {
		m = max(m, v)
	}
	var sum float64
	for _, v := range logits {
		sum += math.Exp(float64(v - m))
	}
	logZ := float64(m) + math.Log(sum)
	for i := range top {
		top[i] = TokenLogprob{ID: -1, Logprob: float32(math.Inf(-1))}
	}
	for id, v := range logits {
		lp := float32(float64(v) - logZ)
		// Insertion into the small sorted top list.
		for i := range top {
			if lp > top[i].Logprob {
				copy(top[i+1:], top[i:len(top)-1])
				top[i] = TokenLogprob{ID: int32(id), Logprob: lp}
				break
			}
		}
	}
	return float32(float64(logits[chosen]) - logZ)
}
