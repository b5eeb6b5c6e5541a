package tokenizer

import (
	"fmt"

	"github.com/wisp-llm/wisp/wasm/gguf"
)

// GGUF metadata keys of the tokenizer, as llama.cpp names them.
const (
	keyModel          = "tokenizer.ggml.model"
	keyPre            = "tokenizer.ggml.pre"
	keyTokens         = "tokenizer.ggml.tokens"
	keyScores         = "tokenizer.ggml.scores"
	keyTokenType      = "tokenizer.ggml.token_type"
	keyMerges         = "tokenizer.ggml.merges"
	keyBOS            = "tokenizer.ggml.bos_token_id"
	keyEOS            = "tokenizer.ggml.eos_token_id"
	keyEOT            = "tokenizer.ggml.eot_token_id"
	keyUNK            = "tokenizer.ggml.unknown_token_id"
	keyPAD            = "tokenizer.ggml.padding_token_id"
	keyAddBOS         = "tokenizer.ggml.add_bos_token"
	keyAddEOS         = "tokenizer.ggml.add_eos_token"
	keyAddSpacePrefix = "tokenizer.ggml.add_space_prefix"
)

// FromGGUF builds the tokenizer described by a GGUF file's metadata.
func FromGGUF(f *gguf.File) (Tokenizer, error) {
	v, err := VocabFromGGUF(f)
	if err != nil {
		return nil, err
	}
	return New(v)
}

// VocabFromGGUF reads the tokenizer.ggml.* metadata of f.
//
// A key that is absent takes the default llama.cpp gives it for the model:
//
//	key               "llama" (SentencePiece)   "gpt2" (BPE)
//	bos_token_id      1                         11
//	eos_token_id      2                         11
//	unknown_token_id  0                         none
//	eot_token_id      found by text, see below  found by text
//	padding_token_id  none                      none
//	add_bos_token     true                      false; true for pre "llama3"-family, "tekken", "chameleon"
//	add_eos_token     false                     false
//	add_space_prefix  true                      false
//	scores            all 0                     all 0
//	token_type        all normal                all normal
//
// A default id beyond the vocabulary means the token is absent (a small
// BPE vocabulary has no token 11). Without eot_token_id, the first of
// "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
// ... in the vocabulary becomes EOT and is typed control, as llama.cpp does.
//
// Unlike llama.cpp, which warns and keeps the default, an id key that
// points outside the vocabulary is an error; only padding_token_id, which
// inference never uses and conversions do get wrong, is dropped instead.
// scores and token_type may be longer than tokens (llama.cpp allows it; the
// rest is ignored) but not shorter.
func VocabFromGGUF(f *gguf.File) (*Vocab, error) {
	if f == nil {
		return nil, fmt.Errorf("tokenizer: nil GGUF file")
	}
	model, err := f.String(keyModel)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	v := &Vocab{Model: model, EOT: NoToken, PAD: NoToken}
	switch model {
	case "llama":
		v.BOS, v.EOS, v.UNK = 1, 2, 0
		v.AddBOS, v.AddSpacePrefix = true, true
	case "gpt2":
		v.BOS, v.EOS, v.UNK = 11, 11, NoToken
	default:
		return nil, fmt.Errorf("tokenizer: %s %q is not supported (want \"llama\" or \"gpt2\")", keyModel, model)
	}
	if f.Has(keyPre) {
		if v.Pre, err = f.String(keyPre); err != nil {
			return nil, fmt.Errorf("tokenizer: %w", err)
		}
	}
	if model == "gpt2" {
		applyPreDefaults(v)
	}

	if v.Tokens, err = f.Strings(keyTokens); err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	n := len(v.Tokens)
	if n == 0 {
		return nil, fmt.Errorf("tokenizer: %s is empty", keyTokens)
	}
	if n > maxVocabTokens {
		return nil, fmt.Errorf("tokenizer: %s has %d tokens, more than the %d supported", keyTokens, n, maxVocabTokens)
	}
	if v.Scores, err = readScores(f, n); err != nil {
		return nil, err
	}
	if v.Types, err = readTypes(f, n); err != nil {
		return nil, err
	}
	if model == "gpt2" {
		if v.Merges, err = f.Strings(keyMerges); err != nil {
			return nil, fmt.Errorf("tokenizer: %w", err)
		}
	}

	for _, sp := range []struct {
		key string
		id  *int32
	}{{keyBOS, &v.BOS}, {keyEOS, &v.EOS}, {keyEOT, &v.EOT}, {keyUNK, &v.UNK}, {keyPAD, &v.PAD}} {
		if err := readTokenID(f, sp.key, sp.id, n); err != nil {
			return nil, err
		}
	}
	for _, b := range []struct {
		key string
		val *bool
	}{{keyAddBOS, &v.AddBOS}, {keyAddEOS, &v.AddEOS}, {keyAddSpacePrefix, &v.AddSpacePrefix}} {
		if !f.Has(b.key) {
			continue
		}
		if *b.val, err = f.Bool(b.key); err != nil {
			return nil, fmt.Errorf("tokenizer: %w", err)
		}
	}
	if v.AddBOS && v.BOS == NoToken {
		return nil, fmt.Errorf("tokenizer: %s is true but the vocabulary has no BOS token (%s)", keyAddBOS, keyBOS)
	}
	if v.AddEOS && v.EOS == NoToken {
		return nil, fmt.Errorf("tokenizer: %s is true but the vocabulary has no EOS token (%s)", keyAddEOS, keyEOS)
	}
	if !f.Has(keyEOT) {
		findEOT(v)
	}
	if err := checkVocab(v); err != nil {
		return nil, err
	}
	return v, nil
}

