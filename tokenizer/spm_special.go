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
	// never written in a given text. These index them by their first bytes
	// so one pass over the text finds those that occur: byFirst marks the
	// possible first bytes, byPair lists the tokens (as indexes into texts)
	// by their first two bytes, and single holds index+1 of each one-byte
	// token.
	byFirst [256]bool
	byPair  map[uint16][]int
	single  [256]int
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
	st := specialTokens{ids: ids, texts: make([]string, len(ids)), byPair: make(map[uint16][]int)}
	for i, id := range ids {
		text := tokenText(v, id)
		st.texts[i] = text
		st.byFirst[text[0]] = true
		if len(text) == 1 {
			st.single[text[0]] = i + 1
			continue
		}
		key := pairKey(text)
		st.byPair[key] = append(st.byPair[key], i)
	}
	return st
}

func pairKey(s string) uint16 { return uint16(s[0])<<8 | uint16(s[1]) }

// occurring appends to dst, in order, the indexes of the special tokens
// written somewhere in text.
func (st *specialTokens) occurring(dst []int, text string) []int {
	dst = dst[:0]
	for i := 0; i < len(text); i++ {
		if !st.byFirst[text[i]] {
			continue
		}
		if k := st.single[text[i]]; k > 0 {
			dst = append(dst, k-1)
		}
		if i+1 == len(text) {
			break
		}
		for _, k := range st.byPair[pairKey(text[i:])] {
			if strings.HasPrefix(text[i:], st.texts[k]) {
				dst = append(dst, k)
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
