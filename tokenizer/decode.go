package tokenizer

import (
	"unicode/utf8"
)

// StreamDecoder turns generated token ids into text as they arrive. A token
// can end in the middle of a UTF-8 character (byte tokens, or BPE pieces of
// an emoji); the decoder holds such bytes back until the character is
// complete, so every string it returns is valid UTF-8.
//
// Control and unknown tokens (BOS, EOS, EOT, chat markers) produce no text.
// When the vocabulary adds a space prefix (SentencePiece), the first piece
// after BOS loses its leading space, as llama2.c's run.c and llama.cpp's
// detokenizer do; a stream that does not start with BOS, such as the
// continuation of a prompt, keeps its spaces.
//
// A StreamDecoder is not safe for concurrent use.
type StreamDecoder struct {
	t         Tokenizer
	vocab     *Vocab
	afterBOS  bool
	pending   []byte // bytes not yet returned, at most one incomplete character after Next
	validated []byte // scratch for replacing invalid bytes
}

// NewStreamDecoder returns a decoder for ids of t.
func NewStreamDecoder(t Tokenizer) *StreamDecoder {
	return &StreamDecoder{t: t, vocab: t.Vocab()}
}

// Next adds token id and returns the text that is now complete, possibly "".
func (d *StreamDecoder) Next(id int32) string {
	if !d.push(id) {
		return ""
	}
	cut := completeUpTo(d.pending)
	if cut == 0 {
		return ""
	}
	s := d.text(d.pending[:cut])
	d.pending = d.pending[:copy(d.pending, d.pending[cut:])]
	return s
}

// Flush returns whatever is still held back, with bytes that never became a
// character written as U+FFFD, and empties the decoder.
func (d *StreamDecoder) Flush() string {
	s := d.text(d.pending)
	d.pending = d.pending[:0]
	return s
}

// Reset forgets all state, as before the first token.
func (d *StreamDecoder) Reset() {
	d.pending = d.pending[:0]
	d.afterBOS = false
}

// Decode returns the text of a whole sequence of ids, decoded as a
// StreamDecoder would and flushed at the end.
func Decode(t Tokenizer, ids []int32) string {
	d := NewStreamDecoder(t)
	for _, id := range ids {
		d.push(id)
	}
	return d.Flush()
}

// push appends the bytes of id to the pending text, reporting whether any
// were added.
func (d *StreamDecoder) push(id int32) bool {
	v := d.vocab
	if v == nil || id < 0 || int(id) >= len(v.Tokens) {
		return false
	}
	if id == v.BOS {
		d.afterBOS = v.AddSpacePrefix
		return false
	}
	if d.silent(id) {
		return false
	}
	piece := d.t.Piece(id)
	if len(piece) == 0 {
		return false
	}
	// run.c strips the space from the token's text, before byte tokens are
	// turned into bytes, so a <0x20> after BOS stays a space.
	if d.afterBOS {
		d.afterBOS = false
		if piece[0] == ' ' && typeOf(v, id) != TokenTypeByte {
			piece = piece[1:]
		}
	}
	d.pending = append(d.pending, piece...)
	return len(piece) > 0
}

// silent reports tokens that stand for no text.
func (d *StreamDecoder) silent(id int32) bool {
	v := d.vocab
	switch typeOf(v, id) {
	case TokenTypeControl, TokenTypeUnknown:
		return true
	}
	return id == v.EOS || id == v.EOT || id == v.PAD || id == v.UNK
}

// text converts b to a string, writing each byte that does not start a
// valid UTF-8 sequence as U+FFFD.
func (d *StreamDecoder) text(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	d.validated = d.validated[:0]
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			d.validated = utf8.AppendRune(d.validated, utf8.RuneError)
			b = b[1:]
			continue
		}
		d.validated = append(d.validated, b[:n]...)
		b = b[n:]
	}
	return string(d.validated)
}

// completeUpTo returns how much of b can be written now: all of it unless it
// ends in the first bytes of a character that later bytes may complete.
func completeUpTo(b []byte) int {
	// A character is at most 4 bytes, so an incomplete one starts within
	// the last 3.
	for back := 1; back <= 3 && back <= len(b); back++ {
		i := len(b) - back
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return i
			}
			return len(b)
		}
	}
	return len(b)
}
