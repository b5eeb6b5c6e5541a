package jinja

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Limits that keep a hostile template from running away with time or
// memory; real chat templates stay far below them.
const (
	maxSteps     = 1_000_000
	maxOutput    = 64 << 20
	maxCallDepth = 200
	maxItems     = 1 << 16
	// maxWork bounds the bytes of strings and list slots that operators,
	// filters and calls produce in one render, so that a loop copying a
	// large string cannot run for minutes within the step budget.
	maxWork = 256 << 20
)

// Template is a parsed template, safe to render concurrently.
type Template struct {
	body []node
}

// Parse compiles template source. Unknown tags, filters and tests are
// reported here, with their line.
func Parse(src string) (*Template, error) {
	body, err := parse(src)
	if err != nil {
		return nil, err
	}
	return &Template{body: body}, nil
}

// RenderOptions are the environment a template renders in.
type RenderOptions struct {
	// Now is the clock behind strftime_now; nil means time.Now.
	Now func() time.Time
}

// Render renders the template with the given variables. Values may be Go
// values of any JSON-like shape (see FromGo); they are converted first.
func (t *Template) Render(vars map[string]any, opts RenderOptions) (string, error) {
	r := &renderer{now: opts.Now}
	if r.now == nil {
		r.now = time.Now
	}
	top := newScope(globalScope(r))
	for k, v := range vars {
		val, err := FromGo(v)
		if err != nil {
			return "", fmt.Errorf("template variable %q: %w", k, err)
		}
		top.vars[k] = val
	}
	if err := r.execBody(&r.out, t.body, top); err != nil {
		if errors.Is(err, errBreak) || errors.Is(err, errContinue) {
			return "", &Error{Msg: err.Error()}
		}
		return "", err
	}
	return r.out.String(), nil
}

type renderer struct {
	out       strings.Builder
	now       func() time.Time
	steps     int
	written   int
	work      int
	callDepth int
}

// charge counts the size of a computed value against maxWork.
func (r *renderer) charge(v any, line int) (any, error) {
	switch x := v.(type) {
	case string:
		r.work += len(x)
	case *List:
		r.work += 16 * len(x.Items)
	}
	if r.work > maxWork {
		return nil, &Error{Line: line, Msg: "template exceeded its work budget"}
	}
	return v, nil
}

type scope struct {
	vars   map[string]any
	parent *scope
}

func newScope(parent *scope) *scope { return &scope{vars: map[string]any{}, parent: parent} }

