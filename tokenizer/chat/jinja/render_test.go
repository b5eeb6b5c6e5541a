package jinja

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// render parses and renders src with vars given as a JSON object.
func render(t testing.TB, src, varsJSON string) (string, error) {
	t.Helper()
	vars := map[string]any{}
	if varsJSON != "" {
		v, err := DecodeJSON([]byte(varsJSON))
		if err != nil {
			t.Fatalf("bad vars %s: %v", varsJSON, err)
		}
		d := v.(*Dict)
		for _, k := range d.Keys() {
			vars[k.(string)], _ = d.Get(k.(string))
		}
	}
	tpl, err := Parse(src)
	if err != nil {
		return "", err
	}
	return tpl.Render(vars, RenderOptions{Now: func() time.Time { return time.Date(2024, 7, 26, 9, 5, 0, 0, time.UTC) }})
}

type renderCase struct {
	name, src, vars, want string
}

func runCases(t *testing.T, cases []renderCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := render(t, c.src, c.vars)
			if err != nil {
				t.Fatalf("render %q: %v", c.src, err)
			}
			if got != c.want {
				t.Errorf("render %q\n got %q\nwant %q", c.src, got, c.want)
			}
		})
	}
}

func TestWhitespaceControl(t *testing.T) {
	runCases(t, []renderCase{
		{"trim_blocks drops the newline after a block tag", "{% if true %}\nyes\n{% endif %}\nend", "", "yes\nend"},
		{"not after an expression", "{{ 'a' }}\nb", "", "a\nb"},
		{"lstrip_blocks drops indentation before a block tag", "x\n    {% if true %}y{% endif %}", "", "x\ny"},
		{"lstrip only at line start", "x {% if true %}y{% endif %}", "", "x y"},
		{"lstrip does not touch expressions", "  {{ 'a' }}", "", "  a"},
		{"minus strips all whitespace", "a  \n\n  {%- if true -%}  \n\n  b  {%- endif %}", "", "ab"},
		{"minus on expressions", "a \n {{- 'b' -}} \n c", "", "abc"},
		{"comments vanish with their newline", "a\n{# note #}\nb", "", "a\nb"},
		{"comment with minus", "a   {#- note -#}   b", "", "ab"},
		{"plus disables lstrip", "x\n  {%+ if true %}y{% endif %}", "", "x\n  y"},
		{"one trailing newline of the source is dropped", "a\n", "", "a"},
		{"only one", "a\n\n", "", "a\n"},
		{"CRLF is normalised", "a\r\nb", "", "a\nb"},
		{"raw keeps tags as text", "{% raw %}{{ x }}{% if %}{% endraw %}\nz", "", "{{ x }}{% if %}z"},
		{"lstrip before endraw", "{% raw %}a\n  {% endraw %}b", "", "a\nb"},
		{"lstrip takes any whitespace but newlines", "x\n \t\u00a0{% if true %}y{% endif %}", "", "x\ny"},
		{"raw with whitespace control", "a {%- raw -%}  {{ b }}  {%- endraw -%} c", "", "a{{ b }}c"},
	})
}

