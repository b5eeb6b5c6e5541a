package tokenizer

import (
	"fmt"
	"strconv"
	"sync"
)

// spaceEscape is how SentencePiece writes a space inside a piece (U+2581).
const spaceEscape = "\u2581"

// SPM is the SentencePiece-style tokenizer of GGUF tokenizer model "llama",
// written to give the ids llama.cpp gives: spaces become "▁", a space is
// prepended to each text fragment that starts the input or follows a special
// token, adjacent pieces are merged best score first, and whatever is left
// that is not a token falls back to byte tokens (<0xXX>), or UNK without them.
type SPM struct {
	vocab *Vocab

	// ids maps piece text to id for the merge step. Control and unknown
	// tokens are left out so that plain text can never merge into "</s>";
	// SentencePiece does the same, and no llama.cpp test vector depends on it.
	ids        map[string]int32
	scores     []float32 // nil: every score is 0, as llama.cpp does
	bytes      [256]int32
	pieces     [][]byte
	specials   specialTokens
	scratchers sync.Pool // *spmScratch
}

// NewSPM builds a SentencePiece tokenizer from v. The vocabulary is not
// copied; it must not be changed afterwards.
func NewSPM(v *Vocab) (*SPM, error) {
	if v == nil {
		return nil, fmt.Errorf("tokenizer: nil vocabulary")
	}
	if err := checkVocab(v); err != nil {
		return nil, err
	}
	s := &SPM{
		vocab:  v,
		ids:    make(map[string]int32, len(v.Tokens)),
		scores: v.Scores,
		pieces: make([][]byte, len(v.Tokens)),
	}
	seen := make(map[string]int32, len(v.Tokens))
	for i, text := range v.Tokens {
		id := int32(i)
		text = tokenText(v, id)
		if prev, dup := seen[text]; dup {
			return nil, fmt.Errorf("tokenizer: token %q has ids %d and %d", text, prev, id)
		}
		seen[text] = id
		switch typeOf(v, id) {
		case TokenTypeControl, TokenTypeUnknown:
		default:
			s.ids[text] = id
		}
		s.pieces[i] = spmPiece(text, typeOf(v, id))
	}
	for b := range s.bytes {
		s.bytes[b] = byteToken(seen, byte(b))
	}
	s.specials = newSpecialTokens(v)
	s.scratchers.New = func() any { return new(spmScratch) }
	return s, nil
}

// Vocab returns the vocabulary the tokenizer was built from.
func (s *SPM) Vocab() *Vocab { return s.vocab }

// Piece returns the bytes token id stands for: "▁" as a space, a byte token
// as its byte, control, unknown and user-defined tokens as their text, and
// nothing for unused tokens or an id out of range. The slice is shared by
// every caller and must not be modified.
func (s *SPM) Piece(id int32) []byte {
	if id < 0 || int(id) >= len(s.pieces) {
		return nil
	}
	return s.pieces[id]
}

// Encode returns the ids of text, without BOS or EOS. With special set,
// control, unknown and user-defined tokens written in text become their ids;
// without it the whole text is plain text, so untrusted input can never
// produce BOS, EOS or a chat-template marker. (llama.cpp still splits out
// user-defined tokens then; the Tokenizer contract does not.)
func (s *SPM) Encode(text string, special bool) []int32 {
	if text == "" {
		return nil
	}
	sc := s.scratchers.Get().(*spmScratch)
	defer s.putScratch(sc)

	// Most pieces cover a few bytes; this saves the first few regrowths.
	out := make([]int32, 0, len(text)/4+1)
	// llama.cpp prefixes a space to the first fragment and to every fragment
	// that follows a special token, as if each started the text anew.
	prevSpecial := true
	if special {
		s.specials.split(sc, text)
	} else {
		sc.frags = append(sc.frags[:0], fragment{token: NoToken, start: 0, end: len(text)})
	}
	for _, f := range sc.frags {
		if f.token != NoToken {
			out = append(out, f.token)
			prevSpecial = true
			continue
		}
		sc.text = sc.text[:0]
		if s.vocab.AddSpacePrefix && prevSpecial {
			sc.text = append(sc.text, spaceEscape...)
		}
		sc.text = appendEscaped(sc.text, text[f.start:f.end])
		out = s.encodeFragment(sc, out)
		prevSpecial = false
	}
	return out
}

// maxPooledScratch bounds the text a pooled scratch keeps room for, so that
// one huge input does not pin its buffers for the life of the tokenizer.
const maxPooledScratch = 1 << 20

func (s *SPM) putScratch(sc *spmScratch) {
	if cap(sc.text) > maxPooledScratch {
		return
	}
	s.scratchers.Put(sc)
}

// appendEscaped appends text with every space written as "▁".
func appendEscaped(dst []byte, text string) []byte {
	for i := 0; i < len(text); i++ {
		if text[i] == ' ' {
			dst = append(dst, spaceEscape...)
		} else {
			dst = append(dst, text[i])
		}
	}
	return dst
}

// spmPiece is the decoded text of a token of type t.
func spmPiece(text string, t TokenType) []byte {
	switch t {
	case TokenTypeControl, TokenTypeUnknown, TokenTypeUserDefined:
		return []byte(text)
	case TokenTypeByte:
		if b, ok := parseByteToken(text); ok {
			return []byte{b}
		}
		return unescapeSpaces(text)
	case TokenTypeNormal:
		return unescapeSpaces(text)
	}
	// llama.cpp prints nothing for unused and undefined tokens.
	return nil
}

func unescapeSpaces(text string) []byte {
	out := make([]byte, 0, len(text))
	for i := 0; i < len(text); {
		if len(text)-i >= len(spaceEscape) && text[i:i+len(spaceEscape)] == spaceEscape {
			out = append(out, ' ')
			i += len(spaceEscape)
			continue
		}
		out = append(out, text[i])
		i++
	}
	return out
}

// parseByteToken reads a byte token's text, "<0xXX>".
func parseByteToken(text string) (byte, bool) {
	if len(text) != 6 || text[:3] != "<0x" || text[5] != '>' {
		return 0, false
	}
	b, err := strconv.ParseUint(text[3:5], 16, 8)
	if err != nil {
		return 0, false
	}
	return byte(b), true
}

// byteToken finds the token for byte b the way llama.cpp does: "<0xXX>" in
// upper-case hex, else a token whose text is the byte itself.
func byteToken(ids map[string]int32, b byte) int32 {
	const hex = "0123456789ABCDEF"
	if id, ok := ids[string([]byte{'<', '0', 'x', hex[b>>4], hex[b&15], '>'})]; ok {
		return id
	}
	if id, ok := ids[string([]byte{b})]; ok {
		return id
	}
	return NoToken
}
