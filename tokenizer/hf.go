package tokenizer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Hugging Face publishes byte-level BPE tokenizers in two shapes: one
// tokenizer.json, or the older vocab.json (encoder.json) with merges.txt
// (vocab.bpe). Both load into a Vocab with Model "gpt2".

// hfTokenizerFile is the part of tokenizer.json that byte-level BPE uses.
type hfTokenizerFile struct {
	AddedTokens   []hfAddedToken  `json:"added_tokens"`
	Normalizer    json.RawMessage `json:"normalizer"`
	PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
	PostProcessor json.RawMessage `json:"post_processor"`
	Model         struct {
		Type         string           `json:"type"`
		Vocab        map[string]int64 `json:"vocab"`
		Merges       json.RawMessage  `json:"merges"`
		IgnoreMerges bool             `json:"ignore_merges"`
		ByteFallback bool             `json:"byte_fallback"`
		UnkToken     *string          `json:"unk_token"`
	} `json:"model"`
}

type hfAddedToken struct {
	ID      int64  `json:"id"`
	Content string `json:"content"`
	Special bool   `json:"special"`
}

// LoadHFTokenizerJSON reads a Hugging Face tokenizer.json holding a
// byte-level BPE model. The pre-tokenizer is recognised from its
// configuration (the Split regex, ByteLevel, Digits) and named as GGUF
// names it; a configuration this package has no scanner for is an error.
func LoadHFTokenizerJSON(data []byte) (*Vocab, error) {
	var f hfTokenizerFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("tokenizer: tokenizer.json: %w", err)
	}
	if f.Model.Type != "BPE" {
		return nil, fmt.Errorf("tokenizer: tokenizer.json: model type %q is not BPE", f.Model.Type)
	}
	if f.Model.ByteFallback {
		return nil, fmt.Errorf("tokenizer: tokenizer.json: BPE with byte_fallback is SentencePiece-style, not byte-level")
	}
	pre, err := hfPreTokenizerName(f.PreTokenizer)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: tokenizer.json: %w", err)
	}
	nfc, err := hfNormalizerNFC(f.Normalizer)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: tokenizer.json: %w", err)
	}
	merges, err := hfParseMerges(f.Model.Merges)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: tokenizer.json: %w", err)
	}
	v, err := hfBuildVocab(f.Model.Vocab, f.AddedTokens)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: tokenizer.json: %w", err)
	}
	v.Pre = pre
	v.Merges = merges
	v.IgnoreMerges = f.Model.IgnoreMerges
	v.NormalizeNFC = nfc
	if f.Model.UnkToken != nil {
		if id, ok := f.Model.Vocab[*f.Model.UnkToken]; ok {
			v.UNK = int32(id)
		}
	}
	if err := hfPostProcessor(f.PostProcessor, v); err != nil {
		return nil, fmt.Errorf("tokenizer: tokenizer.json: %w", err)
	}
	return v, nil
}

// LoadHFVocabMerges reads the older pair of files: vocab.json (GPT-2 calls
// it encoder.json), a JSON object from token to id, and merges.txt (GPT-2's
// vocab.bpe), one merge "left right" per line, highest priority first, with
// an optional "#version" header. pre names the pre-tokenizer, which these
// files do not record ("gpt-2", "llama-bpe", "qwen2", "starcoder", ...).
func LoadHFVocabMerges(vocabJSON, merges []byte, pre string) (*Vocab, error) {
	if _, err := pretokKindFor(pre); err != nil {
		return nil, err
	}
	var tokens map[string]int64
	if err := json.Unmarshal(vocabJSON, &tokens); err != nil {
		return nil, fmt.Errorf("tokenizer: vocab.json: %w", err)
	}
	v, err := hfBuildVocab(tokens, nil)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: vocab.json: %w", err)
	}
	v.Pre = pre
	// These files do not say what tokenizer.json would; take what the
	// family's tokenizer.json says (and llama.cpp assumes for the name).
	switch pre {
	case "llama3", "llama-v3", "llama-bpe", "falcon3":
		v.IgnoreMerges = true
	case "qwen2", "deepseek-r1-qwen", "megrez":
		v.NormalizeNFC = true
	}
	for n, line := range bytes.Split(merges, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 || (n == 0 && bytes.HasPrefix(line, []byte("#version"))) {
			continue
		}
		if bytes.IndexByte(line[min(1, len(line)):], ' ') < 0 {
			return nil, fmt.Errorf("tokenizer: merges.txt line %d (%q) is not two tokens separated by a space", n+1, line)
		}
		v.Merges = append(v.Merges, string(line))
	}
	return v, nil
}

