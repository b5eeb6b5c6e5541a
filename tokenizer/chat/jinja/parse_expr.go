package jinja

import "slices"

// The expression grammar follows Jinja's parser, loosest binding first:
// conditional, or, and, not, comparisons, + -, ~, * / // %, **, unary,
// then primaries with their postfix accessors, filters and tests.

// isTupleEnd reports whether the current token ends a tuple: the end of
// the tag, a closing parenthesis, or one of extra (names such as
// "recursive").
func (p *parser) isTupleEnd(extra []string) bool {
	t := p.cur()
	switch t.kind {
	case tokVarEnd, tokBlockEnd, tokEOF:
		return true
	case tokOp:
		return t.text == ")"
	case tokName:
		return slices.Contains(extra, t.text)
	}
	return false
}

// parseTuple parses one expression, or several separated by commas, which
// make a tuple.
func (p *parser) parseTuple(withCond bool, extraEnd []string) (expr, error) {
	var items []expr
	isTuple := false
	for {
		if len(items) > 0 {
			if !p.isOp(",") {
				break
			}
			p.next()
			isTuple = true
		}
		if p.isTupleEnd(extraEnd) {
			break
		}
		e, err := p.parseExpression(withCond)
		if err != nil {
			return nil, err
		}
		items = append(items, e)
	}
	if !isTuple {
		if len(items) == 0 {
			return nil, p.errorf(p.cur().line, "expected an expression, found %s", p.cur())
		}
		return items[0], nil
	}
	return &listExpr{items: items, tuple: true}, nil
}

func (p *parser) parseExpression(withCond bool) (expr, error) {
	line := p.cur().line
	if err := p.enter(line); err != nil {
		return nil, err
	}
	defer p.leave()
	e, err := p.parseOr()
	if err != nil || !withCond {
		return e, err
	}
	for p.isName("if") {
		p.next()
		cond, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		c := &condExpr{line: line, cond: cond, then: e}
		if p.isName("else") {
			p.next()
			if c.els, err = p.parseExpression(true); err != nil {
				return nil, err
			}
		}
		e = c
	}
	return e, nil
}

func (p *parser) parseOr() (expr, error) {
	left, err := p.parseAnd()
	for err == nil && p.isName("or") {
		line := p.next().line
		var right expr
		right, err = p.parseAnd()
		left = &binaryExpr{line: line, op: "or", left: left, right: right}
	}
	return left, err
}

func (p *parser) parseAnd() (expr, error) {
	left, err := p.parseNot()
	for err == nil && p.isName("and") {
		line := p.next().line
		var right expr
		right, err = p.parseNot()
		left = &binaryExpr{line: line, op: "and", left: left, right: right}
	}
	return left, err
}

func (p *parser) parseNot() (expr, error) {
	if p.isName("not") {
		line := p.next().line
		if err := p.enter(line); err != nil {
			return nil, err
		}
		defer p.leave()
		operand, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return &unaryExpr{line: line, op: "not", operand: operand}, nil
	}
	return p.parseCompare()
}

func (p *parser) parseCompare() (expr, error) {
	line := p.cur().line
	left, err := p.parseMath1()
	if err != nil {
		return nil, err
	}
	c := &compareExpr{line: line, left: left}
	for {
		t := p.cur()
		var op string
		switch {
		case t.kind == tokOp && slices.Contains([]string{"==", "!=", "<", "<=", ">", ">="}, t.text):
			op = t.text
			p.next()
		case p.isName("in"):
			op = "in"
			p.next()
		case p.isName("not") && p.peek().kind == tokName && p.peek().text == "in":
			op = "not in"
			p.next()
			p.next()
		}
		if op == "" {
			break
		}
		right, err := p.parseMath1()
		if err != nil {
			return nil, err
		}
		c.ops = append(c.ops, op)
		c.rights = append(c.rights, right)
	}
	if len(c.ops) == 0 {
		return left, nil
	}
	return c, nil
}

// parseBinary parses a left-associative chain of the given operators.
func (p *parser) parseBinary(ops []string, operand func() (expr, error)) (expr, error) {
	left, err := operand()
	for err == nil && p.cur().kind == tokOp && slices.Contains(ops, p.cur().text) {
		t := p.next()
		var right expr
		right, err = operand()
		left = &binaryExpr{line: t.line, op: t.text, left: left, right: right}
	}
	return left, err
}

func (p *parser) parseMath1() (expr, error) {
	return p.parseBinary([]string{"+", "-"}, p.parseConcat)
}

