package tokenizer

// The merge step of SPM, as llama.cpp's llm_tokenizer_spm_session: the text
// starts as one symbol per UTF-8 character; every adjacent pair whose joined
// text is a token is queued by that token's score; the best pair is merged
// and its new neighbours queued, until no pair is left.

// spmSymbol is a run of the fragment's bytes in a doubly linked list.
type spmSymbol struct {
	start, n   int // bytes [start, start+n) of the fragment; n == 0 once merged away
	prev, next int // -1 at the ends
}

// spmBigram is a candidate merge of symbols left and right. size is their
// joined length when queued; a different length later means one of them has
// merged since, and the candidate is stale.
type spmBigram struct {
	left, right int
	score       float32
	size        int
}

// spmScratch is the working memory of one Encode, reused through a pool.
type spmScratch struct {
	frags   []fragment
	spare   []fragment
	found   []int
	text    []byte
	symbols []spmSymbol
	queue   []spmBigram
}

// encodeFragment tokenizes sc.text, already space-escaped, onto out.
func (s *SPM) encodeFragment(sc *spmScratch, out []int32) []int32 {
	text := sc.text
	sc.symbols = sc.symbols[:0]
	for off := 0; off < len(text); {
		n := min(utf8SeqLen(text[off]), len(text)-off)
		idx := len(sc.symbols)
		next := idx + 1
		if off+n == len(text) {
			next = -1
		}
		sc.symbols = append(sc.symbols, spmSymbol{start: off, n: n, prev: idx - 1, next: next})
		off += n
	}

	sc.queue = sc.queue[:0]
	for i := 1; i < len(sc.symbols); i++ {
		s.queueBigram(sc, i-1, i)
	}
	for len(sc.queue) > 0 {
		b := popBigram(&sc.queue)
		left, right := &sc.symbols[b.left], &sc.symbols[b.right]
		if left.n == 0 || right.n == 0 || left.n+right.n != b.size {
			continue
		}
		left.n += right.n
		right.n = 0
		left.next = right.next
		if right.next >= 0 {
			sc.symbols[right.next].prev = b.left
		}
		s.queueBigram(sc, left.prev, b.left)
		s.queueBigram(sc, b.left, left.next)
	}

	// Every merged symbol is a token by construction, so only single
	// characters can miss the vocabulary; they fall back to bytes. (llama.cpp
	// also keeps a reverse-merge map for this step, which can never be hit.)
	for i := 0; len(sc.symbols) > 0 && i != -1; i = sc.symbols[i].next {
		sym := sc.symbols[i]
		piece := text[sym.start : sym.start+sym.n]
		if id, ok := s.ids[string(piece)]; ok {
			out = append(out, id)
			continue
		}
		for _, c := range piece {
			switch {
			case s.bytes[c] != NoToken:
				out = append(out, s.bytes[c])
			case s.vocab.UNK != NoToken:
				out = append(out, s.vocab.UNK)
			}
		}
	}
	return out
}

// queueBigram queues the merge of symbols left and right if their joined
// text is a token.
func (s *SPM) queueBigram(sc *spmScratch, left, right int) {
	if left < 0 || right < 0 {
		return
	}
	l, r := sc.symbols[left], sc.symbols[right]
	joined := sc.text[l.start : l.start+l.n+r.n]
	id, ok := s.ids[string(joined)]
	if !ok {
		return
	}
	var score float32
	if s.scores != nil {
		score = s.scores[id]
	}
	pushBigram(&sc.queue, spmBigram{left: left, right: right, score: score, size: l.n + r.n})
}

// utf8SeqLen is the length of the UTF-8 sequence a lead byte announces, as
// llama.cpp's unicode_len_utf8: a stray continuation byte counts as 1, and
// no further validation is done.
func utf8SeqLen(lead byte) int {
	switch {
	case lead < 0xC0:
		return 1
	case lead < 0xE0:
		return 2
	case lead < 0xF0:
		return 3
	}
	return 4
}

// bigramBefore orders the queue: higher score first, then the leftmost pair.
func bigramBefore(a, b spmBigram) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.left < b.left
}

// pushBigram and popBigram keep *q a binary heap under bigramBefore; written
// out rather than through container/heap to avoid boxing every element.
func pushBigram(q *[]spmBigram, b spmBigram) {
	h := append(*q, b)
	i := len(h) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !bigramBefore(h[i], h[parent]) {
			break
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
	*q = h
}

func popBigram(q *[]spmBigram) spmBigram {
	h := *q
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		best := i
		l, r := 2*i+1, 2*i+2
		if l < len(h) && bigramBefore(h[l], h[best]) {
			best = l
		}
		if r < len(h) && bigramBefore(h[r], h[best]) {
			best = r
		}
		if best == i {
			break
		}
		h[i], h[best] = h[best], h[i]
		i = best
	}
	*q = h
	return top
}
