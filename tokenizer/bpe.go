package tokenizer

import (
	"fmt"
	"strings"
	"sync"
)

// BPE is the byte-level BPE tokenizer of GPT-2 and its descendants (GGUF
// tokenizer model "gpt2"; Llama 3, Qwen2, SmolLM, StarCoder, ...): text is
// cut into words by the vocabulary's pre-tokenizer, each word starts as one
// token per byte, and adjacent tokens are merged lowest merge rank first
// until no merge applies.
type BPE struct {
	vocab  *Vocab
	pretok pretokKind

	// merges maps a pair of adjacent token ids to the merge that joins them.
	merges  map[uint64]bpeMerge
	byteIDs [256]int32 // NoToken for a byte without a token
	// words maps the raw bytes of each normal token to its id; only built
	// with IgnoreMerges, where a word that is a token is emitted whole.
	words map[string]int32

	// Token i stands for pieceData[pieceOff[i]:pieceOff[i+1]].
	pieceData []byte
	pieceOff  []uint32

	specials bpeSpecials
	scratch  sync.Pool // *bpeScratch
}

// bpeMerge is one entry of the merge table: its priority (lower merges
// first) and the token the pair becomes.
type bpeMerge struct {
	rank int32
	id   int32
}

func bpePairKey(left, right int32) uint64 {
	return uint64(uint32(left))<<32 | uint64(uint32(right))
}

// NewBPE builds a byte-level BPE tokenizer from v, whose Model must be
// "gpt2" and whose Pre names a supported pre-tokenizer. Scores and
// AddSpacePrefix play no part, as in llama.cpp. The vocabulary is not
// copied; it must not be changed afterwards.
func NewBPE(v *Vocab) (*BPE, error) {
	if v == nil {
		return nil, fmt.Errorf("tokenizer: nil vocabulary")
	}
	if v.Model != "gpt2" {
		return nil, fmt.Errorf("tokenizer: BPE needs tokenizer model \"gpt2\", not %q", v.Model)
	}
	if err := checkVocab(v); err != nil {
		return nil, err
	}
	kind, err := pretokKindFor(v.Pre)
	if err != nil {
		return nil, err
	}
	t := &BPE{vocab: v, pretok: kind}
	t.scratch.New = func() any { return new(bpeScratch) }

	// ids maps each token as the vocabulary spells it; should a malformed
	// vocabulary repeat a token, the first id wins.
	ids := make(map[string]int32, len(v.Tokens))
	for i, s := range v.Tokens {
		if _, dup := ids[s]; !dup {
			ids[s] = int32(i)
		}
	}
	for b := range t.byteIDs {
		t.byteIDs[b] = NoToken
		if id, ok := ids[string(bpeByteRune[b])]; ok {
			t.byteIDs[b] = id
		}
	}
	if err := t.buildPieces(v); err != nil {
		return nil, err
	}
	if err := t.buildMerges(v, ids); err != nil {
		return nil, err
	}
	if v.IgnoreMerges {
		t.words = make(map[string]int32, len(v.Tokens))
		for i := range v.Tokens {
			switch typeOf(v, int32(i)) {
			case TokenTypeNormal, TokenTypeUndefined:
				p := string(t.Piece(int32(i)))
				if _, dup := t.words[p]; !dup {
					t.words[p] = int32(i)
				}
			}
		}
	}
	t.specials = bpeNewSpecials(v)
	return t, nil
}

// buildPieces stores the bytes of every token: normal tokens decoded from
// the byte-to-rune mapping, control and user-defined tokens as their text,
// which Hugging Face and llama.cpp keep unmapped.
func (t *BPE) buildPieces(v *Vocab) error {
	t.pieceOff = make([]uint32, 0, len(v.Tokens)+1)
	t.pieceOff = append(t.pieceOff, 0)
	for i, s := range v.Tokens {
		switch typeOf(v, int32(i)) {
		case TokenTypeControl, TokenTypeUserDefined, TokenTypeUnknown:
			t.pieceData = append(t.pieceData, s...)
		case TokenTypeUnused:
		default:
			t.pieceData, _ = bpeDecodeToken(s, t.pieceData)
		}
		if len(t.pieceData) > 1<<31 {
			return fmt.Errorf("tokenizer: vocabulary text is larger than 2 GiB")
		}
		t.pieceOff = append(t.pieceOff, uint32(len(t.pieceData)))
	}
	return nil
}

