package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSynthCommand(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.gguf"), filepath.Join(dir, "b.gguf")
	for _, out := range []string{a, b} {
		_, stderr, code := wisp(t, "synth", "--shape", "tiny", "--type", "Q4_K_M", "-o", out, "--seed", "3",
			"--vocab", testdata+"/models/stories260K.gguf")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	ba, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if len(ba) == 0 || string(ba) != string(bb) {
		t.Fatalf("two runs with the same seed differ (%d and %d bytes)", len(ba), len(bb))
	}
	out, stderr, code := wisp(t, "info", "-m", a, "--json")
	if code != 0 {
		t.Fatalf("info: exit %d: %s", code, stderr)
	}
	var info struct {
		Layers    int            `json:"layers"`
		Dim       int            `json:"dim"`
		VocabSize int            `json:"vocab_size"`
		Types     map[string]int `json:"tensor_types"`
	}
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatal(err)
	}
	// Q4_K_M: Q6_K for the (tied) embedding and the more-bits layers.
	if info.Layers != 2 || info.VocabSize != 512 || info.Types["Q4_K"] == 0 || info.Types["Q6_K"] == 0 {
		t.Errorf("info = %+v", info)
	}
	if _, stderr, code := wisp(t, "run", "-m", a, "-n", "5", "--temp", "0"); code != 0 {
		t.Errorf("run: exit %d: %s", code, stderr)
	}
}

func TestSynthCommandErrors(t *testing.T) {
	dir := t.TempDir()
	vocab := testdata + "/models/stories260K.gguf"
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no shape", []string{"-o", dir + "/x.gguf"}, "usage: wisp synth"},
		{"no output", []string{"--shape", "tiny"}, "usage: wisp synth"},
		{"unknown shape", []string{"--shape", "huge", "-o", dir + "/x.gguf", "--vocab", vocab}, "unknown shape"},
		{"unknown type", []string{"--shape", "tiny", "--type", "Q1", "-o", dir + "/x.gguf", "--vocab", vocab}, "unknown target type"},
		{"missing vocabulary", []string{"--shape", "tiny", "-o", dir + "/x.gguf", "--vocab", dir + "/none.gguf"}, "vocabulary"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := wisp(t, append([]string{"synth"}, tc.args...)...)
			if code == 0 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want failure mentioning %q", code, stderr, tc.want)
			}
		})
	}
}
