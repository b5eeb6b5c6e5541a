package jinja

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzTemplate feeds arbitrary template source through the parser and,
// when it parses, the renderer: neither may panic or hang, whatever the
// input. The seeds are the real chat templates plus a few fragments.
func FuzzTemplate(f *testing.F) {
	for _, pattern := range []string{"../../../../shared/testdata/chat-templates/*.jinja", "../testdata/*.jinja"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			src, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(string(src))
		}
	}
	for _, s := range []string{
		"{{ x }}", "{% for a, b in d|items if a %}{{ loop.index }}{% else %}e{% endfor %}",
		"{% set ns = namespace(a=1) %}{% set ns.a = ns.a + 1 %}{{ ns.a }}",
		"{% macro m(a, b=2) %}{{ a ~ b }}{% endmacro %}{{ m(1) }}{{ m(b=3, a=4) }}",
		"{{ messages[1:][::-1]|map(attribute='role')|join(',') }}", "{{ {'a': [1, (2, 3)]}|tojson(indent=2) }}",
		"{%- if x is not none -%}{{- 'a' if y else 'b' -}}{%- endif -%}", "{# c #}{{ 'a'.split('b', 1)[0].strip() }}",
	} {
		f.Add(s)
	}
	vars := map[string]any{}
	msgs, err := DecodeJSON([]byte(`[{"role": "system", "content": "s"}, {"role": "user", "content": "u"},
		{"role": "assistant", "content": null, "tool_calls": [{"id": "abc123DEF", "type": "function", "function": {"name": "f", "arguments": {"a": 1}}}]},
		{"role": "tool", "content": "r", "tool_call_id": "abc123DEF"}]`))
	if err != nil {
		f.Fatal(err)
	}
	tools, err := DecodeJSON([]byte(`[{"type": "function", "function": {"name": "f", "description": "d", "parameters": {"type": "object", "properties": {"a": {"type": "integer", "description": "x"}}}}}]`))
	if err != nil {
		f.Fatal(err)
	}
	vars["messages"], vars["tools"], vars["add_generation_prompt"], vars["bos_token"] = msgs, tools, true, "<s>"
	now := func() time.Time { return time.Date(2024, 7, 26, 0, 0, 0, 0, time.UTC) }
	f.Fuzz(func(t *testing.T, src string) {
		tpl, err := Parse(src)
		if err != nil {
			return
		}
		_, _ = tpl.Render(vars, RenderOptions{Now: now})
	})
}

// FuzzDecodeJSON checks that decoded JSON survives tojson and decoding
// again unchanged.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"a": [1, 2.5, -0.0, 1e300, "x\u00e9", null, true, {}]}`, `[]`, `"\ud83d\ude00"`, `123456789012345678901234567890`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		v, err := DecodeJSON([]byte(data))
		if err != nil {
			return
		}
		text, err := ToJSON(v)
		if err != nil {
			t.Fatalf("ToJSON(%s): %v", data, err)
		}
		again, err := DecodeJSON([]byte(text))
		if err != nil {
			t.Fatalf("decoding %s (from %s): %v", text, data, err)
		}
		if !equal(v, again) {
			t.Fatalf("%s -> %s changed the value", data, text)
		}
	})
}
