package tokenizer

import (
	"cmp"
	"slices"
	"strings"
)

// fragment is a piece of the input: a special token already recognised, or
// the raw text [start, end) still to be tokenized.
type fragment struct {
	token      int32 // NoToken for raw text
	start, end int
}

// specialTokens are the tokens matched in the text before tokenizing, as
// llama.cpp's tokenizer_st_partition: control, unknown and user-defined
// tokens, longest text first (ties by id, for a stable order).
type specialTokens struct {
	ids   []int32
	texts []string

	// Vocabularies such as Gemma's hold thousands of control tokens, most
	// never written in a given text. These find, in one pass over the text,
	// those that are: byFirst marks the possible first bytes, lengths lists
	// the distinct lengths of the tokens starting with each pair of bytes,
	// and index maps a token's text to its place in texts.
	byFirst [256]bool
	lengths map[uint16][]int
	index   map[string]int
}

func newSpecialTokens(v *Vocab) specialTokens {
	var ids []int32
	for i := range v.Tokens {
		switch typeOf(v, int32(i)) {
		case TokenTypeControl, TokenTypeUnknown, TokenTypeUserDefined:
			ids = append(ids, int32(i))
		}
	}
	slices.SortFunc(ids, func(a, b int32) int {
		if c := cmp.Compare(len(tokenText(v, b)), len(tokenText(v, a))); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	st := specialTokens{
		ids:     ids,
		texts:   make([]string, len(ids)),
		lengths: make(map[uint16][]int),
		index:   make(map[string]int, len(ids)),
	}
	for i, id := range ids {
		text := tokenText(v, id)
		st.texts[i] = text
		st.index[text] = i
		st.byFirst[text[0]] = true
		key := pairKey(text)
		if !slices.Contains(st.lengths[key], len(text)) {
			st.lengths[key] = append(st.lengths[key], len(text))
		}
	}
	return st
}

// pairKey is the first two bytes of s, or its only byte and 0.
func pairKey(s string) uint16 {
	if len(s) == 1 {
		return uint16(s[0]) << 8
	}
	return uint16(s[0])<<8 | uint16(s[1])
}

// occurring appends to dst, in order, the indexes of the special tokens
// written somewhere in text.
func (st *specialTokens) occurring(dst []int, text string) []int {
	dst = dst[:0]
	for i := 0; i < len(text); i++ {
		if !st.byFirst[text[i]] {
			continue
		}
		// One-byte tokens are keyed by their byte and 0; when the two keys
		// coincide, the duplicates found are removed below.
		for _, key := range [2]uint16{uint16(text[i]) << 8, pairKey(text[i:])} {
			for _, n := range st.lengths[key] {
				if i+n > len(text) {
					continue
				}
				if k, ok := st.index[text[i:i+n]]; ok {
					dst = append(dst, k)
				}
			}
		}
	}
	slices.Sort(dst)
	return slices.Compact(dst)
}

// split cuts text into fragments at every occurrence of a special token,
// using sc's buffers. Each token in turn, longest first, splits the raw
// fragments left by the ones before it, leftmost occurrence first, exactly
// as llama.cpp does; tokens absent from the text are skipped up front.
func (st *specialTokens) split(sc *spmScratch, text string) []fragment {
	dst := append(sc.frags[:0], fragment{token: NoToken, start: 0, end: len(text)})
	tmp := sc.spare
	if len(st.texts) > 0 {
		sc.found = st.occurring(sc.found, text)
	}
	for _, i := range sc.found {
		tok := st.texts[i]
		tmp = tmp[:0]
		for _, f := range dst {
			if f.token != NoToken {
				tmp = append(tmp, f)
				continue
			}
			start := f.start
			for {
				at := strings.Index(text[start:f.end], tok)
				if at < 0 {
					break
				}
				at += start
				if at > start {
					tmp = append(tmp, fragment{token: NoToken, start: start, end: at})
				}
				tmp = append(tmp, fragment{token: st.ids[i]})
				start = at + len(tok)
			}
			if start < f.end {
				tmp = append(tmp, fragment{token: NoToken, start: start, end: f.end})
			}
		}
		dst, tmp = tmp, dst
	}
	sc.frags, sc.spare = dst, tmp
	return dst
}
