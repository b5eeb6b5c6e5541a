package tokenizer

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// maxVocabTokens caps a vocabulary's size before anything is allocated for
// it; the largest real vocabularies are a few hundred thousand tokens.
const maxVocabTokens = 1 << 22

// New builds the tokenizer for v.Model: "llama" (SentencePiece) or "gpt2"
// (byte-level BPE).
func New(v *Vocab) (Tokenizer, error) {
	if v == nil {
		return nil, fmt.Errorf("tokenizer: nil vocabulary")
	}
	// Each branch checks err itself: returning a nil *SPM or *BPE as a
	// Tokenizer would give a non-nil interface.
	switch v.Model {
	case "llama":
		t, err := NewSPM(v)
		if err != nil {
			return nil, err
		}
		return t, nil
	case "gpt2":
		t, err := NewBPE(v)
		if err != nil {
			return nil, err
		}
		return t, nil
	}
	return nil, fmt.Errorf("tokenizer: unsupported tokenizer model %q", v.Model)
}

// checkVocab verifies what every tokenizer relies on: a bounded, non-empty
// token list, per-token arrays as long as it, and special ids that exist.
func checkVocab(v *Vocab) error {
	n := len(v.Tokens)
	if n == 0 {
		return fmt.Errorf("tokenizer: vocabulary has no tokens")
	}
	if n > maxVocabTokens {
		return fmt.Errorf("tokenizer: vocabulary has %d tokens, more than the %d supported", n, maxVocabTokens)
	}
	if v.Scores != nil && len(v.Scores) != n {
		return fmt.Errorf("tokenizer: vocabulary has %d scores for %d tokens", len(v.Scores), n)
	}
	if v.Types != nil && len(v.Types) != n {
		return fmt.Errorf("tokenizer: vocabulary has %d token types for %d tokens", len(v.Types), n)
	}
	for _, sp := range []struct {
		name string
		id   int32
	}{{"BOS", v.BOS}, {"EOS", v.EOS}, {"EOT", v.EOT}, {"UNK", v.UNK}, {"PAD", v.PAD}} {
		if sp.id != NoToken && (sp.id < 0 || int(sp.id) >= n) {
			return fmt.Errorf("tokenizer: %s token id %d is outside the vocabulary of %d tokens", sp.name, sp.id, n)
		}
	}
	if v.AddBOS && v.BOS == NoToken {
		return fmt.Errorf("tokenizer: vocabulary adds BOS but has no BOS token")
	}
	if v.AddEOS && v.EOS == NoToken {
		return fmt.Errorf("tokenizer: vocabulary adds EOS but has no EOS token")
	}
	return nil
}

// typeOf is the type of token id; a vocabulary without types is all normal.
func typeOf(v *Vocab, id int32) TokenType {
	if v.Types == nil {
		return TokenTypeNormal
	}
	return v.Types[id]
}

// tokenText is the text token id is matched by. llama.cpp renames an empty
// token to "[EMPTY_<id>]" so that it can neither match nor collide.
func tokenText(v *Vocab, id int32) string {
	if t := v.Tokens[id]; t != "" {
		return t
	}
	return "[EMPTY_" + strconv.Itoa(int(id)) + "]"
}

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
	// plain reports user-defined tokens, which are matched even when the
	// caller does not ask for special tokens.
	plain []bool
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
	st := specialTokens{ids: ids, texts: make([]string, len(ids)), plain: make([]bool, len(ids))}
	for i, id := range ids {
		st.texts[i] = tokenText(v, id)
		st.plain[i] = typeOf(v, id) == TokenTypeUserDefined
	}
	return st
}

// split cuts text into fragments at every occurrence of a special token.
// Each token in turn, longest first, splits the raw fragments left by the
// ones before it, leftmost occurrence first, exactly as llama.cpp does.
// dst and tmp are reused buffers; split returns the fragments and the
// (possibly grown) tmp.
func (st *specialTokens) split(dst, tmp []fragment, text string, special bool) ([]fragment, []fragment) {
	dst = append(dst[:0], fragment{token: NoToken, start: 0, end: len(text)})
	for i, tok := range st.texts {
		if !special && !st.plain[i] {
			continue
		}
		if !strings.Contains(text, tok) {
			continue
		}
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
	return dst, tmp
}