func TestExpressions(t *testing.T) {
	runCases(t, []renderCase{
		{"arithmetic", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }}", "", "7 9 3 -4 1 2 1024"},
		{"true division is float", "{{ 1 / 2 }} {{ 4 / 2 }}", "", "0.5 2.0"},
		{"floats print like Python", "{{ 1.0 }} {{ 0.1 + 0.2 }} {{ 1e20 }} {{ 0.00001 }} {{ 2.5e-3 }}", "", "1.0 0.30000000000000004 1e+20 1e-05 0.0025"},
		{"string concatenation", "{{ 'a' + 'b' }} {{ 'a' ~ 1 ~ none }}", "", "ab a1None"},
		{"string repetition", "{{ 'ab' * 3 }}", "", "ababab"},
		{"comparisons chain", "{{ 1 < 2 < 3 }} {{ 1 < 2 > 3 }} {{ 'a' < 'b' }}", "", "True False True"},
		{"equality across int and float", "{{ 1 == 1.0 }} {{ 1 != 2 }} {{ [1, 2] == [1, 2] }}", "", "True True True"},
		{"in and not in", "{{ 'b' in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 3 not in [1] }}", "", "True True True True"},
		{"boolean operators return operands", "{{ 0 or 'x' }} {{ 'a' and 'b' }} {{ not 0 }} {{ none or [] }}", "", "x b True []"},
		{"ternary", "{{ 'y' if 1 else 'n' }}{{ 'y' if 0 else 'n' }}[{{ 'y' if 0 }}]", "", "yn[]"},
		{"literals print like Python", "{{ [1, 'a', none, true] }} {{ {'a': 1, 'b': [2]} }} {{ (1,) }} {{ (1, 2) }}", "", "[1, 'a', None, True] {'a': 1, 'b': [2]} (1,) (1, 2)"},
		{"repr quotes", `{{ ["it's", 'x"y'] }}`, "", `["it's", 'x"y']`},
		{"attribute and item access", "{{ d.a }} {{ d['a'] }} {{ d.l[1] }} {{ d.l[-1] }} {{ d.l.0 }}", `{"d": {"a": "A", "l": [1, 2, 3]}}`, "A A 2 3 1"},
		{"slicing", "{{ l[1:] }} {{ l[:-1] }} {{ l[::-1] }} {{ l[::2] }} {{ s[1:3] }} {{ s[::-1] }}", `{"l": [1, 2, 3, 4], "s": "héllo"}`, "[2, 3, 4] [1, 2, 3] [4, 3, 2, 1] [1, 3] él olléh"},
		{"string indexing counts characters", "{{ s[1] }} {{ s[-1] }} {{ s|length }}", `{"s": "ñañ"}`, "a ñ 3"},
		{"adjacent string literals join", "{{ 'a' 'b' }}", "", "ab"},
		{"escapes in literals", `{{ 'a\nb\t\'\\' }}|{{ "\u00e9\x41" }}|{{ '\q' }}`, "", "a\nb\t'\\|éA|\\q"},
		{"unary minus binds tighter than filters of the whole", "{{ -1|abs }} {{ -(1)|abs }}", "", "1 1"},
		{"filters bind tighter than +", "{{ 'a' + ' b '|trim + 'c' }}", "", "abc"},
		{"length minus one", "{{ l|length - 1 }}", `{"l": [1, 2, 3]}`, "2"},
		{"not binds looser than is", "{{ not x is defined }}", "", "True"},
		{"none and booleans", "{{ none }} {{ true }} {{ False }} {{ None }}", "", "None True False None"},
		{"self-containing list", "{% set l = [1] %}{{ l.append(l) }}{{ (l|string)[:12] }} {{ l == l }} {{ l in [l] }}", "", "None[1, [1, [1,  True True"},
		{"dict key order is insertion order", "{% for k in {'z': 1, 'a': 2} %}{{ k }}{% endfor %}", "", "za"},
	})
}

