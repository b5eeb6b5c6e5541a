package jinja

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// noArg marks a parameter the caller did not pass.
type noArg struct{}

func given(v any) bool {
	_, missing := v.(noArg)
	return !missing
}

// bind matches positional and keyword arguments to parameter names, as a
// Python call would; parameters not passed are noArg{}.
func bind(fname string, args []any, kwargs []kwarg, names ...string) ([]any, error) {
	if len(args) > len(names) {
		return nil, fmt.Errorf("%s() takes at most %d argument(s) (%d given)", fname, len(names), len(args))
	}
	out := make([]any, len(names))
	for i := range out {
		out[i] = noArg{}
	}
	copy(out, args)
	for _, kw := range kwargs {
		i := indexOf(names, kw.name)
		if i < 0 {
			return nil, fmt.Errorf("%s() got an unexpected keyword argument '%s'", fname, kw.name)
		}
		if given(out[i]) {
			return nil, fmt.Errorf("%s() got multiple values for argument '%s'", fname, kw.name)
		}
		out[i] = kw.val
	}
	return out, nil
}

// required reports a missing required argument.
func required(fname string, vals []any, names ...string) error {
	for i, n := range names {
		if !given(vals[i]) {
			return fmt.Errorf("%s() missing required argument '%s'", fname, n)
		}
	}
	return nil
}

func stringArg(fname string, v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s() argument must be str, not %s", fname, typeName(v))
	}
	return s, nil
}

func intArg(fname string, v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("%s() argument must be int, not %s", fname, typeName(v))
}

type methodFunc func(recv any, args []any, kwargs []kwarg) (any, error)

var stringMethods, dictMethods, listMethods map[string]methodFunc

// method returns obj's method name bound to obj, or nil.
func method(obj any, name string) *Func {
	var table map[string]methodFunc
	switch obj.(type) {
	case string:
		table = stringMethods
	case *Dict:
		table = dictMethods
	case *List:
		table = listMethods
	default:
		return nil
	}
	m, ok := table[name]
	if !ok {
		return nil
	}
	return &Func{Name: name, call: func(_ *renderer, args []any, kwargs []kwarg) (any, error) {
		return m(obj, args, kwargs)
	}}
}

func isPySpace(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) }

// stripper builds strip, lstrip and rstrip: with no argument they remove
// whitespace, with a string they remove any of its characters.
func stripper(name string, left, right bool) methodFunc {
	return func(recv any, args []any, kwargs []kwarg) (any, error) {
		s := recv.(string)
		a, err := bind(name, args, kwargs, "chars")
		if err != nil {
			return nil, err
		}
		cut := isPySpace
		if given(a[0]) && a[0] != nil {
			chars, err := stringArg(name, a[0])
			if err != nil {
				return nil, err
			}
			cut = func(r rune) bool { return strings.ContainsRune(chars, r) }
		}
		if left {
			s = strings.TrimLeftFunc(s, cut)
		}
		if right {
			s = strings.TrimRightFunc(s, cut)
		}
		return s, nil
	}
}

