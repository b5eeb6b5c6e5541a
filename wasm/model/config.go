package model

import (
	"fmt"

	"github.com/wisp-llm/wisp/wasm/gguf"
)

// Config holds the hyperparameters of a model, read from GGUF metadata.
type Config struct {
	Arch        string
	Dim         int // embedding length
	Layers      int
	Heads       int
	KVHeads     int
	HeadDim     int
	FFN         int // feed-forward hidden length
	Vocab       int
	ContextLen  int // trained context length
	NormEps     float32
	RoPE        RoPE
	TiedOutput  bool // output projection shares token_embd.weight
	QKVBias     bool // qwen2
	Name        string
	FileVersion uint32
}

// Caps on hyperparameters: far above any model we can run, low enough that
// a hostile file cannot ask for absurd allocations.
const (
	maxDim     = 1 << 16
	maxLayers  = 1 << 10
	maxHeads   = 1 << 10
	maxVocab   = 1 << 22
	maxContext = 1 << 22
)

// Supported lists the architectures Wisp can run.
var Supported = []string{"llama", "qwen2"}

// ReadConfig reads the hyperparameters of f's architecture. A missing key is
// an error naming it.
func ReadConfig(f *gguf.File) (Config, error) {
	var c Config
	var err error
	if c.Arch, err = f.String("general.architecture"); err != nil {
		return c, err
	}
	switch c.Arch {
	case "llama":
	case "qwen2":
		c.QKVBias = true
		c.RoPE.NeoX = true
	default:
		return c, fmt.Errorf("model: unsupported architecture %q (supported: %v)", c.Arch, Supported)
	}
	c.Name, _ = f.String("general.name")
	c.FileVersion = f.Version
	key := func(k string) string { return c.Arch + "." + k }
	readInt := func(k string, dst *int, lo, hi int) {
		if err != nil {
			return
		}
		var v uint32
		if v, err = f.Uint32(key(k)); err != nil {
			return
		}
		if int(v) < lo || int(v) > hi {
			err = fmt.Errorf("model: %s = %d is outside [%d, %d]", key(k), v, lo, hi)
			return
		}
		*dst = int(v)
	}
	readInt("embedding_length", &c.Dim, 1, maxDim)
	readInt("block_count", &c.Layers, 1, maxLayers)
	readInt("feed_forward_length", &c.FFN, 1, maxDim*8)
	readInt("attention.head_count", &c.Heads, 1, maxHeads)
	readInt("context_length", &c.ContextLen, 1, maxContext)
	if err != nil {
		return c, err
	}
	// head_count_kv is absent in files from before grouped-query attention,
	// which llama.cpp reads as one KV head per query head.
	c.KVHeads = c.Heads
	if f.Has(key("attention.head_count_kv")) {
		readInt("attention.head_count_kv", &c.KVHeads, 1, c.Heads)
	}
	if err != nil {
		return c, err
	}
	if c.Heads%c.KVHeads != 0 {
		return c, fmt.Errorf("model: %d heads are not a multiple of %d KV heads", c.Heads, c.KVHeads)
	}
	c.HeadDim = c.Dim / c.Heads
	if f.Has(key("attention.key_length")) {
		readInt("attention.key_length", &c.HeadDim, 1, maxDim)
	}
	if err != nil {
		return c, err
	}
	if c.HeadDim*c.Heads != c.Dim || c.HeadDim%2 != 0 {
		return c, fmt.Errorf("model: head size %d × %d heads does not match embedding length %d (or is odd)", c.HeadDim, c.Heads, c.Dim)
	}
	if c.NormEps, err = f.Float32(key("attention.layer_norm_rms_epsilon")); err != nil {
		return c, err
	}
	c.RoPE.Dims = c.HeadDim
	if f.Has(key("rope.dimension_count")) {
		readInt("rope.dimension_count", &c.RoPE.Dims, 2, c.HeadDim)
		if err != nil {
			return c, err
		}
	}
	// llama.cpp's default base when the key is absent (Llama 1/2 files).
	c.RoPE.Base = 10000
	if f.Has(key("rope.freq_base")) {
		if c.RoPE.Base, err = f.Float32(key("rope.freq_base")); err != nil {
			return c, err
		}
	}
	c.RoPE.Scale = 1
	if f.Has(key("rope.scaling.type")) {
		kind, err := f.String(key("rope.scaling.type"))
		if err != nil {
			return c, err
		}
		switch kind {
		case "none":
		case "linear":
			factor, err := f.Float32(key("rope.scaling.factor"))
			if err != nil {
				return c, err
			}
			if factor > 0 {
				c.RoPE.Scale = 1 / factor
			}
		default:
			return c, fmt.Errorf("model: unsupported %s %q", key("rope.scaling.type"), kind)
		}
	}
	return c, nil
}
