package jinja

import "testing"

func TestFilters(t *testing.T) {
	runCases(t, []renderCase{
		{"trim", "[{{ '  a b \n'|trim }}][{{ 'xxaxx'|trim('x') }}]", "", "[a b][a]"},
		{"length and count", "{{ 'héllo'|length }} {{ [1, 2]|count }} {{ {'a': 1}|length }}", "", "5 2 1"},
		{"first and last", "{{ [1, 2, 3]|first }} {{ [1, 2, 3]|last }} {{ 'abc'|first }} {{ ([]|first) is defined }}", "", "1 3 a False"},
		{"join", "{{ ['a', 'b']|join(', ') }} {{ [1, 2]|join }} {{ users|join('/', attribute='name') }}", `{"users": [{"name": "x"}, {"name": "y"}]}`, "a, b 12 x/y"},
		{"string", "{{ 1|string + 'a' }} {{ none|string }} {{ [1]|string }}", "", "1a None [1]"},
		{"int and float", "{{ '42'|int + 1 }} {{ 'x'|int }} {{ 'x'|int(7) }} {{ 3.9|int }} {{ '2.5'|float }} {{ 2|float }}", "", "43 0 7 3 2.5 2.0"},
		{"list", "{{ 'ab'|list }} {{ {'k': 1}|list }}", "", "['a', 'b'] ['k']"},
		{"case", "{{ 'hello WORLD'|capitalize }} {{ 'ab'|upper }} {{ 'AB'|lower }} {{ 'hello big-world'|title }}", "", "Hello world AB ab Hello Big-World"},
		{"map attribute", "{{ msgs|map(attribute='role')|list }} {{ msgs|map(attribute='x', default='-')|list }}", `{"msgs": [{"role": "user"}, {"role": "assistant"}]}`, "['user', 'assistant'] ['-', '-']"},
		{"map filter", "{{ ['a', 'b']|map('upper')|join }}", "", "AB"},
		{"selectattr and rejectattr", "{{ msgs|selectattr('role', 'equalto', 'user')|map(attribute='n')|list }} {{ msgs|rejectattr('role', 'eq', 'user')|map(attribute='n')|list }} {{ msgs|selectattr('flag')|map(attribute='n')|list }}",
			`{"msgs": [{"role": "user", "n": 1, "flag": true}, {"role": "tool", "n": 2}, {"role": "user", "n": 3}]}`, "[1, 3] [2] [1]"},
		{"select and reject", "{{ [1, 2, 3, 4]|select('odd')|list }} {{ ['a', 'code', 'b']|reject('equalto', 'code')|join(',') }} {{ [0, 1, '']|select|list }}", "", "[1, 3] a,b [1]"},
		{"items", "{% for k, v in d|items %}{{ k }}{{ v }}{% endfor %}{{ missing|items|list }}", `{"d": {"a": 1, "b": 2}}`, "a1b2[]"},
		{"unique", "{{ ['a', 'A', 'b', 'a']|unique|list }}", "", "['a', 'b']"},
		{"reverse and sort", "{{ [3, 1, 2]|sort }} {{ [3, 1, 2]|sort(reverse=true) }} {{ 'abc'|reverse }} {{ [1, 2]|reverse|list }} {{ d|sort(attribute='n')|map(attribute='n')|list }}", `{"d": [{"n": 2}, {"n": 1}]}`, "[1, 2, 3] [3, 2, 1] cba [2, 1] [1, 2]"},
		{"replace", "{{ 'aaa'|replace('a', 'b') }} {{ 'aaa'|replace('a', 'b', 2) }}", "", "bbb bba"},
		{"safe and escape", "{{ '<a>'|safe }} {{ '<a & b>'|e }}", "", "<a> &lt;a &amp; b&gt;"},
		{"abs and round", "{{ -3|abs }} {{ 2.567|round(2) }} {{ 2.5|round }} {{ 3.5|round }} {{ 2.1|round(0, 'ceil') }}", "", "3 2.57 2.0 4.0 3.0"},
		{"indent", "{{ 'a\nb\n\nc'|indent(2) }}|{{ 'a\nb'|indent(2, true) }}", "", "a\n  b\n\n  c|  a\n  b"},
		{"attr", "{{ d|attr('k') }}", `{"d": {"k": "v"}}`, "v"},
		{"chained", "{{ ' A '|trim|lower|length }}", "", "1"},
	})
}

