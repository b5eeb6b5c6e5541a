package tokenizer

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// bpeRoundTripTexts mixes scripts, emoji (4-byte UTF-8 split across byte
// tokens), code and odd whitespace.
var bpeRoundTripTexts = []string{
	"Hello, world! Ça va? Grüße aus Köln.",
	"日本語のテキストと中文文本，还有한국어 텍스트.",
	"Emoji: 🦙🔥👩‍💻 🇫🇷 and ZWJ sequences.",
	"func main() {\n\tfmt.Println(\"hi\") // 42\n}\n",
	"Ελληνικά, русский, العربية, עברית, हिन्दी, ไทย.",
	"  leading and trailing  \n\n\t\r\n",
	"numbers 1234567890 ١٢٣ ½ ²",
	"combining e\u0301 and precomposed é",
}

func TestLoadHFTokenizerJSONSmolLM2(t *testing.T) {
	v, err := LoadHFTokenizerJSON(bpeReadFile(t, smolLM2JSON))
	if err != nil {
		t.Fatal(err)
	}
	if v.Model != "gpt2" || v.Pre != "starcoder" || v.NormalizeNFC || v.IgnoreMerges {
		t.Errorf("Model %q Pre %q NFC %v IgnoreMerges %v; want gpt2, starcoder, false, false",
			v.Model, v.Pre, v.NormalizeNFC, v.IgnoreMerges)
	}
	if len(v.Tokens) != 49152 || len(v.Merges) != 48900 {
		t.Errorf("%d tokens and %d merges, want 49152 and 48900", len(v.Tokens), len(v.Merges))
	}
	if v.EOS != 0 || v.EOT != 2 || v.BOS != NoToken {
		t.Errorf("EOS %d EOT %d BOS %d, want 0 (<|endoftext|>), 2 (<|im_end|>), none", v.EOS, v.EOT, v.BOS)
	}
	if v.Types[1] != TokenTypeControl || v.Types[100] != TokenTypeNormal {
		t.Errorf("types of ids 1 and 100 are %d and %d, want control and normal", v.Types[1], v.Types[100])
	}
	tok := bpeMust(t, v)

	texts := slices.Clone(bpeRoundTripTexts)
	for _, c := range readVectors(t, vocabDir+"/ggml-vocab-starcoder.gguf") {
		texts = append(texts, c.text)
	}
	for _, text := range texts {
		ids := tok.Encode(text, false)
		if got := bpeJoin(tok, ids); got != text {
			t.Errorf("pieces of Encode(%q) join to %q", text, got)
		}
		if got := Decode(tok, ids); got != text {
			t.Errorf("Decode(Encode(%q)) = %q", text, got)
		}
	}

	chat := "<|im_start|>user\nHi there<|im_end|>\n"
	ids := tok.Encode(chat, true)
	if len(ids) < 4 || ids[0] != 1 || ids[len(ids)-2] != 2 {
		t.Errorf("Encode(%q, special) = %v, want 1 ... 2 <newline>", chat, ids)
	}
	if plain := tok.Encode(chat, false); slices.Contains(plain, 1) || slices.Contains(plain, 2) {
		t.Errorf("Encode(%q, plain) = %v holds special ids", chat, plain)
	}
}

