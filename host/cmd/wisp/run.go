package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/wisp-llm/wisp/host/wazero"
	"github.com/wisp-llm/wisp/wasm/engine"
	"github.com/wisp-llm/wisp/wasm/sample"
)

func init() {
	commands["run"] = command{"generate text from a prompt (or from BOS alone)", runRun}
}

// samplingFlags registers the sampling flags shared by run and chat, with
// llama.cpp's defaults.
func samplingFlags(fs interface {
	Float64Var(*float64, string, float64, string)
	IntVar(*int, string, int, string)
	Uint64Var(*uint64, string, uint64, string)
}) func() sample.Params {
	var temp, topP, minP, repeat float64
	var topK int
	var seed uint64
	fs.Float64Var(&temp, "temp", 0.8, "temperature; 0 is greedy")
	fs.IntVar(&topK, "top-k", 40, "keep the K most likely tokens (0: all)")
	fs.Float64Var(&topP, "top-p", 0.95, "nucleus sampling threshold (1: off)")
	fs.Float64Var(&minP, "min-p", 0.05, "drop tokens below this fraction of the top probability (0: off)")
	fs.Float64Var(&repeat, "repeat-penalty", 1, "repetition penalty over the last 64 tokens (1: off)")
	fs.Uint64Var(&seed, "seed", 0, "random seed (0: from the clock)")
	return func() sample.Params {
		s := seed
		if s == 0 {
			s = uint64(time.Now().UnixNano())
		}
		return sample.Params{Temperature: float32(temp), TopK: topK, TopP: float32(topP), MinP: float32(minP), RepeatPenalty: float32(repeat), Seed: s}
	}
}

func runRun(args []string, stdout io.Writer) error {
	fs := newFlags("run")
	mf := addModelFlags(fs)
	prompt := fs.String("p", "", "prompt; empty starts from BOS alone")
	n := fs.Int("n", 256, "tokens to generate")
	special := fs.Bool("special", false, "parse special tokens such as <|im_end|> in the prompt")
	params := samplingFlags(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *mf.path == "" {
		return errors.New("-m MODEL.gguf is required")
	}
	if *mf.engine == "wasm" {
		return runWasm(*mf.path, *prompt, *n, *special, params(), mf.wazeroOptions(), stdout)
	}
	if *mf.hostKernels {
		return errors.New("--host-kernels needs --engine wasm")
	}
	m, err := mf.open()
	if err != nil {
		return err
	}
	defer m.Close()
	v := m.Tokenizer.Vocab()
	tokens := []int32{}
	if v.AddBOS || *prompt == "" {
		if v.BOS == -1 {
			return errors.New("the model has no BOS token to start from")
		}
		tokens = append(tokens, v.BOS)
	}
	tokens = append(tokens, m.Tokenizer.Encode(*prompt, *special)...)
	size := *mf.ctx
	if size == 0 {
		size = min(m.LLM.Config.ContextLen, max(4096, len(tokens)+*n))
	}
	s, err := m.NewSession(size)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	out.WriteString(*prompt)
	_, err = s.Generate(ctx, engine.Request{Prompt: tokens, MaxTokens: *n, Sampling: params()}, func(d engine.Delta) error {
		out.WriteString(d.Text)
		return out.Flush()
	})
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(out)
		return nil
	}
	return err
}

// modelFlags are the flags of the commands that load a model.
type modelFlags struct {
	path, engine *string
	ctx, threads *int
	hostKernels  *bool
	mapped       *bool
}

func addModelFlags(fs *flag.FlagSet) modelFlags {
	return modelFlags{
		path:        fs.String("m", "", "model file (GGUF)"),
		ctx:         fs.Int("ctx", 0, "context length (0: the model's, at most 4096)"),
		engine:      fs.String("engine", "native", "where the model runs: native or wasm"),
		threads:     fs.Int("threads", 0, "threads for the native engine and the host kernels (0: all cores)"),
		hostKernels: fs.Bool("host-kernels", false, "with --engine wasm: run runtime-host.wasm, whose matrix products call this host's native kernels on all cores (--threads)"),
		mapped:      fs.Bool("mmap", false, "native engine: map the model file instead of reading it into private memory (opens faster, shares pages between processes, decodes slower)"),
	}
}

// wazeroOptions are the wasm engine's options from the flags.
func (mf modelFlags) wazeroOptions() wazero.Options {
	return wazero.Options{Context: *mf.ctx, HostKernels: *mf.hostKernels, HostThreads: *mf.threads, Stderr: os.Stderr}
}

func (mf modelFlags) open() (*engine.Model, error) {
	return openModel(*mf.path, *mf.engine, *mf.threads, *mf.mapped)
}

// openModel loads a model for the named engine.
func openModel(path, engineName string, threads int, mapped bool) (*engine.Model, error) {
	switch engineName {
	case "native":
		return engine.Open(path, engine.Options{Backend: nativeBackend(threads), Mapped: mapped})
	case "wasm":
		return nil, errors.New("this command runs the wasm engine only through `wisp run` and `wisp serve`; use --engine native")
	}
	return nil, fmt.Errorf("unknown engine %q (want native or wasm)", engineName)
}
