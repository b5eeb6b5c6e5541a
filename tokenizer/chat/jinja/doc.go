// Package jinja is a small Jinja2 interpreter covering what Hugging Face
// chat templates use, rendering them as transformers does: trim_blocks and
// lstrip_blocks on, one trailing newline of the source dropped, Python
// semantics for values (str(), repr(), truthiness, slicing, int/float
// arithmetic), Jinja's lenient Undefined, the loopcontrols extension
// ({% break %}, {% continue %}), the {% generation %} block, and the
// globals raise_exception and strftime_now. tojson is transformers' own:
// Python's json.dumps with ensure_ascii=False.
//
// Supported: {{ }}, {% if/elif/else %}, {% for %} (loop variables, else,
// filtering if, tuple unpacking), {% set %} (names, tuples, namespace
// attributes, block form), {% macro %} and calls, comments, "-" and "+"
// whitespace control; expressions with arithmetic, comparisons, in/not
// in, and/or/not, ~, conditional expressions, list/dict/tuple literals,
// attribute, item and slice access, and common str/dict/list methods; the
// filters and tests in the filters and tests tables; range, namespace and
// dict.
//
// Anything else (include, extends, blocks, call blocks, filter blocks,
// recursive loops, unknown filters or tests) is rejected by Parse with an
// error naming it and its line. Rendering never panics; runaway templates
// stop at step, output and work budgets.
package jinja
