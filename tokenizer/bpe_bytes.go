package tokenizer

import "unicode/utf8"

// Byte-level BPE vocabularies (GPT-2 and its descendants) never store raw
// bytes: every byte is shown as a printable rune so that tokens are
// printable strings. Bytes that are already printable Latin-1 stand for
// themselves; the other 68 bytes get the runes U+0100..U+0143, in byte order.
// Tokens are turned back into raw bytes once, when a tokenizer is built, so
// encoding works on raw text and never re-encodes it.

// bpeRuneSpan is one past the largest rune the byte mapping uses.
const bpeRuneSpan = 256 + 68

var bpeByteRune, bpeRuneByte = bpeBuildByteMap()

// bpeBuildByteMap returns the byte→rune table and its inverse (-1 where a
// rune stands for no byte).
func bpeBuildByteMap() ([256]rune, [bpeRuneSpan]int16) {
	var toRune [256]rune
	var toByte [bpeRuneSpan]int16
	for i := range toByte {
		toByte[i] = -1
	}
	next := rune(256)
	for b := 0; b < 256; b++ {
		printable := (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)
		r := rune(b)
		if !printable {
			r = next
			next++
		}
		toRune[b] = r
		toByte[r] = int16(b)
	}
	return toRune, toByte
}

// bpeDecodeToken turns a token as stored in the vocabulary into the raw
// bytes it stands for. ok is false when some rune is not part of the byte
// mapping; such runes are kept as their UTF-8 encoding.
func bpeDecodeToken(s string, dst []byte) (out []byte, ok bool) {
	ok = true
	for _, r := range s {
		if r >= 0 && r < bpeRuneSpan && bpeRuneByte[r] >= 0 {
			dst = append(dst, byte(bpeRuneByte[r]))
			continue
		}
		ok = false
		dst = utf8.AppendRune(dst, r)
	}
	return dst, ok
}

// bpeEncodeBytes is the inverse of bpeDecodeToken: raw bytes to the
// printable form vocabularies use.
func bpeEncodeBytes(b []byte) string {
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = utf8.AppendRune(out, bpeByteRune[c])
	}
	return string(out)
}
