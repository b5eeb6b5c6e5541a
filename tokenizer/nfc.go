package tokenizer

//go:generate sh -c "python3 nfc_tables_gen.py > nfc_tables.go && gofmt -w nfc_tables.go"

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Qwen2's tokenizer puts text in Unicode Normalization Form C before
// splitting it. Go's standard library has no normaliser, so this is a small
// one (UAX #15: full canonical decomposition, canonical ordering, canonical
// composition) over tables generated into nfc_tables.go.
//
// Most text needs no work: below U+0300 nothing changes, and above it only
// the characters of nfcUnstable can change or merge with their neighbours.
// Only the stretches around those are normalised; the rest is copied.

type nfcClassRange struct {
	lo, hi rune
	class  uint8
}

type nfcDecomposition struct {
	r, first, second rune
}

type nfcComposition struct {
	first, second, r rune
}

// Hangul syllables decompose and compose by arithmetic (Unicode §3.12).
const (
	hangulSBase  = 0xAC00
	hangulLBase  = 0x1100
	hangulVBase  = 0x1161
	hangulTBase  = 0x11A7
	hangulLCount = 19
	hangulVCount = 21
	hangulTCount = 28
	hangulNCount = hangulVCount * hangulTCount
	hangulSCount = hangulLCount * hangulNCount
)

// nfcString returns s in NFC. Invalid UTF-8 bytes are kept as they are.
func nfcString(s string) string {
	first := nfcFirstUnstable(s, 0)
	if first < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	var buf []rune
	copied := 0
	for i := first; i >= 0; i = nfcFirstUnstable(s, i) {
		// The stretch to normalise runs from the last stable character
		// before i to the next stable one after it: stable characters
		// never interact with what lies across them.
		start := nfcStableBefore(s, i, copied)
		end := nfcStableAfter(s, i)
		b.WriteString(s[copied:start])
		buf = nfcNormalize(s[start:end], buf[:0])
		for _, r := range buf {
			if r < 0 {
				b.WriteByte(byte(-r - 1)) // an invalid byte, kept as is
				continue
			}
			b.WriteRune(r)
		}
		copied, i = end, end
	}
	b.WriteString(s[copied:])
	return b.String()
}

// nfcIsUnstable reports whether NFC may change r or join it to what comes
// before it.
func nfcIsUnstable(r rune) bool {
	if r < 0x300 {
		return false
	}
	i := sort.Search(len(nfcUnstable), func(i int) bool { return nfcUnstable[i][1] >= r })
	return i < len(nfcUnstable) && nfcUnstable[i][0] <= r
}

// nfcFirstUnstable returns the offset of the first unstable character at
// or after from, or -1.
func nfcFirstUnstable(s string, from int) int {
	for i := from; i < len(s); {
		c := s[i]
		// Every character below U+0300 is stable; their UTF-8 starts
		// with a byte below 0xCC.
		if c < 0xCC {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if nfcIsUnstable(r) {
			return i
		}
		i += n
	}
	return -1
}

// nfcStableBefore returns the offset of the last stable character before
// i, not going back past floor (floor itself if none is found).
func nfcStableBefore(s string, i, floor int) int {
	for i > floor {
		r, n := utf8.DecodeLastRuneInString(s[floor:i])
		i -= n
		if !nfcIsUnstable(r) {
			return i
		}
	}
	return floor
}

// nfcStableAfter returns the offset of the first stable character after
// the one at i, or len(s).
func nfcStableAfter(s string, i int) int {
	_, n := utf8.DecodeRuneInString(s[i:])
	for i += n; i < len(s); i += n {
		var r rune
		r, n = utf8.DecodeRuneInString(s[i:])
		if !nfcIsUnstable(r) {
			return i
		}
	}
	return len(s)
}

// nfcNormalize appends the NFC form of s to dst as runes; an invalid byte
// b is appended as -(b+1) and treated as a starter that composes with
// nothing.
func nfcNormalize(s string, dst []rune) []rune {
	base := len(dst)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, -rune(s[i])-1)
		} else {
			dst = nfcDecompose(r, dst)
		}
		i += n
	}
	nfcReorder(dst[base:])
	return dst[:base+nfcCompose(dst[base:])]
}

