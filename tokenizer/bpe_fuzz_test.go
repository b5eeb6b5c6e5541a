package tokenizer

import (
	"testing"
	"unicode/utf8"
)

func bpeFuzzSeeds(f *testing.F) {
	for _, s := range bpeRoundTripTexts {
		f.Add(s)
	}
	for _, c := range readVectors(f, vocabDir+"/ggml-vocab-llama-bpe.gguf") {
		f.Add(c.text)
	}
	for _, s := range []string{"", "\xff", "e\u0301\xcc", "<|end|>x<tool>", "'S'll 123456", "\r\n \r\n\t"} {
		f.Add(s)
	}
}

// FuzzBPEEncode checks that Encode never panics and that, for valid UTF-8,
// the pieces of the ids are the (normalised) text: byte-level BPE drops
// nothing. It runs every pre-tokenizer on the tiny vocabulary and the real
// vocabularies when the test data is there.
func FuzzBPEEncode(f *testing.F) {
	bpeFuzzSeeds(f)
	var toks []*BPE
	for _, pre := range []string{"gpt-2", "llama-bpe", "qwen2", "starcoder"} {
		v := bpeTinyVocab()
		v.Pre = pre
		v.NormalizeNFC = pre == "qwen2"
		v.IgnoreMerges = pre == "llama-bpe"
		toks = append(toks, bpeMust(f, v))
	}
	for _, src := range bpeSources[:2] {
		toks = append(toks, bpeLoad(f, src))
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, tok := range toks {
			for _, special := range []bool{false, true} {
				ids := tok.Encode(text, special)
				if !utf8.ValidString(text) {
					continue
				}
				want := text
				if tok.Vocab().NormalizeNFC {
					want = nfcString(text)
				}
				if got := bpeJoin(tok, ids); got != want {
					t.Fatalf("pre %q special %v: pieces of Encode(%q) join to %q, want %q",
						tok.Vocab().Pre, special, text, got, want)
				}
			}
		}
	})
}

// FuzzNFC checks that normalising never panics, keeps valid UTF-8 valid,
// and is idempotent.
func FuzzNFC(f *testing.F) {
	bpeFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, text string) {
		once := nfcString(text)
		if utf8.ValidString(text) && !utf8.ValidString(once) {
			t.Fatalf("nfc(%+q) = %+q is not valid UTF-8", text, once)
		}
		if twice := nfcString(once); utf8.ValidString(text) && twice != once {
			t.Fatalf("nfc is not idempotent on %+q: %+q then %+q", text, once, twice)
		}
	})
}

// FuzzLoadHFTokenizerJSON checks that the loader fails cleanly, never
// panicking, on arbitrary input, and that what it accepts builds.
func FuzzLoadHFTokenizerJSON(f *testing.F) {
	f.Add(hfTinyJSON(f, nil))
	f.Add([]byte(`{"model":{"type":"BPE","vocab":{"a":3},"merges":[["a","a"]]},"pre_tokenizer":{"type":"ByteLevel"}}`))
	f.Add([]byte(`{"model":{"type":"BPE","vocab":{},"merges":[]},"added_tokens":[{"id":2,"content":"x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := LoadHFTokenizerJSON(data)
		if err != nil {
			return
		}
		if tok, err := NewBPE(v); err == nil {
			tok.Encode("Hello 123 <x>", true)
		}
	})
}