func (p *parser) parseConcat() (expr, error) {
	return p.parseBinary([]string{"~"}, p.parseMath2)
}

func (p *parser) parseMath2() (expr, error) {
	return p.parseBinary([]string{"*", "/", "//", "%"}, p.parsePow)
}

func (p *parser) parsePow() (expr, error) {
	return p.parseBinary([]string{"**"}, func() (expr, error) { return p.parseUnary(true) })
}

func (p *parser) parseUnary(withFilter bool) (expr, error) {
	t := p.cur()
	if err := p.enter(t.line); err != nil {
		return nil, err
	}
	defer p.leave()
	var e expr
	var err error
	if t.kind == tokOp && (t.text == "-" || t.text == "+") {
		p.next()
		operand, err := p.parseUnary(false)
		if err != nil {
			return nil, err
		}
		e = &unaryExpr{line: t.line, op: t.text, operand: operand}
	} else if e, err = p.parsePrimary(); err != nil {
		return nil, err
	}
	if e, err = p.parsePostfix(e); err != nil {
		return nil, err
	}
	if withFilter {
		return p.parseFilterExpr(e)
	}
	return e, nil
}

func (p *parser) parsePrimary() (expr, error) {
	t := p.cur()
	switch t.kind {
	case tokName:
		p.next()
		switch t.text {
		case "true", "True":
			return &literalExpr{val: true}, nil
		case "false", "False":
			return &literalExpr{val: false}, nil
		case "none", "None":
			return &literalExpr{val: nil}, nil
		}
		return &nameExpr{line: t.line, name: t.text}, nil
	case tokString:
		s := p.next().text
		for p.cur().kind == tokString {
			s += p.next().text
		}
		return &literalExpr{val: s}, nil
	case tokInt:
		p.next()
		return &literalExpr{val: t.ival}, nil
	case tokFloat:
		p.next()
		return &literalExpr{val: t.fval}, nil
	case tokOp:
		switch t.text {
		case "(":
			p.next()
			if p.isOp(")") {
				p.next()
				return &listExpr{tuple: true}, nil
			}
			e, err := p.parseTuple(true, nil)
			if err != nil {
				return nil, err
			}
			return e, p.expectOp(")")
		case "[":
			return p.parseList()
		case "{":
			return p.parseDict()
		}
	}
	return nil, p.errorf(t.line, "unexpected %s", t)
}

func (p *parser) parseList() (expr, error) {
	p.next()
	l := &listExpr{}
	for !p.isOp("]") {
		if len(l.items) > 0 {
			if err := p.expectOp(","); err != nil {
				return nil, err
			}
			if p.isOp("]") {
				break
			}
		}
		e, err := p.parseExpression(true)
		if err != nil {
			return nil, err
		}
		l.items = append(l.items, e)
	}
	p.next()
	return l, nil
}

func (p *parser) parseDict() (expr, error) {
	p.next()
	d := &dictExpr{}
	for !p.isOp("}") {
		if len(d.keys) > 0 {
			if err := p.expectOp(","); err != nil {
				return nil, err
			}
			if p.isOp("}") {
				break
			}
		}
		k, err := p.parseExpression(true)
		if err != nil {
			return nil, err
		}
		if err := p.expectOp(":"); err != nil {
			return nil, err
		}
		v, err := p.parseExpression(true)
		if err != nil {
			return nil, err
		}
		d.keys = append(d.keys, k)
		d.vals = append(d.vals, v)
	}
	p.next()
	return d, nil
}

func (p *parser) parsePostfix(e expr) (expr, error) {
	for {
		t := p.cur()
		if t.kind != tokOp {
			return e, nil
		}
		var err error
		switch t.text {
		case ".":
			p.next()
			switch n := p.cur(); n.kind {
			case tokName:
				p.next()
				e = &attrExpr{line: t.line, obj: e, name: n.text}
			case tokInt:
				p.next()
				e = &itemExpr{line: t.line, obj: e, key: &literalExpr{val: n.ival}}
			default:
				return nil, p.errorf(n.line, "expected an attribute name after '.', found %s", n)
			}
		case "[":
			if e, err = p.parseSubscript(e); err != nil {
				return nil, err
			}
		case "(":
			if e, err = p.parseCall(e); err != nil {
				return nil, err
			}
		default:
			return e, nil
		}
	}
}

