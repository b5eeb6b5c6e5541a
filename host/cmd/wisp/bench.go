package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/wisp-llm/wisp/host/wazero"
	"github.com/wisp-llm/wisp/wasm/abi"
	"github.com/wisp-llm/wisp/wasm/engine"
)

func init() {
	commands["bench"] = command{"measure prefill and decode speed, or memory bandwidth (--bandwidth)", runBench}
}

// benchResult is what `wisp bench --json` prints, one object per run of the
// command, in the shape scripts/bench collects from every runtime.
type benchResult struct {
	Runtime    string  `json:"runtime"`
	Model      string  `json:"model"`
	Threads    int     `json:"threads"`
	PrefillTPS float64 `json:"prefill_tps"`
	DecodeTPS  float64 `json:"decode_tps"`
}

// generator is one engine as the benchmark drives it: a generation from a
// token prompt, reusing the cache when the prompt extends what it holds
// (both the native session and the wasm guest behave so).
type generator interface {
	// generate runs prompt and then samples up to maxTokens tokens
	// greedily; it reports how many tokens were generated and whether a
	// stop token ended generation before maxTokens.
	generate(prompt []int32, maxTokens int) (generated int, stopped bool, err error)
}

type nativeGenerator struct{ s *engine.Session }

func (g nativeGenerator) generate(prompt []int32, maxTokens int) (int, bool, error) {
	res, err := g.s.Generate(context.Background(), engine.Request{Prompt: prompt, MaxTokens: maxTokens}, func(engine.Delta) error { return nil })
	return res.CompletionTokens, res.FinishReason == engine.FinishStop, err
}

type wazeroGenerator struct{ e *wazero.Engine }

func (g wazeroGenerator) generate(prompt []int32, maxTokens int) (int, bool, error) {
	res, err := g.e.Generate(context.Background(), abi.GenerateRequest{Prompt: prompt, MaxTokens: maxTokens}, func(abi.Delta) error { return nil })
	return res.CompletionTokens, res.FinishReason == engine.FinishStop, err
}

func runBench(args []string, stdout io.Writer) error {
	fs := newFlags("bench")
	modelPath := fs.String("m", "", "model file (GGUF)")
	promptLen := fs.Int("p", 128, "prompt tokens to prefill")
	genLen := fs.Int("n", 64, "tokens to decode")
	threads := fs.Int("t", 0, "threads (0: all cores); also caps GOMAXPROCS")
	reps := fs.Int("r", 3, "repetitions; the median is reported")
	engineName := fs.String("engine", "native", "where the model runs: native, or wasm (runtime.wasm in wazero)")
	hostKernels := fs.Bool("host-kernels", false, "with --engine wasm: runtime-host.wasm, whose matrix products run on the host's native kernels on -t threads")
	mapped := fs.Bool("mmap", false, "native engine: compute on a mapping of the file rather than a private copy")
	asJSON := fs.Bool("json", false, "print one JSON object")
	bandwidth := fs.Bool("bandwidth", false, "measure memory bandwidth instead (with -m: and the decode limit it implies)")
	bandwidthMiB := fs.Int("bandwidth-mib", 1024, "bytes streamed per bandwidth pass, in MiB")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measured repetitions (after the warm-up) to this file, for go tool pprof")
	serve := fs.Bool("stdin", false, `for scripts/bench: after loading print {"ready":true}, then measure one repetition per line "run" read from stdin, printing it as JSON, until "quit" or end of input`)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *threads < 0 || *reps < 1 || *promptLen < 1 || *genLen < 1 {
		return errors.New("-t must be >= 0 and -p, -n, -r >= 1")
	}
	if *threads == 0 {
		*threads = runtime.NumCPU()
	}
	// The thread count is a promise about cores used: the Go scheduler must
	// not run more goroutines than that at once (the GC included).
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(*threads))

	if *bandwidth {
		return runBandwidth(stdout, *modelPath, *threads, *reps, *bandwidthMiB, *asJSON)
	}
	if *modelPath == "" {
		return errors.New("-m MODEL.gguf is required")
	}
	gen, vocab, name, closeModel, err := openBenchModel(*modelPath, *engineName, *hostKernels, *mapped, *threads, *promptLen+*genLen+1)
	if err != nil {
		return err
	}
	defer closeModel()

	b := benchmark{gen: gen, vocab: vocab, promptLen: *promptLen, genLen: *genLen}
	if *serve {
		// scripts/bench runs the warm-up itself, as for every runtime.
		return serveBench(b, bufio.NewScanner(os.Stdin), stdout)
	}
	// Warm-up: page the weights in, grow the heap, let the CPU clock settle.
	if _, _, err := b.once(0); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	var prefill, decode []float64
	for i := range *reps {
		p, d, err := b.once(i + 1)
		if err != nil {
			return err
		}
		prefill, decode = append(prefill, p), append(decode, d)
	}
	res := benchResult{Runtime: name, Model: filepath.Base(*modelPath), Threads: *threads, PrefillTPS: median(prefill), DecodeTPS: median(decode)}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	fmt.Fprintf(stdout, "%s  %s  threads %d  median of %d\n", res.Model, res.Runtime, res.Threads, *reps)
	fmt.Fprintf(stdout, "prefill  pp%-4d %9.2f tok/s   runs %s\n", *promptLen, res.PrefillTPS, formatRuns(prefill))
	fmt.Fprintf(stdout, "decode   tg%-4d %9.2f tok/s   runs %s\n", *genLen, res.DecodeTPS, formatRuns(decode))
	return nil
}

