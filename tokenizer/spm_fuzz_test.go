package tokenizer

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSPMEncode checks that Encode never fails on any input, gives ids in
// range, and that decoding BOS plus the ids gives plain text back: every
// byte has a byte token, so nothing is lost. Text with a literal "▁" is
// exempt from the round trip, since SentencePiece reads it as a space.
func FuzzSPMEncode(f *testing.F) {
	var tok Tokenizer = mustSPM(f, spmTestVocab(true, spmMergeVocab...))
	if _, err := os.Stat(llamaSPMVocab); err == nil {
		tok = openTokenizer(f, llamaSPMVocab)
		for _, c := range readVectors(f, llamaSPMVocab) {
			f.Add(c.text, false)
		}
	}
	for _, s := range []string{"", " ", "<s>hi</s>", "a\xff\xe2\x96", "<|user|>x", "\u2581 \u2581", "  \n\t<unk>"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	v := tok.Vocab()
	f.Fuzz(func(t *testing.T, text string, special bool) {
		ids := tok.Encode(text, special)
		for _, id := range ids {
			if id < 0 || int(id) >= len(v.Tokens) {
				t.Fatalf("Encode(%q) gave id %d outside the vocabulary", text, id)
			}
		}
		if special || !utf8.ValidString(text) || strings.Contains(text, spaceEscape) {
			return
		}
		if got := Decode(tok, append([]int32{v.BOS}, ids...)); got != text {
			t.Fatalf("Decode(BOS+Encode(%q)) = %q", text, got)
		}
	})
}

func BenchmarkSPMEncode(b *testing.B) {
	tok := openTokenizer(b, llamaSPMVocab)
	var sb strings.Builder
	for _, c := range readVectors(b, llamaSPMVocab) {
		sb.WriteString(c.text)
		sb.WriteByte('\n')
	}
	text := sb.String()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		tok.Encode(text, false)
	}
}
