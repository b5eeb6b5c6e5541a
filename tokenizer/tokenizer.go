package tokenizer

import (
	"fmt"
	"strconv"
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
