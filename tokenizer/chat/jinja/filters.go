package jinja

import (
	"fmt"
	"html"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

type filterFunc func(r *renderer, v any, args []any, kwargs []kwarg) (any, error)

// filters holds the supported filters; the parser rejects any other name.
var filters map[string]filterFunc

func init() {
	filters = map[string]filterFunc{
		"abs":        filterAbs,
		"attr":       filterAttr,
		"capitalize": stringFilter(pyCapitalize),
		"count":      filterLength,
		"d":          filterDefault,
		"default":    filterDefault,
		"e":          stringFilter(html.EscapeString),
		"escape":     stringFilter(html.EscapeString),
		"first":      filterFirst,
		"float":      filterFloat,
		"indent":     filterIndent,
		"int":        filterInt,
		"items":      filterItems,
		"join":       filterJoin,
		"last":       filterLast,
		"length":     filterLength,
		"list":       filterList,
		"lower":      stringFilter(strings.ToLower),
		"map":        filterMap,
		"reject":     selectFilter(false, false),
		"rejectattr": selectFilter(false, true),
		"replace":    filterReplace,
		"reverse":    filterReverse,
		"round":      filterRound,
		"safe":       func(_ *renderer, v any, _ []any, _ []kwarg) (any, error) { return v, nil },
		"select":     selectFilter(true, false),
		"selectattr": selectFilter(true, true),
		"sort":       filterSort,
		"string":     func(_ *renderer, v any, _ []any, _ []kwarg) (any, error) { return toString(v), nil },
		"title":      stringFilter(jinjaTitle),
		"tojson":     filterToJSON,
		"trim":       filterTrim,
		"unique":     filterUnique,
		"upper":      stringFilter(strings.ToUpper),
	}
}

func stringFilter(f func(string) string) filterFunc {
	return func(_ *renderer, v any, args []any, kwargs []kwarg) (any, error) {
		if len(args)+len(kwargs) > 0 {
			return nil, fmt.Errorf("takes no arguments")
		}
		return f(toString(v)), nil
	}
}

// jinjaTitle is Jinja's title filter: words start after spaces, dashes
// and opening brackets.
func jinjaTitle(s string) string {
	var b strings.Builder
	start := true
	for _, r := range s {
		if start {
			b.WriteString(strings.ToUpper(string(r)))
		} else {
			b.WriteString(strings.ToLower(string(r)))
		}
		start = isPySpace(r) || strings.ContainsRune("-({[<", r)
	}
	return b.String()
}

func filterTrim(_ *renderer, v any, args []any, kwargs []kwarg) (any, error) {
	return stringMethods["strip"](toString(v), args, kwargs)
}

func filterToJSON(_ *renderer, v any, args []any, kwargs []kwarg) (any, error) {
	// transformers' signature: tojson(x, ensure_ascii=False, indent=None,
	// separators=None, sort_keys=False), over json.dumps.
	a, err := bind("tojson", args, kwargs, "ensure_ascii", "indent", "separators", "sort_keys")
	if err != nil {
		return nil, err
	}
	o := jsonOptions{itemSep: ", ", keySep: ": "}
	if given(a[0]) {
		o.ensureASCII = truthy(a[0])
	}
	if given(a[1]) && a[1] != nil {
		o.pretty = true
		o.itemSep = ","
		switch ind := a[1].(type) {
		case int64:
			o.indent = strings.Repeat(" ", int(max(0, min(ind, 64))))
		case string:
			o.indent = ind
		default:
			return nil, fmt.Errorf("indent must be an int or a string, not %s", typeName(a[1]))
		}
	}
	if given(a[2]) && a[2] != nil {
		seps, ok := a[2].(*List)
		if !ok || len(seps.Items) != 2 {
			return nil, fmt.Errorf("separators must be a pair of strings")
		}
		item, ok1 := seps.Items[0].(string)
		key, ok2 := seps.Items[1].(string)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("separators must be a pair of strings")
		}
		o.itemSep, o.keySep = item, key
	}
	if given(a[3]) {
		o.sortKeys = truthy(a[3])
	}
	return encodeJSON(v, o)
}