// hfTinyJSON builds a tokenizer.json around bpeTinyVocab's tokens.
func hfTinyJSON(tb testing.TB, change func(m map[string]any)) []byte {
	tb.Helper()
	v := bpeTinyVocab()
	vocab := map[string]int{}
	var added []map[string]any
	for id, text := range v.Tokens {
		switch v.Types[id] {
		case TokenTypeControl, TokenTypeUserDefined:
			added = append(added, map[string]any{"id": id, "content": text, "special": v.Types[id] == TokenTypeControl})
		default:
			vocab[text] = id
		}
	}
	m := map[string]any{
		"added_tokens":  added,
		"normalizer":    nil,
		"pre_tokenizer": map[string]any{"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
		"model": map[string]any{
			"type": "BPE", "vocab": vocab, "merges": v.Merges, "ignore_merges": false,
		},
	}
	if change != nil {
		change(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func hfSplitPre(regex string) map[string]any {
	return map[string]any{"type": "Sequence", "pretokenizers": []any{
		map[string]any{"type": "Split", "pattern": map[string]any{"Regex": regex}, "behavior": "Isolated", "invert": false},
		map[string]any{"type": "ByteLevel", "add_prefix_space": false, "use_regex": false},
	}}
}

func hfModel(m map[string]any) map[string]any { return m["model"].(map[string]any) }

func TestLoadHFTokenizerJSON(t *testing.T) {
	tests := []struct {
		name   string
		change func(m map[string]any)
		check  func(t *testing.T, v *Vocab)
	}{
		{"byte level is gpt-2", nil, func(t *testing.T, v *Vocab) {
			if v.Pre != "gpt-2" || v.Types[262] != TokenTypeControl || v.Types[263] != TokenTypeUserDefined {
				t.Errorf("Pre %q, types %d %d", v.Pre, v.Types[262], v.Types[263])
			}
		}},
		{"merges as pairs", func(m map[string]any) {
			var pairs [][]string
			for _, s := range bpeTinyVocab().Merges {
				l, r, _ := strings.Cut(s, " ")
				pairs = append(pairs, []string{l, r})
			}
			hfModel(m)["merges"] = pairs
		}, func(t *testing.T, v *Vocab) {
			if !slices.Equal(v.Merges, bpeTinyVocab().Merges) {
				t.Errorf("merges %q, want %q", v.Merges, bpeTinyVocab().Merges)
			}
		}},
		{"llama 3 split", func(m map[string]any) {
			m["pre_tokenizer"] = hfSplitPre(hfRegexLlama3)
			hfModel(m)["ignore_merges"] = true
			m["post_processor"] = map[string]any{"type": "Sequence", "processors": []any{
				map[string]any{"type": "ByteLevel"},
				map[string]any{"type": "TemplateProcessing", "single": []any{
					map[string]any{"SpecialToken": map[string]any{"id": "<|end|>", "type_id": 0}},
					map[string]any{"Sequence": map[string]any{"id": "A", "type_id": 0}},
				}},
			}}
		}, func(t *testing.T, v *Vocab) {
			if v.Pre != "llama-bpe" || !v.IgnoreMerges || !v.AddBOS || v.BOS != 262 || v.AddEOS {
				t.Errorf("Pre %q IgnoreMerges %v AddBOS %v BOS %d AddEOS %v", v.Pre, v.IgnoreMerges, v.AddBOS, v.BOS, v.AddEOS)
			}
		}},
		{"qwen2 split with NFC", func(m map[string]any) {
			m["pre_tokenizer"] = hfSplitPre(hfRegexQwen2)
			m["normalizer"] = map[string]any{"type": "NFC"}
		}, func(t *testing.T, v *Vocab) {
			if v.Pre != "qwen2" || !v.NormalizeNFC {
				t.Errorf("Pre %q NormalizeNFC %v", v.Pre, v.NormalizeNFC)
			}
		}},
		{"digits then byte level", func(m map[string]any) {
			m["pre_tokenizer"] = map[string]any{"type": "Sequence", "pretokenizers": []any{
				map[string]any{"type": "Digits", "individual_digits": true},
				map[string]any{"type": "ByteLevel", "add_prefix_space": false},
			}}
		}, func(t *testing.T, v *Vocab) {
			if v.Pre != "starcoder" {
				t.Errorf("Pre %q", v.Pre)
			}
		}},
		{"id gap filled", func(m map[string]any) {
			delete(hfModel(m)["vocab"].(map[string]int), "Ġwo")
			hfModel(m)["merges"] = bpeTinyVocab().Merges[:4]
		}, func(t *testing.T, v *Vocab) {
			if v.Types[261] != TokenTypeUnused {
				t.Errorf("type of the missing id 261 is %d", v.Types[261])
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := LoadHFTokenizerJSON(hfTinyJSON(t, tt.change))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, v)
			if _, err := NewBPE(v); err != nil {
				t.Errorf("NewBPE: %v", err)
			}
		})
	}
}

func TestLoadHFTokenizerJSONRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(m map[string]any)
		errHas string
	}{
		{"not BPE", func(m map[string]any) { hfModel(m)["type"] = "WordPiece" }, "not BPE"},
		{"byte fallback", func(m map[string]any) { hfModel(m)["byte_fallback"] = true }, "byte_fallback"},
		{"unknown regex", func(m map[string]any) { m["pre_tokenizer"] = hfSplitPre(`\w+`) }, "regex"},
		{"prefix space", func(m map[string]any) {
			m["pre_tokenizer"] = map[string]any{"type": "ByteLevel", "add_prefix_space": true}
		}, "add_prefix_space"},
		{"no pre-tokenizer", func(m map[string]any) { m["pre_tokenizer"] = nil }, "pre_tokenizer"},
		{"lowercase", func(m map[string]any) { m["normalizer"] = map[string]any{"type": "Lowercase"} }, "Lowercase"},
		{"no merges", func(m map[string]any) { delete(hfModel(m), "merges") }, "merges"},
		{"three-part merge", func(m map[string]any) { hfModel(m)["merges"] = [][]string{{"a", "b", "c"}} }, "merge 0"},
		{"negative id", func(m map[string]any) { hfModel(m)["vocab"].(map[string]int)["zz"] = -4 }, "id -4"},
		{"huge id", func(m map[string]any) { hfModel(m)["vocab"].(map[string]int)["zz"] = 1 << 30 }, "outside"},
		{"sparse ids", func(m map[string]any) { hfModel(m)["vocab"].(map[string]int)["zz"] = 100000 }, "only"},
		{"shared id", func(m map[string]any) { hfModel(m)["vocab"].(map[string]int)["zz"] = 5 }, "share id 5"},
		{"added token over another", func(m map[string]any) {
			m["added_tokens"] = []any{map[string]any{"id": 7, "content": "<x>", "special": true}}
		}, "<x>"},
		{"template token missing", func(m map[string]any) {
			m["post_processor"] = map[string]any{"type": "TemplateProcessing", "single": []any{
				map[string]any{"SpecialToken": map[string]any{"id": "<s>"}},
			}}
		}, "<s>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadHFTokenizerJSON(hfTinyJSON(t, tt.change))
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("error = %v, want one mentioning %q", err, tt.errHas)
			}
		})
	}
	if _, err := LoadHFTokenizerJSON([]byte("{")); err == nil {
		t.Error("truncated JSON gave no error")
	}
}