func strSplit(recv any, args []any, kwargs []kwarg) (any, error) {
	s := recv.(string)
	a, err := bind("split", args, kwargs, "sep", "maxsplit")
	if err != nil {
		return nil, err
	}
	maxSplit := int64(-1)
	if given(a[1]) {
		if maxSplit, err = intArg("split", a[1]); err != nil {
			return nil, err
		}
	}
	var parts []string
	if !given(a[0]) || a[0] == nil {
		parts = splitWhitespace(s, maxSplit)
	} else {
		sep, err := stringArg("split", a[0])
		if err != nil {
			return nil, err
		}
		if sep == "" {
			return nil, fmt.Errorf("empty separator")
		}
		n := -1
		if maxSplit >= 0 {
			n = int(min(maxSplit, int64(len(s)))) + 1
		}
		parts = strings.SplitN(s, sep, n)
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return &List{Items: out}, nil
}

// splitWhitespace is Python's str.split() with no separator.
func splitWhitespace(s string, maxSplit int64) []string {
	var parts []string
	for {
		s = strings.TrimLeftFunc(s, isPySpace)
		if s == "" {
			return parts
		}
		if maxSplit >= 0 && int64(len(parts)) >= maxSplit {
			return append(parts, strings.TrimRightFunc(s, isPySpace))
		}
		i := strings.IndexFunc(s, isPySpace)
		if i < 0 {
			return append(parts, s)
		}
		parts = append(parts, s[:i])
		s = s[i:]
	}
}

// affixTest builds startswith and endswith, which take a string or a
// tuple of strings.
func affixTest(name string, has func(s, affix string) bool) methodFunc {
	return func(recv any, args []any, kwargs []kwarg) (any, error) {
		a, err := bind(name, args, kwargs, "prefix")
		if err != nil {
			return nil, err
		}
		if err := required(name, a, "prefix"); err != nil {
			return nil, err
		}
		var affixes []any
		if l, ok := a[0].(*List); ok {
			affixes = l.Items
		} else {
			affixes = []any{a[0]}
		}
		for _, af := range affixes {
			sa, err := stringArg(name, af)
			if err != nil {
				return nil, err
			}
			if has(recv.(string), sa) {
				return true, nil
			}
		}
		return false, nil
	}
}

func strReplace(recv any, args []any, kwargs []kwarg) (any, error) {
	a, err := bind("replace", args, kwargs, "old", "new", "count")
	if err != nil {
		return nil, err
	}
	if err := required("replace", a, "old", "new"); err != nil {
		return nil, err
	}
	old, err := stringArg("replace", a[0])
	if err != nil {
		return nil, err
	}
	repl, err := stringArg("replace", a[1])
	if err != nil {
		return nil, err
	}
	n := int64(-1)
	if given(a[2]) {
		if n, err = intArg("replace", a[2]); err != nil {
			return nil, err
		}
	}
	s := recv.(string)
	if old == "" && len(repl)*(utf8.RuneCountInString(s)+1) > maxOutput {
		return nil, fmt.Errorf("string too large")
	}
	if int64(len(repl)) > int64(len(old)) && int64(strings.Count(s, old))*int64(len(repl)-len(old)) > maxOutput {
		return nil, fmt.Errorf("string too large")
	}
	return strings.Replace(s, old, repl, int(max(n, -1))), nil
}

// pyTitle is Python's str.title: a letter is upper-cased when it follows a
// non-letter and lower-cased otherwise.
func pyTitle(s string) string {
	var b strings.Builder
	prevCased := false
	for _, r := range s {
		if prevCased {
			b.WriteRune(unicode.ToLower(r))
		} else {
			b.WriteRune(unicode.ToUpper(r))
		}
		prevCased = unicode.IsLetter(r)
	}
	return b.String()
}

func pyCapitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + strings.ToLower(s[size:])
}

func noArgs(name string, f func(s string) any) methodFunc {
	return func(recv any, args []any, kwargs []kwarg) (any, error) {
		if len(args)+len(kwargs) > 0 {
			return nil, fmt.Errorf("%s() takes no arguments", name)
		}
		return f(recv.(string)), nil
	}
}

func allRunes(pred func(rune) bool) func(string) any {
	return func(s string) any {
		if s == "" {
			return false
		}
		for _, r := range s {
			if !pred(r) {
				return false
			}
		}
		return true
	}
}

func substringCounter(name string, f func(s, sub string) int64) methodFunc {
	return func(recv any, args []any, kwargs []kwarg) (any, error) {
		a, err := bind(name, args, kwargs, "sub")
		if err != nil {
			return nil, err
		}
		if err := required(name, a, "sub"); err != nil {
			return nil, err
		}
		sub, err := stringArg(name, a[0])
		if err != nil {
			return nil, err
		}
		return f(recv.(string), sub), nil
	}
}

func strJoin(recv any, args []any, kwargs []kwarg) (any, error) {
	a, err := bind("join", args, kwargs, "iterable")
	if err != nil {
		return nil, err
	}
	if err := required("join", a, "iterable"); err != nil {
		return nil, err
	}
	items, err := iterate(a[0])
	if err != nil {
		return nil, err
	}
	parts := make([]string, len(items))
	for i, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, fmt.Errorf("sequence item %d: expected str instance, %s found", i, typeName(it))
		}
		parts[i] = s
	}
	return strings.Join(parts, recv.(string)), nil
}

