package main

import (
	"os"
	"testing"

	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/webgpu"
)

const testdata = "../../../../shared/testdata/models/"

// The harness itself, with the reference backend standing in for the GPU:
// every check must pass with zero error, and the golden check must find
// llama2.c's text, which pins how many tokens it generates.
func TestChecksPassOnTheReference(t *testing.T) {
	c := newChecker(cpu.Reference{}, 1)
	c.runKernels(webgpu.WeightTypes())
	files := map[string][]byte{}
	for _, name := range []string{"stories260K.gguf", "stories260K.expected.txt", "llama-2-tiny-random.gguf"} {
		b, err := os.ReadFile(testdata + name)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	c.runModels(files, true)
	if len(c.results) < 50 {
		t.Errorf("only %d checks ran", len(c.results))
	}
	for _, r := range c.results {
		if !r.OK || r.MaxErr != 0 {
			t.Errorf("%s: ok=%v maxErr=%g %s", r.Name, r.OK, r.MaxErr, r.Detail)
		}
	}
}
