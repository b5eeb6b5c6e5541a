package tokenizer

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Byte-level BPE splits text into words with a regular expression before
// merging, and never merges across words. The expressions use look-ahead,
// which Go's regexp lacks, so each one is a hand-written scanner here. Each
// scanner gives, for a start position, the end of the match the regex
// engine (Oniguruma in Hugging Face tokenizers) would find there: the first
// alternative that matches, each quantifier greedy, with backtracking.

// pretokKind names one pre-tokenizer.
type pretokKind int

const (
	// pretokGPT2 is GPT-2's expression:
	//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
	pretokGPT2 pretokKind = iota
	// pretokLlama3 is Llama 3's expression:
	//   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
	//   ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
	pretokLlama3
	// pretokQwen2 is Llama 3's expression with \p{N} in place of \p{N}{1,3}.
	pretokQwen2
	// pretokStarCoder splits every number character off on its own (Hugging
	// Face's Digits pre-tokenizer with individual_digits), then applies
	// GPT-2's expression to the text between them.
	pretokStarCoder
)

// pretokNames maps the GGUF tokenizer.ggml.pre names (as llama.cpp knows
// them) to the scanner that implements the same expressions.
var pretokNames = map[string]pretokKind{
	"":          pretokGPT2,
	"default":   pretokGPT2,
	"gpt-2":     pretokGPT2,
	"gpt2":      pretokGPT2,
	"phi-2":     pretokGPT2,
	"mpt":       pretokGPT2,
	"olmo":      pretokGPT2,
	"jais":      pretokGPT2,
	"llama-bpe": pretokLlama3,
	"llama3":    pretokLlama3,
	"llama-v3":  pretokLlama3,
	"falcon3":   pretokLlama3,
	"dbrx":      pretokLlama3,
	"smaug-bpe": pretokLlama3,
	"glm4":      pretokLlama3,
	"qwen2":     pretokQwen2,
	"stablelm2": pretokQwen2,
	"megrez":    pretokQwen2,
	"starcoder": pretokStarCoder,
	"smollm":    pretokStarCoder,
	"refact":    pretokStarCoder,
	"codeshell": pretokStarCoder,
	"command-r": pretokStarCoder,
	"exaone":    pretokStarCoder,

	"deepseek-r1-qwen": pretokQwen2,
	"chatglm-bpe":      pretokLlama3,
}

func pretokKindFor(pre string) (pretokKind, error) {
	k, ok := pretokNames[pre]
	if !ok {
		return 0, fmt.Errorf("tokenizer: unsupported BPE pre-tokenizer %q", pre)
	}
	return k, nil
}

// pretokSplit appends the words of text to dst. The words are substrings of
// text and together cover all of it.
func pretokSplit(kind pretokKind, text string, dst []string) []string {
	switch kind {
	case pretokLlama3:
		return pretokScan(text, dst, func(s string, i int) int { return pretokLlama3Next(s, i, 3) })
	case pretokQwen2:
		return pretokScan(text, dst, func(s string, i int) int { return pretokLlama3Next(s, i, 1) })
	case pretokStarCoder:
		start := 0
		for i := 0; i < len(text); {
			r, n := utf8.DecodeRuneInString(text[i:])
			if pretokClassOf(r) != pretokNumber {
				i += n
				continue
			}
			dst = pretokScan(text[start:i], dst, pretokGPT2Next)
			dst = append(dst, text[i:i+n])
			i += n
			start = i
		}
		return pretokScan(text[start:], dst, pretokGPT2Next)
	}
	return pretokScan(text, dst, pretokGPT2Next)
}

func pretokScan(text string, dst []string, next func(s string, i int) int) []string {
	for i := 0; i < len(text); {
		j := next(text, i)
		dst = append(dst, text[i:j])
		i = j
	}
	return dst
}

// pretokClass is the part of a character's Unicode category the
// expressions look at.
type pretokClass uint8

const (
	pretokOther  pretokClass = iota // [^\s\p{L}\p{N}]
	pretokLetter                    // \p{L}
	pretokNumber                    // \p{N}
	pretokSpace                     // \s (Unicode White_Space)
)

var pretokASCII = func() (t [utf8.RuneSelf]pretokClass) {
	for c := range t {
		t[c] = pretokClassSlow(rune(c))
	}
	return t
}()

func pretokClassOf(r rune) pretokClass {
	if r >= 0 && r < utf8.RuneSelf {
		return pretokASCII[r]
	}
	return pretokClassSlow(r)
}

