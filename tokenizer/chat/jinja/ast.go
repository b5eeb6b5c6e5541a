package jinja

// Statement nodes.
type (
	node any

	textNode struct{ text string }

	outputNode struct {
		line int
		e    expr
	}

	ifNode struct {
		line     int
		branches []ifBranch
		elseBody []node
	}

	ifBranch struct {
		cond expr
		body []node
	}

	forNode struct {
		line     int
		targets  []string // one name, or the names a tuple item unpacks into
		iter     expr
		cond     expr // the filtering "if", or nil
		body     []node
		elseBody []node
	}

	// setNode is {% set %}: to names, to a namespace attribute
	// (nsName.attr), or from a block body when value is nil.
	setNode struct {
		line    int
		targets []string
		nsName  string
		attr    string
		value   expr
		body    []node
	}

	macroNode struct {
		line     int
		name     string
		params   []string
		defaults []expr // per parameter; nil where there is no default
		body     []node
	}

	loopControlNode struct {
		line       int
		isContinue bool
	}

	// blockNode is a body rendered in place, such as transformers'
	// {% generation %} marker, which does not change the text.
	blockNode struct{ body []node }
)

// Expression nodes.
type (
	expr any

	literalExpr struct{ val any }

	nameExpr struct {
		line int
		name string
	}

	attrExpr struct {
		line int
		obj  expr
		name string
	}

	itemExpr struct {
		line     int
		obj, key expr
	}

	sliceExpr struct {
		line              int
		obj               expr
		start, stop, step expr // nil where omitted
	}

	callExpr struct {
		line   int
		fn     expr
		args   []expr
		kwargs []kwargExpr
	}

	kwargExpr struct {
		name string
		val  expr
	}

	filterExpr struct {
		line    int
		operand expr
		name    string
		args    []expr
		kwargs  []kwargExpr
	}

	testExpr struct {
		line    int
		operand expr
		name    string
		args    []expr
		negate  bool
	}

	unaryExpr struct {
		line    int
		op      string // "-", "+", "not"
		operand expr
	}

	binaryExpr struct {
		line        int
		op          string // arithmetic, "~", "and", "or"
		left, right expr
	}

	compareExpr struct {
		line   int
		left   expr
		ops    []string // "==", "!=", "<", "<=", ">", ">=", "in", "not in"
		rights []expr
	}

	condExpr struct {
		line            int
		cond, then, els expr // els nil means undefined
	}

	listExpr struct {
		items []expr
		tuple bool
	}

	dictExpr struct {
		keys, vals []expr
	}
)
