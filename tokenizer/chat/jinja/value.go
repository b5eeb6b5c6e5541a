package jinja

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Template values are plain Go values of a few kinds, mirroring the Python
// objects a Jinja template sees:
//
//	nil        None
//	bool       bool
//	int64      int
//	float64    float
//	string     str
//	*List      list (or tuple)
//	*Dict      dict, keys in insertion order
//	*Namespace the result of namespace()
//	Undefined  a missing variable, key or attribute
//	*Func      a callable: global function, macro or bound method

// Undefined is what a missing name, key or attribute evaluates to. Like
// Jinja's default Undefined it is falsy, prints as "", iterates as empty,
// and fails when used in arithmetic, called, or looked into.
type Undefined struct {
	Hint string // what was missing, for error messages: "'x' is undefined"
}

// List is a Python list; Tuple marks tuple values (which print with
// parentheses and cannot be appended to).
type List struct {
	Items []any
	Tuple bool
}

// NewList makes a list value of the given items.
func NewList(items ...any) *List { return &List{Items: items} }

// Dict is a Python dict: insertion-ordered, keys of hashable scalar kinds.
type Dict struct {
	keys []any
	vals map[any]any
}

// NewDict makes an empty dict value.
func NewDict() *Dict { return &Dict{vals: map[any]any{}} }

// Set stores v under k, keeping the first insertion position of k.
func (d *Dict) Set(k string, v any) { d.set(k, v) }

func (d *Dict) set(k, v any) {
	if _, ok := d.vals[k]; !ok {
		d.keys = append(d.keys, k)
	}
	d.vals[k] = v
}

// Get returns the value stored under k.
func (d *Dict) Get(k string) (any, bool) {
	v, ok := d.vals[k]
	return v, ok
}

func (d *Dict) get(k any) (any, bool) {
	v, ok := d.vals[k]
	return v, ok
}

// Len is the number of keys.
func (d *Dict) Len() int { return len(d.keys) }

// Keys returns the keys in insertion order.
func (d *Dict) Keys() []any { return d.keys }

// Namespace is the mutable object namespace() returns; templates assign its
// attributes with {% set ns.x = ... %} to carry state out of loops.
type Namespace struct {
	attrs *Dict
}

// Func is a callable value.
type Func struct {
	Name string
	call func(r *renderer, args []any, kwargs []kwarg) (any, error)
}

type kwarg struct {
	name string
	val  any
}

// hashable reports whether v can be a dict key.
func hashable(v any) bool {
	switch v.(type) {
	case nil, bool, int64, float64, string:
		return true
	}
	return false
}

// dictKey normalises a key so that 1, 1.0 and True find the same entry, as
// they do in Python; strings and None are unchanged.
func dictKey(v any) (any, error) {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<62 {
			return int64(x), nil
		}
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	}
	if !hashable(v) {
		return nil, fmt.Errorf("unhashable type: '%s'", typeName(v))
	}
	return v, nil
}

func typeName(v any) string {
	switch x := v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case *List:
		if x.Tuple {
			return "tuple"
		}
		return "list"
	case *Dict:
		return "dict"
	case *Namespace:
		return "Namespace"
	case Undefined:
		return "Undefined"
	case *Func:
		return "function"
	case *loopVar:
		return "LoopContext"
	}
	return fmt.Sprintf("%T", v)
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil, Undefined:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case *List:
		return len(x.Items) > 0
	case *Dict:
		return x.Len() > 0
	}
	return true
}

// toString is Python's str() as Jinja applies it when printing a value.
func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case Undefined:
		return ""
	}
	var b strings.Builder
	writeRepr(&b, v, false, 0)
	return b.String()
}

// writeRepr writes Python's repr of v (str of the top level when quote is
// false, which only matters for strings). Containers nested deeper than
// maxNesting, such as a list appended to itself, print as "...".
func writeRepr(b *strings.Builder, v any, quote bool, depth int) {
	if depth > maxNesting || b.Len() > maxOutput {
		b.WriteString("...")
		return
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if x {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(formatFloat(x))
	case string:
		if quote {
			writeStringRepr(b, x)
		} else {
			b.WriteString(x)
		}
	case Undefined:
		if !quote {
			return
		}
		b.WriteString("Undefined")
	case *List:
		open, close := "[", "]"
		if x.Tuple {
			open, close = "(", ")"
		}
		b.WriteString(open)
		for i, it := range x.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, it, true, depth+1)
		}
		if x.Tuple && len(x.Items) == 1 {
			b.WriteString(",")
		}
		b.WriteString(close)
	case *Dict:
		b.WriteString("{")
		for i, k := range x.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, k, true, depth+1)
			b.WriteString(": ")
			writeRepr(b, x.vals[k], true, depth+1)
		}
		b.WriteString("}")
	case *Namespace:
		b.WriteString("<Namespace ")
		writeRepr(b, x.attrs, true, depth+1)
		b.WriteString(">")
	case *Func:
		b.WriteString("<function " + x.Name + ">")
	case *loopVar:
		b.WriteString("<LoopContext " + strconv.Itoa(x.i+1) + "/" + strconv.Itoa(len(x.items)) + ">")
	default:
		fmt.Fprintf(b, "%v", v)
	}
}

