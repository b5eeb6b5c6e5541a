package jinja

import (
	"fmt"
	"math"
	"strings"
)

// Operators follow Python's semantics, which is what Jinja templates get.

func unary(op string, v any) (any, error) {
	if op == "not" {
		return !truthy(v), nil
	}
	if u, ok := v.(Undefined); ok {
		return nil, undefinedError(u)
	}
	i, f, isFloat, ok := numeric(v)
	if !ok {
		return nil, fmt.Errorf("bad operand type for unary %s: '%s'", op, typeName(v))
	}
	switch {
	case op == "+" && isFloat:
		return f, nil
	case op == "+":
		return i, nil
	case isFloat:
		return -f, nil
	}
	return -i, nil
}

func compareOp(op string, a, b any) (bool, error) {
	switch op {
	case "==":
		return equal(a, b), nil
	case "!=":
		return !equal(a, b), nil
	case "in":
		return contains(b, a)
	case "not in":
		ok, err := contains(b, a)
		return !ok, err
	}
	for _, v := range []any{a, b} {
		if u, ok := v.(Undefined); ok {
			return false, undefinedError(u)
		}
	}
	c, err := compare(a, b)
	if err != nil {
		return false, err
	}
	switch op {
	case "<":
		return c < 0, nil
	case "<=":
		return c <= 0, nil
	case ">":
		return c > 0, nil
	}
	return c >= 0, nil
}

// contains is Python's "item in container".
func contains(container, item any) (bool, error) {
	switch c := container.(type) {
	case string:
		s, ok := item.(string)
		if !ok {
			return false, fmt.Errorf("'in <string>' requires string as left operand, not %s", typeName(item))
		}
		return strings.Contains(c, s), nil
	case *List:
		for _, it := range c.Items {
			if equal(it, item) {
				return true, nil
			}
		}
		return false, nil
	case *Dict:
		if !hashable(item) {
			return false, fmt.Errorf("unhashable type: '%s'", typeName(item))
		}
		k, _ := dictKey(item)
		_, ok := c.get(k)
		return ok, nil
	case Undefined:
		return false, nil
	}
	return false, fmt.Errorf("argument of type '%s' is not iterable", typeName(container))
}

func arith(op string, a, b any) (any, error) {
	for _, v := range []any{a, b} {
		if u, ok := v.(Undefined); ok {
			return nil, undefinedError(u)
		}
	}
	ai, af, aFloat, aNum := numeric(a)
	bi, bf, bFloat, bNum := numeric(b)
	if aNum && bNum {
		if aFloat || bFloat || op == "/" {
			return floatArith(op, af, bf)
		}
		return intArith(op, ai, bi)
	}
	switch op {
	case "+":
		switch x := a.(type) {
		case string:
			if y, ok := b.(string); ok {
				return concatStrings(x, y)
			}
			return nil, fmt.Errorf("can only concatenate str (not \"%s\") to str", typeName(b))
		case *List:
			if y, ok := b.(*List); ok && x.Tuple == y.Tuple {
				if len(x.Items)+len(y.Items) > maxItems {
					return nil, fmt.Errorf("list too large")
				}
				items := append(append([]any(nil), x.Items...), y.Items...)
				return &List{Items: items, Tuple: x.Tuple}, nil
			}
		}
	case "*":
		if aNum && !aFloat {
			a, b, bi = b, a, ai
		} else if !bNum || bFloat {
			break
		}
		if bi < 0 {
			bi = 0
		}
		switch x := a.(type) {
		case string:
			if int64(len(x))*bi > maxOutput {
				return nil, fmt.Errorf("string too large")
			}
			return strings.Repeat(x, int(bi)), nil
		case *List:
			if int64(len(x.Items))*bi > maxItems {
				return nil, fmt.Errorf("list too large")
			}
			var items []any
			for range bi {
				items = append(items, x.Items...)
			}
			return &List{Items: items, Tuple: x.Tuple}, nil
		}
	case "%":
		if _, ok := a.(string); ok {
			return nil, fmt.Errorf("unsupported printf-style string formatting with '%%'")
		}
	}
	return nil, fmt.Errorf("unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(a), typeName(b))
}

func intArith(op string, a, b int64) (any, error) {
	switch op {
	case "+":
		c := a + b
		if (c > a) != (b > 0) {
			return nil, fmt.Errorf("integer overflow")
		}
		return c, nil
	case "-":
		c := a - b
		if (c < a) != (b > 0) {
			return nil, fmt.Errorf("integer overflow")
		}
		return c, nil
	case "*":
		if a != 0 && b != 0 {
			c := a * b
			if c/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
				return nil, fmt.Errorf("integer overflow")
			}
			return c, nil
		}
		return int64(0), nil
	case "//", "%":
		if b == 0 {
			return nil, fmt.Errorf("integer division or modulo by zero")
		}
		if a == math.MinInt64 && b == -1 {
			return nil, fmt.Errorf("integer overflow")
		}
		q, m := a/b, a%b
		if m != 0 && (m < 0) != (b < 0) {
			q--
			m += b
		}
		if op == "//" {
			return q, nil
		}
		return m, nil
	case "**":
		if b < 0 {
			return math.Pow(float64(a), float64(b)), nil
		}
		switch a {
		case 0, 1:
			if b == 0 {
				return int64(1), nil
			}
			return a, nil
		case -1:
			if b%2 == 0 {
				return int64(1), nil
			}
			return int64(-1), nil
		}
		// |a| >= 2, so overflow stops this within 64 rounds.
		result := int64(1)
		for range b {
			next, err := intArith("*", result, a)
			if err != nil {
				return nil, err
			}
			result = next.(int64)
		}
		return result, nil
	}
	return nil, fmt.Errorf("unsupported operator %s", op)
}

func floatArith(op string, a, b float64) (any, error) {
	switch op {
	case "+":
		return a + b, nil
	case "-":
		return a - b, nil
	case "*":
		return a * b, nil
	case "/":
		if b == 0 {
			return nil, fmt.Errorf("division by zero")
		}
		return a / b, nil
	case "//", "%":
		if b == 0 {
			return nil, fmt.Errorf("float floor division or modulo by zero")
		}
		q := math.Floor(a / b)
		if op == "//" {
			return q, nil
		}
		m := math.Mod(a, b)
		if m != 0 && (m < 0) != (b < 0) {
			m += b
		}
		return m, nil
	case "**":
		return math.Pow(a, b), nil
	}
	return nil, fmt.Errorf("unsupported operator %s", op)
}
