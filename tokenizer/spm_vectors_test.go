package tokenizer

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wisp-llm/wisp/wasm/gguf"
)

// testdataDir is /work/shared/testdata seen from this package.
const testdataDir = "../../shared/testdata"

const (
	llamaSPMVocab = testdataDir + "/tokenizers/llama.cpp-vocab/ggml-vocab-llama-spm.gguf"
	stories260K   = testdataDir + "/models/stories260K.gguf"
	llama2Tiny    = testdataDir + "/models/llama-2-tiny-random.gguf"
)

// vectorCase is one text of llama.cpp's tokenizer test vectors and the ids
// llama.cpp's test-tokenizer-0 expects for it (no BOS, no special parsing).
type vectorCase struct {
	text string
	ids  []int32
}

// readVectors reads path+".inp" and path+".out" the way test-tokenizer-0
// does: texts are separated by "\n__ggml_vocab_test__\n" (so the newline
// before and after each separator belongs to the separator, and the file's
// final separator leaves no empty text), and line N of .out holds the ids of
// text N.
func readVectors(tb testing.TB, path string) []vectorCase {
	tb.Helper()
	inp, err := os.ReadFile(path + ".inp")
	if err != nil {
		tb.Skipf("test vectors not available: %v", err)
	}
	out, err := os.ReadFile(path + ".out")
	if err != nil {
		tb.Fatal(err)
	}
	const sep = "\n__ggml_vocab_test__\n"
	var texts []string
	for raw := string(inp); raw != ""; {
		i := strings.Index(raw, sep)
		if i < 0 {
			texts = append(texts, raw)
			break
		}
		texts = append(texts, raw[:i])
		raw = raw[i+len(sep):]
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(texts) {
		tb.Fatalf("%s: %d texts but %d lines of ids", path, len(texts), len(lines))
	}
	cases := make([]vectorCase, len(texts))
	for i, line := range lines {
		cases[i].text = texts[i]
		for _, f := range strings.Fields(line) {
			id, err := strconv.ParseInt(f, 10, 32)
			if err != nil {
				tb.Fatalf("%s.out line %d: %v", path, i+1, err)
			}
			cases[i].ids = append(cases[i].ids, int32(id))
		}
	}
	return cases
}

// openTokenizer loads the tokenizer of a GGUF file, skipping the test when
// the shared test data is absent.
func openTokenizer(tb testing.TB, path string) Tokenizer {
	tb.Helper()
	if _, err := os.Stat(path); err != nil {
		tb.Skipf("test data not available: %v", err)
	}
	f, err := gguf.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	tok, err := FromGGUF(f)
	if err != nil {
		tb.Fatalf("FromGGUF(%s): %v", path, err)
	}
	return tok
}

func TestSPMLlamaCppVectors(t *testing.T) {
	tok := openTokenizer(t, llamaSPMVocab)
	if _, ok := tok.(*SPM); !ok {
		t.Fatalf("FromGGUF gave %T, want *SPM", tok)
	}
	cases := readVectors(t, llamaSPMVocab)
	if len(cases) < 40 {
		t.Fatalf("read only %d test vectors", len(cases))
	}
	for i, c := range cases {
		got := tok.Encode(c.text, false)
		if !slices.Equal(got, c.ids) {
			t.Errorf("vector %d: Encode(%q)\n got %v\nwant %v", i, c.text, got, c.ids)
		}
	}
}

// Decoding BOS followed by the ids of a text gives the text back exactly:
// the space Encode prefixes is the one the decoder drops after BOS.
func TestSPMRoundTripVectors(t *testing.T) {
	tok := openTokenizer(t, llamaSPMVocab)
	bos := tok.Vocab().BOS
	for i, c := range readVectors(t, llamaSPMVocab) {
		ids := append([]int32{bos}, tok.Encode(c.text, false)...)
		if got := Decode(tok, ids); got != c.text {
			t.Errorf("vector %d: Decode(BOS+Encode(%q)) = %q", i, c.text, got)
		}
		// Without BOS the decoder keeps the prefixed space: this is how a
		// continuation of a prompt must read.
		if got, want := Decode(tok, ids[1:]), " "+c.text; c.text != "" && got != want {
			t.Errorf("vector %d: Decode(Encode(%q)) = %q, want %q", i, c.text, got, want)
		}
	}
}
