package tokenizer

import (
	"bytes"
	"testing"

	"github.com/wisp-llm/wisp/wasm/gguf"
)

// FuzzFromGGUF feeds arbitrary metadata through VocabFromGGUF and the
// tokenizer built from it: a file may be rejected, but nothing may panic,
// and a tokenizer that is built must work.
func FuzzFromGGUF(f *testing.F) {
	for _, kvs := range [][]gguf.KV{
		baseKVs(),
		append(edit(baseKVs(), keyModel, gguf.StringValue("gpt2")), gguf.KV{Key: keyMerges, Value: gguf.StringsValue([]string{"▁ a"})}),
		edit(baseKVs(), keyBOS, gguf.Uint32Value(4)),
		edit(baseKVs(), keyTokens, gguf.StringsValue([]string{"<unk>", "<s>", "", "<0x41>", "<|im_end|>"})),
	} {
		var buf bytes.Buffer
		if err := gguf.Write(&buf, 3, kvs, nil); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := gguf.FromBytes(data)
		if err != nil {
			return
		}
		tok, err := FromGGUF(file)
		if err != nil {
			return
		}
		n := len(tok.Vocab().Tokens)
		ids := tok.Encode("Hello <s> wörld</s>\n", true)
		for _, id := range ids {
			if id < 0 || int(id) >= n {
				t.Fatalf("id %d outside the vocabulary of %d", id, n)
			}
		}
		Decode(tok, append(ids, -1, int32(n)))
	})
}
