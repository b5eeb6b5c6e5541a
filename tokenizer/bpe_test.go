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
		}, "hello hello", false, []int32{259, ' ', 258, 'o'}},
		{"space joins the word", func() *Vocab { return bpeTinyVocab() }, " wow", false, []int32{261, 'w'}},
		{"leftmost of equal ranks", func() *Vocab { return bpeTinyVocab() }, "lll", false, []int32{257, 'l'}},
		{"special parsed", func() *Vocab { return bpeTinyVocab() }, "he<|end|>he", true, []int32{256, 262, 256}},
		{"special as text", func() *Vocab { return bpeTinyVocab() }, "<|end|>", false, []int32{'<', '|', 'e', 'n', 'd', '|', '>'}},
		{"longest special wins", func() *Vocab { return bpeTinyVocab() }, "<|end|>x<tool>", true, []int32{264, 263}},
		{"empty", func() *Vocab { return bpeTinyVocab() }, "", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := bpeMust(t, tt.vocab())
			got := tok.Encode(tt.text, tt.special)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Encode(%q, %v) = %v, want %v", tt.text, tt.special, got, tt.want)
			}
		})
	}
}

func TestBPEPiece(t *testing.T) {
	tok := bpeMust(t, bpeTinyVocab())
	tests := []struct {
		id   int32
		want string
	}{
		{' ', " "},
		{'\n', "\n"},
		{0xC3, "\xc3"},
		{261, " wo"},
		{262, "<|end|>"},
		{263, "<tool>"},
		{-1, ""},
		{265, ""},
	}
	for _, tt := range tests {
		if got := string(tok.Piece(tt.id)); got != tt.want {
			t.Errorf("Piece(%d) = %q, want %q", tt.id, got, tt.want)
		}
	}
	// A caller appending to a piece must not overwrite the next one.
	p := tok.Piece(256)
	_ = append(p, 'X')
	if got := string(tok.Piece(257)); got != "ll" {
		t.Errorf("appending to Piece(256) changed Piece(257) to %q", got)
	}
}

func TestNewBPERejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(v *Vocab)
		errHas string
	}{
		{"wrong model", func(v *Vocab) { v.Model = "llama" }, "gpt2"},
		{"unknown pre-tokenizer", func(v *Vocab) { v.Pre = "deepseek-llm" }, "pre-tokenizer"},
		{"no tokens", func(v *Vocab) { v.Tokens, v.Types = nil, nil }, "no tokens"},
		{"short types", func(v *Vocab) { v.Types = v.Types[:3] }, "token types"},
		{"merge without space", func(v *Vocab) { v.Merges = append(v.Merges, "abc") }, "merge"},
		{"EOS out of range", func(v *Vocab) { v.EOS = 1 << 20 }, "EOS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := bpeTinyVocab()
			tt.change(v)
			_, err := NewBPE(v)
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("NewBPE error = %v, want one mentioning %q", err, tt.errHas)
			}
		})
	}
	if _, err := NewBPE(nil); err == nil {
		t.Error("NewBPE(nil) gave no error")
	}
}

// A merge naming a token the vocabulary lacks is skipped, not an error:
// published vocabularies have a few.
func TestBPEMergeOfUnknownTokens(t *testing.T) {
	tok := bpeMust(t, bpeTinyVocab("x y", "zz zz"))
	if got := tok.Encode("xy", false); !slices.Equal(got, []int32{'x', 'y'}) {
		t.Errorf("Encode(\"xy\") = %v, want the two bytes", got)
	}
}

// Encode allocates its result and nothing else once its scratch space is
// warm (English text needs fewer tokens than a quarter of its bytes, the
// result's first capacity).
func TestBPEEncodeAllocs(t *testing.T) {
	tok := bpeLoad(t, bpeSources[0])
	text := strings.Repeat("The quick brown fox jumps over the lazy dog, doesn't it? ", 20)
	tok.Encode(text, true)
	if allocs := testing.AllocsPerRun(20, func() { tok.Encode(text, true) }); allocs > 1 {
		t.Errorf("Encode allocated %v times per call, want 1", allocs)
	}
}

// One tokenizer serves concurrent callers; each gets what it would alone.
func TestBPEEncodeConcurrent(t *testing.T) {
	tok := bpeMust(t, bpeTinyVocab())
	texts := []string{"hello world", "<|end|> wow", strings.Repeat("hell ", 50), "he'll lll"}
	want := make([][]int32, len(texts))
	for i, s := range texts {
		want[i] = tok.Encode(s, true)
	}
	errs := make(chan string, len(texts))
	for i, s := range texts {
		go func() {
			for range 200 {
				if got := tok.Encode(s, true); !slices.Equal(got, want[i]) {
					errs <- s
					return
				}
			}
			errs <- ""
		}()
	}
	for range texts {
		if s := <-errs; s != "" {
			t.Errorf("concurrent Encode(%q) differed", s)
		}
	}
}
