// Package engine is Wisp's one Go API, used by every host: load a model,
// open sessions, run completions and chats with streaming and cancellation.
package engine

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wisp-llm/wisp/tokenizer"
	"github.com/wisp-llm/wisp/tokenizer/chat"
	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/gguf"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// Options configure loading.
type Options struct {
	// Backend runs the forward pass; nil selects the CPU backend.
	Backend model.Backend
	// Name is the model id reported to clients; default: general.name or
	// the file name.
	Name string
	// Fallback runs the model when Backend fails (a lost GPU device); nil
	// picks the CPU reference for backends that can fail.
	Fallback model.Backend
	// Mapped keeps the weights in a shared, read-only mapping of the file
	// (gguf.Open) instead of reading them into private memory
	// (gguf.OpenPrivate): faster to open and shared between processes, but
	// slower to compute on.
	Mapped bool
}

// Model is a loaded model: weights, tokenizer and chat template. It is safe
// for concurrent use by several sessions.
type Model struct {
	Name      string
	File      *gguf.File
	LLM       *model.Llama
	Tokenizer tokenizer.Tokenizer
	// ChatTemplate is the model's Jinja chat template ("" when it has none).
	ChatTemplate string
	stopIDs      map[int32]bool
	ownsFile     bool
	templateOnce sync.Once
	chatPrompter *chat.Prompter

	fallbackBackend model.Backend
	fallbackMu      sync.Mutex
	fellBack        atomic.Bool
	cpuLLM          *model.Llama
	fallbackCause   error
}

// Open loads a GGUF file from disk, into private memory unless
// opts.Mapped.
func Open(path string, opts Options) (*Model, error) {
	open := gguf.OpenPrivate
	if opts.Mapped {
		open = gguf.Open
	}
	f, err := open(path)
	if err != nil {
		return nil, err
	}
	if opts.Name == "" {
		opts.Name = baseName(path)
	}
	m, err := load(f, opts, f.Private())
	if err == nil {
		err = f.Seal()
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	m.ownsFile = true
	return m, nil
}

// LoadBytes loads a GGUF file held in memory; the model aliases b.
func LoadBytes(b []byte, opts Options) (*Model, error) {
	f, err := gguf.FromBytes(b)
	if err != nil {
		return nil, err
	}
	return Load(f, opts)
}

// Load builds a model from a parsed GGUF file.
func Load(f *gguf.File, opts Options) (*Model, error) { return load(f, opts, false) }

// load is Load, letting the backend rewrite the weights in place when the
// file is the engine's own private copy (Open) and no CPU fallback will
// read them from the file again.
func load(f *gguf.File, opts Options, private bool) (*Model, error) {
	b := opts.Backend
	if b == nil {
		b = cpu.Reference{}
	}
	fallback := opts.Fallback
	if fallback == nil {
		fallback = defaultFallback(b)
	}
	bind := model.Load
	if private && fallback == nil {
		bind = model.LoadOwned
	}
	llm, err := bind(f, b)
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		return nil, err
	}
	if n := len(tok.Vocab().Tokens); n > llm.Config.Vocab {
		return nil, fmt.Errorf("engine: tokenizer has %d tokens but the model's embedding only %d", n, llm.Config.Vocab)
	}
	m := &Model{File: f, LLM: llm, Tokenizer: tok, Name: opts.Name, stopIDs: map[int32]bool{}, fallbackBackend: fallback}
	if m.Name == "" {
		m.Name = llm.Config.Name
	}
	if m.Name == "" {
		m.Name = "wisp-model"
	}
	if f.Has("tokenizer.chat_template") {
		if m.ChatTemplate, err = f.String("tokenizer.chat_template"); err != nil {
			return nil, err
		}
	}
	v := tok.Vocab()
	for _, id := range []int32{v.EOS, v.EOT} {
		if id != tokenizer.NoToken {
			m.stopIDs[id] = true
		}
	}
	// Chat models end turns with tokens that are not always marked as EOS/EOT.
	for id, text := range v.Tokens {
		switch text {
		case "<|im_end|>", "<|eot_id|>", "<end_of_turn>", "<|end|>", "<|endoftext|>", "<|end_of_text|>", "<|eom_id|>":
			if v.Types == nil || v.Types[id] == tokenizer.TokenTypeControl || v.Types[id] == tokenizer.TokenTypeUserDefined {
				m.stopIDs[int32(id)] = true
			}
		}
	}
	return m, nil
}

// Close releases the model file when the model opened it.
func (m *Model) Close() error {
	if m.ownsFile {
		return m.File.Close()
	}
	return nil
}

// IsStop reports whether id ends generation (EOS, EOT or end-of-turn).
func (m *Model) IsStop(id int32) bool { return m.stopIDs[id] }

// Info describes a loaded model.
type Info struct {
	Name         string            `json:"name"`
	Architecture string            `json:"architecture"`
	Params       int64             `json:"parameters"`
	ContextLen   int               `json:"context_length"`
	VocabSize    int               `json:"vocab_size"`
	Tokenizer    string            `json:"tokenizer"`
	Layers       int               `json:"layers"`
	Dim          int               `json:"embedding_length"`
	Heads        int               `json:"heads"`
	KVHeads      int               `json:"kv_heads"`
	FFN          int               `json:"feed_forward_length"`
	TensorTypes  map[string]int    `json:"tensor_types"`
	HasTemplate  bool              `json:"chat_template"`
	FileBytes    int64             `json:"file_bytes"`
	Extra        map[string]string `json:"-"`
}

// Info reports the model's shape and contents.
func (m *Model) Info() Info {
	c := m.LLM.Config
	types := map[string]int{}
	for _, t := range m.File.Tensors {
		types[tensor.Type(t.Type).String()]++
	}
	return Info{
		Name: m.Name, Architecture: c.Arch, Params: m.LLM.Params(), ContextLen: c.ContextLen,
		VocabSize: len(m.Tokenizer.Vocab().Tokens), Tokenizer: m.Tokenizer.Vocab().Model,
		Layers: c.Layers, Dim: c.Dim, Heads: c.Heads, KVHeads: c.KVHeads, FFN: c.FFN,
		TensorTypes: types, HasTemplate: m.ChatTemplate != "", FileBytes: m.File.Size(),
	}
}

func baseName(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		path = path[i+1:]
	}
	return strings.TrimSuffix(path, ".gguf")
}
