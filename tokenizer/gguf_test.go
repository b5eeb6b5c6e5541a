package tokenizer

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/wisp-llm/wisp/wasm/gguf"
)

// ggufWith writes kvs as a tensor-less GGUF file and opens it.
func ggufWith(tb testing.TB, kvs []gguf.KV) *gguf.File {
	tb.Helper()
	var buf bytes.Buffer
	if err := gguf.Write(&buf, 3, kvs, nil); err != nil {
		tb.Fatalf("gguf.Write: %v", err)
	}
	f, err := gguf.FromBytes(buf.Bytes())
	if err != nil {
		tb.Fatalf("gguf.FromBytes: %v", err)
	}
	return f
}

// baseKVs is a small valid SentencePiece vocabulary.
func baseKVs() []gguf.KV {
	return []gguf.KV{
		{Key: keyModel, Value: gguf.StringValue("llama")},
		{Key: keyTokens, Value: gguf.StringsValue([]string{"<unk>", "<s>", "</s>", "▁a", "b"})},
		{Key: keyScores, Value: gguf.Float32sValue([]float32{0, 0, 0, -1, -2})},
		{Key: keyTokenType, Value: gguf.Int32sValue([]int32{2, 3, 3, 1, 1})},
	}
}

// edit returns kvs with key set to val, or removed when val.V is nil.
func edit(kvs []gguf.KV, key string, val gguf.Value) []gguf.KV {
	out := slices.DeleteFunc(slices.Clone(kvs), func(kv gguf.KV) bool { return kv.Key == key })
	if val.V != nil {
		out = append(out, gguf.KV{Key: key, Value: val})
	}
	return out
}

var removed = gguf.Value{}

// vocabSpecials is the comparable part of a Vocab: its special ids and flags.
type vocabSpecials struct {
	BOS, EOS, EOT, UNK, PAD                                    int32
	AddBOS, AddEOS, AddSpacePrefix, IgnoreMerges, NormalizeNFC bool
}

func specialsOf(v *Vocab) vocabSpecials {
	return vocabSpecials{v.BOS, v.EOS, v.EOT, v.UNK, v.PAD, v.AddBOS, v.AddEOS, v.AddSpacePrefix, v.IgnoreMerges, v.NormalizeNFC}
}

func TestVocabFromGGUFErrors(t *testing.T) {
	tests := []struct {
		name string
		kvs  []gguf.KV
		want string
	}{
		{"missing model", edit(baseKVs(), keyModel, removed), keyModel},
		{"unsupported model", edit(baseKVs(), keyModel, gguf.StringValue("bert")), keyModel},
		{"missing tokens", edit(baseKVs(), keyTokens, removed), keyTokens},
		{"tokens not strings", edit(baseKVs(), keyTokens, gguf.Int32sValue([]int32{1, 2, 3, 4, 5})), keyTokens},
		{"empty tokens", edit(baseKVs(), keyTokens, gguf.StringsValue([]string{})), keyTokens},
		{"scores shorter than tokens", edit(baseKVs(), keyScores, gguf.Float32sValue([]float32{0, 0})), keyScores},
		{"scores not numbers", edit(baseKVs(), keyScores, gguf.StringsValue([]string{"a", "b", "c", "d", "e"})), keyScores},
		{"scores not an array", edit(baseKVs(), keyScores, gguf.Float32Value(1)), keyScores},
		{"token types shorter than tokens", edit(baseKVs(), keyTokenType, gguf.Int32sValue([]int32{1})), keyTokenType},
		{"BOS id out of range", edit(baseKVs(), keyBOS, gguf.Uint32Value(5)), keyBOS},
		{"EOS id negative", edit(baseKVs(), keyEOS, gguf.Int32Value(-1)), keyEOS},
		{"EOT id not an integer", edit(baseKVs(), keyEOT, gguf.StringValue("2")), keyEOT},
		{"add_bos not a bool", edit(baseKVs(), keyAddBOS, gguf.Uint32Value(1)), keyAddBOS},
		{"add_eos without EOS", edit(edit(baseKVs(), keyAddEOS, gguf.BoolValue(true)), keyTokens, gguf.StringsValue([]string{"<unk>", "<s>"})), keyAddEOS},
		{"gpt2 without merges", edit(baseKVs(), keyModel, gguf.StringValue("gpt2")), keyMerges},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := VocabFromGGUF(ggufWith(t, tt.kvs))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("VocabFromGGUF = %v, %v; want an error naming %q", v, err, tt.want)
			}
			if tok, err := FromGGUF(ggufWith(t, tt.kvs)); err == nil || tok != nil {
				t.Errorf("FromGGUF = %v, %v; want nil and an error", tok, err)
			}
		})
	}
	if _, err := VocabFromGGUF(nil); err == nil {
		t.Error("VocabFromGGUF(nil) succeeded")
	}
}

