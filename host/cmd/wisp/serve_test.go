//go:build unix

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestServeFlagErrors(t *testing.T) {
	model := testdata + "/models/stories260K.gguf"
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no model", []string{"serve"}, "-m MODEL.gguf is required"},
		{"unknown engine", []string{"serve", "-m", model, "--engine", "gpu"}, "unknown engine"},
		{"bad parallel", []string{"serve", "-m", model, "--parallel", "0", "--addr", "127.0.0.1:0"}, "parallel"},
		{"context beyond the model", []string{"serve", "-m", model, "--ctx", "100000", "--addr", "127.0.0.1:0"}, "exceeds"},
		{"bad address", []string{"serve", "-m", model, "--addr", "256.0.0.1:99999"}, "listen"},
		{"missing model file", []string{"serve", "-m", testdata + "/models/none.gguf"}, "none.gguf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := wisp(t, tc.args...)
			if code == 0 || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stderr %q, want an error mentioning %q", code, stderr, tc.stderr)
			}
		})
	}
}

// wisp serve prints where it listens, serves, and exits cleanly on SIGTERM.
func TestServeUntilSIGTERM(t *testing.T) {
	out, stdout := io.Pipe()
	var stderr bytes.Buffer
	exited := make(chan int, 1)
	go func() {
		exited <- runMain([]string{"serve", "-m", testdata + "/models/stories260K.gguf", "--addr", "127.0.0.1:0", "--parallel", "2", "--site", t.TempDir()}, stdout, &stderr)
		stdout.Close()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("no listening line: %v (stderr %q)", err, stderr.String())
	}
	addr := regexp.MustCompile(`^listening on (http://127\.0\.0\.1:\d+) `).FindStringSubmatch(line)
	if addr == nil {
		t.Fatalf("first line %q", line)
	}
	resp, err := http.Post(addr[1]+"/v1/completions", "application/json", strings.NewReader(`{"prompt":"","max_tokens":5,"temperature":0}`))
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Choices []struct{ Text string }
	}
	json.NewDecoder(resp.Body).Decode(&res)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(res.Choices) != 1 || !strings.HasPrefix(res.Choices[0].Text, "Once") {
		t.Fatalf("completion: %d %+v", resp.StatusCode, res)
	}

	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-exited:
		if code != 0 {
			t.Errorf("exit %d after SIGTERM: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("wisp serve did not stop on SIGTERM")
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("stderr %q", stderr.String())
	}
}