// strFormat is str.format for plain fields: "{}", "{0}", "{name}", with
// an optional !s or !r conversion and "{{" / "}}" escapes. Format specs
// (":>10") are not supported.
func strFormat(recv any, args []any, kwargs []kwarg) (any, error) {
	s := recv.(string)
	var b strings.Builder
	auto := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '{' && i+1 < len(s) && s[i+1] == '{', c == '}' && i+1 < len(s) && s[i+1] == '}':
			b.WriteByte(c)
			i++
			continue
		case c == '}':
			return nil, fmt.Errorf("single '}' encountered in format string")
		case c != '{':
			b.WriteByte(c)
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return nil, fmt.Errorf("single '{' encountered in format string")
		}
		field := s[i+1 : i+end]
		i += end
		field, conv, _ := strings.Cut(field, "!")
		if strings.ContainsAny(field, ":.[") || strings.Contains(conv, ":") {
			return nil, fmt.Errorf("unsupported format field {%s}", s[i-end+1:i])
		}
		var v any
		switch n, err := strconv.Atoi(field); {
		case field == "":
			if auto >= len(args) {
				return nil, fmt.Errorf("replacement index %d out of range", auto)
			}
			v = args[auto]
			auto++
		case err == nil:
			if n < 0 || n >= len(args) {
				return nil, fmt.Errorf("replacement index %d out of range", n)
			}
			v = args[n]
		default:
			i := slices.IndexFunc(kwargs, func(k kwarg) bool { return k.name == field })
			if i < 0 {
				return nil, fmt.Errorf("format: missing keyword argument '%s'", field)
			}
			v = kwargs[i].val
		}
		switch conv {
		case "r":
			b.WriteString(reprString(v))
		case "", "s":
			b.WriteString(toString(v))
		default:
			return nil, fmt.Errorf("unknown conversion specifier %s", conv)
		}
		if b.Len() > maxOutput {
			return nil, fmt.Errorf("string too large")
		}
	}
	return b.String(), nil
}

func dictItems(recv any, args []any, kwargs []kwarg) (any, error) {
	if len(args)+len(kwargs) > 0 {
		return nil, fmt.Errorf("items() takes no arguments")
	}
	return itemsOf(recv.(*Dict)), nil
}

func itemsOf(d *Dict) *List {
	out := make([]any, d.Len())
	for i, k := range d.keys {
		out[i] = &List{Items: []any{k, d.vals[k]}, Tuple: true}
	}
	return &List{Items: out}
}

func dictGet(recv any, args []any, kwargs []kwarg) (any, error) {
	a, err := bind("get", args, kwargs, "key", "default")
	if err != nil {
		return nil, err
	}
	if err := required("get", a, "key"); err != nil {
		return nil, err
	}
	if hashable(a[0]) {
		k, _ := dictKey(a[0])
		if v, ok := recv.(*Dict).get(k); ok {
			return v, nil
		}
	}
	if given(a[1]) {
		return a[1], nil
	}
	return nil, nil
}

func listAppend(recv any, args []any, kwargs []kwarg) (any, error) {
	l := recv.(*List)
	a, err := bind("append", args, kwargs, "object")
	if err != nil {
		return nil, err
	}
	if err := required("append", a, "object"); err != nil {
		return nil, err
	}
	if l.Tuple {
		return nil, fmt.Errorf("'tuple' object has no attribute 'append'")
	}
	if len(l.Items) >= maxItems {
		return nil, fmt.Errorf("list too large")
	}
	l.Items = append(l.Items, a[0])
	return nil, nil
}

func listExtend(recv any, args []any, kwargs []kwarg) (any, error) {
	l := recv.(*List)
	a, err := bind("extend", args, kwargs, "iterable")
	if err != nil {
		return nil, err
	}
	if err := required("extend", a, "iterable"); err != nil {
		return nil, err
	}
	items, err := iterate(a[0])
	if err != nil {
		return nil, err
	}
	if l.Tuple || len(l.Items)+len(items) > maxItems {
		return nil, fmt.Errorf("cannot extend this %s", typeName(l))
	}
	l.Items = append(l.Items, items...)
	return nil, nil
}

