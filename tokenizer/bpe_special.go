package tokenizer

import (
	"cmp"
	"slices"
)

// bpeSpecials finds control and user-defined tokens in text in one pass,
// leftmost match first and the longest at a position, as Hugging Face's
// added-vocabulary matcher does.
type bpeSpecials struct {
	// byFirst lists, for each first byte, the tokens starting with it,
	// longest first.
	byFirst [256][]bpeSpecial
	n       int
}

type bpeSpecial struct {
	text string
	id   int32
}

func bpeNewSpecials(v *Vocab) bpeSpecials {
	var s bpeSpecials
	for i, text := range v.Tokens {
		switch typeOf(v, int32(i)) {
		case TokenTypeControl, TokenTypeUserDefined:
		default:
			continue
		}
		if text == "" {
			continue
		}
		s.byFirst[text[0]] = append(s.byFirst[text[0]], bpeSpecial{text: text, id: int32(i)})
		s.n++
	}
	for i := range s.byFirst {
		slices.SortStableFunc(s.byFirst[i], func(a, b bpeSpecial) int {
			return cmp.Compare(len(b.text), len(a.text))
		})
	}
	return s
}

func (s *bpeSpecials) empty() bool { return s.n == 0 }

// match returns the id and length of the longest special token text starts
// with, or length 0.
func (s *bpeSpecials) match(text string) (int32, int) {
	for _, sp := range s.byFirst[text[0]] {
		if len(sp.text) <= len(text) && text[:len(sp.text)] == sp.text {
			return sp.id, len(sp.text)
		}
	}
	return NoToken, 0
}
