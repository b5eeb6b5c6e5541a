package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/wisp-llm/wisp/tokenizer"
	"github.com/wisp-llm/wisp/wasm/gguf"
)

func init() {
	commands["tokenize"] = command{"print the token ids of a text as a JSON array", runTokenize}
}

func runTokenize(args []string, stdout io.Writer) error {
	fs := newFlags("tokenize")
	modelPath := fs.String("m", "", "model or vocabulary file (GGUF)")
	bos := fs.Bool("bos", false, "start with the BOS token")
	special := fs.Bool("special", true, "parse special tokens written in the text")
	pieces := fs.Bool("pieces", false, "print each id with its text instead")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *modelPath == "" || len(rest) == 0 {
		return errors.New("usage: wisp tokenize -m MODEL.gguf TEXT")
	}
	f, err := gguf.Open(*modelPath)
	if err != nil {
		return err
	}
	defer f.Close()
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		return err
	}
	ids := []int32{}
	if *bos {
		if tok.Vocab().BOS == tokenizer.NoToken {
			return errors.New("the vocabulary has no BOS token")
		}
		ids = append(ids, tok.Vocab().BOS)
	}
	ids = append(ids, tok.Encode(strings.Join(rest, " "), *special)...)
	if *pieces {
		for _, id := range ids {
			fmt.Fprintf(stdout, "%6d %q\n", id, tok.Piece(id))
		}
		return nil
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", b)
	return err
}
