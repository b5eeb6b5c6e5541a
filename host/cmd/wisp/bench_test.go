package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/wisp-llm/wisp/wasm/gguf"
)

const stories = testdata + "/models/stories260K.gguf"

func TestBenchJSON(t *testing.T) {
	out, stderr, code := wisp(t, "bench", "-m", stories, "-p", "16", "-n", "8", "-r", "1", "-t", "1", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	if got["runtime"] != "wisp-native" || got["model"] != "stories260K.gguf" || got["threads"] != 1.0 {
		t.Errorf("got %v, want runtime wisp-native, model stories260K.gguf, threads 1", got)
	}
	for _, k := range []string{"prefill_tps", "decode_tps"} {
		if v, ok := got[k].(float64); !ok || v <= 0 {
			t.Errorf("%s = %v, want a positive number", k, got[k])
		}
	}
	if len(got) != 5 {
		t.Errorf("got keys %v, want exactly runtime, model, threads, prefill_tps, decode_tps", got)
	}
}

func TestBenchText(t *testing.T) {
	out, stderr, code := wisp(t, "bench", "-m", stories, "-p", "8", "-n", "4", "-r", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"wisp-native", "prefill  pp8", "decode   tg4", "median of 2"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestBenchErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no model", []string{"bench"}, "-m MODEL.gguf is required"},
		{"zero reps", []string{"bench", "-m", stories, "-r", "0"}, "-r >= 1"},
		{"negative threads", []string{"bench", "-m", stories, "-t", "-1"}, "-t must be >= 0"},
		{"unknown engine", []string{"bench", "-m", stories, "--engine", "gpu"}, `unknown engine "gpu"`},
		{"missing file", []string{"bench", "-m", "no-such.gguf"}, "no-such.gguf"},
		{"context too small", []string{"bench", "-m", stories, "-p", "4000"}, "exceeds"},
		{"bandwidth size", []string{"bench", "--bandwidth", "--bandwidth-mib", "0"}, "--bandwidth-mib"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := wisp(t, tt.args...)
			if code == 0 {
				t.Fatal("exit 0, want an error")
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q lacks %q", stderr, tt.want)
			}
		})
	}
}

// fakeGenerator reports a fixed outcome for every decode call.
type fakeGenerator struct {
	generated int
	stopped   bool
	err       error
	calls     [][]int32
}

func (g *fakeGenerator) generate(prompt []int32, maxTokens int) (int, bool, error) {
	g.calls = append(g.calls, prompt)
	if maxTokens == 1 {
		return 1, false, g.err
	}
	return g.generated, g.stopped, g.err
}

func TestBenchOnce(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name    string
		gen     fakeGenerator
		wantErr string
	}{
		{"full length", fakeGenerator{generated: 9}, ""},
		{"stopped early", fakeGenerator{generated: 3, stopped: true}, ""},
		{"stopped at once", fakeGenerator{generated: 0, stopped: true}, "stopped at once"},
		{"engine error", fakeGenerator{err: errBoom}, "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := benchmark{gen: &tt.gen, vocab: 100, promptLen: 5, genLen: 8}
			p, d, err := b.once(1)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p <= 0 || d <= 0 {
				t.Errorf("prefill %v, decode %v tok/s; want both positive", p, d)
			}
			// Both calls use the same prompt, so the second reuses the cache.
			if len(tt.gen.calls) != 2 || !slices.Equal(tt.gen.calls[0], tt.gen.calls[1]) || len(tt.gen.calls[0]) != 5 {
				t.Errorf("calls %v, want the same 5-token prompt twice", tt.gen.calls)
			}
		})
	}
}

func TestServeBench(t *testing.T) {
	g := &fakeGenerator{generated: 4}
	var out bytes.Buffer
	in := "run\n\nbogus\nrun\nquit\nrun\n"
	if err := serveBench(benchmark{gen: g, vocab: 50, promptLen: 3, genLen: 4}, bufio.NewScanner(strings.NewReader(in)), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || lines[0] != `{"ready":true}` {
		t.Fatalf("output %q, want ready and two results", out.String())
	}
	for _, l := range lines[1:] {
		var r struct {
			PrefillTPS float64 `json:"prefill_tps"`
			DecodeTPS  float64 `json:"decode_tps"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil || r.PrefillTPS <= 0 || r.DecodeTPS <= 0 {
			t.Errorf("result %q: %v", l, err)
		}
	}
	// Each run gets a fresh prompt, so nothing is reused across runs.
	if len(g.calls) != 4 || g.calls[0][0] == g.calls[2][0] {
		t.Errorf("calls %v, want 4 with the two runs' prompts differing", g.calls)
	}
}

func TestBenchPrompt(t *testing.T) {
	for _, vocab := range []int{4, 512, 49152} {
		a, b := benchPrompt(200, vocab, 1), benchPrompt(200, vocab, 1)
		if !slices.Equal(a, b) {
			t.Errorf("vocab %d: prompts differ between calls", vocab)
		}
		for _, id := range a {
			if id < 3 || int(id) >= vocab {
				t.Fatalf("vocab %d: id %d outside [3, %d)", vocab, id, vocab)
			}
		}
	}
	firsts := map[int32]bool{}
	for rep := range uint64(10) {
		firsts[benchPrompt(1, 49152, rep)[0]] = true
	}
	if len(firsts) < 9 {
		t.Errorf("10 repetitions gave only %d distinct first tokens", len(firsts))
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
		{nil, 0},
	}
	for _, tt := range tests {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestSumWords(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 1000} {
		b := make([]uint64, n)
		var want uint64
		for i := range b {
			b[i] = uint64(i*i + 1)
			want += b[i]
		}
		if got := sumWords(b); got != want {
			t.Errorf("n=%d: sumWords = %d, want %d", n, got, want)
		}
	}
}

func TestBandwidthJSON(t *testing.T) {
	out, stderr, code := wisp(t, "bench", "--bandwidth", "--bandwidth-mib", "16", "-r", "1", "-t", "2", "-m", stories, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got bandwidthResult
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	if got.Runtime != "bandwidth" || got.GBps <= 0 || got.Threads != 2 || got.BytesPerToken <= 0 || got.DecodeLimitTPS <= 0 {
		t.Errorf("got %+v", got)
	}
}

// TestWeightBytesPerToken checks the count against the file's tensor table:
// everything but the token embedding, of which one row, unless the model
// has no output.weight and projects through the embedding.
func TestWeightBytesPerToken(t *testing.T) {
	f, err := gguf.Open(stories)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var want int64
	tied := true
	for _, ti := range f.Tensors {
		if ti.Name == "output.weight" {
			tied = false
		}
	}
	for _, ti := range f.Tensors {
		if ti.Name == "token_embd.weight" && !tied {
			want += ti.Size / int64(ti.Dims[1])
			continue
		}
		want += ti.Size
	}
	got, err := weightBytesPerToken(stories)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("weightBytesPerToken = %d, want %d (tied output: %v)", got, want, tied)
	}
}