// buildMerges turns the "left right" merge strings into the pair table.
// A merge naming a token the vocabulary lacks can never apply and is
// skipped; llama.cpp keeps such merges but never finds them either.
func (t *BPE) buildMerges(v *Vocab, ids map[string]int32) error {
	if len(v.Merges) > maxVocabTokens {
		return fmt.Errorf("tokenizer: vocabulary has %d merges, more than the %d supported", len(v.Merges), maxVocabTokens)
	}
	t.merges = make(map[uint64]bpeMerge, len(v.Merges))
	var joined strings.Builder
	for rank, m := range v.Merges {
		// The separator is the first space after the first character, as
		// in llama.cpp; a token can never contain a raw space otherwise.
		sp := strings.IndexByte(m[min(1, len(m)):], ' ')
		if sp < 0 {
			return fmt.Errorf("tokenizer: merge %d (%q) is not two tokens separated by a space", rank, m)
		}
		sp += min(1, len(m))
		left, right := m[:sp], m[sp+1:]
		l, okL := ids[left]
		r, okR := ids[right]
		joined.Reset()
		joined.WriteString(left)
		joined.WriteString(right)
		id, okJ := ids[joined.String()]
		if !okL || !okR || !okJ {
			continue
		}
		key := bpePairKey(l, r)
		if _, dup := t.merges[key]; !dup {
			t.merges[key] = bpeMerge{rank: int32(rank), id: id}
		}
	}
	return nil
}

// Vocab returns the vocabulary the tokenizer was built from.
func (t *BPE) Vocab() *Vocab { return t.vocab }

// Piece returns the bytes token id stands for, or nil for an id out of
// range. The slice is shared by every caller and must not be modified.
func (t *BPE) Piece(id int32) []byte {
	if id < 0 || int(id) >= len(t.pieceOff)-1 {
		return nil
	}
	lo, hi := t.pieceOff[id], t.pieceOff[id+1]
	return t.pieceData[lo:hi:hi]
}

// Encode returns the ids of text, without BOS or EOS. With special set,
// control and user-defined tokens written in the text become their ids
// (leftmost first, the longest where several start at one place);
// otherwise they are plain text.
func (t *BPE) Encode(text string, special bool) []int32 {
	sc := t.scratch.Get().(*bpeScratch)
	defer t.putScratch(sc)
	out := make([]int32, 0, len(text)/4+1)
	if !special || t.specials.empty() {
		return t.encodeText(text, sc, out)
	}
	start := 0
	for i := 0; i < len(text); {
		id, n := t.specials.match(text[i:])
		if n == 0 {
			i++
			continue
		}
		out = t.encodeText(text[start:i], sc, out)
		out = append(out, id)
		i += n
		start = i
	}
	return t.encodeText(text[start:], sc, out)
}

// bpeScratchKeep bounds the scratch space kept for the next call, so that
// one huge word does not pin its working memory for the process lifetime.
const bpeScratchKeep = 1 << 16

func (t *BPE) putScratch(sc *bpeScratch) {
	if cap(sc.symbols) > bpeScratchKeep || cap(sc.heap) > bpeScratchKeep || cap(sc.words) > bpeScratchKeep {
		return
	}
	t.scratch.Put(sc)
}

// encodeText tokenizes text that holds no special tokens.
func (t *BPE) encodeText(text string, sc *bpeScratch, out []int32) []int32 {
	if text == "" {
		return out
	}
	if t.vocab.NormalizeNFC {
		text = nfcString(text)
	}
	sc.words = pretokSplit(t.pretok, text, sc.words[:0])
	for _, w := range sc.words {
		out = t.encodeWord(w, sc, out)
	}
	clear(sc.words) // drop references to text so the pool does not keep it alive
	return out
}