func TestToJSON(t *testing.T) {
	runCases(t, []renderCase{
		{"python separators and key order", "{{ d|tojson }}", `{"d": {"z": 1, "a": [true, null, 1.5, "x"], "e": {}, "l": []}}`, `{"z": 1, "a": [true, null, 1.5, "x"], "e": {}, "l": []}`},
		{"non-ASCII kept, HTML not escaped", "{{ s|tojson }}", `{"s": "héllo <b> & 'q' \"dq\" \\ \n\t\u0001 😀"}`, `"héllo <b> & 'q' \"dq\" \\ \n\t\u0001 😀"`},
		{"ensure_ascii", "{{ s|tojson(ensure_ascii=true) }}", `{"s": "é😀"}`, `"\u00e9\ud83d\ude00"`},
		{"indent", "{{ d|tojson(indent=2) }}", `{"d": {"a": [1, {"b": null}], "c": {}}}`, "{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n  \"c\": {}\n}"},
		{"sort_keys", "{{ d|tojson(sort_keys=true) }}", `{"d": {"b": 1, "a": 2}}`, `{"a": 2, "b": 1}`},
		{"separators", "{{ d|tojson(separators=(',', ':')) }}", `{"d": {"a": [1, 2]}}`, `{"a":[1,2]}`},
		{"floats", "{{ [1.0, 0.5, 1e-7, 3]|tojson }}", "", "[1.0, 0.5, 1e-07, 3]"},
		{"tuples are arrays", "{{ (1, 'a')|tojson }}", "", `[1, "a"]`},
		{"int keys become strings", "{{ {1: 'a', none: 'b'}|tojson }}", "", `{"1": "a", "null": "b"}`},
	})
}

func TestTests(t *testing.T) {
	runCases(t, []renderCase{
		{"kinds", "{{ 'a' is string }}{{ 1 is number }}{{ 1 is integer }}{{ 1.5 is float }}{{ true is boolean }}{{ d is mapping }}{{ l is sequence }}{{ none is none }}",
			`{"d": {}, "l": []}`, "TrueTrueTrueTrueTrueTrueTrueTrue"},
		{"iterable", "{{ 'a' is iterable }}{{ l is iterable }}{{ d is iterable }}{{ 1 is iterable }}{{ missing is iterable }}", `{"d": {}, "l": []}`, "TrueTrueTrueFalseTrue"},
		{"defined", "{{ x is defined }}{{ y is defined }}{{ y is undefined }}{{ x is not defined }}", `{"x": null}`, "TrueFalseTrueFalse"},
		{"true and false are identity tests", "{{ true is true }}{{ 1 is true }}{{ false is false }}{{ 0 is false }}", "", "TrueFalseTrueFalse"},
		{"arguments with and without parentheses", "{{ 4 is divisibleby 2 }}{{ 4 is divisibleby(3) }}{{ 'a' is equalto 'a' }}{{ 3 is gt(2) }}{{ 1 is in [1] }}", "", "TrueFalseTrueTrueTrue"},
		{"odd and even", "{{ 3 is odd }}{{ 3 is even }}", "", "TrueFalse"},
		{"callable", "{{ range is callable }}{{ 'x' is callable }}", "", "TrueFalse"},
		{"lower and upper", "{{ 'ab' is lower }}{{ 'AB' is upper }}", "", "TrueTrue"},
		{"sameas", "{{ false is sameas false }}{{ 0 is sameas false }}", "", "TrueFalse"},
		{"test in boolean expression", "{{ x is defined and x is not none }}", `{"x": 1}`, "True"},
	})
}

func TestMethods(t *testing.T) {
	runCases(t, []renderCase{
		{"strip family", "[{{ '  a  '.strip() }}][{{ '\na\n'.lstrip('\n') }}][{{ 'a\n\n'.rstrip('\n') }}][{{ 'xyax'.strip('xy') }}]", "", "[a][a\n][a][a]"},
		{"split", "{{ 'a b  c'.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a,b,c'.split(',', 1) }} {{ 'x</think>y'.split('</think>')[-1] }}", "", "['a', 'b', 'c'] ['a', 'b', '', 'c'] ['a', 'b,c'] y"},
		{"startswith and endswith", "{{ 'hello'.startswith('he') }}{{ 'hello'.endswith('lo') }}{{ 'hello'.startswith(('x', 'h')) }}", "", "TrueTrueTrue"},
		{"replace and case", "{{ 'a-b'.replace('-', '+') }} {{ 'ab'.upper() }} {{ 'AB'.lower() }} {{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }}", "", "a+b AB ab Hello World Hello"},
		{"find and count", "{{ 'abcb'.find('b') }} {{ 'abc'.find('z') }} {{ 'abcb'.count('b') }}", "", "1 -1 2"},
		{"join", "{{ ', '.join(['a', 'b']) }}", "", "a, b"},
		{"format", "{{ '{} and {}'.format(1, 'x') }}|{{ '{1}{0}'.format('a', 'b') }}|{{ '{n}: {v!r}'.format(n='k', v='s') }}|{{ '{{}}'.format() }}", "", "1 and x|ba|k: 's'|{}"},
		{"dict methods", "{{ d.keys()|list }} {{ d.values()|list }} {{ d.items()|list }} {{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 0) }}", `{"d": {"a": 1, "b": 2}}`, "['a', 'b'] [1, 2] [('a', 1), ('b', 2)] 1 None 0"},
		{"list methods", "{% set l = [1] %}{{ l.append(2) }}{{ l }} {{ l.index(2) }} {{ l.count(1) }} {{ l.pop() }} {{ l }}", "", "None[1, 2] 1 1 2 [1]"},
		{"items with a for filter", "{% for k, v in d.items() if k != 'return' %}{{ k }}{% endfor %}", `{"d": {"name": 1, "return": 2, "x": 3}}`, "namex"},
	})
}