// openBenchModel loads the model for an engine and returns it as a
// generator with room for ctxLen tokens, with its vocabulary size, the
// runtime's name as scripts/bench reports it, and a function that frees it.
func openBenchModel(path, engineName string, hostKernels, mapped bool, threads, ctxLen int) (generator, int, string, func(), error) {
	if hostKernels && engineName != "wasm" {
		return nil, 0, "", nil, errors.New("--host-kernels needs --engine wasm")
	}
	switch engineName {
	case "wasm":
		e, err := wazero.Open(path, wazero.Options{Context: ctxLen, HostKernels: hostKernels, HostThreads: threads})
		if err != nil {
			return nil, 0, "", nil, err
		}
		name := "wisp-wazero"
		if hostKernels {
			if !e.HostKernels() {
				e.Close()
				return nil, 0, "", nil, errors.New("the wasm runtime does not import the host kernels: is it runtime-host.wasm?")
			}
			name = "wisp-wazero-host"
		}
		return wazeroGenerator{e}, e.Info().VocabSize, name, func() { e.Close() }, nil
	case "native":
		m, err := openModel(path, engineName, threads, mapped)
		if err != nil {
			return nil, 0, "", nil, err
		}
		s, err := m.NewSession(ctxLen)
		if err != nil {
			m.Close()
			return nil, 0, "", nil, err
		}
		return nativeGenerator{s}, m.Info().VocabSize, "wisp-native", func() { m.Close() }, nil
	}
	return nil, 0, "", nil, fmt.Errorf("unknown engine %q (want native or wasm)", engineName)
}

// serveBench answers scripts/bench's line protocol (the one its Node
// runners speak too), so that runtimes can take turns run by run while
// each keeps its model loaded.
func serveBench(b benchmark, in *bufio.Scanner, stdout io.Writer) error {
	enc := json.NewEncoder(stdout)
	if err := enc.Encode(map[string]bool{"ready": true}); err != nil {
		return err
	}
	for rep := 1; in.Scan(); {
		switch strings.TrimSpace(in.Text()) {
		case "quit":
			return nil
		case "run":
			p, d, err := b.once(rep)
			if err != nil {
				return err
			}
			rep++
			if err := enc.Encode(map[string]float64{"prefill_tps": p, "decode_tps": d}); err != nil {
				return err
			}
		}
	}
	return in.Err()
}

type benchmark struct {
	gen               generator
	vocab             int
	promptLen, genLen int
}

// once measures prefill of a fresh prompt and then decoding after it.
// Every repetition gets its own prompt (seeded by rep) so that nothing of
// the previous one is reused from the cache.
func (b benchmark) once(rep int) (prefillTPS, decodeTPS float64, err error) {
	prompt := benchPrompt(b.promptLen, b.vocab, uint64(rep))
	start := time.Now()
	// One token sampled after the prompt, and no forward pass for it.
	if _, _, err := b.gen.generate(prompt, 1); err != nil {
		return 0, 0, fmt.Errorf("prefill: %w", err)
	}
	prefillTPS = float64(b.promptLen) / time.Since(start).Seconds()

	// The same prompt again: the cache holds all of it, so the engine
	// reruns only its last token, then one forward pass per token
	// generated except the last (and except one ending generation).
	start = time.Now()
	generated, stopped, err := b.gen.generate(prompt, b.genLen+1)
	if err != nil {
		return 0, 0, fmt.Errorf("decode: %w", err)
	}
	forwards := 1 + generated
	if !stopped {
		forwards--
	}
	if forwards < 2 {
		return 0, 0, errors.New("decode: the model stopped at once; try another -p")
	}
	return prefillTPS, float64(forwards) / time.Since(start).Seconds(), nil
}

// benchPrompt returns n token ids spread over the vocabulary, as
// llama-bench uses random ones: speed does not depend on which. Ids below
// 3 (control tokens in most vocabularies) are avoided; rep varies the
// first token so consecutive prompts share no cached prefix.
func benchPrompt(n, vocab int, rep uint64) []int32 {
	ids := make([]int32, n)
	x := 0x9e3779b97f4a7c15 * (rep + 1)
	span := uint64(max(vocab-3, 1))
	for i := range ids {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		ids[i] = int32(3 + x%span)
	}
	return ids
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func formatRuns(xs []float64) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += " "
		}
		out += fmt.Sprintf("%.2f", x)
	}
	return out
}

// startCPUProfile profiles the process into path until the returned
// function is called.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