func (s *scope) lookup(name string) (any, bool) {
	for ; s != nil; s = s.parent {
		if v, ok := s.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

func (r *renderer) step(line int) error {
	r.steps++
	if r.steps > maxSteps {
		return &Error{Line: line, Msg: "template exceeded its step budget"}
	}
	return nil
}

func (r *renderer) write(w *strings.Builder, s string, line int) error {
	r.written += len(s)
	if r.written > maxOutput {
		return &Error{Line: line, Msg: "template output too large"}
	}
	w.WriteString(s)
	return nil
}

func (r *renderer) execBody(w *strings.Builder, body []node, s *scope) error {
	for _, n := range body {
		if err := r.exec(w, n, s); err != nil {
			return err
		}
	}
	return nil
}

func (r *renderer) exec(w *strings.Builder, n node, s *scope) error {
	switch n := n.(type) {
	case *textNode:
		return r.write(w, n.text, 0)
	case *outputNode:
		if err := r.step(n.line); err != nil {
			return err
		}
		v, err := r.eval(n.e, s)
		if err != nil {
			return errAt(n.line, err)
		}
		return r.write(w, toString(v), n.line)
	case *ifNode:
		if err := r.step(n.line); err != nil {
			return err
		}
		for _, b := range n.branches {
			v, err := r.eval(b.cond, s)
			if err != nil {
				return errAt(n.line, err)
			}
			if truthy(v) {
				return r.execBody(w, b.body, s)
			}
		}
		return r.execBody(w, n.elseBody, s)
	case *forNode:
		return r.execFor(w, n, s)
	case *setNode:
		return r.execSet(n, s)
	case *macroNode:
		s.vars[n.name] = r.makeMacro(n, s)
		return nil
	case *loopControlNode:
		if n.isContinue {
			return errContinue
		}
		return errBreak
	case *blockNode:
		return r.execBody(w, n.body, s)
	}
	return fmt.Errorf("internal: unknown node %T", n)
}

func (r *renderer) execFor(w *strings.Builder, n *forNode, s *scope) error {
	if err := r.step(n.line); err != nil {
		return err
	}
	seq, err := r.eval(n.iter, s)
	if err != nil {
		return errAt(n.line, err)
	}
	all, err := iterate(seq)
	if err != nil {
		return errAt(n.line, err)
	}
	items := all
	if n.cond != nil {
		items = nil
		for _, it := range all {
			fs := newScope(s)
			if err := bindTargets(fs, n.targets, it); err != nil {
				return errAt(n.line, err)
			}
			v, err := r.eval(n.cond, fs)
			if err != nil {
				return errAt(n.line, err)
			}
			if truthy(v) {
				items = append(items, it)
			}
		}
	}
	if len(items) == 0 {
		return r.execBody(w, n.elseBody, s)
	}
	for i, it := range items {
		if err := r.step(n.line); err != nil {
			return err
		}
		ls := newScope(s)
		if err := bindTargets(ls, n.targets, it); err != nil {
			return errAt(n.line, err)
		}
		ls.vars["loop"] = &loopVar{items: items, i: i}
		err := r.execBody(w, n.body, ls)
		if errors.Is(err, errBreak) {
			break
		}
		if err != nil && !errors.Is(err, errContinue) {
			return err
		}
	}
	return nil
}

// loopVar is the "loop" variable of one iteration; its attributes are
// computed when read, which keeps iterations cheap.
type loopVar struct {
	items []any
	i     int
}

func (l *loopVar) attr(name string) (any, bool) {
	n, i := int64(len(l.items)), int64(l.i)
	switch name {
	case "index":
		return i + 1, true
	case "index0":
		return i, true
	case "revindex":
		return n - i, true
	case "revindex0":
		return n - i - 1, true
	case "first":
		return i == 0, true
	case "last":
		return i == n-1, true
	case "length":
		return n, true
	case "depth":
		return int64(1), true
	case "depth0":
		return int64(0), true
	case "previtem":
		if i > 0 {
			return l.items[i-1], true
		}
	case "nextitem":
		if i < n-1 {
			return l.items[i+1], true
		}
	case "cycle":
		return &Func{Name: "loop.cycle", call: func(_ *renderer, args []any, _ []kwarg) (any, error) {
			if len(args) == 0 {
				return nil, fmt.Errorf("no items for cycling given")
			}
			return args[l.i%len(args)], nil
		}}, true
	}
	return nil, false
}

func bindTargets(s *scope, targets []string, v any) error {
	if len(targets) == 1 {
		s.vars[targets[0]] = v
		return nil
	}
	items, err := iterate(v)
	if err != nil {
		return fmt.Errorf("cannot unpack %s", typeName(v))
	}
	if len(items) != len(targets) {
		return fmt.Errorf("cannot unpack %d values into %d names", len(items), len(targets))
	}
	for i, name := range targets {
		s.vars[name] = items[i]
	}
	return nil
}

func (r *renderer) execSet(n *setNode, s *scope) error {
	if err := r.step(n.line); err != nil {
		return err
	}
	var v any
	if n.value != nil {
		var err error
		if v, err = r.eval(n.value, s); err != nil {
			return errAt(n.line, err)
		}
	} else {
		var b strings.Builder
		if err := r.execBody(&b, n.body, s); err != nil {
			return err
		}
		v = b.String()
	}
	if n.nsName != "" {
		target, _ := s.lookup(n.nsName)
		ns, ok := target.(*Namespace)
		if !ok {
			return &Error{Line: n.line, Msg: fmt.Sprintf("cannot assign attribute on non-namespace object %q", n.nsName)}
		}
		ns.attrs.Set(n.attr, v)
		return nil
	}
	return errAt(n.line, bindTargets(s, n.targets, v))
}

func (r *renderer) makeMacro(n *macroNode, def *scope) *Func {
	return &Func{Name: n.name, call: func(r *renderer, args []any, kwargs []kwarg) (any, error) {
		if len(args) > len(n.params) {
			return nil, fmt.Errorf("macro %q takes not more than %d argument(s)", n.name, len(n.params))
		}
		ms := newScope(def)
		for i, name := range n.params {
			if i < len(args) {
				ms.vars[name] = args[i]
			}
		}
		for _, kw := range kwargs {
			i := indexOf(n.params, kw.name)
			if i < 0 {
				return nil, fmt.Errorf("macro %q takes no keyword argument %q", n.name, kw.name)
			}
			if i < len(args) {
				return nil, fmt.Errorf("macro %q got multiple values for argument %q", n.name, kw.name)
			}
			ms.vars[kw.name] = kw.val
		}
		for i, name := range n.params {
			if _, ok := ms.vars[name]; ok {
				continue
			}
			if n.defaults[i] == nil {
				ms.vars[name] = Undefined{Hint: fmt.Sprintf("parameter '%s' was not provided", name)}
				continue
			}
			dv, err := r.eval(n.defaults[i], ms)
			if err != nil {
				return nil, err
			}
			ms.vars[name] = dv
		}
		r.callDepth++
		defer func() { r.callDepth-- }()
		if r.callDepth > maxCallDepth {
			return nil, fmt.Errorf("macro %q recursed too deeply", n.name)
		}
		var b strings.Builder
		if err := r.execBody(&b, n.body, ms); err != nil {
			return nil, err
		}
		return b.String(), nil
	}}
}

func indexOf(names []string, name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}
