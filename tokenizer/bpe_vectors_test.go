package tokenizer

import (
	"os"
	"slices"
	"sync"
	"testing"
)

const (
	vocabDir     = testdataDir + "/tokenizers/llama.cpp-vocab"
	llama3Dir    = testdataDir + "/tokenizers/llama3.2"
	qwen25Dir    = testdataDir + "/tokenizers/qwen2.5"
	smolLM2JSON  = testdataDir + "/tokenizers/smollm2/tokenizer.json"
	gpt2Vocab    = vocabDir + "/ggml-vocab-gpt-2.gguf"
	starcoderVoc = vocabDir + "/ggml-vocab-starcoder.gguf"
)

// bpeSource is one way to build a test tokenizer; each is built at most
// once per test binary, since the large vocabularies take a moment.
type bpeSource struct {
	name    string
	vectors string // llama.cpp test vectors (.inp/.out) it must reproduce
	load    func(tb testing.TB) *BPE
}

var bpeSources = []bpeSource{
	{"llama-bpe", vocabDir + "/ggml-vocab-llama-bpe.gguf", func(tb testing.TB) *BPE {
		return bpeFromVocabMerges(tb, llama3Dir+"/encoder.json", llama3Dir+"/vocab.bpe", "llama-bpe")
	}},
	{"qwen2", vocabDir + "/ggml-vocab-qwen2.gguf", func(tb testing.TB) *BPE {
		return bpeFromVocabMerges(tb, qwen25Dir+"/vocab.json", qwen25Dir+"/merges.txt", "qwen2")
	}},
	{"gpt-2", gpt2Vocab, func(tb testing.TB) *BPE { return bpeFromGGUF(tb, gpt2Vocab) }},
	{"starcoder", starcoderVoc, func(tb testing.TB) *BPE { return bpeFromGGUF(tb, starcoderVoc) }},
}

var bpeCache sync.Map // name → *BPE

func bpeLoad(tb testing.TB, src bpeSource) *BPE {
	tb.Helper()
	if t, ok := bpeCache.Load(src.name); ok {
		return t.(*BPE)
	}
	t := src.load(tb)
	bpeCache.Store(src.name, t)
	return t
}

func bpeReadFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Skipf("test data not available: %v", err)
	}
	return b
}

func bpeFromVocabMerges(tb testing.TB, vocabPath, mergesPath, pre string) *BPE {
	tb.Helper()
	v, err := LoadHFVocabMerges(bpeReadFile(tb, vocabPath), bpeReadFile(tb, mergesPath), pre)
	if err != nil {
		tb.Fatalf("LoadHFVocabMerges(%s): %v", vocabPath, err)
	}
	t, err := NewBPE(v)
	if err != nil {
		tb.Fatalf("NewBPE(%s): %v", vocabPath, err)
	}
	return t
}

func bpeFromGGUF(tb testing.TB, path string) *BPE {
	tb.Helper()
	tok := openTokenizer(tb, path)
	t, ok := tok.(*BPE)
	if !ok {
		tb.Fatalf("FromGGUF(%s) gave %T, want *BPE", path, tok)
	}
	return t
}

func bpeFromJSON(tb testing.TB, path string) *BPE {
	tb.Helper()
	v, err := LoadHFTokenizerJSON(bpeReadFile(tb, path))
	if err != nil {
		tb.Fatalf("LoadHFTokenizerJSON(%s): %v", path, err)
	}
	t, err := NewBPE(v)
	if err != nil {
		tb.Fatalf("NewBPE(%s): %v", path, err)
	}
	return t
}

// bpeJoin concatenates the pieces of ids: the exact bytes they stand for.
func bpeJoin(t Tokenizer, ids []int32) string {
	var b []byte
	for _, id := range ids {
		b = append(b, t.Piece(id)...)
	}
	return string(b)
}

func TestBPELlamaCppVectors(t *testing.T) {
	for _, src := range bpeSources {
		t.Run(src.name, func(t *testing.T) {
			tok := bpeLoad(t, src)
			cases := readVectors(t, src.vectors)
			if len(cases) < 40 {
				t.Fatalf("read only %d test vectors", len(cases))
			}
			for i, c := range cases {
				got := tok.Encode(c.text, false)
				if !slices.Equal(got, c.ids) {
					t.Errorf("vector %d: Encode(%q)\n got %v\nwant %v", i, c.text, got, c.ids)
				}
				// Byte-level BPE loses nothing: the pieces are the text.
				if back := bpeJoin(tok, got); back != c.text {
					t.Errorf("vector %d: pieces of Encode(%q) join to %q", i, c.text, back)
				}
				if back := Decode(tok, got); back != c.text {
					t.Errorf("vector %d: Decode(Encode(%q)) = %q", i, c.text, back)
				}
			}
		})
	}
}
