package tokenizer

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// spmEntry is one token of a hand-built vocabulary.
type spmEntry struct {
	text  string
	score float32
	typ   TokenType
}

// spmTestVocab builds a SentencePiece vocabulary: <unk>, <s>, </s>, then the
// 256 byte tokens when withBytes is set, then extra.
func spmTestVocab(withBytes bool, extra ...spmEntry) *Vocab {
	all := []spmEntry{{"<unk>", 0, TokenTypeUnknown}, {"<s>", 0, TokenTypeControl}, {"</s>", 0, TokenTypeControl}}
	if withBytes {
		for b := range 256 {
			all = append(all, spmEntry{fmt.Sprintf("<0x%02X>", b), 0, TokenTypeByte})
		}
	}
	all = append(all, extra...)
	v := &Vocab{Model: "llama", BOS: 1, EOS: 2, UNK: 0, EOT: NoToken, PAD: NoToken, AddBOS: true, AddSpacePrefix: true}
	for _, p := range all {
		v.Tokens = append(v.Tokens, p.text)
		v.Scores = append(v.Scores, p.score)
		v.Types = append(v.Types, p.typ)
	}
	return v
}

func mustSPM(tb testing.TB, v *Vocab) *SPM {
	tb.Helper()
	s, err := NewSPM(v)
	if err != nil {
		tb.Fatalf("NewSPM: %v", err)
	}
	return s
}

// spmIDs looks up token texts, so that expectations read as pieces.
func spmIDs(tb testing.TB, v *Vocab, texts ...string) []int32 {
	tb.Helper()
	out := []int32{}
	for _, text := range texts {
		i := slices.Index(v.Tokens, text)
		if i < 0 {
			tb.Fatalf("no token %q in test vocabulary", text)
		}
		out = append(out, int32(i))
	}
	return out
}

var spmMergeVocab = []spmEntry{
	{"▁", -3, TokenTypeNormal},
	{"a", -2, TokenTypeNormal},
	{"b", -2, TokenTypeNormal},
	{"c", -2, TokenTypeNormal},
	{"▁a", -0.5, TokenTypeNormal},
	{"▁b", -0.6, TokenTypeNormal},
	{"ab", -1, TokenTypeNormal},
	{"bc", -1.5, TokenTypeNormal},
	{"abc", -0.1, TokenTypeNormal},
	{"<|user|>", 0, TokenTypeUserDefined},
	{"<|user|>x", 0, TokenTypeControl},
	{"unused", 0, TokenTypeUnused},
}

func TestSPMEncode(t *testing.T) {
	v := spmTestVocab(true, spmMergeVocab...)
	s := mustSPM(t, v)
	tests := []struct {
		name    string
		text    string
		special bool
		want    []string
	}{
		{"empty", "", false, nil},
		{"space prefix", "a", false, []string{"▁a"}},
		{"best score first, not best cover", "abc", false, []string{"▁a", "bc"}},
		{"no prefix needed for reachability", "bc a", false, []string{"▁b", "c", "▁a"}},
		{"lone space", " ", false, []string{"▁", "▁"}},
		{"byte fallback", "aé", false, []string{"▁a", "<0xC3>", "<0xA9>"}},
		{"invalid UTF-8 falls back to bytes", "a\xff", false, []string{"▁a", "<0xFF>"}},
		{"truncated character at the end", "a\xe2\x96", false, []string{"▁a", "<0xE2>", "<0x96>"}},
		{"control token as text", "<s>a", false, []string{"▁", "<0x3C>", "<0x73>", "<0x3E>", "a"}},
		{"control token parsed", "<s>a", true, []string{"<s>", "▁a"}},
		{"unknown token parsed", "<unk>", true, []string{"<unk>"}},
		{"adjacent specials leave no empty text", "</s></s>", true, []string{"</s>", "</s>"}},
		{"user-defined token parsed, space prefix after it", "a<|user|>b", true, []string{"▁a", "<|user|>", "▁b"}},
		{"user-defined token as text", "<|user|>", false, []string{"▁", "<0x3C>", "<0x7C>", "<0x75>", "<0x73>", "<0x65>", "<0x72>", "<0x7C>", "<0x3E>"}},
		{"longer special wins", "<|user|>x<|user|>", true, []string{"<|user|>x", "<|user|>"}},
		{"text before first special has prefix too", "b</s>", true, []string{"▁b", "</s>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.Encode(tt.text, tt.special)
			want := spmIDs(t, v, tt.want...)
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("Encode(%q, %v) = %v, want %v (%q)", tt.text, tt.special, got, want, tt.want)
			}
		})
	}
}

