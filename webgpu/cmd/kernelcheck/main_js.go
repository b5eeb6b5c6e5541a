//go:build js && wasm

// Command kernelcheck checks Wisp's WebGPU backend against the reference
// backend: every WGSL kernel on random inputs of several shapes, every
// pipeline's compilation messages, and whole models (stories260K's golden
// text, logits of prefill and decode). With -bench it measures decoding
// speed instead.
//
// It is driven by scripts/webgpu: the runner (Node with Dawn, or a page in
// Chromium) sets globalThis.wispGPU to the GPU object, globalThis.wispFiles
// to {name: Uint8Array} of model files and globalThis.wispArgs to the
// arguments, runs the program, and reads globalThis.wispResult (a JSON
// report, also printed after "WISP_RESULT ").
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"strings"
	"syscall/js"
	"time"

	"github.com/wisp-llm/wisp/webgpu"
)

// Report is what a run prints.
type Report struct {
	OK      bool                    `json:"ok"`
	Device  webgpu.Info             `json:"device"`
	Results []Result                `json:"results,omitempty"`
	Compile []webgpu.CompileMessage `json:"compile,omitempty"`
	Bench   []Bench                 `json:"bench,omitempty"`
	Error   string                  `json:"error,omitempty"`
	Seconds float64                 `json:"seconds"`
	Phases  map[string]float64      `json:"phases,omitempty"` // seconds per phase
	// Pipelines are the variants compiled on some device of the run, and
	// those compiled on none with what the devices lacked.
	Pipelines *Pipelines `json:"pipelines,omitempty"`
	Failures  int        `json:"failures"`
}

func main() {
	start := time.Now()
	rep := run()
	rep.Seconds = time.Since(start).Seconds()
	out, err := json.Marshal(rep)
	if err != nil {
		out = []byte(fmt.Sprintf(`{"ok":false,"error":%q}`, err.Error()))
	}
	js.Global().Set("wispResult", string(out))
	fmt.Println("WISP_RESULT " + string(out))
}

func run() (rep Report) {
	flags := flag.NewFlagSet("kernelcheck", flag.ContinueOnError)
	bench := flags.String("bench", "", "measure decoding of this model file (a name in wispFiles) instead of checking")
	tokens := flags.Int("tokens", 32, "tokens to decode with -bench")
	models := flags.Bool("models", true, "run the model checks when their files are given")
	var opts webgpu.Options
	flags.BoolVar(&opts.NoSubgroups, "no-subgroups", false, "with -bench: keep workgroup-memory reductions")
	flags.BoolVar(&opts.ShaderF16, "f16", false, "with -bench: use the f16 matrix products when the adapter can")
	if err := flags.Parse(jsStrings(js.Global().Get("wispArgs"))); err != nil {
		rep.Error = err.Error()
		return rep
	}
	gpu := js.Global().Get("wispGPU")
	files := jsFiles(js.Global().Get("wispFiles"))

	if *bench != "" {
		return runBench(gpu, opts, files, *bench, *tokens)
	}

	// Two devices, so that every kernel runs in both variants: the default
	// one (subgroup reductions when the adapter offers them), which also
	// runs the models, and one with workgroup-memory reductions, weights
	// split into small buffers and an input arena that must grow, which
	// runs the models' logit and allocation checks only.
	def, err := webgpu.Open(gpu, webgpu.Options{})
	if err != nil {
		rep.Error = err.Error()
		return rep
	}
	split, err := webgpu.Open(gpu, webgpu.Options{NoSubgroups: true, MaxWeightBuffer: 4096, ArenaBytes: 4096})
	if err != nil {
		rep.Error = err.Error()
		return rep
	}
	rep.Device = def.Info()
	rep.Phases = map[string]float64{}
	pipes := newPipelines()
	for _, v := range []struct {
		name   string
		b      *webgpu.Backend
		golden bool
	}{{"default", def, true}, {"plain+split", split, false}} {
		t := time.Now()
		phase := func(name string) {
			rep.Phases[v.name+"/"+name] = time.Since(t).Seconds()
			t = time.Now()
		}
		if err := v.b.CompileAll(); err != nil {
			rep.Error = err.Error()
		}
		pipes.add(v.b.Variants())
		rep.Compile = append(rep.Compile, v.b.CompileMessages()...)
		phase("compile")
		c := newChecker(v.b, 1)
		c.runKernels(webgpu.WeightTypes())
		phase("kernels")
		if *models {
			c.runModels(files, v.golden)
			phase("models")
		}
		for _, r := range c.results {
			r.Name = v.name + "/" + r.Name
			rep.Results = append(rep.Results, r)
		}
	}
	rep.Results = append(rep.Results, checkF16(gpu, def.Info().ShaderF16)...)
	rep.Results = append(rep.Results, checkErrors(gpu)...)

	// Dawn's null backend (Node only) executes nothing but compiles every
	// shader, f16 ones included, which SwiftShader cannot.
	if null := js.Global().Get("wispNullGPU"); null.Truthy() {
		r := Result{Name: "compile/null-device", OK: true}
		b, err := webgpu.Open(null, webgpu.Options{ShaderF16: true})
		if err == nil {
			err = b.CompileAll()
			pipes.add(b.Variants())
			for _, m := range b.CompileMessages() {
				m.Kernel = "null-device/" + m.Kernel
				rep.Compile = append(rep.Compile, m)
			}
			r.Detail = fmt.Sprintf("subgroups %v, f16 %v", b.Info().Subgroups, b.Info().UseF16)
		}
		if err != nil {
			r.OK, r.Detail = false, err.Error()
		}
		rep.Results = append(rep.Results, r)
	}
	rep.Pipelines = pipes.report()
	rep.OK = rep.Error == ""
	for _, r := range rep.Results {
		if !r.OK {
			rep.OK = false
			rep.Failures++
		}
	}
	for _, m := range rep.Compile {
		if m.Type == "error" {
			rep.OK = false
			rep.Failures++
		}
	}
	return rep
}