func filterLength(_ *renderer, v any, _ []any, _ []kwarg) (any, error) {
	n, ok := length(v)
	if !ok {
		return nil, fmt.Errorf("object of type '%s' has no len()", typeName(v))
	}
	return int64(n), nil
}

func filterDefault(_ *renderer, v any, args []any, kwargs []kwarg) (any, error) {
	a, err := bind("default", args, kwargs, "default_value", "boolean")
	if err != nil {
		return nil, err
	}
	def := any("")
	if given(a[0]) {
		def = a[0]
	}
	_, undef := v.(Undefined)
	if undef || (given(a[1]) && truthy(a[1]) && !truthy(v)) {
		return def, nil
	}
	return v, nil
}

func filterFirst(_ *renderer, v any, _ []any, _ []kwarg) (any, error) {
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return Undefined{Hint: "No first item, sequence was empty."}, nil
	}
	return items[0], nil
}

func filterLast(_ *renderer, v any, _ []any, _ []kwarg) (any, error) {
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return Undefined{Hint: "No last item, sequence was empty."}, nil
	}
	return items[len(items)-1], nil
}

func filterList(_ *renderer, v any, _ []any, _ []kwarg) (any, error) {
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	return &List{Items: slices.Clone(items)}, nil
}

func filterItems(_ *renderer, v any, _ []any, _ []kwarg) (any, error) {
	switch x := v.(type) {
	case Undefined:
		return &List{}, nil
	case *Dict:
		return itemsOf(x), nil
	}
	return nil, fmt.Errorf("can only get item pairs from a mapping, not %s", typeName(v))
}

func filterJoin(r *renderer, v any, args []any, kwargs []kwarg) (any, error) {
	a, err := bind("join", args, kwargs, "d", "attribute")
	if err != nil {
		return nil, err
	}
	sep := ""
	if given(a[0]) {
		sep = toString(a[0])
	}
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	for i, it := range items {
		if given(a[1]) {
			if it, err = attrPath(it, a[1]); err != nil {
				return nil, err
			}
		}
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(toString(it))
		if b.Len() > maxOutput {
			return nil, fmt.Errorf("result too large")
		}
	}
	return b.String(), nil
}

// attrPath looks up a dotted attribute path such as "function.name" (or an
// integer index) on v, as Jinja's attribute= arguments do.
func attrPath(v any, path any) (any, error) {
	if i, ok := path.(int64); ok {
		return getItem(v, i)
	}
	p, ok := path.(string)
	if !ok {
		return nil, fmt.Errorf("attribute must be a string, not %s", typeName(path))
	}
	for part := range strings.SplitSeq(p, ".") {
		var key any = part
		if n, err := strconv.ParseInt(part, 10, 64); err == nil {
			key = n
		}
		var err error
		if v, err = getItem(v, key); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func filterMap(r *renderer, v any, args []any, kwargs []kwarg) (any, error) {
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(items))
	if len(args) == 0 {
		a, err := bind("map", nil, kwargs, "attribute", "default")
		if err != nil {
			return nil, err
		}
		if err := required("map", a, "attribute"); err != nil {
			return nil, err
		}
		for i, it := range items {
			val, err := attrPath(it, a[0])
			if err != nil {
				return nil, err
			}
			if _, undef := val.(Undefined); undef && given(a[1]) {
				val = a[1]
			}
			out[i] = val
		}
		return &List{Items: out}, nil
	}
	name, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("filter name must be a string")
	}
	f, ok := filters[name]
	if !ok {
		return nil, fmt.Errorf("unsupported filter %q", name)
	}
	for i, it := range items {
		if out[i], err = f(r, it, args[1:], kwargs); err != nil {
			return nil, err
		}
	}
	return &List{Items: out}, nil
}

