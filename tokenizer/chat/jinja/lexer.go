package jinja

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokenKind int

const (
	tokText tokenKind = iota
	tokVarBegin
	tokVarEnd
	tokBlockBegin
	tokBlockEnd
	tokName
	tokString
	tokInt
	tokFloat
	tokOp
	tokEOF
)

type token struct {
	kind tokenKind
	text string // text data, name, operator or decoded string literal
	ival int64
	fval float64
	line int
}

func (t token) String() string {
	switch t.kind {
	case tokEOF:
		return "end of template"
	case tokVarEnd:
		return "'}}'"
	case tokBlockEnd:
		return "'%}'"
	case tokString:
		return strconv.Quote(t.text)
	}
	return "'" + t.text + "'"
}

// lexer splits a template into text and tag tokens, applying whitespace
// control as it goes: "-" modifiers, and the trim_blocks / lstrip_blocks
// settings that transformers enables for chat templates.
type lexer struct {
	src      string
	pos      int
	newlines []int // byte offsets of '\n' in src, for line numbers
	toks     []token
}

// lineAt is the 1-based line of byte offset pos.
func (lx *lexer) lineAt(pos int) int {
	return sort.SearchInts(lx.newlines, pos) + 1
}

func lex(src string) ([]token, error) {
	// Jinja normalises newlines and, without keep_trailing_newline, drops
	// one trailing newline from the source.
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.ReplaceAll(src, "\r", "\n")
	src = strings.TrimSuffix(src, "\n")
	lx := &lexer{src: src}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			lx.newlines = append(lx.newlines, i)
		}
	}
	if err := lx.run(); err != nil {
		return nil, err
	}
	lx.toks = append(lx.toks, token{kind: tokEOF, line: lx.lineAt(len(src))})
	return lx.toks, nil
}