func (p *parser) parseSubscript(obj expr) (expr, error) {
	line := p.next().line
	var parts [3]expr
	n := 0
	isSlice := false
	for {
		if !p.isOp(":") && !p.isOp("]") {
			e, err := p.parseExpression(true)
			if err != nil {
				return nil, err
			}
			parts[n] = e
		}
		if !p.isOp(":") {
			break
		}
		p.next()
		isSlice = true
		n++
		if n > 2 {
			return nil, p.errorf(line, "too many ':' in slice")
		}
	}
	if err := p.expectOp("]"); err != nil {
		return nil, err
	}
	if !isSlice {
		if parts[0] == nil {
			return nil, p.errorf(line, "empty subscript")
		}
		return &itemExpr{line: line, obj: obj, key: parts[0]}, nil
	}
	return &sliceExpr{line: line, obj: obj, start: parts[0], stop: parts[1], step: parts[2]}, nil
}

// parseArgs parses "(a, b, name=c)" into positional and keyword arguments.
func (p *parser) parseArgs() ([]expr, []kwargExpr, error) {
	if err := p.expectOp("("); err != nil {
		return nil, nil, err
	}
	var args []expr
	var kwargs []kwargExpr
	for !p.isOp(")") {
		if len(args)+len(kwargs) > 0 {
			if err := p.expectOp(","); err != nil {
				return nil, nil, err
			}
			if p.isOp(")") {
				break
			}
		}
		if p.isOp("*") || p.isOp("**") {
			return nil, nil, p.errorf(p.cur().line, "unsupported argument unpacking %s", p.cur())
		}
		if p.cur().kind == tokName && p.peek().kind == tokOp && p.peek().text == "=" {
			name := p.next().text
			p.next()
			v, err := p.parseExpression(true)
			if err != nil {
				return nil, nil, err
			}
			kwargs = append(kwargs, kwargExpr{name: name, val: v})
			continue
		}
		if len(kwargs) > 0 {
			return nil, nil, p.errorf(p.cur().line, "positional argument follows keyword argument")
		}
		e, err := p.parseExpression(true)
		if err != nil {
			return nil, nil, err
		}
		args = append(args, e)
	}
	p.next()
	return args, kwargs, nil
}

func (p *parser) parseCall(fn expr) (expr, error) {
	line := p.cur().line
	args, kwargs, err := p.parseArgs()
	if err != nil {
		return nil, err
	}
	return &callExpr{line: line, fn: fn, args: args, kwargs: kwargs}, nil
}

func (p *parser) parseFilterExpr(e expr) (expr, error) {
	for {
		var err error
		switch {
		case p.isOp("|"):
			e, err = p.parseFilter(e)
		case p.isName("is"):
			e, err = p.parseTest(e)
		case p.isOp("("):
			e, err = p.parseCall(e)
		default:
			return e, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (p *parser) parseFilter(operand expr) (expr, error) {
	p.next()
	t := p.cur()
	name, err := p.expectName()
	if err != nil {
		return nil, err
	}
	if _, ok := filters[name]; !ok {
		return nil, p.errorf(t.line, "unsupported filter %q", name)
	}
	f := &filterExpr{line: t.line, operand: operand, name: name}
	if p.isOp("(") {
		if f.args, f.kwargs, err = p.parseArgs(); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func (p *parser) parseTest(operand expr) (expr, error) {
	p.next()
	te := &testExpr{line: p.cur().line, operand: operand}
	if p.isName("not") {
		p.next()
		te.negate = true
	}
	t := p.cur()
	name, err := p.expectName()
	if err != nil {
		return nil, err
	}
	if _, ok := tests[name]; !ok {
		return nil, p.errorf(t.line, "unsupported test %q", name)
	}
	te.name = name
	switch c := p.cur(); {
	case p.isOp("("):
		args, kwargs, err := p.parseArgs()
		if err != nil {
			return nil, err
		}
		if len(kwargs) > 0 {
			return nil, p.errorf(c.line, "unsupported keyword arguments to test %q", name)
		}
		te.args = args
	case c.kind == tokString || c.kind == tokInt || c.kind == tokFloat ||
		(c.kind == tokOp && (c.text == "[" || c.text == "{")) ||
		(c.kind == tokName && c.text != "else" && c.text != "or" && c.text != "and"):
		if c.kind == tokName && c.text == "is" {
			return nil, p.errorf(c.line, "cannot chain tests with 'is'")
		}
		arg, err := p.parsePrimary()
		if err != nil {
			return nil, err
		}
		if arg, err = p.parsePostfix(arg); err != nil {
			return nil, err
		}
		te.args = []expr{arg}
	}
	return te, nil
}