// selectFilter builds select, reject, selectattr and rejectattr.
func selectFilter(keep, byAttr bool) filterFunc {
	return func(_ *renderer, v any, args []any, _ []kwarg) (any, error) {
		items, err := iterate(v)
		if err != nil {
			return nil, err
		}
		var attr any
		if byAttr {
			if len(args) == 0 {
				return nil, fmt.Errorf("missing attribute name")
			}
			attr, args = args[0], args[1:]
		}
		test := func(x any, _ []any) (bool, error) { return truthy(x), nil }
		if len(args) > 0 {
			name, ok := args[0].(string)
			if !ok {
				return nil, fmt.Errorf("test name must be a string")
			}
			if test, ok = tests[name]; !ok {
				return nil, fmt.Errorf("unsupported test %q", name)
			}
			args = args[1:]
		}
		out := []any{}
		for _, it := range items {
			x := it
			if byAttr {
				if x, err = attrPath(it, attr); err != nil {
					return nil, err
				}
			}
			ok, err := test(x, args)
			if err != nil {
				return nil, err
			}
			if ok == keep {
				out = append(out, it)
			}
		}
		return &List{Items: out}, nil
	}
}

func filterUnique(_ *renderer, v any, args []any, kwargs []kwarg) (any, error) {
	a, err := bind("unique", args, kwargs, "case_sensitive", "attribute")
	if err != nil {
		return nil, err
	}
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	caseSensitive := given(a[0]) && truthy(a[0])
	var seen []any
	out := []any{}
	for _, it := range items {
		key := it
		if given(a[1]) {
			if key, err = attrPath(it, a[1]); err != nil {
				return nil, err
			}
		}
		if s, ok := key.(string); ok && !caseSensitive {
			key = strings.ToLower(s)
		}
		if slices.ContainsFunc(seen, func(x any) bool { return equal(x, key) }) {
			continue
		}
		seen = append(seen, key)
		out = append(out, it)
	}
	return &List{Items: out}, nil
}

func filterReverse(_ *renderer, v any, _ []any, _ []kwarg) (any, error) {
	if s, ok := v.(string); ok {
		runes := []rune(s)
		slices.Reverse(runes)
		return string(runes), nil
	}
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(items)
	slices.Reverse(out)
	return &List{Items: out}, nil
}