func (lx *lexer) errorf(line int, format string, args ...any) error {
	return &Error{Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (lx *lexer) run() error {
	for lx.pos < len(lx.src) {
		rel := lx.nextTagStart(lx.pos)
		if rel < 0 {
			lx.emitText(lx.src[lx.pos:], lx.pos)
			lx.pos = len(lx.src)
			break
		}
		start := lx.pos + rel
		kind := lx.src[start+1] // '{', '%' or '#'
		mod := byte(0)
		if start+2 < len(lx.src) && (lx.src[start+2] == '-' || lx.src[start+2] == '+') {
			mod = lx.src[start+2]
		}
		text := lx.src[lx.pos:start]
		switch {
		case mod == '-':
			text = strings.TrimRightFunc(text, unicode.IsSpace)
		case mod == 0 && kind != '{':
			text = lstripBlock(lx.src, start, text)
		}
		lx.emitText(text, lx.pos)
		lx.pos = start + 2
		if mod != 0 {
			lx.pos++
		}
		if kind == '%' {
			if m := rawOpen.FindStringSubmatchIndex(lx.src[lx.pos:]); m != nil {
				if err := lx.raw(m); err != nil {
					return err
				}
				continue
			}
		}
		var right byte
		var err error
		switch kind {
		case '#':
			right, err = lx.comment()
		case '{':
			right, err = lx.tag(tokVarBegin, tokVarEnd, '}')
		default:
			right, err = lx.tag(tokBlockBegin, tokBlockEnd, '%')
		}
		if err != nil {
			return err
		}
		switch {
		case right == '-':
			lx.skipSpace()
		case right == 0 && kind != '{':
			// trim_blocks: the first newline after a block or comment tag goes.
			if lx.pos < len(lx.src) && lx.src[lx.pos] == '\n' {
				lx.pos++
			}
		}
	}
	return nil
}

var (
	rawOpen  = regexp.MustCompile(`^\s*raw\s*([-+]?)%}`)
	rawClose = regexp.MustCompile(`{%([-+]?)\s*endraw\s*([-+]?)%}`)
)

// raw emits the body of {% raw %} ... {% endraw %} as text, untouched but
// for the tags' own whitespace control. open is rawOpen's match on the
// source after "{%".
func (lx *lexer) raw(open []int) error {
	line := lx.lineAt(lx.pos)
	openMod := lx.src[lx.pos+open[2] : lx.pos+open[3]]
	lx.pos += open[1]
	c := rawClose.FindStringSubmatchIndex(lx.src[lx.pos:])
	if c == nil {
		return lx.errorf(line, "{%% raw %%} is never closed (expected {%% endraw %%})")
	}
	body := lx.src[lx.pos : lx.pos+c[0]]
	if openMod == "-" {
		body = strings.TrimLeftFunc(body, unicode.IsSpace)
	}
	switch lx.src[lx.pos+c[2] : lx.pos+c[3]] {
	case "-":
		body = strings.TrimRightFunc(body, unicode.IsSpace)
	case "":
		body = lstripBlock(lx.src, lx.pos+c[0], body)
	}
	lx.emitText(body, lx.pos)
	closeMod := lx.src[lx.pos+c[4] : lx.pos+c[5]]
	lx.pos += c[1]
	switch closeMod {
	case "-":
		lx.skipSpace()
	case "":
		if lx.pos < len(lx.src) && lx.src[lx.pos] == '\n' {
			lx.pos++
		}
	}
	return nil
}

// nextTagStart finds the next "{{", "{%" or "{#" at or after from, relative
// to from, or -1.
func (lx *lexer) nextTagStart(from int) int {
	s := lx.src[from:]
	off := 0
	for {
		i := strings.IndexByte(s[off:], '{')
		if i < 0 || off+i+1 >= len(s) {
			return -1
		}
		switch s[off+i+1] {
		case '{', '%', '#':
			return off + i
		}
		off += i + 1
	}
}

// lstripBlock removes the whitespace between the start of a line and a
// block or comment tag (lstrip_blocks), when nothing else precedes the tag
// on its line.
func lstripBlock(src string, tagStart int, text string) string {
	i := tagStart
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(src[:i])
		if r == '\n' || !unicode.IsSpace(r) {
			break
		}
		i -= size
	}
	if i > 0 && src[i-1] != '\n' {
		return text
	}
	n := tagStart - i
	if n > len(text) {
		n = len(text)
	}
	return text[:len(text)-n]
}

func (lx *lexer) emitText(s string, pos int) {
	if s != "" {
		lx.toks = append(lx.toks, token{kind: tokText, text: s, line: lx.lineAt(pos)})
	}
}

func (lx *lexer) skipSpace() {
	for lx.pos < len(lx.src) {
		r, size := utf8.DecodeRuneInString(lx.src[lx.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		lx.pos += size
	}
}

func (lx *lexer) comment() (byte, error) {
	line := lx.lineAt(lx.pos)
	i := strings.Index(lx.src[lx.pos:], "#}")
	if i < 0 {
		return 0, lx.errorf(line, "unterminated comment")
	}
	end := lx.pos + i
	var mod byte
	if i > 0 && (lx.src[end-1] == '-' || lx.src[end-1] == '+') {
		mod = lx.src[end-1]
	}
	lx.pos += i + 2
	return mod, nil
}

// tag lexes the expression tokens of a "{{ }}" or "{% %}" tag up to its
// closing delimiter, which is only recognised outside brackets, so that
// "{{ {'a': {'b': 1}} }}" and "{{ '}}' }}" lex as Jinja does.
func (lx *lexer) tag(begin, end tokenKind, closer byte) (byte, error) {
	startLine := lx.lineAt(lx.pos)
	lx.toks = append(lx.toks, token{kind: begin, line: startLine})
	depth := 0
	for {
		lx.skipSpace()
		if lx.pos >= len(lx.src) {
			return 0, lx.errorf(startLine, "unterminated tag: missing %q", string(closer)+"}")
		}
		rest := lx.src[lx.pos:]
		if depth == 0 {
			if strings.HasPrefix(rest, string(closer)+"}") {
				lx.pos += 2
				lx.toks = append(lx.toks, token{kind: end, line: lx.lineAt(lx.pos)})
				return 0, nil
			}
			if len(rest) >= 3 && (rest[0] == '-' || rest[0] == '+') && rest[1] == closer && rest[2] == '}' {
				lx.pos += 3
				lx.toks = append(lx.toks, token{kind: end, line: lx.lineAt(lx.pos)})
				return rest[0], nil
			}
		}
		c := rest[0]
		switch {
		case c == '"' || c == '\'':
			s, n, err := lexString(rest)
			if err != nil {
				return 0, lx.errorf(lx.lineAt(lx.pos), "%v", err)
			}
			lx.toks = append(lx.toks, token{kind: tokString, text: s, line: lx.lineAt(lx.pos)})
			lx.pos += n
		case c >= '0' && c <= '9':
			if err := lx.number(rest); err != nil {
				return 0, err
			}
		case c == '_' || isLetter(c):
			n := 1
			for n < len(rest) && (rest[n] == '_' || isLetter(rest[n]) || (rest[n] >= '0' && rest[n] <= '9')) {
				n++
			}
			lx.toks = append(lx.toks, token{kind: tokName, text: rest[:n], line: lx.lineAt(lx.pos)})
			lx.pos += n
		default:
			op := matchOperator(rest)
			if op == "" {
				r, _ := utf8.DecodeRuneInString(rest)
				return 0, lx.errorf(lx.lineAt(lx.pos), "unexpected character %q", r)
			}
			switch op {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				if depth > 0 {
					depth--
				}
			}
			lx.toks = append(lx.toks, token{kind: tokOp, text: op, line: lx.lineAt(lx.pos)})
			lx.pos += len(op)
		}
	}
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

var operators = []string{
	"//", "**", "==", "!=", "<=", ">=",
	"+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}",
	",", ".", ":", "|",
}

func matchOperator(s string) string {
	for _, op := range operators {
		if strings.HasPrefix(s, op) {
			return op
		}
	}
	return ""
}

func (lx *lexer) number(rest string) error {
	n := 0
	isFloat := false
	digits := func() {
		for n < len(rest) && (rest[n] >= '0' && rest[n] <= '9' || rest[n] == '_') {
			n++
		}
	}
	digits()
	if n+1 < len(rest) && rest[n] == '.' && rest[n+1] >= '0' && rest[n+1] <= '9' {
		isFloat = true
		n++
		digits()
	}
	if n < len(rest) && (rest[n] == 'e' || rest[n] == 'E') {
		m := n + 1
		if m < len(rest) && (rest[m] == '+' || rest[m] == '-') {
			m++
		}
		if m < len(rest) && rest[m] >= '0' && rest[m] <= '9' {
			isFloat = true
			n = m
			digits()
		}
	}
	lit := strings.ReplaceAll(rest[:n], "_", "")
	tok := token{kind: tokInt, text: rest[:n], line: lx.lineAt(lx.pos)}
	if isFloat {
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil {
			return lx.errorf(lx.lineAt(lx.pos), "bad number %q", rest[:n])
		}
		tok.kind, tok.fval = tokFloat, f
	} else {
		v, err := strconv.ParseInt(lit, 10, 64)
		if err != nil {
			return lx.errorf(lx.lineAt(lx.pos), "integer %q out of range", rest[:n])
		}
		tok.ival = v
	}
	lx.toks = append(lx.toks, tok)
	lx.pos += n
	return nil
}

// lexString decodes a quoted literal the way Jinja does (Python's
// unicode-escape on the raw text), returning the value and the bytes consumed.
func lexString(s string) (string, int, error) {
	quote := s[0]
	var b strings.Builder
	i := 1
	for i < len(s) {
		c := s[i]
		switch {
		case c == quote:
			return b.String(), i + 1, nil
		case c == '\\' && i+1 < len(s):
			n, err := unescape(&b, s[i:])
			if err != nil {
				return "", 0, err
			}
			i += n
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", 0, fmt.Errorf("unterminated string literal")
}

// unescape decodes one backslash escape at the start of s into b.
func unescape(b *strings.Builder, s string) (int, error) {
	switch c := s[1]; c {
	case 'n':
		b.WriteByte('\n')
	case 't':
		b.WriteByte('\t')
	case 'r':
		b.WriteByte('\r')
	case '\\', '\'', '"':
		b.WriteByte(c)
	case 'a':
		b.WriteByte('\a')
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'v':
		b.WriteByte('\v')
	case '\n':
		// A backslash before a newline joins the lines.
	case 'x', 'u', 'U':
		width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[c]
		if len(s) < 2+width {
			return 0, fmt.Errorf("truncated \\%c escape", c)
		}
		v, err := strconv.ParseUint(s[2:2+width], 16, 32)
		if err != nil || v > unicode.MaxRune {
			return 0, fmt.Errorf("bad \\%c escape %q", c, s[:2+width])
		}
		b.WriteRune(rune(v))
		return 2 + width, nil
	default:
		if c >= '0' && c <= '7' {
			n := 1
			for n < 3 && 1+n < len(s) && s[1+n] >= '0' && s[1+n] <= '7' {
				n++
			}
			v, _ := strconv.ParseUint(s[1:1+n], 8, 32)
			b.WriteRune(rune(v))
			return 1 + n, nil
		}
		// Python keeps unknown escapes as they are.
		b.WriteByte('\\')
		b.WriteByte(c)
	}
	return 2, nil
}