func writeStringRepr(b *strings.Builder, s string) {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(b, `\x%02x`, r)
		case !unicode.IsPrint(r) && r != ' ':
			if r <= 0xff {
				fmt.Fprintf(b, `\x%02x`, r)
			} else if r <= 0xffff {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				fmt.Fprintf(b, `\U%08x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
}

// formatFloat is Python's repr of a float: the shortest digits that round
// trip, positional for exponents in [-4, 16), and always a ".0" or exponent.
func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	if exp < -4 || exp >= 16 {
		sign := "+"
		if exp < 0 {
			sign, exp = "-", -exp
		}
		return fmt.Sprintf("%se%s%02d", mant, sign, exp)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// numeric returns v as a number if it is one (bools count, as in Python).
func numeric(v any) (i int64, f float64, isFloat, ok bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, 1, false, true
		}
		return 0, 0, false, true
	case int64:
		return x, float64(x), false, true
	case float64:
		return 0, x, true, true
	}
	return 0, 0, false, false
}

func equal(a, b any) bool { return equalDepth(a, b, 0) }

func equalDepth(a, b any, depth int) bool {
	if depth > maxNesting {
		return false
	}
	if ai, af, aFloat, ok := numeric(a); ok {
		bi, bf, bFloat, ok := numeric(b)
		if !ok {
			return false
		}
		if aFloat || bFloat {
			return af == bf
		}
		return ai == bi
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case Undefined:
		_, ok := b.(Undefined)
		return ok
	case *List:
		y, ok := b.(*List)
		if ok && x == y {
			return true
		}
		if !ok || len(x.Items) != len(y.Items) || x.Tuple != y.Tuple {
			return false
		}
		for i := range x.Items {
			if !equalDepth(x.Items[i], y.Items[i], depth+1) {
				return false
			}
		}
		return true
	case *Dict:
		y, ok := b.(*Dict)
		if ok && x == y {
			return true
		}
		if !ok || x.Len() != y.Len() {
			return false
		}
		for _, k := range x.keys {
			yv, ok := y.vals[k]
			if !ok || !equalDepth(x.vals[k], yv, depth+1) {
				return false
			}
		}
		return true
	}
	return a == b
}

// compare orders two values as Python's < does, or fails for kinds Python
// cannot order.
func compare(a, b any) (int, error) { return compareDepth(a, b, 0) }

func compareDepth(a, b any, depth int) (int, error) {
	if depth > maxNesting {
		return 0, fmt.Errorf("values nested too deeply to compare")
	}
	if _, af, aFloat, ok := numeric(a); ok {
		if _, bf, bFloat, ok := numeric(b); ok {
			if !aFloat && !bFloat {
				ai, _, _, _ := numeric(a)
				bi, _, _, _ := numeric(b)
				return cmpInt(ai, bi), nil
			}
			switch {
			case af < bf:
				return -1, nil
			case af > bf:
				return 1, nil
			}
			return 0, nil
		}
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), nil
		}
	case *List:
		if y, ok := b.(*List); ok {
			for i := 0; i < len(x.Items) && i < len(y.Items); i++ {
				if equal(x.Items[i], y.Items[i]) {
					continue
				}
				return compareDepth(x.Items[i], y.Items[i], depth+1)
			}
			return cmpInt(int64(len(x.Items)), int64(len(y.Items))), nil
		}
	}
	return 0, fmt.Errorf("'<' not supported between instances of '%s' and '%s'", typeName(a), typeName(b))
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// length is Python's len(); ok is false for kinds without a length.
func length(v any) (int, bool) {
	switch x := v.(type) {
	case string:
		return utf8.RuneCountInString(x), true
	case *List:
		return len(x.Items), true
	case *Dict:
		return x.Len(), true
	case Undefined:
		return 0, true
	}
	return 0, false
}

// iterate lists the items a for loop over v visits: list items, dict keys,
// string characters; Undefined iterates as empty, as in Jinja.
func iterate(v any) ([]any, error) {
	switch x := v.(type) {
	case *List:
		return x.Items, nil
	case *Dict:
		return append([]any(nil), x.keys...), nil
	case string:
		out := make([]any, 0, len(x))
		for _, r := range x {
			out = append(out, string(r))
		}
		return out, nil
	case Undefined:
		return nil, nil
	}
	return nil, fmt.Errorf("'%s' object is not iterable", typeName(v))
}

func undefinedError(u Undefined) error {
	if u.Hint == "" {
		return fmt.Errorf("value is undefined")
	}
	return fmt.Errorf("%s", u.Hint)
}
