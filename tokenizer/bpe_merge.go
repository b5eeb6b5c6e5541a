package tokenizer

// The merge loop keeps a word's tokens in a doubly linked list over an
// array and the candidate merges of adjacent pairs in a binary heap, so a
// word of n bytes costs O(n log n) rather than a rescan after every merge.

type bpeSymbol struct {
	id         int32 // NoToken once merged into its left neighbour
	prev, next int32 // -1 at the ends
}

// bpeCandidate is a possible merge of symbols left and right. It goes
// stale when either side changes; the ids it was made from tell.
type bpeCandidate struct {
	rank, merged    int32
	left, right     int32
	leftID, rightID int32
}

// bpeScratch is the reusable working memory of one Encode call.
type bpeScratch struct {
	words   []string
	symbols []bpeSymbol
	heap    []bpeCandidate
}

func (t *BPE) encodeWord(w string, sc *bpeScratch, out []int32) []int32 {
	if len(w) == 1 {
		if id := t.byteIDs[w[0]]; id != NoToken {
			out = append(out, id)
		}
		return out
	}
	if t.words != nil {
		if id, ok := t.words[w]; ok {
			return append(out, id)
		}
	}
	syms := sc.symbols[:0]
	for i := 0; i < len(w); i++ {
		syms = append(syms, bpeSymbol{id: t.byteIDs[w[i]], prev: int32(i) - 1, next: int32(i) + 1})
	}
	syms[len(syms)-1].next = -1
	sc.symbols = syms
	sc.heap = sc.heap[:0]
	for i := 1; i < len(syms); i++ {
		t.pushCandidate(sc, int32(i-1), int32(i))
	}
	for len(sc.heap) > 0 {
		c := bpePop(&sc.heap)
		l, r := &syms[c.left], &syms[c.right]
		if l.next != c.right || l.id != c.leftID || r.id != c.rightID {
			continue
		}
		l.id = c.merged
		l.next = r.next
		if r.next >= 0 {
			syms[r.next].prev = c.left
		}
		r.id = NoToken
		if l.prev >= 0 {
			t.pushCandidate(sc, l.prev, c.left)
		}
		if l.next >= 0 {
			t.pushCandidate(sc, c.left, l.next)
		}
	}
	for i := int32(0); i >= 0; i = syms[i].next {
		// A byte with no token (only in a malformed vocabulary) is
		// dropped, as llama.cpp does.
		if id := syms[i].id; id != NoToken {
			out = append(out, id)
		}
	}
	return out
}

func (t *BPE) pushCandidate(sc *bpeScratch, left, right int32) {
	l, r := sc.symbols[left].id, sc.symbols[right].id
	if l == NoToken || r == NoToken {
		return
	}
	m, ok := t.merges[bpePairKey(l, r)]
	if !ok {
		return
	}
	bpePush(&sc.heap, bpeCandidate{rank: m.rank, merged: m.id, left: left, right: right, leftID: l, rightID: r})
}

// bpeBefore orders candidates: lowest rank first, then leftmost, the order
// Hugging Face and llama.cpp both use.
func bpeBefore(a, b *bpeCandidate) bool {
	if a.rank != b.rank {
		return a.rank < b.rank
	}
	return a.left < b.left
}

func bpePush(h *[]bpeCandidate, c bpeCandidate) {
	q := append(*h, c)
	i := len(q) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !bpeBefore(&q[i], &q[p]) {
			break
		}
		q[i], q[p] = q[p], q[i]
		i = p
	}
	*h = q
}

func bpePop(h *[]bpeCandidate) bpeCandidate {
	q := *h
	top := q[0]
	n := len(q) - 1
	q[0] = q[n]
	q = q[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && bpeBefore(&q[l], &q[m]) {
			m = l
		}
		if r < n && bpeBefore(&q[r], &q[m]) {
			m = r
		}
		if m == i {
			break
		}
		q[i], q[m] = q[m], q[i]
		i = m
	}
	*h = q
	return top
}
