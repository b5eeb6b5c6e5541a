package main

import (
	"fmt"
	"time"

	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/gguf"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/sample"
)

// Bench is the decoding speed of one backend.
type Bench struct {
	Backend      string  `json:"backend"`
	Model        string  `json:"model"`
	Tokens       int     `json:"tokens"`
	TokensPerSec float64 `json:"tokensPerSec"`
	Error        string  `json:"error,omitempty"`
}

// decodeSpeed loads the model on b and decodes tokens tokens greedily after
// one warm-up token (which builds the GPU pipelines), timing the rest. With
// onDevice the argmax is taken where the logits are (b must select) and
// only the token is read back, as the engine does; otherwise the whole
// logits row is read.
func decodeSpeed(label, name string, data []byte, b model.Backend, tokens int, onDevice bool) Bench {
	r := Bench{Backend: label, Model: name, Tokens: tokens}
	f, err := gguf.FromBytes(data)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	m, err := model.Load(f, b)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	s, err := m.NewState(tokens+1, 1)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	sel, selects := b.(selector)
	var read *deferredRead
	if onDevice {
		if !selects {
			r.Error = "the backend cannot select on the device"
			return r
		}
		read = &deferredRead{Backend: b}
		view := *m
		view.Backend = read
		m = &view
	}
	logits := make([]float32, m.Config.Vocab)
	ids, vals := make([]int32, 1), make([]float32, 1)
	next := int32(1)
	var start time.Time
	for i := range tokens + 1 {
		if i == 1 {
			start = time.Now()
		}
		if err := m.Forward(s, []int32{next}, logits); err != nil {
			r.Error = err.Error()
			return r
		}
		if err := backendErr(b); err != nil {
			r.Error = err.Error()
			return r
		}
		if read == nil {
			next = sample.Argmax(logits)
			continue
		}
		if err := sel.TopK(read.x, read.row, 1, ids, vals); err != nil {
			r.Error = err.Error()
			return r
		}
		next = ids[0]
	}
	r.TokensPerSec = float64(tokens) / time.Since(start).Seconds()
	return r
}

// cpuBench measures the reference CPU backend in the same wasm module, the
// path a browser without WebGPU takes.
func cpuBench(name string, data []byte, tokens int) Bench {
	return decodeSpeed("cpu-wasm", name, data, cpu.Reference{}, tokens, false)
}

func describe(b Bench) string {
	if b.Error != "" {
		return fmt.Sprintf("%s: %s", b.Backend, b.Error)
	}
	return fmt.Sprintf("%s: %.1f tokens/s", b.Backend, b.TokensPerSec)
}
