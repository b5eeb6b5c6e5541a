package jinja

import (
	"fmt"
	"strings"
)

func (r *renderer) eval(e expr, s *scope) (any, error) {
	switch e := e.(type) {
	case *literalExpr:
		return e.val, nil
	case *nameExpr:
		if v, ok := s.lookup(e.name); ok {
			return v, nil
		}
		return Undefined{Hint: fmt.Sprintf("'%s' is undefined", e.name)}, nil
	case *attrExpr:
		obj, err := r.eval(e.obj, s)
		if err != nil {
			return nil, err
		}
		return errAtValue(e.line)(getAttr(obj, e.name))
	case *itemExpr:
		obj, err := r.eval(e.obj, s)
		if err != nil {
			return nil, err
		}
		key, err := r.eval(e.key, s)
		if err != nil {
			return nil, err
		}
		return errAtValue(e.line)(getItem(obj, key))
	case *sliceExpr:
		return r.evalSlice(e, s)
	case *callExpr:
		return r.evalCall(e, s)
	case *filterExpr:
		return r.evalFilter(e, s)
	case *testExpr:
		return r.evalTest(e, s)
	case *unaryExpr:
		v, err := r.eval(e.operand, s)
		if err != nil {
			return nil, err
		}
		return errAtValue(e.line)(unary(e.op, v))
	case *binaryExpr:
		return r.evalBinary(e, s)
	case *compareExpr:
		return r.evalCompare(e, s)
	case *condExpr:
		c, err := r.eval(e.cond, s)
		if err != nil {
			return nil, err
		}
		if truthy(c) {
			return r.eval(e.then, s)
		}
		if e.els == nil {
			return Undefined{Hint: "the conditional expression had no else branch"}, nil
		}
		return r.eval(e.els, s)
	case *listExpr:
		items := make([]any, len(e.items))
		for i, it := range e.items {
			v, err := r.eval(it, s)
			if err != nil {
				return nil, err
			}
			items[i] = v
		}
		return &List{Items: items, Tuple: e.tuple}, nil
	case *dictExpr:
		d := NewDict()
		for i := range e.keys {
			k, err := r.eval(e.keys[i], s)
			if err != nil {
				return nil, err
			}
			v, err := r.eval(e.vals[i], s)
			if err != nil {
				return nil, err
			}
			key, err := dictKey(k)
			if err != nil {
				return nil, err
			}
			d.set(key, v)
		}
		return d, nil
	}
	return nil, fmt.Errorf("internal: unknown expression %T", e)
}

// errAtValue adapts a (value, error) result so that the error carries line.
func errAtValue(line int) func(any, error) (any, error) {
	return func(v any, err error) (any, error) {
		if err != nil {
			return nil, errAt(line, err)
		}
		return v, nil
	}
}

// getAttr is Jinja's obj.name: a method or attribute first, then an item.
func getAttr(obj any, name string) (any, error) {
	switch x := obj.(type) {
	case Undefined:
		return nil, undefinedError(x)
	case *Namespace:
		if v, ok := x.attrs.Get(name); ok {
			return v, nil
		}
	case *loopVar:
		if v, ok := x.attr(name); ok {
			return v, nil
		}
	case *Dict:
		if m := method(x, name); m != nil {
			return m, nil
		}
		if v, ok := x.Get(name); ok {
			return v, nil
		}
	default:
		if m := method(x, name); m != nil {
			return m, nil
		}
	}
	return Undefined{Hint: fmt.Sprintf("'%s object' has no attribute '%s'", typeName(obj), name)}, nil
}

