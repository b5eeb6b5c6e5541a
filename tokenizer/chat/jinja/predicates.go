package jinja

import (
	"fmt"
	"strings"
)

// testFunc is a Jinja test ("x is defined").
type testFunc func(v any, args []any) (bool, error)

// tests holds the supported tests; the parser rejects any other name.
var tests map[string]testFunc

func init() {
	kind := func(f func(v any) bool) testFunc {
		return func(v any, _ []any) (bool, error) { return f(v), nil }
	}
	cmp := func(op string) testFunc {
		return func(v any, args []any) (bool, error) {
			if len(args) != 1 {
				return false, fmt.Errorf("takes one argument")
			}
			return compareOp(op, v, args[0])
		}
	}
	tests = map[string]testFunc{
		"defined":   kind(func(v any) bool { _, u := v.(Undefined); return !u }),
		"undefined": kind(func(v any) bool { _, u := v.(Undefined); return u }),
		"none":      kind(func(v any) bool { return v == nil }),
		"boolean":   kind(func(v any) bool { _, ok := v.(bool); return ok }),
		"true":      kind(func(v any) bool { b, ok := v.(bool); return ok && b }),
		"false":     kind(func(v any) bool { b, ok := v.(bool); return ok && !b }),
		"string":    kind(func(v any) bool { _, ok := v.(string); return ok }),
		"mapping":   kind(func(v any) bool { _, ok := v.(*Dict); return ok }),
		"number":    kind(func(v any) bool { _, _, _, ok := numeric(v); return ok }),
		"integer":   kind(func(v any) bool { _, ok := v.(int64); return ok }),
		"float":     kind(func(v any) bool { _, ok := v.(float64); return ok }),
		"callable":  kind(func(v any) bool { _, ok := v.(*Func); return ok }),
		"iterable": kind(func(v any) bool {
			switch v.(type) {
			case string, *List, *Dict, Undefined:
				return true
			}
			return false
		}),
		"sequence": kind(func(v any) bool {
			switch v.(type) {
			case string, *List, *Dict, Undefined:
				return true
			}
			return false
		}),
		"lower":   kind(func(v any) bool { s, ok := v.(string); return ok && s == strings.ToLower(s) }),
		"upper":   kind(func(v any) bool { s, ok := v.(string); return ok && s == strings.ToUpper(s) }),
		"escaped": kind(func(any) bool { return false }),
		"odd":     intTest(func(i int64) bool { return i%2 != 0 }),
		"even":    intTest(func(i int64) bool { return i%2 == 0 }),
		"divisibleby": func(v any, args []any) (bool, error) {
			if len(args) != 1 {
				return false, fmt.Errorf("takes one argument")
			}
			m, err := arith("%", v, args[0])
			if err != nil {
				return false, err
			}
			return equal(m, int64(0)), nil
		},
		"sameas": func(v any, args []any) (bool, error) {
			if len(args) != 1 {
				return false, fmt.Errorf("takes one argument")
			}
			switch v.(type) {
			case nil, bool, int64, float64, string:
				return typeName(v) == typeName(args[0]) && equal(v, args[0]), nil
			}
			return v == args[0], nil
		},
		"in": func(v any, args []any) (bool, error) {
			if len(args) != 1 {
				return false, fmt.Errorf("takes one argument")
			}
			return contains(args[0], v)
		},
	}
	for _, names := range [][]string{
		{"==", "eq", "equalto"}, {"!=", "ne"}, {"<", "lt", "lessthan"}, {"<=", "le"},
		{">", "gt", "greaterthan"}, {">=", "ge"},
	} {
		for _, n := range names {
			tests[n] = cmp(names[0])
		}
	}
}

func intTest(f func(int64) bool) testFunc {
	return func(v any, _ []any) (bool, error) {
		i, ok := v.(int64)
		if !ok {
			return false, fmt.Errorf("expects an integer, not %s", typeName(v))
		}
		return f(i), nil
	}
}
