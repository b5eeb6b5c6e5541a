package convert

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

// mix is a quantization target: the default tensor type, the value
// general.file_type gets (llama.cpp's LLAMA_FTYPE), and whether llama.cpp's
// per-tensor rules apply or every tensor gets the default type ("pure").
type mix struct {
	name     string
	base     tensor.Type
	fileType uint32
	pure     bool
	moreBits bool // Q4_K_M: Q6_K for half of attn_v and ffn_down
}

// mixes are the targets Quantize and Synth accept. The file types are
// llama.cpp's LLAMA_FTYPE_* values; the pure K-quant targets record the
// file type llama-quantize --pure writes for the S variant.
var mixes = []mix{
	{name: "F32", base: tensor.F32, fileType: 0},
	{name: "F16", base: tensor.F16, fileType: 1},
	{name: "Q4_0", base: tensor.Q4_0, fileType: 2},
	{name: "Q8_0", base: tensor.Q8_0, fileType: 7},
	{name: "Q4_K", base: tensor.Q4_K, fileType: 14, pure: true},
	{name: "Q4_K_M", base: tensor.Q4_K, fileType: 15, moreBits: true},
	{name: "Q5_K", base: tensor.Q5_K, fileType: 16, pure: true},
	{name: "Q6_K", base: tensor.Q6_K, fileType: 18},
}

// Targets lists the type names Quantize and Synth accept.
func Targets() []string {
	names := make([]string, len(mixes))
	for i, m := range mixes {
		names[i] = m.name
	}
	return names
}

func lookupMix(name string) (mix, error) {
	for _, m := range mixes {
		if strings.EqualFold(m.name, name) {
			return m, nil
		}
	}
	return mix{}, fmt.Errorf("convert: unknown target type %q (supported: %s)", name, strings.Join(Targets(), ", "))
}

// isQuantized reports whether t is a block type (ggml_is_quantized).
func isQuantized(t tensor.Type) bool { return t.BlockSize() > 1 }

// layerOf is the N of a "blk.N." tensor name, or -1.
func layerOf(name string) int {
	rest, ok := strings.CutPrefix(name, "blk.")
	if !ok {
		return -1
	}
	digits, _, ok := strings.Cut(rest, ".")
	n, err := strconv.Atoi(digits)
	if !ok || err != nil || n < 0 {
		return -1
	}
	return n
}

// sortLikeLlamaCpp orders tensors as llama.cpp's model loader does (and so
// as llama-quantize writes them and counts layers): tensors outside the
// layers first, then layer by layer, by name within each group.
func sortLikeLlamaCpp(srcs []source) {
	sort.SliceStable(srcs, func(i, j int) bool {
		li, lj := layerOf(srcs[i].name), layerOf(srcs[j].name)
		if li != lj {
			return li < lj
		}
		return srcs[i].name < srcs[j].name
	})
}

// rowLength is ne[0], the number of elements in one row.
func rowLength(dims []uint64) uint64 { return dims[0] }

// effectiveDims is ggml_n_dims: trailing dimensions of 1 do not count.
func effectiveDims(dims []uint64) int {
	n := len(dims)
	for n > 1 && dims[n-1] == 1 {
		n--
	}
	return n
}

// allowsQuantization is llama.cpp's tensor_allows_quantization, restricted
// to the names llama-family models use: only matrices named *weight, never
// norms or expert routers.
func allowsQuantization(name string, dims []uint64) bool {
	if effectiveDims(dims) < 2 || !strings.HasSuffix(name, "weight") {
		return false
	}
	for _, never := range []string{"_norm.weight", "ffn_gate_inp.weight", "position_embd", "token_types"} {
		if strings.Contains(name, never) {
			return false
		}
	}
	return true
}

// planner chooses each tensor's type with llama.cpp's llama_tensor_get_type;
// it carries the counters llama.cpp keeps while walking tensors in loader
// order, so choose must be called in that order.
type planner struct {
	mix       mix
	tied      bool // no output.weight: token_embd is the output projection
	layers    int  // block_count, llama.cpp's n_ffn_down
	is70B     bool // llama.cpp's LLM_TYPE_70B (attn_v gets more bits)
	nAttnV    int
	iAttnV    int
	iFFNDown  int
	fallbacks int
}

func newPlanner(m mix, srcs []source, layers int, is70B bool) *planner {
	p := &planner{mix: m, tied: true, layers: layers, is70B: is70B}
	for _, s := range srcs {
		if s.name == "output.weight" {
			p.tied = false
		}
		if isAttnV(s.name) {
			p.nAttnV++
		}
	}
	return p
}

func isAttnV(name string) bool {
	return strings.Contains(name, "attn_v.weight") || strings.Contains(name, "attn_qkv.weight") || strings.Contains(name, "attn_kv_b.weight")
}

// useMoreBits is llama.cpp's rule for which layers of a Q4_K_M model keep
// Q6_K: the first and last eighth, and every third layer in between.
func useMoreBits(layer, layers int) bool {
	return layer < layers/8 || layer >= 7*layers/8 || (layer-layers/8)%3 == 2
}

// choose returns the type tensor s is written in.
func (p *planner) choose(s source) tensor.Type {
	if !allowsQuantization(s.name, s.dims) {
		return s.typ
	}
	t := p.mix.base
	if !isQuantized(t) {
		return t
	}
	if !p.mix.pure {
		t = p.mixRule(s, t)
	}
	return p.fallback(s, t)
}

// mixRule is the part of llama_tensor_get_type_impl that concerns the
// targets we offer.
func (p *planner) mixRule(s source, t tensor.Type) tensor.Type {
	switch {
	case s.name == "output.weight" || (p.tied && s.name == "token_embd.weight"):
		// The output projection is the most sensitive tensor: Q6_K unless
		// the target is Q8_0 already, or Q8_0 when the default type's blocks
		// do not fit its rows.
		if rowLength(s.dims)%uint64(t.BlockSize()) != 0 {
			return tensor.Q8_0
		}
		if t != tensor.Q8_0 {
			return tensor.Q6_K
		}
	case s.name == "token_embd.weight":
	case isAttnV(s.name):
		if p.mix.moreBits && useMoreBits(p.iAttnV, p.nAttnV) {
			t = tensor.Q6_K
		}
		if p.is70B && t == tensor.Q4_K {
			t = tensor.Q5_K
		}
		p.iAttnV++
	case strings.Contains(s.name, "ffn_down"):
		if p.mix.moreBits && useMoreBits(p.iFFNDown, p.layers) {
			t = tensor.Q6_K
		}
		p.iFFNDown++
	}
	return t
}

// fallback is llama.cpp's tensor_type_fallback: a type whose blocks do not
// fit the row length is replaced by a 32-element type, and by F16 when even
// that does not fit. llama.cpp has no fallback for the 32-element types
// themselves (it refuses to quantize such a file to Q4_0 or Q8_0); we apply
// its last resort, F16, so that models like stories260K (FFN 172) convert.
func (p *planner) fallback(s source, t tensor.Type) tensor.Type {
	n := rowLength(s.dims)
	if n%uint64(t.BlockSize()) == 0 {
		return t
	}
	p.fallbacks++
	switch t {
	case tensor.Q4_K:
		t = tensor.Q5_0
	case tensor.Q5_K:
		t = tensor.Q5_1
	case tensor.Q6_K:
		t = tensor.Q8_0
	case tensor.Q2_K, tensor.Q3_K:
		t = tensor.Q4_0
	}
	if n%uint64(t.BlockSize()) != 0 {
		t = tensor.F16
	}
	return t
}