// applyPreDefaults sets what llama.cpp derives from a BPE pre-tokenizer name.
// Whether the name is supported at all is for the BPE tokenizer to decide.
func applyPreDefaults(v *Vocab) {
	switch v.Pre {
	case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano", "tekken":
		v.IgnoreMerges, v.AddBOS = true, true
	case "minicpm5", "youtu", "granite-embed-multi-97m":
		v.IgnoreMerges = true
	case "chameleon":
		v.AddBOS = true
	case "glm4", "chatglm-bpe":
		v.BOS = NoToken
	case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez":
		// llama.cpp does not normalise, but the Hugging Face tokenizer
		// these vocabularies come from applies NFC first, and so do the
		// llama.cpp test vectors made with it.
		v.NormalizeNFC = true
	}
}

// readScores reads the optional per-token scores, float32 or integer.
func readScores(f *gguf.File, n int) ([]float32, error) {
	val, ok := f.Lookup(keyScores)
	if !ok {
		return nil, nil
	}
	arr, isArray := val.V.(gguf.Array)
	if !isArray {
		return nil, fmt.Errorf("tokenizer: %s is %s, want an array of float32 or int32", keyScores, val.Type)
	}
	var scores []float32
	switch arr.Elem {
	case gguf.TypeFloat32:
		s, err := f.Float32s(keyScores)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: %w", err)
		}
		scores = s
	case gguf.TypeInt32:
		is, err := f.Int32s(keyScores)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: %w", err)
		}
		scores = make([]float32, len(is))
		for i, x := range is {
			scores[i] = float32(x)
		}
	default:
		return nil, fmt.Errorf("tokenizer: %s is an array of %s, want float32 or int32", keyScores, arr.Elem)
	}
	if len(scores) < n {
		return nil, fmt.Errorf("tokenizer: %s has %d entries for %d tokens", keyScores, len(scores), n)
	}
	return scores[:n:n], nil
}

// readTypes reads the optional per-token types.
func readTypes(f *gguf.File, n int) ([]TokenType, error) {
	if !f.Has(keyTokenType) {
		return nil, nil
	}
	raw, err := f.Int32s(keyTokenType)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	if len(raw) < n {
		return nil, fmt.Errorf("tokenizer: %s has %d entries for %d tokens", keyTokenType, len(raw), n)
	}
	types := make([]TokenType, n)
	for i := range types {
		types[i] = TokenType(raw[i])
	}
	return types, nil
}

// readTokenID overrides *id with key's value when present. A default id
// outside the vocabulary means the token is absent.
func readTokenID(f *gguf.File, key string, id *int32, n int) error {
	if *id != NoToken && int(*id) >= n {
		*id = NoToken
	}
	if !f.Has(key) {
		return nil
	}
	x, err := f.Uint32(key)
	if err != nil {
		return fmt.Errorf("tokenizer: %w", err)
	}
	if uint64(x) >= uint64(n) {
		if key == keyPAD {
			*id = NoToken
			return nil
		}
		return fmt.Errorf("tokenizer: %s = %d is outside the vocabulary of %d tokens", key, x, n)
	}
	*id = int32(x)
	return nil
}

// eotTexts are the end-of-turn tokens llama.cpp recognises by their text,
// in the order tried here.
var eotTexts = []string{
	"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
	"<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>",
}

// findEOT sets v.EOT to the first token whose text is a known end-of-turn
// marker, typing it control so it is never printed or matched as text.
func findEOT(v *Vocab) {
	for _, want := range eotTexts {
		for i, text := range v.Tokens {
			if text != want {
				continue
			}
			v.EOT = int32(i)
			if v.Types == nil {
				v.Types = make([]TokenType, len(v.Tokens))
				for j := range v.Types {
					v.Types[j] = TokenTypeNormal
				}
			}
			v.Types[i] = TokenTypeControl
			return
		}
	}
}
