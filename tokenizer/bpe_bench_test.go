package tokenizer

import (
	"strings"
	"testing"
)

// bpeBenchText is about 1 MB of mixed text: the llama.cpp vector texts and
// the multilingual round-trip texts, repeated.
func bpeBenchText(tb testing.TB) string {
	tb.Helper()
	var parts []string
	parts = append(parts, bpeRoundTripTexts...)
	for _, c := range readVectors(tb, vocabDir+"/ggml-vocab-llama-bpe.gguf") {
		parts = append(parts, c.text)
	}
	unit := strings.Join(parts, "\n")
	return strings.Repeat(unit, 1<<20/len(unit)+1)
}

func BenchmarkBPEEncode(b *testing.B) {
	for _, src := range bpeSources[:2] {
		b.Run(src.name, func(b *testing.B) {
			tok := bpeLoad(b, src)
			text := bpeBenchText(b)
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				tok.Encode(text, false)
			}
		})
	}
}

// BenchmarkBPEEncodeHostile times inputs built to find slow paths: one
// huge word, a huge run of whitespace, and a long run of combining marks.
func BenchmarkBPEEncodeHostile(b *testing.B) {
	inputs := map[string]string{
		"one word":        strings.Repeat("a", 1<<16),
		"whitespace":      strings.Repeat(" \t", 1<<15) + "x",
		"newlines":        strings.Repeat("\n ", 1<<15) + "x",
		"combining marks": "a" + strings.Repeat("\u0301\u0323", 1<<14),
	}
	tok := bpeLoad(b, bpeSources[1]) // qwen2: NFC too
	for name, text := range inputs {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				tok.Encode(text, false)
			}
		})
	}
}
