package chat

import (
	"sync"
)

// ChatML is the template used, with a warning, for a model that ships
// none: the <|im_start|>role ... <|im_end|> format many instruction-tuned
// models use. Content that is not a string (a tool call's None) renders
// as empty.
const ChatML = `{%- for message in messages %}
{{- '<|im_start|>' + message.role + '\n' }}
{%- if message.content is string %}{{ message.content }}{% endif %}
{{- '<|im_end|>\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
{{- '<|im_start|>assistant\n' }}
{%- endif %}`

var fallback = sync.OnceValue(func() *Template {
	t, err := Compile(ChatML)
	if err != nil {
		// Unreachable: ChatML is tested to compile. Keep the error for Render.
		return &Template{err: err}
	}
	return t
})

// Fallback returns the compiled ChatML template.
func Fallback() *Template { return fallback() }