func TestStatements(t *testing.T) {
	runCases(t, []renderCase{
		{"for with loop variables", "{% for x in l %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }} {% endfor %}", `{"l": ["a", "b"]}`,
			"10TrueFalse22 21FalseTrue21 "},
		{"for else", "{% for x in [] %}x{% else %}empty{% endfor %}", "", "empty"},
		{"for with filter counts filtered items", "{% for x in [1, 2, 3, 4] if x is even %}{{ x }}/{{ loop.length }} {% endfor %}", "", "2/2 4/2 "},
		{"previtem and nextitem", "{% for x in [1, 2, 3] %}{{ loop.previtem }}<{{ x }}>{{ loop.nextitem }};{% endfor %}", "", "<1>2;1<2>3;2<3>;"},
		{"loop.cycle", "{% for x in [1, 2, 3] %}{{ loop.cycle('a', 'b') }}{% endfor %}", "", "aba"},
		{"unpacking", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for k, v in d|items %}{{ k }}{% endfor %}", `{"d": {"a": 1, "b": 2}}`, "a=1;b=2;ab"},
		{"iterating a dict gives keys", "{% for k in d %}{{ k }}{% endfor %}", `{"d": {"x": 1, "y": 2}}`, "xy"},
		{"break and continue", "{% for x in range(10) %}{% if x == 1 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}", "", "023"},
		{"if elif else", "{% for x in [1, 2, 3] %}{% if x == 1 %}one{% elif x == 2 %}two{% else %}many{% endif %} {% endfor %}", "", "one two many "},
		{"set at top level is visible later", "{% if true %}{% set x = 1 %}{% endif %}{{ x }}", "", "1"},
		{"set in a loop does not leak", "{% set x = 0 %}{% for i in [1, 2] %}{% set x = i %}{% endfor %}{{ x }}", "", "0"},
		{"namespace carries state out of loops", "{% set ns = namespace(n=0, seen=false) %}{% for i in [1, 2, 3] %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }} {{ ns.seen }}", "", "6 False"},
		{"empty namespace", "{% set ns = namespace() %}{% set ns.index = 5 %}{{ ns.index }}", "", "5"},
		{"tuple assignment", "{% set a, b = [1, 2] %}{{ b }}{{ a }}", "", "21"},
		{"block set", "{% set x %}a{{ 1 + 1 }}b{% endset %}[{{ x }}]", "", "[a2b]"},
		{"macro with defaults and keywords", "{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('Ann') }} {{ greet('Bo', greeting='Hi') }}", "", "Hello, Ann! Hi, Bo!"},
		{"macro result concatenates", "{% macro m(x) %}<{{ x }}>{% endmacro %}{{ 'a' + m(1) + 'b' }}", "", "a<1>b"},
		{"recursive macro", "{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1)|int }}{% endif %}{% endmacro %}{{ fact(5) }}", "", "120"},
		{"generation block renders its body", "a{% generation %}b{% endgeneration %}c", "", "abc"},
		{"raise inside a false branch is harmless", "{% if false %}{{ raise_exception('no') }}{% endif %}ok", "", "ok"},
		{"strftime_now", "{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%B %d, %Y') }}|{{ strftime_now('%Y-%m-%d %H:%M %A %-d') }}", "", "26 Jul 2024|July 26, 2024|2024-07-26 09:05 Friday 26"},
		{"strftime_now is defined", "{{ strftime_now is defined }}", "", "True"},
		{"range", "{{ range(3)|list }} {{ range(1, 7, 2)|list }} {{ range(3, 0, -1)|list }}", "", "[0, 1, 2] [1, 3, 5] [3, 2, 1]"},
		{"dict()", "{{ dict(a=1, b='x') }}", "", "{'a': 1, 'b': 'x'}"},
	})
}

func TestUndefined(t *testing.T) {
	runCases(t, []renderCase{
		{"prints empty", "[{{ missing }}]", "", "[]"},
		{"is falsy", "{% if missing %}y{% else %}n{% endif %}", "", "n"},
		{"iterates as empty", "{% for x in missing %}x{% else %}none{% endfor %}", "", "none"},
		{"has length zero", "{{ missing|length }}", "", "0"},
		{"missing key is undefined", "{{ d.nope is defined }} {{ d['nope'] is defined }}", `{"d": {}}`, "False False"},
		{"default filter", "{{ missing|default('x') }} {{ ''|default('y') }} {{ ''|default('z', true) }} {{ missing|d('w') }}", "", "x  z w"},
		{"in undefined is false", "{{ 'a' in missing }}", "", "False"},
		{"concatenating with ~ is fine", "{{ 'a' ~ missing ~ 'b' }}", "", "ab"},
		{"out of range index is undefined", "{{ l[5] is defined }}", `{"l": [1]}`, "False"},
		{"equality", "{{ missing == none }} {{ missing is none }}", "", "False False"},
		{"attribute of none is undefined", "{{ x.y is defined }}", `{"x": null}`, "False"},
	})
}

