package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestQuantizeCommand converts stories260K and runs the result: the 8-bit
// conversion keeps the F32 model's greedy story.
func TestQuantizeCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "q8.gguf")
	stdout, stderr, code := wisp(t, "quantize", testdata+"/models/stories260K.gguf", out, "--type", "Q8_0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "wrote "+out) || strings.Contains(stdout, "\r") {
		t.Errorf("stdout %q: want a summary line and no progress bar (not a terminal)", stdout)
	}
	want, _, _ := wisp(t, "run", "-m", testdata+"/models/stories260K.gguf", "-n", "40", "--temp", "0")
	got, stderr, code := wisp(t, "run", "-m", out, "-n", "40", "--temp", "0")
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	if got != want {
		t.Errorf("Q8_0 model wrote %q, F32 model %q", got, want)
	}
	info, stderr, code := wisp(t, "info", "-m", out)
	if code != 0 || !strings.Contains(info, "Q8_0×") || !strings.Contains(info, "F16×5") {
		t.Errorf("info (exit %d, %s):\n%s\nwant Q8_0 matrices and five F16 ffn_down", code, stderr, info)
	}
}

func TestQuantizeCommandErrors(t *testing.T) {
	dir := t.TempDir()
	model := testdata + "/models/stories260K.gguf"
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown type", []string{model, dir + "/x.gguf", "--type", "Q9_9"}, "unknown target type"},
		{"missing input", []string{dir + "/none.gguf", dir + "/x.gguf"}, "no such file"},
		{"one path", []string{model}, "usage: wisp quantize"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := wisp(t, append([]string{"quantize"}, tc.args...)...)
			if code == 0 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want failure mentioning %q", code, stderr, tc.want)
			}
		})
	}
	// A failed conversion leaves no file behind.
	if _, _, code := wisp(t, "info", "-m", dir+"/x.gguf"); code == 0 {
		t.Error("a failed quantize left an output file")
	}
}
