package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/wisp-llm/wisp/host/convert"
	"github.com/wisp-llm/wisp/wasm/gguf"
)

func init() {
	commands["quantize"] = command{"convert a model's weights to another type (llama.cpp's rules)", runQuantize}
}

func runQuantize(args []string, stdout io.Writer) error {
	fs := newFlags("quantize")
	typ := fs.String("type", "Q8_0", "target type: "+strings.Join(convert.Targets(), ", "))
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: wisp quantize IN.gguf OUT.gguf --type TYPE")
		fs.PrintDefaults()
	}
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(paths) != 2 {
		fs.Usage()
		return errUsage
	}
	in, err := gguf.Open(paths[0])
	if err != nil {
		return err
	}
	defer in.Close()
	return writeModel(paths[1], stdout, func(w io.Writer, progress convert.Progress) error {
		return convert.Quantize(in, w, convert.QuantizeOptions{Type: *typ, Progress: progress})
	})
}

// writeModel creates path and fills it with write, showing a progress bar
// when stdout is a terminal. A failed write leaves no file behind.
func writeModel(path string, stdout io.Writer, write func(io.Writer, convert.Progress) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	var progress convert.Progress
	if isTerminal(stdout) {
		progress = func(done, total int, name string) {
			const width = 30
			bar := strings.Repeat("#", width*done/total) + strings.Repeat(".", width-width*done/total)
			fmt.Fprintf(stdout, "\r[%s] %d/%d %-40.40s", bar, done, total, name)
			if done == total {
				fmt.Fprintln(stdout)
			}
		}
	}
	err = write(f, progress)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", path, info.Size())
	return err
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
