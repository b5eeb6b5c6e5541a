package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/wisp-llm/wisp/wasm/engine"
)

func init() {
	commands["info"] = command{"describe a model: architecture, parameters, tensor types, context, vocabulary", runInfo}
}

func runInfo(args []string, stdout io.Writer) error {
	fs := newFlags("info")
	modelPath := fs.String("m", "", "model file (GGUF)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *modelPath == "" {
		return errors.New("-m MODEL.gguf is required")
	}
	m, err := engine.Open(*modelPath, engine.Options{Mapped: true})
	if err != nil {
		return err
	}
	defer m.Close()
	info := m.Info()
	if *asJSON {
		b, err := json.MarshalIndent(info, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	fmt.Fprintf(stdout, "name:           %s\n", info.Name)
	fmt.Fprintf(stdout, "architecture:   %s\n", info.Architecture)
	fmt.Fprintf(stdout, "parameters:     %d (%s)\n", info.Params, humanCount(info.Params))
	fmt.Fprintf(stdout, "layers:         %d\n", info.Layers)
	fmt.Fprintf(stdout, "embedding:      %d\n", info.Dim)
	fmt.Fprintf(stdout, "heads:          %d (%d KV)\n", info.Heads, info.KVHeads)
	fmt.Fprintf(stdout, "feed-forward:   %d\n", info.FFN)
	fmt.Fprintf(stdout, "context length: %d\n", info.ContextLen)
	fmt.Fprintf(stdout, "vocabulary:     %d tokens (%s)\n", info.VocabSize, info.Tokenizer)
	fmt.Fprintf(stdout, "chat template:  %v\n", info.HasTemplate)
	fmt.Fprintf(stdout, "file size:      %d bytes\n", info.FileBytes)
	types := make([]string, 0, len(info.TensorTypes))
	for t := range info.TensorTypes {
		types = append(types, t)
	}
	sort.Strings(types)
	fmt.Fprint(stdout, "tensor types:  ")
	for _, t := range types {
		fmt.Fprintf(stdout, " %s×%d", t, info.TensorTypes[t])
	}
	fmt.Fprintln(stdout)
	return nil
}

func humanCount(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2fB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1fK", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}