func filterSort(_ *renderer, v any, args []any, kwargs []kwarg) (any, error) {
	a, err := bind("sort", args, kwargs, "reverse", "case_sensitive", "attribute")
	if err != nil {
		return nil, err
	}
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	keyOf := func(it any) (any, error) {
		k := it
		if given(a[2]) {
			if k, err = attrPath(it, a[2]); err != nil {
				return nil, err
			}
		}
		if s, ok := k.(string); ok && !(given(a[1]) && truthy(a[1])) {
			k = strings.ToLower(s)
		}
		return k, nil
	}
	out := slices.Clone(items)
	var sortErr error
	slices.SortStableFunc(out, func(x, y any) int {
		kx, err1 := keyOf(x)
		ky, err2 := keyOf(y)
		c, err3 := compare(kx, ky)
		if err := firstErr(err1, err2, err3); err != nil && sortErr == nil {
			sortErr = err
		}
		if given(a[0]) && truthy(a[0]) {
			return -c
		}
		return c
	})
	if sortErr != nil {
		return nil, sortErr
	}
	return &List{Items: out}, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func filterReplace(_ *renderer, v any, args []any, kwargs []kwarg) (any, error) {
	return strReplace(toString(v), args, kwargs)
}

func filterInt(_ *renderer, v any, args []any, kwargs []kwarg) (any, error) {
	a, err := bind("int", args, kwargs, "default", "base")
	if err != nil {
		return nil, err
	}
	def := any(int64(0))
	if given(a[0]) {
		def = a[0]
	}
	base := 10
	if given(a[1]) {
		b, err := intArg("int", a[1])
		if err != nil || b < 2 || b > 36 {
			return nil, fmt.Errorf("bad base")
		}
		base = int(b)
	}
	switch x := v.(type) {
	case Undefined:
		return nil, undefinedError(x)
	case string:
		s := strings.ReplaceAll(strings.TrimFunc(x, isPySpace), "_", "")
		if i, err := strconv.ParseInt(s, base, 64); err == nil {
			return i, nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && base == 10 && !math.IsInf(f, 0) && !math.IsNaN(f) && math.Abs(f) < 1<<63 {
			return int64(f), nil
		}
		return def, nil
	}
	i, f, isFloat, ok := numeric(v)
	if !ok {
		return def, nil
	}
	if isFloat {
		if math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) >= 1<<63 {
			return def, nil
		}
		return int64(f), nil
	}
	return i, nil
}

func filterFloat(_ *renderer, v any, args []any, kwargs []kwarg) (any, error) {
	a, err := bind("float", args, kwargs, "default")
	if err != nil {
		return nil, err
	}
	def := any(0.0)
	if given(a[0]) {
		def = a[0]
	}
	if s, ok := v.(string); ok {
		if f, err := strconv.ParseFloat(strings.TrimFunc(s, isPySpace), 64); err == nil {
			return f, nil
		}
		return def, nil
	}
	if _, f, _, ok := numeric(v); ok {
		return f, nil
	}
	return def, nil
}

func filterAbs(_ *renderer, v any, _ []any, _ []kwarg) (any, error) {
	i, f, isFloat, ok := numeric(v)
	switch {
	case !ok:
		return nil, fmt.Errorf("bad operand type for abs(): '%s'", typeName(v))
	case isFloat:
		return math.Abs(f), nil
	case i == math.MinInt64:
		return nil, fmt.Errorf("integer overflow")
	case i < 0:
		return -i, nil
	}
	return i, nil
}

func filterRound(_ *renderer, v any, args []any, kwargs []kwarg) (any, error) {
	a, err := bind("round", args, kwargs, "precision", "method")
	if err != nil {
		return nil, err
	}
	_, f, _, ok := numeric(v)
	if !ok {
		return nil, fmt.Errorf("cannot round %s", typeName(v))
	}
	prec := int64(0)
	if given(a[0]) {
		if prec, err = intArg("round", a[0]); err != nil {
			return nil, err
		}
	}
	method := "common"
	if given(a[1]) {
		method = toString(a[1])
	}
	scale := math.Pow(10, float64(max(-20, min(prec, 20))))
	switch method {
	case "common":
		// Python 3 round() (which Jinja calls) rounds halves to even.
		return math.RoundToEven(f*scale) / scale, nil
	case "floor":
		return math.Floor(f*scale) / scale, nil
	case "ceil":
		return math.Ceil(f*scale) / scale, nil
	}
	return nil, fmt.Errorf("method must be common, ceil or floor")
}

func filterIndent(_ *renderer, v any, args []any, kwargs []kwarg) (any, error) {
	a, err := bind("indent", args, kwargs, "width", "first", "blank")
	if err != nil {
		return nil, err
	}
	pad := "    "
	if given(a[0]) {
		switch w := a[0].(type) {
		case int64:
			pad = strings.Repeat(" ", int(max(0, min(w, 256))))
		case string:
			pad = w
		}
	}
	lines := strings.Split(toString(v), "\n")
	for i, l := range lines {
		if i == 0 && !(given(a[1]) && truthy(a[1])) {
			continue
		}
		if l == "" && !(given(a[2]) && truthy(a[2])) {
			continue
		}
		lines[i] = pad + l
	}
	out := strings.Join(lines, "\n")
	if utf8.RuneCountInString(out) > maxOutput {
		return nil, fmt.Errorf("result too large")
	}
	return out, nil
}

func filterAttr(_ *renderer, v any, args []any, _ []kwarg) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("takes one attribute name")
	}
	name, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("attribute name must be a string")
	}
	return getAttr(v, name)
}
