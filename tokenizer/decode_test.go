package tokenizer

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestStreamDecoder(t *testing.T) {
	v := spmTestVocab(true, spmMergeVocab...)
	s := mustSPM(t, v)
	tests := []struct {
		name   string
		tokens []string
		want   []string // what each Next returns
		flush  string
	}{
		{"two-byte character over byte tokens", []string{"<0xC3>", "<0xA9>"}, []string{"", "é"}, ""},
		{"four-byte character after a piece", []string{"▁a", "<0xF0>", "<0x9F>", "<0xA6>", "<0x99>", "b"}, []string{" a", "", "", "", "🦙", "b"}, ""},
		{"byte that can never start a character", []string{"a", "<0xFF>", "b"}, []string{"a", "\uFFFD", "b"}, ""},
		{"bad continuation", []string{"<0xE2>", "▁a"}, []string{"", "\uFFFD a"}, ""},
		{"incomplete at the end", []string{"a", "<0xE2>", "<0x96>"}, []string{"a", "", ""}, "\uFFFD\uFFFD"},
		{"space dropped after BOS", []string{"<s>", "▁a", "▁b"}, []string{"", "a", " b"}, ""},
		{"kept without BOS", []string{"▁a", "▁b"}, []string{" a", " b"}, ""},
		{"byte token space kept after BOS", []string{"<s>", "<0x20>", "a"}, []string{"", " ", "a"}, ""},
		{"control tokens are silent", []string{"a", "</s>", "<unk>", "<s>", "▁b"}, []string{"a", "", "", "", "b"}, ""},
		{"user-defined tokens print", []string{"<|user|>", "▁a"}, []string{"<|user|>", " a"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewStreamDecoder(s)
			var all strings.Builder
			for i, id := range spmIDs(t, v, tt.tokens...) {
				got := d.Next(id)
				if got != tt.want[i] {
					t.Errorf("Next(%q) = %q, want %q", tt.tokens[i], got, tt.want[i])
				}
				all.WriteString(got)
			}
			if got := d.Flush(); got != tt.flush {
				t.Errorf("Flush() = %q, want %q", got, tt.flush)
			}
			all.WriteString(tt.flush)
			if got := Decode(s, spmIDs(t, v, tt.tokens...)); got != all.String() {
				t.Errorf("Decode = %q, want the streamed %q", got, all.String())
			}
		})
	}
}

func TestStreamDecoderNoSpacePrefix(t *testing.T) {
	v := spmTestVocab(true, spmMergeVocab...)
	v.AddSpacePrefix = false
	s := mustSPM(t, v)
	if got := Decode(s, spmIDs(t, v, "<s>", "▁a")); got != " a" {
		t.Errorf("Decode = %q, want %q", got, " a")
	}
}

func TestStreamDecoderReset(t *testing.T) {
	v := spmTestVocab(true, spmMergeVocab...)
	s := mustSPM(t, v)
	d := NewStreamDecoder(s)
	d.Next(1)                         // BOS: the next space would go
	d.Next(spmIDs(t, v, "<0xC3>")[0]) // half a character
	d.Reset()
	if got := d.Next(spmIDs(t, v, "▁a")[0]); got != " a" {
		t.Errorf("after Reset, Next(▁a) = %q, want %q", got, " a")
	}
	if got := d.Flush(); got != "" {
		t.Errorf("after Reset, Flush() = %q, want nothing", got)
	}
}

// Streaming random token sequences gives what decoding them whole gives, and
// every piece streamed is valid UTF-8.
func TestStreamDecoderMatchesDecode(t *testing.T) {
	v := spmTestVocab(true, spmMergeVocab...)
	s := mustSPM(t, v)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		seq := make([]int32, rng.IntN(12))
		for i := range seq {
			seq[i] = int32(rng.IntN(len(v.Tokens)))
		}
		d := NewStreamDecoder(s)
		var b strings.Builder
		for _, id := range seq {
			out := d.Next(id)
			if !utf8.ValidString(out) {
				t.Fatalf("Next gave invalid UTF-8 %q for %v", out, seq)
			}
			b.WriteString(out)
		}
		b.WriteString(d.Flush())
		if got, want := b.String(), Decode(s, seq); got != want {
			t.Fatalf("streamed %q, Decode gave %q, for %v", got, want, seq)
		}
	}
}

// The per-token path allocates nothing but the string it returns.
func TestStreamDecoderAllocs(t *testing.T) {
	v := spmTestVocab(true, spmMergeVocab...)
	s := mustSPM(t, v)
	d := NewStreamDecoder(s)
	seq := spmIDs(t, v, "▁a", "<0xF0>", "<0x9F>", "<0xA6>", "<0x99>", "</s>", "bc")
	d.Next(seq[0]) // warm up the pending buffer
	allocs := testing.AllocsPerRun(100, func() {
		for _, id := range seq {
			d.Next(id)
		}
	})
	// Three strings of more than one byte come back: " a", the emoji, "bc".
	if allocs > 3 {
		t.Errorf("%v allocations per %d tokens, want at most 3", allocs, len(seq))
	}
}

func BenchmarkStreamDecoderNext(b *testing.B) {
	tok := openTokenizer(b, llamaSPMVocab)
	ids := tok.Encode(strings.Repeat("Hello world, this is 🦙.cpp and нещо на Български. ", 20), false)
	d := NewStreamDecoder(tok)
	b.ReportAllocs()
	for b.Loop() {
		for _, id := range ids {
			d.Next(id)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ids)), "ns/token")
}
