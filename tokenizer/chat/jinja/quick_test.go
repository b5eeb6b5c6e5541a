package jinja

import (
	"os"
	"path/filepath"
	"testing"
)

func TestQuickParseAll(t *testing.T) {
	files, _ := filepath.Glob("../../../../shared/testdata/chat-templates/*.jinja")
	if len(files) == 0 {
		t.Fatal("no templates")
	}
	for _, f := range files {
		src, _ := os.ReadFile(f)
		tpl, err := Parse(string(src))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		msgs, _ := DecodeJSON([]byte(`[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello!"},{"role":"user","content":"Bye"}]`))
		out, err := tpl.Render(map[string]any{"messages": msgs, "add_generation_prompt": true, "bos_token": "<s>", "eos_token": "</s>", "tools": nil, "documents": nil}, RenderOptions{})
		t.Logf("%s: err=%v\n%s", filepath.Base(f), err, out)
	}
}
