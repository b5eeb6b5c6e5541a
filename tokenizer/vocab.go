// Package tokenizer turns text into token ids and back for the model families
// Wisp runs: SentencePiece-style (GGUF tokenizer model "llama") and byte-level
// BPE (GGUF tokenizer model "gpt2", or Hugging Face tokenizer files).
package tokenizer

// TokenType is the per-token kind stored in GGUF's tokenizer.ggml.token_type.
type TokenType int32

const (
	TokenTypeUndefined   TokenType = 0
	TokenTypeNormal      TokenType = 1
	TokenTypeUnknown     TokenType = 2
	TokenTypeControl     TokenType = 3
	TokenTypeUserDefined TokenType = 4
	TokenTypeUnused      TokenType = 5
	TokenTypeByte        TokenType = 6
)

// NoToken marks an absent special token id.
const NoToken int32 = -1

// Vocab is everything a tokenizer is built from, whatever file it came from.
type Vocab struct {
	Model  string      // "llama" (SentencePiece) or "gpt2" (byte-level BPE)
	Pre    string      // pre-tokenizer name for BPE, e.g. "llama-bpe", "qwen2"; "" means "default"
	Tokens []string    // piece text, indexed by id
	Scores []float32   // SentencePiece merge scores; nil for BPE
	Types  []TokenType // nil means every token is normal
	Merges []string    // BPE merges "left right", highest priority first; nil for SentencePiece

	BOS, EOS, EOT, UNK, PAD int32 // NoToken when the vocabulary has none
	AddBOS, AddEOS          bool
	AddSpacePrefix          bool // SentencePiece: prepend a space to the text
	IgnoreMerges            bool // BPE: emit a word that is already a token whole (Llama 3)
	NormalizeNFC            bool // BPE: NFC-normalise text before splitting (Qwen2)
}

// Tokenizer encodes and decodes text. Implementations are safe for
// concurrent use once built.
type Tokenizer interface {
	// Encode returns the ids of text without BOS/EOS. With special set,
	// control and user-defined tokens written in the text (e.g. "<|im_end|>")
	// become their ids; without it they are tokenized as plain text, which is
	// what untrusted user input needs.
	Encode(text string, special bool) []int32
	// Piece returns the bytes one token stands for (byte tokens as their byte,
	// SentencePiece's "▁" as a space). Control tokens give their text.
	Piece(id int32) []byte
	// Vocab returns the vocabulary the tokenizer was built from.
	Vocab() *Vocab
}