// pretokClassSlow classifies a rune from Go's Unicode tables. unicode.IsSpace
// is exactly White_Space, which is what \s means in Unicode mode. An invalid
// byte decodes as U+FFFD, a symbol, so it counts as "other".
func pretokClassSlow(r rune) pretokClass {
	switch {
	case unicode.IsLetter(r):
		return pretokLetter
	case unicode.IsNumber(r):
		return pretokNumber
	case unicode.IsSpace(r):
		return pretokSpace
	}
	return pretokOther
}

// pretokAt decodes the rune at s[i] and its class; at the end of s it
// returns width 0 and pretokSpace, which no caller mistakes for a match
// because every caller checks the width first.
func pretokAt(s string, i int) (rune, int, pretokClass) {
	if i >= len(s) {
		return 0, 0, pretokSpace
	}
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1, pretokASCII[c]
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	return r, n, pretokClassSlow(r)
}

// pretokRun returns the end of the run of class c that starts at i.
func pretokRun(s string, i int, c pretokClass) int {
	for i < len(s) {
		_, n, ci := pretokAt(s, i)
		if ci != c {
			break
		}
		i += n
	}
	return i
}

// pretokContraction returns the length of the English contraction suffix
// ('s 't 're 've 'm 'll 'd) at s[i], which must be an apostrophe, or 0.
// foldCase makes the letters case-insensitive, as Llama 3's (?i:...) does.
func pretokContraction(s string, i int, foldCase bool) int {
	lower := func(k int) byte {
		if k >= len(s) {
			return 0
		}
		c := s[k]
		if foldCase && c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		return c
	}
	switch c1, c2 := lower(i+1), lower(i+2); {
	case c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd':
		return 2
	case (c1 == 'r' || c1 == 'v') && c2 == 'e', c1 == 'l' && c2 == 'l':
		return 3
	}
	return 0
}

// pretokSpaceEnd handles the whitespace alternatives shared by every
// expression, \s+(?!\S)|\s+, for the whitespace run s[i:j): a run that
// reaches the end of the text is taken whole; one followed by more text
// leaves its last character to start the next word, unless that would
// leave nothing.
func pretokSpaceEnd(s string, i, j int) int {
	if j == len(s) {
		return j
	}
	_, last := utf8.DecodeLastRuneInString(s[i:j])
	if j-last > i {
		return j - last
	}
	return j
}

func pretokGPT2Next(s string, i int) int {
	r, n, c := pretokAt(s, i)
	if r == '\'' {
		if k := pretokContraction(s, i, false); k > 0 {
			return i + k
		}
	}
	if r == ' ' {
		// " ?X+" for X a letter, number or other run.
		if _, n2, c2 := pretokAt(s, i+n); n2 > 0 && c2 != pretokSpace {
			return pretokRun(s, i+n, c2)
		}
	}
	if c != pretokSpace {
		return pretokRun(s, i, c)
	}
	return pretokSpaceEnd(s, i, pretokRun(s, i, pretokSpace))
}

// pretokLlama3Next scans Llama 3's expression; maxDigits is 3 for Llama 3
// and 1 for Qwen2.
func pretokLlama3Next(s string, i int, maxDigits int) int {
	r, n, c := pretokAt(s, i)
	if r == '\'' {
		if k := pretokContraction(s, i, true); k > 0 {
			return i + k
		}
	}
	switch c {
	case pretokLetter:
		return pretokRun(s, i, pretokLetter)
	case pretokNumber:
		for k := 0; k < maxDigits && i < len(s); k++ {
			_, w, ci := pretokAt(s, i)
			if ci != pretokNumber {
				break
			}
			i += w
		}
		return i
	}
	// [^\r\n\p{L}\p{N}]?\p{L}+: any one non-newline character may lead a
	// word, a space or punctuation alike.
	_, n2, c2 := pretokAt(s, i+n)
	if r != '\r' && r != '\n' && n2 > 0 && c2 == pretokLetter {
		return pretokRun(s, i+n, pretokLetter)
	}
	// " ?[^\s\p{L}\p{N}]+[\r\n]*"
	start := -1
	if c == pretokOther {
		start = i
	} else if r == ' ' && n2 > 0 && c2 == pretokOther {
		start = i + n
	}
	if start >= 0 {
		j := pretokRun(s, start, pretokOther)
		for j < len(s) && (s[j] == '\r' || s[j] == '\n') {
			j++
		}
		return j
	}
	// c is whitespace. \s*[\r\n]+ matches up to and including the run's
	// last newline, if it has one.
	j := pretokRun(s, i, pretokSpace)
	for k := j - 1; k >= i; k-- {
		if s[k] == '\r' || s[k] == '\n' {
			return k + 1
		}
	}
	return pretokSpaceEnd(s, i, j)
}