// getItem is Jinja's obj[key]: an item first, then an attribute.
func getItem(obj any, key any) (any, error) {
	switch x := obj.(type) {
	case Undefined:
		return nil, undefinedError(x)
	case *Dict:
		if hashable(key) {
			k, _ := dictKey(key)
			if v, ok := x.get(k); ok {
				return v, nil
			}
		}
	case *List:
		if i, ok := intIndex(key, len(x.Items)); ok {
			return x.Items[i], nil
		}
	case string:
		if _, ok := key.(int64); ok {
			runes := []rune(x)
			if i, ok := intIndex(key, len(runes)); ok {
				return string(runes[i]), nil
			}
		}
	case *Namespace:
		if k, ok := key.(string); ok {
			if v, ok := x.attrs.Get(k); ok {
				return v, nil
			}
		}
	case *loopVar:
		if k, ok := key.(string); ok {
			if v, ok := x.attr(k); ok {
				return v, nil
			}
		}
	}
	if name, ok := key.(string); ok {
		if _, isUndef := obj.(Undefined); !isUndef {
			if m := method(obj, name); m != nil {
				return m, nil
			}
		}
	}
	if _, ok := key.(string); ok {
		return Undefined{Hint: fmt.Sprintf("'%s object' has no attribute %s", typeName(obj), reprString(key))}, nil
	}
	return Undefined{Hint: fmt.Sprintf("%s object has no element %s", typeName(obj), reprString(key))}, nil
}

func reprString(v any) string {
	var b strings.Builder
	writeRepr(&b, v, true, 0)
	return b.String()
}

// intIndex resolves a Python index (negative counts from the end).
func intIndex(key any, n int) (int, bool) {
	var i int64
	switch k := key.(type) {
	case int64:
		i = k
	case bool:
		if k {
			i = 1
		}
	default:
		return 0, false
	}
	if i < 0 {
		i += int64(n)
	}
	if i < 0 || i >= int64(n) {
		return 0, false
	}
	return int(i), true
}

func (r *renderer) evalSlice(e *sliceExpr, s *scope) (any, error) {
	obj, err := r.eval(e.obj, s)
	if err != nil {
		return nil, err
	}
	var bounds [3]*int64
	for i, b := range []expr{e.start, e.stop, e.step} {
		if b == nil {
			continue
		}
		v, err := r.eval(b, s)
		if err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case nil:
		case int64:
			bounds[i] = &x
		default:
			return nil, errAt(e.line, fmt.Errorf("slice indices must be integers or None, not %s", typeName(v)))
		}
	}
	switch x := obj.(type) {
	case Undefined:
		return nil, errAt(e.line, undefinedError(x))
	case *List:
		idx, err := sliceIndices(len(x.Items), bounds)
		if err != nil {
			return nil, errAt(e.line, err)
		}
		out := make([]any, len(idx))
		for i, j := range idx {
			out[i] = x.Items[j]
		}
		return &List{Items: out, Tuple: x.Tuple}, nil
	case string:
		runes := []rune(x)
		idx, err := sliceIndices(len(runes), bounds)
		if err != nil {
			return nil, errAt(e.line, err)
		}
		out := make([]rune, len(idx))
		for i, j := range idx {
			out[i] = runes[j]
		}
		return string(out), nil
	}
	return Undefined{Hint: fmt.Sprintf("'%s' object is not subscriptable", typeName(obj))}, nil
}

// sliceIndices lists the positions Python's seq[start:stop:step] selects.
func sliceIndices(n int, b [3]*int64) ([]int, error) {
	step := int64(1)
	if b[2] != nil {
		step = *b[2]
	}
	if step == 0 {
		return nil, fmt.Errorf("slice step cannot be zero")
	}
	clamp := func(p *int64, def int64, lo, hi int64) int64 {
		if p == nil {
			return def
		}
		v := *p
		if v < 0 {
			v += int64(n)
			if v < lo {
				v = lo
			}
		} else if v > hi {
			v = hi
		}
		return v
	}
	var idx []int
	if step > 0 {
		start := clamp(b[0], 0, 0, int64(n))
		stop := clamp(b[1], int64(n), 0, int64(n))
		for i := start; i < stop; i += step {
			idx = append(idx, int(i))
		}
	} else {
		start := clamp(b[0], int64(n)-1, -1, int64(n)-1)
		stop := clamp(b[1], -1, -1, int64(n)-1)
		for i := start; i > stop; i += step {
			idx = append(idx, int(i))
		}
	}
	return idx, nil
}