func jsStrings(v js.Value) []string {
	if v.IsUndefined() || v.IsNull() {
		return nil
	}
	out := make([]string, v.Length())
	for i := range out {
		out[i] = v.Index(i).String()
	}
	return out
}

func jsFiles(v js.Value) map[string][]byte {
	files := map[string][]byte{}
	if v.IsUndefined() || v.IsNull() {
		return files
	}
	keys := js.Global().Get("Object").Call("keys", v)
	for i := range keys.Length() {
		name := keys.Index(i).String()
		arr := v.Get(name)
		b := make([]byte, arr.Get("length").Int())
		js.CopyBytesToGo(b, arr)
		files[name] = b
	}
	return files
}

// Pipelines is the report's account of the pipeline variants.
type Pipelines struct {
	Compiled []string         `json:"compiled"`
	Skipped  []webgpu.Variant `json:"skipped,omitempty"`
}

// pipelineTally merges the variants of several devices: a variant counts
// as compiled when any device compiled it, and otherwise as missing what
// each device lacked.
type pipelineTally struct {
	order    []string
	compiled map[string]bool
	missing  map[string][]string
}

func newPipelines() *pipelineTally {
	return &pipelineTally{compiled: map[string]bool{}, missing: map[string][]string{}}
}

func (t *pipelineTally) add(vs []webgpu.Variant) {
	for _, v := range vs {
		if !t.compiled[v.Kernel] && t.missing[v.Kernel] == nil {
			t.order = append(t.order, v.Kernel)
		}
		if v.Missing == "" {
			t.compiled[v.Kernel] = true
		} else if !slices.Contains(t.missing[v.Kernel], v.Missing) {
			t.missing[v.Kernel] = append(t.missing[v.Kernel], v.Missing)
		}
	}
}

func (t *pipelineTally) report() *Pipelines {
	p := &Pipelines{Compiled: []string{}}
	for _, k := range t.order {
		if t.compiled[k] {
			p.Compiled = append(p.Compiled, k)
		} else {
			p.Skipped = append(p.Skipped, webgpu.Variant{Kernel: k, Missing: strings.Join(t.missing[k], " / ")})
		}
	}
	return p
}