// nfcDecompose appends the full canonical decomposition of r.
func nfcDecompose(r rune, dst []rune) []rune {
	if s := r - hangulSBase; s >= 0 && s < hangulSCount {
		dst = append(dst, hangulLBase+s/hangulNCount, hangulVBase+(s%hangulNCount)/hangulTCount)
		if t := s % hangulTCount; t != 0 {
			dst = append(dst, hangulTBase+t)
		}
		return dst
	}
	if r < 0xC0 {
		return append(dst, r)
	}
	i := sort.Search(len(nfcDecompositions), func(i int) bool { return nfcDecompositions[i].r >= r })
	if i == len(nfcDecompositions) || nfcDecompositions[i].r != r {
		return append(dst, r)
	}
	d := nfcDecompositions[i]
	dst = nfcDecompose(d.first, dst)
	if d.second != 0 {
		dst = nfcDecompose(d.second, dst)
	}
	return dst
}

// nfcClass is r's canonical combining class.
func nfcClass(r rune) uint8 {
	if r < 0x300 {
		return 0
	}
	i := sort.Search(len(nfcCombiningClasses), func(i int) bool { return nfcCombiningClasses[i].hi >= r })
	if i < len(nfcCombiningClasses) && nfcCombiningClasses[i].lo <= r {
		return nfcCombiningClasses[i].class
	}
	return 0
}

// nfcReorder puts each run of non-starters in order of combining class,
// keeping the order of equal classes. Runs are short in real text; a stable
// sort keeps a hostile run of thousands of marks from taking quadratic time.
func nfcReorder(rs []rune) {
	for i := 0; i < len(rs); {
		if nfcClass(rs[i]) == 0 {
			i++
			continue
		}
		j := i + 1
		for j < len(rs) && nfcClass(rs[j]) != 0 {
			j++
		}
		if j-i > 1 {
			slices.SortStableFunc(rs[i:j], func(a, b rune) int {
				return cmp.Compare(nfcClass(a), nfcClass(b))
			})
		}
		i = j
	}
}

// nfcCompose applies canonical composition to rs in place and returns the
// new length.
func nfcCompose(rs []rune) int {
	out := 0
	starter := -1 // index in rs[:out] of the last starter
	for _, r := range rs {
		c := nfcClass(r)
		if starter >= 0 {
			// r may join the starter unless something between them
			// blocks it: a character of class 0 or of a class >= r's.
			// Canonical order makes the last one the one to check.
			adjacent := starter == out-1
			if adjacent || nfcClass(rs[out-1]) < c {
				if comp, ok := nfcPair(rs[starter], r); ok {
					rs[starter] = comp
					continue
				}
			}
		}
		if c == 0 {
			starter = out
		}
		rs[out] = r
		out++
	}
	return out
}

// nfcPair returns the primary composite of a and b, if there is one.
func nfcPair(a, b rune) (rune, bool) {
	if l := a - hangulLBase; l >= 0 && l < hangulLCount {
		if v := b - hangulVBase; v >= 0 && v < hangulVCount {
			return hangulSBase + (l*hangulVCount+v)*hangulTCount, true
		}
		return 0, false
	}
	if s := a - hangulSBase; s >= 0 && s < hangulSCount && s%hangulTCount == 0 {
		if t := b - hangulTBase; t > 0 && t < hangulTCount {
			return a + t, true
		}
		return 0, false
	}
	i := sort.Search(len(nfcCompositions), func(i int) bool {
		c := nfcCompositions[i]
		return c.first > a || (c.first == a && c.second >= b)
	})
	if i < len(nfcCompositions) && nfcCompositions[i].first == a && nfcCompositions[i].second == b {
		return nfcCompositions[i].r, true
	}
	return 0, false
}
