package sample

import (
	"cmp"
	"slices"
)

// ahead orders candidates most likely first, ties by id, so that the order
// (and with it every cut) does not depend on how the candidates were found.
// NaN logits sort last, as cmp.Compare has them.
func ahead(a, b candidate) bool {
	if c := cmp.Compare(a.logit, b.logit); c != 0 {
		return c > 0
	}
	return a.id < b.id
}

func byLikelihood(a, b candidate) int {
	switch {
	case ahead(a, b):
		return -1
	case ahead(b, a):
		return 1
	}
	return 0
}

// selectTop writes the k best of logits (in the order of ahead) into
// dst[:k], best first. It keeps a heap of the k best seen, whose root is the
// worst of them, so most logits cost one comparison: O(n log k) at worst
// against the O(n log n) of sorting a 128k vocabulary for every token.
func selectTop(logits []float32, k int, dst []candidate) []candidate {
	h := dst[:0]
	for i, v := range logits {
		c := candidate{id: int32(i), logit: v}
		if len(h) < k {
			h = append(h, c)
			siftUp(h, len(h)-1)
			continue
		}
		if ahead(c, h[0]) {
			h[0] = c
			siftDown(h, 0)
		}
	}
	slices.SortFunc(h, byLikelihood)
	return h
}

// The heap keeps the least likely candidate at the root.
func siftUp(h []candidate, i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !ahead(h[parent], h[i]) {
			return
		}
		h[parent], h[i] = h[i], h[parent]
		i = parent
	}
}

func siftDown(h []candidate, i int) {
	for {
		worst, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && ahead(h[worst], h[l]) {
			worst = l
		}
		if r < len(h) && ahead(h[worst], h[r]) {
			worst = r
		}
		if worst == i {
			return
		}
		h[i], h[worst] = h[worst], h[i]
		i = worst
	}
}