func TestSPMMergeTieGoesLeft(t *testing.T) {
	v := spmTestVocab(false,
		spmEntry{"a", -1, TokenTypeNormal}, spmEntry{"b", -1, TokenTypeNormal}, spmEntry{"c", -1, TokenTypeNormal},
		spmEntry{"ab", -1, TokenTypeNormal}, spmEntry{"bc", -1, TokenTypeNormal})
	v.AddSpacePrefix = false
	s := mustSPM(t, v)
	if got, want := s.Encode("abc", false), spmIDs(t, v, "ab", "c"); !slices.Equal(got, want) {
		t.Errorf("Encode(abc) = %v, want %v", got, want)
	}
	v.Scores[slices.Index(v.Tokens, "bc")] = 0
	s = mustSPM(t, v)
	if got, want := s.Encode("abc", false), spmIDs(t, v, "a", "bc"); !slices.Equal(got, want) {
		t.Errorf("with bc scored higher: Encode(abc) = %v, want %v", got, want)
	}
}

func TestSPMUnknownWithoutByteTokens(t *testing.T) {
	v := spmTestVocab(false, spmEntry{"▁", -1, TokenTypeNormal}, spmEntry{"a", -1, TokenTypeNormal}, spmEntry{"▁a", -1, TokenTypeNormal})
	s := mustSPM(t, v)
	// Each byte of a missing character becomes UNK, as llama.cpp would if
	// its byte lookup could fail.
	if got, want := s.Encode("aé", false), spmIDs(t, v, "▁a", "<unk>", "<unk>"); !slices.Equal(got, want) {
		t.Errorf("Encode = %v, want %v", got, want)
	}
	v.UNK = NoToken
	s = mustSPM(t, v)
	if got, want := s.Encode("aé", false), spmIDs(t, v, "▁a"); !slices.Equal(got, want) {
		t.Errorf("without UNK: Encode = %v, want %v", got, want)
	}
}

func TestSPMPiece(t *testing.T) {
	v := spmTestVocab(true, spmMergeVocab...)
	s := mustSPM(t, v)
	tests := []struct {
		id   int32
		want string
	}{
		{spmIDs(t, v, "▁a")[0], " a"},
		{spmIDs(t, v, "▁")[0], " "},
		{spmIDs(t, v, "<0x41>")[0], "A"},
		{spmIDs(t, v, "<0xE2>")[0], "\xe2"},
		{1, "<s>"},
		{0, "<unk>"},
		{spmIDs(t, v, "<|user|>")[0], "<|user|>"},
		{spmIDs(t, v, "unused")[0], ""},
		{-1, ""},
		{int32(len(v.Tokens)), ""},
	}
	for _, tt := range tests {
		if got := string(s.Piece(tt.id)); got != tt.want {
			t.Errorf("Piece(%d) = %q, want %q", tt.id, got, tt.want)
		}
	}
}

func TestNewSPMErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(v *Vocab)
		want   string
	}{
		{"no tokens", func(v *Vocab) { v.Tokens, v.Scores, v.Types = nil, nil, nil }, "no tokens"},
		{"short scores", func(v *Vocab) { v.Scores = v.Scores[:2] }, "2 scores for"},
		{"long types", func(v *Vocab) { v.Types = append(v.Types, TokenTypeNormal) }, "token types for"},
		{"BOS out of range", func(v *Vocab) { v.BOS = int32(len(v.Tokens)) }, "BOS token id"},
		{"negative EOT", func(v *Vocab) { v.EOT = -7 }, "EOT token id -7"},
		{"AddBOS without BOS", func(v *Vocab) { v.BOS = NoToken }, "adds BOS"},
		{"duplicate token", func(v *Vocab) { v.Tokens[4] = v.Tokens[3] }, "has ids 3 and 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := spmTestVocab(false, spmMergeVocab...)
			tt.change(v)
			_, err := NewSPM(v)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewSPM error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := NewSPM(nil); err == nil {
		t.Error("NewSPM(nil) succeeded")
	}
}

func TestNewDispatch(t *testing.T) {
	v := spmTestVocab(true, spmMergeVocab...)
	tok, err := New(v)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tok.(*SPM); !ok {
		t.Errorf("New(llama) = %T, want *SPM", tok)
	}
	v.Model = "t5"
	if tok, err := New(v); err == nil || tok != nil {
		t.Errorf("New(t5) = %v, %v; want nil and an error", tok, err)
	}
	v.Model = "llama"
	v.Tokens = nil
	if tok, err := New(v); err == nil || tok != nil {
		t.Errorf("New(bad vocab) = %v, %v; want a nil Tokenizer and an error", tok, err)
	}
}
