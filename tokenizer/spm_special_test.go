package tokenizer

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// naiveSplit is llama.cpp's partition written plainly: every special token,
// longest first, splits the raw fragments left by the ones before it.
func naiveSplit(st *specialTokens, text string) []fragment {
	frags := []fragment{{token: NoToken, start: 0, end: len(text)}}
	for i, tok := range st.texts {
		var next []fragment
		for _, f := range frags {
			if f.token != NoToken {
				next = append(next, f)
				continue
			}
			start := f.start
			for {
				at := strings.Index(text[start:f.end], tok)
				if at < 0 {
					break
				}
				if at > 0 {
					next = append(next, fragment{token: NoToken, start: start, end: start + at})
				}
				next = append(next, fragment{token: st.ids[i]})
				start += at + len(tok)
			}
			if start < f.end {
				next = append(next, fragment{token: NoToken, start: start, end: f.end})
			}
		}
		frags = next
	}
	return frags
}

// The split that skips tokens absent from the text cuts exactly where the
// plain partition does, overlapping and nested special tokens included.
func TestSpecialSplitMatchesNaive(t *testing.T) {
	specials := []string{"<", "<|", "<|a|>", "<|a|>b", "|>", "b<|", "<|ab", "x", "xx", "[EMPTY"}
	extra := []spmEntry{{"", 0, TokenTypeControl}} // renamed [EMPTY_<id>]
	for i, s := range specials {
		typ := TokenTypeControl
		if i%3 == 0 {
			typ = TokenTypeUserDefined
		}
		extra = append(extra, spmEntry{s, 0, typ})
	}
	v := spmTestVocab(false, extra...)
	s := mustSPM(t, v)
	parts := append(slices.Clone(specials), "a", "b", " ", "|", ">", "[EMPTY_3]", "é")
	rng := rand.New(rand.NewPCG(3, 4))
	sc := new(spmScratch)
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(10) {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		text := b.String()
		if text == "" {
			continue // Encode never splits empty text
		}
		want := naiveSplit(&s.specials, text)
		if got := s.specials.split(sc, text); !slices.Equal(got, want) {
			t.Fatalf("split(%q)\n got %v\nwant %v", text, got, want)
		}
	}
}

func BenchmarkSPMEncodeManySpecials(b *testing.B) {
	extra := slices.Clone(spmMergeVocab)
	for i := range 6000 {
		extra = append(extra, spmEntry{fmt.Sprintf("<unused%d>", i), 0, TokenTypeControl})
	}
	s := mustSPM(b, spmTestVocab(true, extra...))
	text := strings.Repeat("abc <s> bc a <unused17> hello world ", 300)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		s.Encode(text, true)
	}
}
