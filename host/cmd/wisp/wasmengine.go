package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/wisp-llm/wisp/host/wazero"
	"github.com/wisp-llm/wisp/wasm/abi"
	"github.com/wisp-llm/wisp/wasm/sample"
)

// runWasm is `wisp run --engine wasm`: the same generation inside
// runtime.wasm under wazero ($WISP_RUNTIME_WASM, or build/wasip1/runtime.wasm
// from scripts/build-wasm).
func runWasm(modelPath, prompt string, n int, special bool, p sample.Params, opts wazero.Options, stdout io.Writer) error {
	e, err := wazero.Open(modelPath, opts)
	if err != nil {
		return err
	}
	if opts.HostKernels && !e.HostKernels() {
		fmt.Fprintln(os.Stderr, "wisp: this runtime.wasm does not import the host kernels; it computes everything itself")
	}
	defer e.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	out.WriteString(prompt)
	req := abi.GenerateRequest{
		Text: prompt, Special: special, MaxTokens: n,
		Sampling: abi.Sampling{
			Temperature: p.Temperature, TopK: p.TopK, TopP: p.TopP, MinP: p.MinP,
			RepeatPenalty: p.RepeatPenalty, Seed: p.Seed,
		},
	}
	_, err = e.Generate(ctx, req, func(d abi.Delta) error {
		out.WriteString(d.Text)
		return out.Flush()
	})
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(out)
		return nil
	}
	return err
}