func (r *renderer) evalArgs(args []expr, kwargs []kwargExpr, s *scope) ([]any, []kwarg, error) {
	vals := make([]any, len(args))
	for i, a := range args {
		v, err := r.eval(a, s)
		if err != nil {
			return nil, nil, err
		}
		vals[i] = v
	}
	var kws []kwarg
	for _, kw := range kwargs {
		v, err := r.eval(kw.val, s)
		if err != nil {
			return nil, nil, err
		}
		kws = append(kws, kwarg{name: kw.name, val: v})
	}
	return vals, kws, nil
}

func (r *renderer) evalCall(e *callExpr, s *scope) (any, error) {
	if err := r.step(e.line); err != nil {
		return nil, err
	}
	fn, err := r.eval(e.fn, s)
	if err != nil {
		return nil, err
	}
	args, kwargs, err := r.evalArgs(e.args, e.kwargs, s)
	if err != nil {
		return nil, err
	}
	f, ok := fn.(*Func)
	if !ok {
		if u, isUndef := fn.(Undefined); isUndef {
			return nil, errAt(e.line, undefinedError(u))
		}
		return nil, errAt(e.line, fmt.Errorf("'%s' object is not callable", typeName(fn)))
	}
	v, err := f.call(r, args, kwargs)
	if err != nil {
		return nil, errAt(e.line, err)
	}
	return r.charge(v, e.line)
}

func (r *renderer) evalFilter(e *filterExpr, s *scope) (any, error) {
	if err := r.step(e.line); err != nil {
		return nil, err
	}
	v, err := r.eval(e.operand, s)
	if err != nil {
		return nil, err
	}
	args, kwargs, err := r.evalArgs(e.args, e.kwargs, s)
	if err != nil {
		return nil, err
	}
	out, err := filters[e.name](r, v, args, kwargs)
	if err != nil {
		return nil, errAt(e.line, fmt.Errorf("filter %s: %w", e.name, err))
	}
	return r.charge(out, e.line)
}

func (r *renderer) evalTest(e *testExpr, s *scope) (any, error) {
	v, err := r.eval(e.operand, s)
	if err != nil {
		return nil, err
	}
	args, _, err := r.evalArgs(e.args, nil, s)
	if err != nil {
		return nil, err
	}
	ok, err := tests[e.name](v, args)
	if err != nil {
		return nil, errAt(e.line, fmt.Errorf("test %s: %w", e.name, err))
	}
	return ok != e.negate, nil
}

func (r *renderer) evalBinary(e *binaryExpr, s *scope) (any, error) {
	left, err := r.eval(e.left, s)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case "and":
		if !truthy(left) {
			return left, nil
		}
		return r.eval(e.right, s)
	case "or":
		if truthy(left) {
			return left, nil
		}
		return r.eval(e.right, s)
	}
	right, err := r.eval(e.right, s)
	if err != nil {
		return nil, err
	}
	var v any
	if e.op == "~" {
		v, err = concatStrings(toString(left), toString(right))
	} else {
		v, err = arith(e.op, left, right)
	}
	if err != nil {
		return nil, errAt(e.line, err)
	}
	return r.charge(v, e.line)
}

func concatStrings(a, b string) (any, error) {
	if len(a)+len(b) > maxOutput {
		return nil, fmt.Errorf("string too large")
	}
	return a + b, nil
}

func (r *renderer) evalCompare(e *compareExpr, s *scope) (any, error) {
	left, err := r.eval(e.left, s)
	if err != nil {
		return nil, err
	}
	for i, op := range e.ops {
		right, err := r.eval(e.rights[i], s)
		if err != nil {
			return nil, err
		}
		ok, err := compareOp(op, left, right)
		if err != nil {
			return nil, errAt(e.line, err)
		}
		if !ok {
			return false, nil
		}
		left = right
	}
	return true, nil
}
