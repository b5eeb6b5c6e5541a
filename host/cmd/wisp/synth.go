package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/wisp-llm/wisp/host/convert"
	"github.com/wisp-llm/wisp/wasm/gguf"
)

func init() {
	commands["synth"] = command{"write a random-weight model at a real model's shape", runSynth}
}

// defaultVocabDir is where the vocabulary donors live, relative to the
// repository root.
const defaultVocabDir = "../shared/testdata/models"

func runSynth(args []string, stdout io.Writer) error {
	fs := newFlags("synth")
	shape := fs.String("shape", "", "model shape: "+strings.Join(convert.Shapes(), ", "))
	typ := fs.String("type", "Q8_0", "weight type: "+strings.Join(convert.Targets(), ", "))
	outPath := fs.String("o", "", "output file (GGUF)")
	seed := fs.Uint64("seed", 1, "random seed")
	layers := fs.Int("layers", 0, "number of layers (0: the shape's own)")
	vocabPath := fs.String("vocab", "", "GGUF file whose SentencePiece vocabulary is copied (default: the shape's donor in "+defaultVocabDir+")")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *shape == "" || *outPath == "" {
		fmt.Fprintln(fs.Output(), "usage: wisp synth --shape NAME --type TYPE -o FILE.gguf [--seed S] [--layers N] [--vocab FILE.gguf]")
		fs.PrintDefaults()
		return errUsage
	}
	if *vocabPath == "" {
		donor, err := convert.VocabDonor(*shape)
		if err != nil {
			return err
		}
		*vocabPath = filepath.Join(defaultVocabDir, donor)
	}
	vocab, err := gguf.Open(*vocabPath)
	if err != nil {
		return fmt.Errorf("vocabulary: %w", err)
	}
	defer vocab.Close()
	opts := convert.SynthOptions{Shape: *shape, Type: *typ, Seed: *seed, Layers: *layers, Vocab: vocab}
	return writeModel(*outPath, stdout, func(w io.Writer, progress convert.Progress) error {
		opts.Progress = progress
		return convert.Synth(opts, w)
	})
}