func TestVocabFromGGUFDefaults(t *testing.T) {
	tests := []struct {
		name  string
		kvs   []gguf.KV
		check func(t *testing.T, v *Vocab)
	}{
		{"llama defaults", edit(edit(baseKVs(), keyScores, removed), keyTokenType, removed), func(t *testing.T, v *Vocab) {
			want := specialsOf(&Vocab{BOS: 1, EOS: 2, UNK: 0, EOT: NoToken, PAD: NoToken, AddBOS: true, AddSpacePrefix: true})
			if got := specialsOf(v); got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			if v.Scores != nil || v.Types != nil {
				t.Errorf("Scores %v, Types %v; want nil for absent keys", v.Scores, v.Types)
			}
		}},
		{"flags and ids from keys", append(baseKVs(),
			gguf.KV{Key: keyAddSpacePrefix, Value: gguf.BoolValue(false)},
			gguf.KV{Key: keyAddBOS, Value: gguf.BoolValue(false)},
			gguf.KV{Key: keyAddEOS, Value: gguf.BoolValue(true)},
			gguf.KV{Key: keyBOS, Value: gguf.Uint32Value(3)},
			gguf.KV{Key: keyEOS, Value: gguf.Int32Value(4)},
			gguf.KV{Key: keyEOT, Value: gguf.Uint32Value(2)},
			gguf.KV{Key: keyUNK, Value: gguf.Uint32Value(1)},
			gguf.KV{Key: keyPAD, Value: gguf.Uint32Value(0)},
		), func(t *testing.T, v *Vocab) {
			want := vocabSpecials{BOS: 3, EOS: 4, EOT: 2, UNK: 1, PAD: 0, AddEOS: true}
			if got := specialsOf(v); got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		}},
		{"padding id out of range is dropped", edit(baseKVs(), keyPAD, gguf.Uint32Value(99)), func(t *testing.T, v *Vocab) {
			if v.PAD != NoToken {
				t.Errorf("PAD = %d, want none", v.PAD)
			}
		}},
		{"integer scores, longer arrays cut", edit(edit(baseKVs(), keyScores, gguf.Int32sValue([]int32{1, 2, 3, 4, 5, 6})), keyTokenType, gguf.Int32sValue([]int32{2, 3, 3, 1, 1, 1})), func(t *testing.T, v *Vocab) {
			if !slices.Equal(v.Scores, []float32{1, 2, 3, 4, 5}) || len(v.Types) != 5 {
				t.Errorf("Scores %v, Types %v", v.Scores, v.Types)
			}
		}},
		{"EOT found by text and made control", edit(baseKVs(), keyTokens, gguf.StringsValue([]string{"<unk>", "<s>", "</s>", "<|im_end|>", "b"})), func(t *testing.T, v *Vocab) {
			if v.EOT != 3 || v.Types[3] != TokenTypeControl {
				t.Errorf("EOT = %d (type %d), want 3 (control)", v.EOT, v.Types[3])
			}
		}},
		{"gpt2 defaults beyond a small vocabulary", append(edit(baseKVs(), keyModel, gguf.StringValue("gpt2")),
			gguf.KV{Key: keyMerges, Value: gguf.StringsValue([]string{"▁ a"})}), func(t *testing.T, v *Vocab) {
			want := vocabSpecials{BOS: NoToken, EOS: NoToken, EOT: NoToken, UNK: NoToken, PAD: NoToken}
			if got := specialsOf(v); got != want || len(v.Merges) != 1 {
				t.Errorf("got %+v with %d merges, want %+v with 1", got, len(v.Merges), want)
			}
		}},
		{"llama-bpe ignores merges and adds BOS", append(edit(baseKVs(), keyModel, gguf.StringValue("gpt2")),
			gguf.KV{Key: keyMerges, Value: gguf.StringsValue(nil)},
			gguf.KV{Key: keyPre, Value: gguf.StringValue("llama-bpe")},
			gguf.KV{Key: keyBOS, Value: gguf.Uint32Value(1)}), func(t *testing.T, v *Vocab) {
			want := vocabSpecials{BOS: 1, EOS: NoToken, EOT: NoToken, UNK: NoToken, PAD: NoToken, AddBOS: true, IgnoreMerges: true}
			if got := specialsOf(v); got != want || v.Pre != "llama-bpe" {
				t.Errorf("got %+v (pre %q), want %+v", got, v.Pre, want)
			}
		}},
		{"qwen2 normalises", append(edit(baseKVs(), keyModel, gguf.StringValue("gpt2")),
			gguf.KV{Key: keyMerges, Value: gguf.StringsValue(nil)},
			gguf.KV{Key: keyPre, Value: gguf.StringValue("qwen2")}), func(t *testing.T, v *Vocab) {
			want := vocabSpecials{BOS: NoToken, EOS: NoToken, EOT: NoToken, UNK: NoToken, PAD: NoToken, NormalizeNFC: true}
			if got := specialsOf(v); got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := VocabFromGGUF(ggufWith(t, tt.kvs))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, v)
		})
	}
}