func TestLoadHFVocabMerges(t *testing.T) {
	vocab := []byte(`{"a": 0, "b": 1, "ab": 2, "Ġ": 3, "<|endoftext|>": 4}`)
	v, err := LoadHFVocabMerges(vocab, []byte("#version: 0.2\r\na b\r\n\n"), "gpt-2")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(v.Merges, []string{"a b"}) {
		t.Errorf("merges %q, want [\"a b\"]", v.Merges)
	}
	if v.EOS != 4 || v.Types[4] != TokenTypeControl || v.Pre != "gpt-2" {
		t.Errorf("EOS %d, type %d, pre %q; want 4, control, gpt-2", v.EOS, v.Types[4], v.Pre)
	}
	for _, tt := range []struct {
		name          string
		vocab, merges string
		pre           string
	}{
		{"bad pre", `{"a": 0}`, "", "nope"},
		{"bad json", `["a"]`, "", "gpt-2"},
		{"bad merge", `{"a": 0}`, "ab\n", "gpt-2"},
	} {
		if _, err := LoadHFVocabMerges([]byte(tt.vocab), []byte(tt.merges), tt.pre); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

// Qwen2's vocab.json holds "</s>" and "<unk>" as ordinary text tokens; they
// must stay ordinary, and the file names no special token at all.
func TestLoadHFVocabMergesQwen2(t *testing.T) {
	tok := bpeLoad(t, bpeSources[1])
	v := tok.Vocab()
	if v.Pre != "qwen2" || !v.NormalizeNFC || v.IgnoreMerges {
		t.Errorf("Pre %q NormalizeNFC %v IgnoreMerges %v", v.Pre, v.NormalizeNFC, v.IgnoreMerges)
	}
	if v.BOS != NoToken || v.EOS != NoToken || v.UNK != NoToken {
		t.Errorf("BOS %d EOS %d UNK %d, want none", v.BOS, v.EOS, v.UNK)
	}
	for _, id := range []int32{128244, 128247} {
		if v.Types[id] != TokenTypeNormal {
			t.Errorf("token %d (%q) has type %d, want normal", id, v.Tokens[id], v.Types[id])
		}
	}
	if sp, plain := tok.Encode("</s>", true), tok.Encode("</s>", false); !slices.Equal(sp, plain) || slices.Contains(sp, 128247) {
		t.Errorf("Encode(\"</s>\") = %v with special, %v without; want the same merges of plain text", sp, plain)
	}
}
