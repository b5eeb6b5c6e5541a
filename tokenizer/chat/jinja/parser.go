package jinja

import (
	"fmt"
	"slices"
)

// maxNesting bounds expression and block nesting so that hostile templates
// fail with an error instead of exhausting the stack.
const maxNesting = 200

type parser struct {
	toks  []token
	pos   int
	depth int
}

func parse(src string) ([]node, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	body, end, err := p.parseBody()
	if err != nil {
		return nil, err
	}
	if end != "" {
		return nil, p.errorf(p.cur().line, "unexpected {%% %s %%}", end)
	}
	return body, nil
}

func (p *parser) cur() token  { return p.toks[p.pos] }
func (p *parser) peek() token { return p.toks[min(p.pos+1, len(p.toks)-1)] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if p.pos < len(p.toks)-1 {
		p.pos++
	}
	return t
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return &Error{Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) isOp(op string) bool {
	t := p.cur()
	return t.kind == tokOp && t.text == op
}

func (p *parser) isName(name string) bool {
	t := p.cur()
	return t.kind == tokName && t.text == name
}

func (p *parser) expectOp(op string) error {
	if !p.isOp(op) {
		return p.errorf(p.cur().line, "expected '%s', found %s", op, p.cur())
	}
	p.next()
	return nil
}

func (p *parser) expectName() (string, error) {
	t := p.cur()
	if t.kind != tokName {
		return "", p.errorf(t.line, "expected a name, found %s", t)
	}
	p.next()
	return t.text, nil
}

func (p *parser) expectBlockEnd() error {
	if p.cur().kind != tokBlockEnd {
		return p.errorf(p.cur().line, "expected end of tag '%%}', found %s", p.cur())
	}
	p.next()
	return nil
}

func (p *parser) enter(line int) error {
	p.depth++
	if p.depth > maxNesting {
		return p.errorf(line, "template nested too deeply")
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// endTags are the tags that close or split a body; parseBody stops before
// them, having consumed the "{%", and reports which one it met.
var endTags = []string{"endfor", "endif", "elif", "else", "endmacro", "endset", "endgeneration"}

// parseBody parses nodes up to end of input or one of endTags, returning
// the tag's name ("" at end of input). The parser is left on the token
// after the tag's name.
func (p *parser) parseBody() ([]node, string, error) {
	var body []node
	for {
		t := p.cur()
		switch t.kind {
		case tokEOF:
			return body, "", nil
		case tokText:
			p.next()
			body = append(body, &textNode{text: t.text})
		case tokVarBegin:
			p.next()
			e, err := p.parseTuple(true, nil)
			if err != nil {
				return nil, "", err
			}
			if p.cur().kind != tokVarEnd {
				return nil, "", p.errorf(p.cur().line, "expected end of print statement '}}', found %s", p.cur())
			}
			p.next()
			body = append(body, &outputNode{line: t.line, e: e})
		case tokBlockBegin:
			p.next()
			name := p.cur()
			if name.kind != tokName {
				return nil, "", p.errorf(name.line, "expected a tag name, found %s", name)
			}
			if slices.Contains(endTags, name.text) {
				p.next()
				return body, name.text, nil
			}
			n, err := p.parseStatement()
			if err != nil {
				return nil, "", err
			}
			body = append(body, n)
		default:
			return nil, "", p.errorf(t.line, "unexpected %s", t)
		}
	}
}

// parseBodyUntil parses a body that must end with one of the given tags.
func (p *parser) parseBodyUntil(opener string, line int, ends ...string) ([]node, string, error) {
	if err := p.enter(line); err != nil {
		return nil, "", err
	}
	defer p.leave()
	body, end, err := p.parseBody()
	if err != nil {
		return nil, "", err
	}
	if !slices.Contains(ends, end) {
		if end == "" {
			return nil, "", p.errorf(line, "{%% %s %%} is never closed (expected {%% %s %%})", opener, ends[len(ends)-1])
		}
		return nil, "", p.errorf(p.cur().line, "unexpected {%% %s %%} inside {%% %s %%} opened on line %d", end, opener, line)
	}
	return body, end, nil
}

func (p *parser) parseStatement() (node, error) {
	t := p.next()
	switch t.text {
	case "if":
		return p.parseIf(t.line)
	case "for":
		return p.parseFor(t.line)
	case "set":
		return p.parseSet(t.line)
	case "macro":
		return p.parseMacro(t.line)
	case "break", "continue":
		if err := p.expectBlockEnd(); err != nil {
			return nil, err
		}
		return &loopControlNode{line: t.line, isContinue: t.text == "continue"}, nil
	case "generation":
		if err := p.expectBlockEnd(); err != nil {
			return nil, err
		}
		body, _, err := p.parseBodyUntil("generation", t.line, "endgeneration")
		if err != nil {
			return nil, err
		}
		return &blockNode{body: body}, p.expectBlockEnd()
	}
	return nil, p.errorf(t.line, "unsupported tag %q", t.text)
}

func (p *parser) parseIf(line int) (node, error) {
	n := &ifNode{line: line}
	for {
		cond, err := p.parseTuple(false, nil)
		if err != nil {
			return nil, err
		}
		if err := p.expectBlockEnd(); err != nil {
			return nil, err
		}
		body, end, err := p.parseBodyUntil("if", line, "elif", "else", "endif")
		if err != nil {
			return nil, err
		}
		n.branches = append(n.branches, ifBranch{cond: cond, body: body})
		switch end {
		case "elif":
			continue
		case "else":
			if err := p.expectBlockEnd(); err != nil {
				return nil, err
			}
			n.elseBody, _, err = p.parseBodyUntil("if", line, "endif")
			if err != nil {
				return nil, err
			}
		}
		return n, p.expectBlockEnd()
	}
}

func (p *parser) parseFor(line int) (node, error) {
	n := &forNode{line: line}
	targets, err := p.parseNameTargets()
	if err != nil {
		return nil, err
	}
	n.targets = targets
	if !p.isName("in") {
		return nil, p.errorf(p.cur().line, "expected 'in' in for loop, found %s", p.cur())
	}
	p.next()
	if n.iter, err = p.parseTuple(false, []string{"recursive"}); err != nil {
		return nil, err
	}
	if p.isName("if") {
		p.next()
		if n.cond, err = p.parseExpression(true); err != nil {
			return nil, err
		}
	}
	if p.isName("recursive") {
		return nil, p.errorf(p.cur().line, "unsupported recursive for loop")
	}
	if err := p.expectBlockEnd(); err != nil {
		return nil, err
	}
	body, end, err := p.parseBodyUntil("for", line, "else", "endfor")
	if err != nil {
		return nil, err
	}
	n.body = body
	if end == "else" {
		if err := p.expectBlockEnd(); err != nil {
			return nil, err
		}
		if n.elseBody, _, err = p.parseBodyUntil("for", line, "endfor"); err != nil {
			return nil, err
		}
	}
	return n, p.expectBlockEnd()
}

// parseNameTargets parses "x", "a, b" or "(a, b)" as assignment targets.
func (p *parser) parseNameTargets() ([]string, error) {
	paren := p.isOp("(")
	if paren {
		p.next()
	}
	var names []string
	for {
		name, err := p.expectName()
		if err != nil {
			return nil, err
		}
		names = append(names, name)
		if !p.isOp(",") {
			break
		}
		p.next()
	}
	if paren {
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
	}
	return names, nil
}

func (p *parser) parseSet(line int) (node, error) {
	n := &setNode{line: line}
	if p.cur().kind == tokName && p.peek().kind == tokOp && p.peek().text == "." {
		n.nsName = p.next().text
		p.next()
		attr, err := p.expectName()
		if err != nil {
			return nil, err
		}
		n.attr = attr
	} else {
		targets, err := p.parseNameTargets()
		if err != nil {
			return nil, err
		}
		n.targets = targets
	}
	if p.isOp("=") {
		p.next()
		v, err := p.parseTuple(true, nil)
		if err != nil {
			return nil, err
		}
		n.value = v
		return n, p.expectBlockEnd()
	}
	if p.isOp("|") {
		return nil, p.errorf(p.cur().line, "unsupported filter on block set")
	}
	if err := p.expectBlockEnd(); err != nil {
		return nil, err
	}
	body, _, err := p.parseBodyUntil("set", line, "endset")
	if err != nil {
		return nil, err
	}
	n.body = body
	return n, p.expectBlockEnd()
}

func (p *parser) parseMacro(line int) (node, error) {
	name, err := p.expectName()
	if err != nil {
		return nil, err
	}
	n := &macroNode{line: line, name: name}
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	for !p.isOp(")") {
		if len(n.params) > 0 {
			if err := p.expectOp(","); err != nil {
				return nil, err
			}
			if p.isOp(")") {
				break
			}
		}
		param, err := p.expectName()
		if err != nil {
			return nil, err
		}
		var def expr
		if p.isOp("=") {
			p.next()
			if def, err = p.parseExpression(true); err != nil {
				return nil, err
			}
		}
		n.params = append(n.params, param)
		n.defaults = append(n.defaults, def)
	}
	p.next()
	if err := p.expectBlockEnd(); err != nil {
		return nil, err
	}
	if n.body, _, err = p.parseBodyUntil("macro", line, "endmacro"); err != nil {
		return nil, err
	}
	return n, p.expectBlockEnd()
}