func TestRenderErrors(t *testing.T) {
	cases := []struct {
		name, src, vars, want string
	}{
		{"unsupported filter", "line1\n\n{{ x | wordcount }}", "", `template line 3: unsupported filter "wordcount"`},
		{"unsupported test", "{% if x is wibble %}{% endif %}", "", `template line 1: unsupported test "wibble"`},
		{"unsupported tag", "a\n{% include 'x' %}", "", `template line 2: unsupported tag "include"`},
		{"unclosed if", "{% if x %}\nabc", "", `template line 1: {% if %} is never closed`},
		{"stray endfor", "{% endfor %}", "", "template line 1: unexpected {% endfor %}"},
		{"unterminated tag", "{{ x ", "", "template line 1: unterminated tag"},
		{"unterminated string", "{{ 'abc }}", "", "unterminated string literal"},
		{"bad character", "{{ x ? y }}", "", "unexpected character '?'"},
		{"raise_exception", "a\n{{ raise_exception('Bad roles') }}", "", "template line 2: Bad roles"},
		{"attribute of undefined", "{{ missing.attr }}", "", "template line 1: 'missing' is undefined"},
		{"item of a missing element", "{{ l[0]['role'] }}", `{"l": []}`, "list object has no element 0"},
		{"adding undefined", "{{ 'a' + missing }}", "", "'missing' is undefined"},
		{"adding str and int", "\n{{ 'a' + 1 }}", "", `template line 2: can only concatenate str (not "int") to str`},
		{"adding None", "{{ 'a' + x }}", `{"x": null}`, `can only concatenate str (not "NoneType") to str`},
		{"iterating None", "{% for x in n %}{% endfor %}", `{"n": null}`, "'NoneType' object is not iterable"},
		{"calling undefined", "{{ nope() }}", "", "'nope' is undefined"},
		{"calling a string", "{{ 'a'() }}", "", "'str' object is not callable"},
		{"unknown method", "{{ 'a'.nope() }}", "", "'str object' has no attribute 'nope'"},
		{"division by zero", "{{ 1 / 0 }}", "", "division by zero"},
		{"tojson of undefined", "{{ missing|tojson }}", "", "Object of type Undefined is not JSON serializable"},
		{"set attribute on non-namespace", "{% set d = {} %}{% set d.x = 1 %}", "", "non-namespace"},
		{"comparison of str and int", "{{ 'a' < 1 }}", "", "'<' not supported between instances of 'str' and 'int'"},
		{"format spec", "{{ '{:>4}'.format(1) }}", "", "unsupported format field {:>4}"},
		{"unclosed raw", "{% raw %}abc", "", "{% raw %} is never closed"},
		{"recursive for is unsupported", "{% for x in l recursive %}{% endfor %}", "", "unsupported recursive for loop"},
		{"too deep", strings.Repeat("(", 500) + "1" + strings.Repeat(")", 500), "", "nested too deeply"},
		{"huge range", "{{ range(100000000)|length }}", "", "range too large"},
		{"runaway loops", "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{% endfor %}{% endfor %}{% endfor %}", "", "step budget"},
		{"runaway copying", "{% set s = 'x' * 10000000 %}{% for i in range(100) %}{% set t = s + 'y' %}{% endfor %}", "", "work budget"},
		{"runaway recursion", "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "", "recursed too deeply"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := c.src
			if c.name == "too deep" {
				src = "{{ " + src + " }}"
			}
			got, err := render(t, src, c.vars)
			if err == nil {
				t.Fatalf("render %q = %q, want error containing %q", src, got, c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("render %q: error %q, want one containing %q", src, err, c.want)
			}
		})
	}
}

func TestRaisedErrorIsTyped(t *testing.T) {
	_, err := render(t, "{{ raise_exception('System role not supported') }}", "")
	var raised *RaisedError
	if !errors.As(err, &raised) || raised.Message != "System role not supported" {
		t.Fatalf("err = %v, want a *RaisedError with the message", err)
	}
	var te *Error
	if !errors.As(err, &te) || te.Line != 1 {
		t.Fatalf("err = %v, want a *Error at line 1", err)
	}
}
