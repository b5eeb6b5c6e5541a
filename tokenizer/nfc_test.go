package tokenizer

//go:generate sh -c "python3 nfc_golden_gen.py > testdata/nfc_golden.txt"

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// nfcParseHex reads space-separated hexadecimal code points.
func nfcParseHex(tb testing.TB, line int, field string) string {
	tb.Helper()
	var b strings.Builder
	for _, f := range strings.Fields(field) {
		cp, err := strconv.ParseUint(f, 16, 32)
		if err != nil {
			tb.Fatalf("nfc_golden.txt line %d: %v", line, err)
		}
		b.WriteRune(rune(cp))
	}
	return b.String()
}

// TestNFCGolden checks every character NFC can touch, alone and
// decomposed, and random mixes of them, against Python's unicodedata.
func TestNFCGolden(t *testing.T) {
	f, err := os.Open("testdata/nfc_golden.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n, failures := 0, 0
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if strings.HasPrefix(text, "#") {
			continue
		}
		in, want, ok := strings.Cut(text, "\t")
		if !ok {
			t.Fatalf("nfc_golden.txt line %d has no tab", line)
		}
		input, expected := nfcParseHex(t, line, in), nfcParseHex(t, line, want)
		n++
		if got := nfcString(input); got != expected {
			failures++
			if failures <= 20 {
				t.Errorf("line %d: nfc(%+q) = %+q, want %+q", line, input, got, expected)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 5000 {
		t.Fatalf("read only %d cases", n)
	}
	if failures > 0 {
		t.Errorf("%d of %d cases differ", failures, n)
	}
}

func TestNFCString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"ascii", "Hello, world!", "Hello, world!"},
		{"already composed", "Äpfel café", "Äpfel café"},
		{"combining acute", "cafe\u0301", "caf\u00e9"},
		{"marks reordered then composed", "a\u0323\u0302", "\u1ead"},
		{"marks in canonical order", "a\u0302\u0323", "\u1ead"},
		{"singleton", "\u212b", "\u00c5"},
		{"composition exclusion", "\u0958", "\u0915\u093c"},
		{"hangul LV", "\u1100\u1161", "\uac00"},
		{"hangul LVT", "\u1100\u1161\u11a8", "\uac01"},
		{"hangul LV + T", "\uac00\u11a8", "\uac01"},
		{"blocked by a starter", "e\u0041\u0301", "e\u00c1"},
		{"mark after CJK", "漢\u0301字", "漢\u0301字"},
		{"invalid bytes kept", "e\xff\u0301\xfe", "e\xff\u0301\xfe"},
		{"mark at start", "\u0301a", "\u0301a"},
		{"two stretches", "o\u0308 und a\u0308", "ö und ä"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nfcString(tt.in); got != tt.want {
				t.Errorf("nfcString(%+q) = %+q, want %+q", tt.in, got, tt.want)
			}
		})
	}
}

// Text that is already NFC comes back as the same string, without copying.
func TestNFCStringNoCopy(t *testing.T) {
	in := strings.Repeat("Grüße, 世界! ", 100)
	allocs := testing.AllocsPerRun(10, func() { _ = nfcString(in) })
	if allocs != 0 {
		t.Errorf("nfcString of NFC text allocated %v times", allocs)
	}
}
