package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

const testdata = "../../../../shared/testdata"

func wisp(t testing.TB, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runMain(args, &out, &errOut)
	return out.String(), errOut.String(), code
}

func TestRunGolden(t *testing.T) {
	want, err := os.ReadFile(testdata + "/models/stories260K.expected.txt")
	if err != nil {
		t.Fatal(err)
	}
	out, stderr, code := wisp(t, "run", "-m", testdata+"/models/stories260K.gguf", "-n", "200", "--temp", "0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if out != string(want) {
		t.Fatalf("wisp run printed\n%q\nwant\n%q", out, want)
	}
}

// TestTokenizeVectors checks `wisp tokenize` against every llama.cpp
// SentencePiece test vector.
func TestTokenizeVectors(t *testing.T) {
	base := testdata + "/tokenizers/llama.cpp-vocab/ggml-vocab-llama-spm.gguf"
	inp, err := os.ReadFile(base + ".inp")
	if err != nil {
		t.Fatal(err)
	}
	outp, err := os.ReadFile(base + ".out")
	if err != nil {
		t.Fatal(err)
	}
	texts := strings.Split(string(inp), "\n__ggml_vocab_test__\n")
	wants := strings.Split(strings.TrimSuffix(string(outp), "\n"), "\n")
	if len(texts) < len(wants) {
		t.Fatalf("%d texts for %d expected lines", len(texts), len(wants))
	}
	for i, want := range wants {
		stdout, stderr, code := wisp(t, "tokenize", "-m", base, "--special=false", texts[i])
		if code != 0 {
			t.Fatalf("text %d: exit %d: %s", i, code, stderr)
		}
		var ids []int
		if err := json.Unmarshal([]byte(stdout), &ids); err != nil {
			t.Fatalf("text %d: output %q: %v", i, stdout, err)
		}
		var got []string
		for _, id := range ids {
			got = append(got, strings.TrimSpace(strings.Repeat(" ", 0)+itoa(id)))
		}
		if strings.Join(got, " ") != strings.TrimSpace(want) {
			t.Errorf("text %d %q:\n got %s\nwant %s", i, texts[i], strings.Join(got, " "), want)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestInfo(t *testing.T) {
	out, stderr, code := wisp(t, "info", "-m", testdata+"/models/stories260K.gguf", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var info struct {
		Architecture string         `json:"architecture"`
		Layers       int            `json:"layers"`
		VocabSize    int            `json:"vocab_size"`
		Types        map[string]int `json:"tensor_types"`
	}
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatal(err)
	}
	if info.Architecture != "llama" || info.Layers != 5 || info.VocabSize != 512 || info.Types["F32"] == 0 {
		t.Fatalf("info = %+v", info)
	}
}

func TestErrorsExitNonZero(t *testing.T) {
	tests := [][]string{
		{"nosuchcommand"},
		{"run"},
		{"run", "-m", "does-not-exist.gguf"},
		{"run", "-m", testdata + "/models/stories260K.expected.txt"},
		{"info", "-m", testdata + "/tokenizers/llama.cpp-vocab/ggml-vocab-llama-spm.gguf"},
		{"tokenize", "-m", testdata + "/models/stories260K.gguf"},
		{"run", "--bogus-flag"},
	}
	for _, args := range tests {
		_, stderr, code := wisp(t, args...)
		if code == 0 || stderr == "" {
			t.Errorf("wisp %v: exit %d, stderr %q", args, code, stderr)
		}
	}
}

func TestChatSession(t *testing.T) {
	chatInput = strings.NewReader("Hello\n/reset\nOnce upon\n/exit\n")
	defer func() { chatInput = os.Stdin }()
	out, stderr, code := wisp(t, "chat", "-m", testdata+"/models/stories260K.gguf", "-n", "20", "--temp", "0", "--ctx", "512")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Count(out, "> ") != 4 || !strings.Contains(stderr, "ChatML") {
		t.Fatalf("unexpected session:\n%s\nstderr: %s", out, stderr)
	}
}

func TestTemplateCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tmpl := write("t.jinja", "{{ bos_token }}{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}")
	msgs := write("m.json", `[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]`)
	out, stderr, code := wisp(t, "template", "-t", tmpl, "-m", msgs, "--add-generation-prompt", "--bos-token", "<B>")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := "<B><system>Be brief.<user>Hi<assistant>"; out != want {
		t.Fatalf("got %q, want %q", out, want)
	}
	bad := write("bad.jinja", "{% for %}")
	if _, _, code := wisp(t, "template", "-t", bad, "-m", msgs); code == 0 {
		t.Fatal("broken template accepted")
	}
}

// TestRunWasmGolden: `wisp run --engine wasm` gives the same golden text
// from runtime.wasm under wazero (scripts/build-wasm builds it; scripts/test
// runs that before the Go tests).
func TestRunWasmGolden(t *testing.T) {
	if _, err := os.Stat("../../../build/wasip1/runtime.wasm"); err != nil {
		t.Skip("build/wasip1/runtime.wasm not built; run scripts/build-wasm")
	}
	t.Setenv("WISP_RUNTIME_WASM", "../../../build/wasip1/runtime.wasm")
	want, err := os.ReadFile(testdata + "/models/stories260K.expected.txt")
	if err != nil {
		t.Fatal(err)
	}
	out, stderr, code := wisp(t, "run", "--engine", "wasm", "-m", testdata+"/models/stories260K.gguf", "-n", "200", "--temp", "0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if out != string(want) {
		t.Fatalf("wisp run --engine wasm printed\n%q", out)
	}
}
