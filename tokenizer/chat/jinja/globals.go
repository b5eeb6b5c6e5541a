package jinja

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// globalScope holds the functions every template can call: Jinja's
// range, namespace and dict, and the two transformers adds for chat
// templates, raise_exception and strftime_now.
func globalScope(r *renderer) *scope {
	s := newScope(nil)
	s.vars["range"] = &Func{Name: "range", call: globalRange}
	s.vars["namespace"] = &Func{Name: "namespace", call: globalNamespace}
	s.vars["dict"] = &Func{Name: "dict", call: globalDict}
	s.vars["raise_exception"] = &Func{Name: "raise_exception", call: func(_ *renderer, args []any, kwargs []kwarg) (any, error) {
		a, err := bind("raise_exception", args, kwargs, "message")
		if err != nil {
			return nil, err
		}
		msg := ""
		if given(a[0]) {
			msg = toString(a[0])
		}
		return nil, &RaisedError{Message: msg}
	}}
	s.vars["strftime_now"] = &Func{Name: "strftime_now", call: func(r *renderer, args []any, kwargs []kwarg) (any, error) {
		a, err := bind("strftime_now", args, kwargs, "format")
		if err != nil {
			return nil, err
		}
		if err := required("strftime_now", a, "format"); err != nil {
			return nil, err
		}
		format, err := stringArg("strftime_now", a[0])
		if err != nil {
			return nil, err
		}
		return strftime(r.now(), format)
	}}
	return s
}

func globalRange(_ *renderer, args []any, kwargs []kwarg) (any, error) {
	if len(kwargs) > 0 || len(args) == 0 || len(args) > 3 {
		return nil, fmt.Errorf("range() takes 1 to 3 positional arguments")
	}
	n := make([]int64, len(args))
	for i, a := range args {
		v, err := intArg("range", a)
		if err != nil {
			return nil, err
		}
		n[i] = v
	}
	start, stop, step := int64(0), n[0], int64(1)
	if len(n) > 1 {
		start, stop = n[0], n[1]
	}
	if len(n) > 2 {
		step = n[2]
	}
	if step == 0 {
		return nil, fmt.Errorf("range() arg 3 must not be zero")
	}
	var out []any
	for i := start; (step > 0 && i < stop) || (step < 0 && i > stop); i += step {
		if len(out) >= maxItems {
			return nil, fmt.Errorf("range too large")
		}
		out = append(out, i)
	}
	return &List{Items: out}, nil
}

// globalNamespace is namespace(), namespace(mapping) or namespace(k=v, ...).
func globalNamespace(r *renderer, args []any, kwargs []kwarg) (any, error) {
	d, err := globalDict(r, args, kwargs)
	if err != nil {
		return nil, err
	}
	return &Namespace{attrs: d.(*Dict)}, nil
}

func globalDict(_ *renderer, args []any, kwargs []kwarg) (any, error) {
	d := NewDict()
	if len(args) > 1 {
		return nil, fmt.Errorf("dict() takes at most one positional argument")
	}
	if len(args) == 1 {
		src, ok := args[0].(*Dict)
		if !ok {
			return nil, fmt.Errorf("cannot make a dict from %s", typeName(args[0]))
		}
		for _, k := range src.keys {
			d.set(k, src.vals[k])
		}
	}
	for _, kw := range kwargs {
		d.Set(kw.name, kw.val)
	}
	return d, nil
}

// strftime formats t with the C/Python directives chat templates use
// (for dates like "26 Jul 2024" or "July 26, 2024"), including glibc's
// "%-d" form without padding.
func strftime(t time.Time, format string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(format) {
			b.WriteByte('%')
			break
		}
		noPad := false
		if format[i] == '-' && i+1 < len(format) {
			noPad = true
			i++
		}
		num := func(v, width int) {
			s := strconv.Itoa(v)
			if !noPad {
				for len(s) < width {
					s = "0" + s
				}
			}
			b.WriteString(s)
		}
		switch d := format[i]; d {
		case 'a':
			b.WriteString(t.Weekday().String()[:3])
		case 'A':
			b.WriteString(t.Weekday().String())
		case 'b', 'h':
			b.WriteString(t.Month().String()[:3])
		case 'B':
			b.WriteString(t.Month().String())
		case 'd':
			num(t.Day(), 2)
		case 'e':
			s := strconv.Itoa(t.Day())
			if len(s) < 2 && !noPad {
				s = " " + s
			}
			b.WriteString(s)
		case 'm':
			num(int(t.Month()), 2)
		case 'y':
			num(t.Year()%100, 2)
		case 'Y':
			b.WriteString(strconv.Itoa(t.Year()))
		case 'H':
			num(t.Hour(), 2)
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			num(h, 2)
		case 'M':
			num(t.Minute(), 2)
		case 'S':
			num(t.Second(), 2)
		case 'p':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'j':
			num(t.YearDay(), 3)
		case 'w':
			b.WriteString(strconv.Itoa(int(t.Weekday())))
		case 'u':
			wd := int(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			b.WriteString(strconv.Itoa(wd))
		case 'Z':
			name, _ := t.Zone()
			b.WriteString(name)
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 'F':
			b.WriteString(t.Format("2006-01-02"))
		case 'T':
			b.WriteString(t.Format("15:04:05"))
		case '%':
			b.WriteByte('%')
		default:
			return "", fmt.Errorf("strftime_now: unsupported directive %%%c", d)
		}
	}
	return b.String(), nil
}
