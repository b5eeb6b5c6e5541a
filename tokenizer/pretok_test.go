package tokenizer

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// The expected words follow from the expressions by hand, alternative by
// alternative; the llama.cpp vectors cover the common cases, these the
// corners (contraction case, digit grouping, whitespace before newlines).
func TestPretokSplit(t *testing.T) {
	tests := []struct {
		kind pretokKind
		in   string
		want []string
	}{
		{pretokGPT2, "Hello world", []string{"Hello", " world"}},
		{pretokGPT2, "I'm here", []string{"I", "'m", " here"}},
		{pretokGPT2, "we'll", []string{"we", "'ll"}},
		{pretokGPT2, "DON'T", []string{"DON", "'", "T"}},
		{pretokGPT2, "a  b", []string{"a", " ", " b"}},
		{pretokGPT2, "a \n b", []string{"a", " \n", " b"}},
		{pretokGPT2, "x\ny", []string{"x", "\n", "y"}},
		{pretokGPT2, "end  ", []string{"end", "  "}},
		{pretokGPT2, "123abc", []string{"123", "abc"}},
		{pretokGPT2, " 123", []string{" 123"}},
		{pretokGPT2, " ?!", []string{" ?!"}},
		{pretokGPT2, "\t\tx", []string{"\t", "\t", "x"}},
		{pretokGPT2, "héllo wörld", []string{"héllo", " wörld"}},
		{pretokGPT2, "3.14", []string{"3", ".", "14"}},
		{pretokGPT2, "a\u3000b", []string{"a", "\u3000", "b"}},
		{pretokGPT2, "x.cpp", []string{"x", ".", "cpp"}},

		{pretokLlama3, "Hello world", []string{"Hello", " world"}},
		{pretokLlama3, "I'M here", []string{"I", "'M", " here"}},
		{pretokLlama3, "WE'LL", []string{"WE", "'LL"}},
		{pretokLlama3, "12345", []string{"123", "45"}},
		{pretokLlama3, "x.cpp", []string{"x", ".cpp"}},
		{pretokLlama3, " ?!\n\nx", []string{" ?!\n\n", "x"}},
		{pretokLlama3, "a\n\n b", []string{"a", "\n\n", " b"}},
		{pretokLlama3, "a \n\t b", []string{"a", " \n", "\t", " b"}},
		{pretokLlama3, "a  b", []string{"a", " ", " b"}},
		{pretokLlama3, "\thello", []string{"\thello"}},
		{pretokLlama3, "'hello", []string{"'hello"}},
		{pretokLlama3, "'sup", []string{"'s", "up"}},
		{pretokLlama3, "$100", []string{"$", "100"}},
		{pretokLlama3, " 100", []string{" ", "100"}},
		{pretokLlama3, "x  \n", []string{"x", "  \n"}},
		{pretokLlama3, "ab  ", []string{"ab", "  "}},
		{pretokLlama3, "\nx", []string{"\n", "x"}},

		{pretokQwen2, "12345", []string{"1", "2", "3", "4", "5"}},
		{pretokQwen2, "v2.0", []string{"v", "2", ".", "0"}},

		{pretokStarCoder, "w048 7tuijk", []string{"w", "0", "4", "8", " ", "7", "tuijk"}},
		{pretokStarCoder, "a 12", []string{"a", " ", "1", "2"}},
		{pretokStarCoder, "x  1", []string{"x", "  ", "1"}},
	}
	for _, tt := range tests {
		got := pretokSplit(tt.kind, tt.in, nil)
		if !slices.Equal(got, tt.want) {
			t.Errorf("pretokSplit(%d, %q)\n got %q\nwant %q", tt.kind, tt.in, got, tt.want)
		}
	}
}

// Whatever the input, the words cover it exactly and none is empty.
func TestPretokSplitCovers(t *testing.T) {
	inputs := []string{"", " ", "\xff\xfe", "a\xffb", "'", "''s", "\r\n\r\n", " \u00a0\u2028x", "１２３４", "٣٤٥ abc"}
	for _, kind := range []pretokKind{pretokGPT2, pretokLlama3, pretokQwen2, pretokStarCoder} {
		for _, in := range inputs {
			words := pretokSplit(kind, in, nil)
			if strings.Join(words, "") != in || slices.Contains(words, "") {
				t.Errorf("pretokSplit(%d, %q) = %q", kind, in, words)
			}
		}
	}
}

func TestPretokKindFor(t *testing.T) {
	for pre, want := range map[string]pretokKind{
		"": pretokGPT2, "gpt-2": pretokGPT2, "llama-bpe": pretokLlama3,
		"qwen2": pretokQwen2, "starcoder": pretokStarCoder, "smollm": pretokStarCoder,
	} {
		if got, err := pretokKindFor(pre); err != nil || got != want {
			t.Errorf("pretokKindFor(%q) = %d, %v; want %d", pre, got, err, want)
		}
	}
	if _, err := pretokKindFor("deepseek-llm"); err == nil {
		t.Error("pretokKindFor(\"deepseek-llm\") gave no error")
	}
}

// FuzzPretokSplit checks, for every scanner, that the words cover the
// input exactly, none is empty, and digits come alone where they must.
func FuzzPretokSplit(f *testing.F) {
	bpeFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, text string) {
		for _, kind := range []pretokKind{pretokGPT2, pretokLlama3, pretokQwen2, pretokStarCoder} {
			words := pretokSplit(kind, text, nil)
			if strings.Join(words, "") != text || slices.Contains(words, "") {
				t.Fatalf("pretokSplit(%d, %q) = %q", kind, text, words)
			}
			if kind != pretokQwen2 && kind != pretokStarCoder {
				continue
			}
			for _, w := range words {
				if r, n := utf8.DecodeRuneInString(w); n < len(w) && pretokClassOf(r) == pretokNumber {
					t.Fatalf("pretokSplit(%d, %q) has word %q: a number not on its own", kind, text, w)
				}
			}
		}
	})
}