func TestGGUFModelVocabularies(t *testing.T) {
	tests := []struct {
		path   string
		tokens int
	}{
		{stories260K, 512},
		{llama2Tiny, 32000},
		{llamaSPMVocab, 32000},
	}
	for _, tt := range tests {
		t.Run(tt.path[strings.LastIndex(tt.path, "/")+1:], func(t *testing.T) {
			tok := openTokenizer(t, tt.path)
			v := tok.Vocab()
			if v.Model != "llama" || len(v.Tokens) != tt.tokens || v.BOS != 1 || v.EOS != 2 || v.UNK != 0 || !v.AddBOS || !v.AddSpacePrefix {
				t.Errorf("vocab: model %q, %d tokens, BOS %d EOS %d UNK %d AddBOS %v AddSpacePrefix %v",
					v.Model, len(v.Tokens), v.BOS, v.EOS, v.UNK, v.AddBOS, v.AddSpacePrefix)
			}
			// "\n" has no piece of its own in these vocabularies: it is the
			// byte token <0x0A>, after the prefixed space.
			nl := tok.Encode("\n", false)
			if got := Decode(tok, nl); got != " \n" || v.Types[nl[len(nl)-1]] != TokenTypeByte {
				t.Errorf("Encode(newline) = %v, decoding to %q; want a byte token last, decoding to %q", nl, got, " \n")
			}
		})
	}
}

// stories260K's golden text survives Encode then Decode after BOS, as the
// engine will print it.
func TestStories260KGoldenRoundTrip(t *testing.T) {
	tok := openTokenizer(t, stories260K)
	golden, err := os.ReadFile(testdataDir + "/models/stories260K.expected.txt")
	if err != nil {
		t.Fatal(err)
	}
	ids := append([]int32{tok.Vocab().BOS}, tok.Encode(string(golden), false)...)
	if got := Decode(tok, ids); got != string(golden) {
		t.Errorf("round trip differs:\n got %q\nwant %q", got, golden)
	}
}

// The GGUF vocabulary of stories260K is the one llama2.c's tok512.bin holds:
// the same pieces (with "▁" written as a space there) and scores.
func TestStories260KMatchesLlama2cTokenizer(t *testing.T) {
	tok := openTokenizer(t, stories260K)
	raw, err := os.ReadFile(testdataDir + "/models/tok512.bin")
	if err != nil {
		t.Skipf("tok512.bin not available: %v", err)
	}
	v := tok.Vocab()
	r := bytes.NewReader(raw[4:]) // skip max_token_length
	for i := range v.Tokens {
		var score float32
		var n int32
		if err := binary.Read(r, binary.LittleEndian, &score); err != nil {
			t.Fatalf("token %d: %v", i, err)
		}
		if err := binary.Read(r, binary.LittleEndian, &n); err != nil || n < 0 || int(n) > r.Len() {
			t.Fatalf("token %d: length %d, %v", i, n, err)
		}
		text := make([]byte, n)
		r.Read(text)
		want := string(text)
		switch int32(i) {
		case v.BOS:
			want = "<s>" // run.c's export writes "\n<s>\n"
		case v.EOS:
			want = "</s>"
		}
		if got := strings.ReplaceAll(v.Tokens[i], "▁", " "); got != strings.Trim(want, "\n") && got != want {
			t.Errorf("token %d = %q, tok512.bin has %q", i, got, want)
		}
		if math.Float32bits(v.Scores[i]) != math.Float32bits(score) {
			t.Errorf("token %d score = %v, tok512.bin has %v", i, v.Scores[i], score)
		}
	}
	if r.Len() != 0 {
		t.Errorf("%d bytes left in tok512.bin after %d tokens", r.Len(), len(v.Tokens))
	}
}