func listPop(recv any, args []any, kwargs []kwarg) (any, error) {
	l := recv.(*List)
	a, err := bind("pop", args, kwargs, "index")
	if err != nil {
		return nil, err
	}
	idx := any(int64(-1))
	if given(a[0]) {
		idx = a[0]
	}
	i, ok := intIndex(idx, len(l.Items))
	if !ok || l.Tuple {
		return nil, fmt.Errorf("pop index out of range")
	}
	v := l.Items[i]
	l.Items = append(l.Items[:i:i], l.Items[i+1:]...)
	return v, nil
}

func listIndex(recv any, args []any, kwargs []kwarg) (any, error) {
	a, err := bind("index", args, kwargs, "value")
	if err != nil {
		return nil, err
	}
	for i, it := range recv.(*List).Items {
		if equal(it, a[0]) {
			return int64(i), nil
		}
	}
	return nil, fmt.Errorf("%s is not in list", reprString(a[0]))
}

func listCount(recv any, args []any, kwargs []kwarg) (any, error) {
	a, err := bind("count", args, kwargs, "value")
	if err != nil {
		return nil, err
	}
	n := int64(0)
	for _, it := range recv.(*List).Items {
		if equal(it, a[0]) {
			n++
		}
	}
	return n, nil
}

func init() {
	stringMethods = map[string]methodFunc{
		"strip":      stripper("strip", true, true),
		"lstrip":     stripper("lstrip", true, false),
		"rstrip":     stripper("rstrip", false, true),
		"split":      strSplit,
		"startswith": affixTest("startswith", strings.HasPrefix),
		"endswith":   affixTest("endswith", strings.HasSuffix),
		"replace":    strReplace,
		"upper":      noArgs("upper", func(s string) any { return strings.ToUpper(s) }),
		"lower":      noArgs("lower", func(s string) any { return strings.ToLower(s) }),
		"title":      noArgs("title", func(s string) any { return pyTitle(s) }),
		"capitalize": noArgs("capitalize", func(s string) any { return pyCapitalize(s) }),
		"isdigit":    noArgs("isdigit", allRunes(unicode.IsDigit)),
		"isalpha":    noArgs("isalpha", allRunes(unicode.IsLetter)),
		"isalnum":    noArgs("isalnum", allRunes(func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })),
		"isspace":    noArgs("isspace", allRunes(isPySpace)),
		"isupper":    noArgs("isupper", func(s string) any { return s != strings.ToLower(s) && s == strings.ToUpper(s) }),
		"islower":    noArgs("islower", func(s string) any { return s != strings.ToUpper(s) && s == strings.ToLower(s) }),
		"splitlines": noArgs("splitlines", func(s string) any {
			lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
			out := make([]any, 0, len(lines))
			for _, l := range lines {
				if s != "" {
					out = append(out, l)
				}
			}
			return &List{Items: out}
		}),
		"find": substringCounter("find", func(s, sub string) int64 {
			i := strings.Index(s, sub)
			if i < 0 {
				return -1
			}
			return int64(utf8.RuneCountInString(s[:i]))
		}),
		"count": substringCounter("count", func(s, sub string) int64 {
			if sub == "" {
				return int64(utf8.RuneCountInString(s)) + 1
			}
			return int64(strings.Count(s, sub))
		}),
		"join":   strJoin,
		"format": strFormat,
	}
	dictMethods = map[string]methodFunc{
		"items": dictItems,
		"keys": func(recv any, _ []any, _ []kwarg) (any, error) {
			return &List{Items: append([]any(nil), recv.(*Dict).keys...)}, nil
		},
		"values": func(recv any, _ []any, _ []kwarg) (any, error) {
			d := recv.(*Dict)
			out := make([]any, d.Len())
			for i, k := range d.keys {
				out[i] = d.vals[k]
			}
			return &List{Items: out}, nil
		},
		"get": dictGet,
	}
	listMethods = map[string]methodFunc{
		"append": listAppend,
		"extend": listExtend,
		"pop":    listPop,
		"index":  listIndex,
		"count":  listCount,
	}
}