// hfBuildVocab lays the token→id maps out as an id-indexed vocabulary.
// Ids must be dense; a gap is filled with an unused placeholder, as GGUF
// converters do, so that a sloppy file still loads.
func hfBuildVocab(tokens map[string]int64, added []hfAddedToken) (*Vocab, error) {
	if len(tokens)+len(added) > maxVocabTokens {
		return nil, fmt.Errorf("%d tokens, more than the %d supported", len(tokens)+len(added), maxVocabTokens)
	}
	n := int64(0)
	for text, id := range tokens {
		if id < 0 || id >= maxVocabTokens {
			return nil, fmt.Errorf("token %q has id %d, outside [0, %d)", text, id, maxVocabTokens)
		}
		n = max(n, id+1)
	}
	for _, a := range added {
		if a.ID < 0 || a.ID >= maxVocabTokens {
			return nil, fmt.Errorf("added token %q has id %d, outside [0, %d)", a.Content, a.ID, maxVocabTokens)
		}
		n = max(n, a.ID+1)
	}
	if n == 0 {
		return nil, fmt.Errorf("no tokens")
	}
	// A few gaps are tolerated; an id far beyond the number of tokens is
	// a broken (or hostile) file, and must not size the allocation.
	if total := int64(len(tokens) + len(added)); n > total+total/8+256 {
		return nil, fmt.Errorf("largest id is %d but there are only %d tokens", n-1, total)
	}
	v := &Vocab{
		Model:  "gpt2",
		Tokens: make([]string, n),
		Types:  make([]TokenType, n),
		BOS:    NoToken, EOS: NoToken, EOT: NoToken, UNK: NoToken, PAD: NoToken,
	}
	set := make([]bool, n)
	for text, id := range tokens {
		if set[id] {
			return nil, fmt.Errorf("tokens %q and %q share id %d", v.Tokens[id], text, id)
		}
		set[id] = true
		v.Tokens[id] = text
		v.Types[id] = TokenTypeNormal
	}
	for _, a := range added {
		if set[a.ID] && v.Tokens[a.ID] != a.Content {
			return nil, fmt.Errorf("added token %q has id %d, which is token %q", a.Content, a.ID, v.Tokens[a.ID])
		}
		set[a.ID] = true
		v.Tokens[a.ID] = a.Content
		v.Types[a.ID] = TokenTypeUserDefined
		if a.Special {
			v.Types[a.ID] = TokenTypeControl
		}
	}
	for id := range set {
		if !set[id] {
			v.Tokens[id] = "[PAD" + strconv.Itoa(id) + "]"
			v.Types[id] = TokenTypeUnused
		}
	}
	hfSpecialIDs(v)
	return v, nil
}

// hfSpecialNames are the well-known special tokens whose role their text
// gives away, first match per role winning.
var hfSpecialNames = []struct {
	text string
	role func(v *Vocab) *int32
}{
	{"<|begin_of_text|>", func(v *Vocab) *int32 { return &v.BOS }},
	{"<s>", func(v *Vocab) *int32 { return &v.BOS }},
	{"<|end_of_text|>", func(v *Vocab) *int32 { return &v.EOS }},
	{"<|endoftext|>", func(v *Vocab) *int32 { return &v.EOS }},
	{"</s>", func(v *Vocab) *int32 { return &v.EOS }},
	{"<|eot_id|>", func(v *Vocab) *int32 { return &v.EOT }},
	{"<|im_end|>", func(v *Vocab) *int32 { return &v.EOT }},
	{"<|end|>", func(v *Vocab) *int32 { return &v.EOT }},
	{"<unk>", func(v *Vocab) *int32 { return &v.UNK }},
	{"<pad>", func(v *Vocab) *int32 { return &v.PAD }},
	{"<|pad|>", func(v *Vocab) *int32 { return &v.PAD }},
}

// hfSpecialIDs sets BOS, EOS, EOT, UNK and PAD from well-known special
// token texts among the added (control and user-defined) tokens. A
// vocab.json has no added-token list: there a normal token spelled
// "<|...|>", such as GPT-2's "<|endoftext|>", is taken for a control token
// first. Other normal tokens keep their type even when they read "</s>"
// (Qwen2's vocabulary has that as ordinary text).
func hfSpecialIDs(v *Vocab) {
	byText := make(map[string]int32)
	for id, text := range v.Tokens {
		typ := v.Types[id]
		if typ == TokenTypeNormal && len(text) > 4 && strings.HasPrefix(text, "<|") && strings.HasSuffix(text, "|>") {
			v.Types[id] = TokenTypeControl
			typ = TokenTypeControl
		}
		if typ == TokenTypeControl || typ == TokenTypeUserDefined {
			if _, dup := byText[text]; !dup {
				byText[text] = int32(id)
			}
		}
	}
	for _, sn := range hfSpecialNames {
		p := sn.role(v)
		if id, ok := byText[sn.text]; ok && *p == NoToken {
			*p = id
		}
	}
}

// hfParseMerges accepts both spellings of model.merges: ["a b", ...]
// (tokenizers before 0.20) and [["a", "b"], ...].
func hfParseMerges(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, fmt.Errorf("model has no merges")
	}
	var flat []string
	if err := json.Unmarshal(raw, &flat); err == nil {
		for i, m := range flat {
			if strings.IndexByte(m[min(1, len(m)):], ' ') < 0 {
				return nil, fmt.Errorf("merge %d (%q) is not two tokens separated by a space", i, m)
			}
		}
		return flat, nil
	}
	var pairs [][]string
	if err := json.Unmarshal(raw, &pairs); err != nil {
		return nil, fmt.Errorf("merges are neither strings nor pairs: %w", err)
	}
	out := make([]string, len(pairs))
	for i, p := range pairs {
		if len(p) != 2 || p[0] == "" || p[1] == "" {
			return nil, fmt.Errorf("merge %d has %d parts, want two non-empty tokens", i, len(p))
		}
		if strings.IndexByte(p[0], ' ') >= 0 || strings.IndexByte(p[1], ' ') >= 0 {
			// Byte-level tokens never hold a raw space; one that did
			// could not be told apart in the "left right" form.
			return nil, fmt.Errorf("merge %d (%q, %q) has a token with a space", i, p[0], p[1])
		}
		out[i] = p[0] + " " + p[1]
	}
	return out, nil
}
