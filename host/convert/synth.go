package convert

import (
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/wisp-llm/wisp/wasm/gguf"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// shape is the architecture of a real model, reproduced with random weights.
type shape struct {
	name     string
	arch     string // llama or qwen2
	dim      int
	layers   int
	heads    int
	kvHeads  int
	ffn      int
	vocab    int
	context  int
	ropeBase float32
	normEps  float32
	tied     bool // no output.weight: the embedding is the output projection
	qkvBias  bool // qwen2's attention biases
	// successor, when positive, builds output.weight so that each token's
	// embedding points at the next id: row j is successor × the embedding
	// of token j-1, plus random noise of std outputStd. The most likely
	// next token then leads its runner-up by a margin far wider than
	// llama.cpp's rounding of activations moves logits, so an argmax
	// comparison between implementations is meaningful; the rest of the
	// distribution is spread by the random weights.
	successor  float64
	outputStd  float64
	vocabDonor string // default GGUF file whose SentencePiece vocabulary is copied
}

const (
	llama2Vocab  = "llama-2-tiny-random.gguf" // 32000 tokens
	stories260KV = "stories260K.gguf"         // 512 tokens
)

var shapes = []shape{
	{name: "smollm2-135m", arch: "llama", dim: 576, layers: 30, heads: 9, kvHeads: 3, ffn: 1536, vocab: 49152,
		context: 8192, ropeBase: 100000, normEps: 1e-5, tied: true, vocabDonor: llama2Vocab},
	{name: "qwen2.5-0.5b", arch: "qwen2", dim: 896, layers: 24, heads: 14, kvHeads: 2, ffn: 4864, vocab: 151936,
		context: 32768, ropeBase: 1000000, normEps: 1e-6, tied: true, qkvBias: true, vocabDonor: llama2Vocab},
	{name: "llama3.2-1b", arch: "llama", dim: 2048, layers: 16, heads: 32, kvHeads: 8, ffn: 8192, vocab: 128256,
		context: 131072, ropeBase: 500000, normEps: 1e-5, tied: true, vocabDonor: llama2Vocab},
	// Every matrix dimension a multiple of 256, so K-quants apply to all of them.
	{name: "tiny", arch: "llama", dim: 256, layers: 2, heads: 4, kvHeads: 2, ffn: 768, vocab: 512,
		context: 2048, ropeBase: 10000, normEps: 1e-5, tied: true, vocabDonor: stories260KV},
	// The K-quant parity model: like tiny, but with stories260K's head
	// layout (head size 32, grouped-query) and an output projection of its own.
	{name: "random256", arch: "llama", dim: 256, layers: 2, heads: 8, kvHeads: 4, ffn: 768, vocab: 512,
		context: 2048, ropeBase: 10000, normEps: 1e-5, vocabDonor: stories260KV, successor: 0.08, outputStd: 0.04},
}

// Shapes lists the shape names Synth accepts.
func Shapes() []string {
	names := make([]string, len(shapes))
	for i, s := range shapes {
		names[i] = s.name
	}
	return names
}

func lookupShape(name string) (shape, error) {
	for _, s := range shapes {
		if s.name == name {
			return s, nil
		}
	}
	return shape{}, fmt.Errorf("convert: unknown shape %q (supported: %s)", name, strings.Join(Shapes(), ", "))
}

// VocabDonor is the file name (in the shared test models) of the GGUF whose
// vocabulary Synth copies for the named shape by default.
func VocabDonor(shapeName string) (string, error) {
	s, err := lookupShape(shapeName)
	return s.vocabDonor, err
}

// SynthOptions configure Synth.
type SynthOptions struct {
	Shape string // one of Shapes()
	Type  string // one of Targets()
	Seed  uint64
	// Layers overrides the shape's layer count when positive.
	Layers int
	// Vocab supplies the SentencePiece vocabulary (tokenizer.* metadata);
	// it is padded with unused tokens up to the shape's vocabulary size.
	Vocab *gguf.File
	// Progress, when set, is called after each tensor is written.
	Progress Progress
}

// maxSynthLayers keeps a typo in --layers from asking for terabytes.
const maxSynthLayers = 256

// Synth writes a llama-family model with random weights at a real model's
// shape. Weights are drawn from a seeded generator (a bell-shaped
// distribution, standard deviation 1/sqrt(fan-in) for projections — 0.3 of
// that for those writing into the residual stream — about 1 for norms, 0.5
// for embeddings), then converted to opts.Type with the rules Quantize
// uses. The same options give the same bytes.
func Synth(opts SynthOptions, out io.Writer) error {
	sh, err := lookupShape(opts.Shape)
	if err != nil {
		return err
	}
	m, err := lookupMix(opts.Type)
	if err != nil {
		return err
	}
	if opts.Layers < 0 || opts.Layers > maxSynthLayers {
		return fmt.Errorf("convert: %d layers is outside [1, %d]", opts.Layers, maxSynthLayers)
	}
	if opts.Layers > 0 {
		sh.layers = opts.Layers
	}
	return sh.synthesize(m, opts, out)
}

// synthesize writes the model of shape sh (its layer count already set).
func (sh shape) synthesize(m mix, opts SynthOptions, out io.Writer) error {
	if opts.Vocab == nil {
		return fmt.Errorf("convert: synth %s needs a vocabulary file", sh.name)
	}
	tokKVs, err := paddedVocab(opts.Vocab, sh.vocab)
	if err != nil {
		return err
	}
	kvs := append(sh.metadata(), tokKVs...)
	tensors, err := convert(sh.tensors(opts.Seed), m, sh.layers, false, opts.Progress)
	if err != nil {
		return err
	}
	return write(out, withFileType(kvs, m.fileType), tensors)
}

func (s shape) metadata() []gguf.KV {
	key := func(k string) string { return s.arch + "." + k }
	u32 := gguf.Uint32Value
	return []gguf.KV{
		{Key: "general.architecture", Value: gguf.StringValue(s.arch)},
		{Key: "general.name", Value: gguf.StringValue("synth " + s.name)},
		{Key: key("context_length"), Value: u32(uint32(s.context))},
		{Key: key("embedding_length"), Value: u32(uint32(s.dim))},
		{Key: key("block_count"), Value: u32(uint32(s.layers))},
		{Key: key("feed_forward_length"), Value: u32(uint32(s.ffn))},
		{Key: key("attention.head_count"), Value: u32(uint32(s.heads))},
		{Key: key("attention.head_count_kv"), Value: u32(uint32(s.kvHeads))},
		{Key: key("rope.freq_base"), Value: gguf.Float32Value(s.ropeBase)},
		{Key: key("rope.dimension_count"), Value: u32(uint32(s.dim / s.heads))},
		{Key: key("attention.layer_norm_rms_epsilon"), Value: gguf.Float32Value(s.normEps)},
	}
}

// tensors lists the model's weights, shapes in ggml order (row length first).
func (s shape) tensors(seed uint64) []source {
	headDim := s.dim / s.heads
	q, kv := s.heads*headDim, s.kvHeads*headDim
	var srcs []source
	add := func(name string, dist func(*rand.Rand) float32, dims ...int) {
		d := make([]uint64, len(dims))
		for i, n := range dims {
			d[i] = uint64(n)
		}
		srcs = append(srcs, source{name: name, dims: d, typ: tensor.F32, values: randomValues(seed, name, dist)})
	}
	proj := func(fanIn int) func(*rand.Rand) float32 { return scaled(1 / math.Sqrt(float64(fanIn))) }
	norm := func(r *rand.Rand) float32 { return 1 + scaled(0.1)(r) }
	add("token_embd.weight", scaled(embeddingStd), s.dim, s.vocab)
	add("output_norm.weight", norm, s.dim)
	if !s.tied {
		srcs = append(srcs, source{name: "output.weight", dims: []uint64{uint64(s.dim), uint64(s.vocab)}, typ: tensor.F32,
			values: s.successorValues(seed)})
	}
	for l := range s.layers {
		blk := func(n string) string { return fmt.Sprintf("blk.%d.%s", l, n) }
		add(blk("attn_norm.weight"), norm, s.dim)
		add(blk("attn_q.weight"), proj(s.dim), s.dim, q)
		add(blk("attn_k.weight"), proj(s.dim), s.dim, kv)
		add(blk("attn_v.weight"), proj(s.dim), s.dim, kv)
		if s.qkvBias {
			add(blk("attn_q.bias"), scaled(0.1), q)
			add(blk("attn_k.bias"), scaled(0.1), kv)
			add(blk("attn_v.bias"), scaled(0.1), kv)
		}
		add(blk("attn_output.weight"), scaled(residualGain/math.Sqrt(float64(q))), q, s.dim)
		add(blk("ffn_norm.weight"), norm, s.dim)
		add(blk("ffn_gate.weight"), proj(s.dim), s.dim, s.ffn)
		add(blk("ffn_up.weight"), proj(s.dim), s.dim, s.ffn)
		add(blk("ffn_down.weight"), scaled(residualGain/math.Sqrt(float64(s.ffn))), s.ffn, s.dim)
	}
	return srcs
}

// successorValues generates output.weight as described at shape.successor.
func (s shape) successorValues(seed uint64) func() valueReader {
	return func() valueReader {
		embd := make([]float32, s.vocab*s.dim)
		randomValues(seed, "token_embd.weight", scaled(embeddingStd))()(embd)
		noise := randomValues(seed, "output.weight", scaled(s.outputStd))()
		row := 0
		return func(dst []float32) error {
			if err := noise(dst); err != nil {
				return err
			}
			for i := 0; i < len(dst); i += s.dim {
				prev := embd[(row+s.vocab-1)%s.vocab*s.dim:][:s.dim]
				for j, e := range prev {
					dst[i+j] += float32(s.successor) * e
				}
				row++
			}
			return nil
		}
	}
}

// randomValues draws a tensor's values from a generator seeded by the seed
// and the tensor's name, so each tensor is the same whatever the order of
// conversion.
func randomValues(seed uint64, name string, dist func(*rand.Rand) float32) func() valueReader {
	return func() valueReader {
		h := fnv.New64a()
		h.Write([]byte(name))
		r := rand.New(rand.NewPCG(seed, h.Sum64()))
		return func(dst []float32) error {
			for i := range dst {
				dst[i] = dist(r)
			}
			return nil
		}
	}
}

// scaled returns a distribution of mean 0 and standard deviation std: the
// sum of four uniform 16-bit draws (Irwin–Hall), a bell curve bounded at
// ±2√3·std. Integer arithmetic and one product keep it bit-identical on
// every platform, which math.Log-based normal generators do not promise.
func scaled(std float64) func(*rand.Rand) float32 {
	k := std * math.Sqrt(3) / 65536
	return func(r *rand.Rand) float32 {
		u := r.Uint64()
		sum := int64(u&0xffff) + int64(u>>16&0xffff) + int64(u>>32&0xffff) + int64(u>>48)
		return float32(float64(sum-2*65535) * k)
	}
}

// embeddingStd keeps the residual stream near unit scale after the first
// layers add to it.
const embeddingStd = 0.5

// residualGain scales the projections that write into the residual stream
// (attn_output, ffn_down) below 1/sqrt(fan-in), so that after the layers
// the current token's embedding is still a visible part of the hidden
// state: random models then keep a clear most-likely next token.
const residualGain = 0.3

// Keys of the vocabulary arrays that Synth pads.
const (
	keyTokens    = "tokenizer.ggml.tokens"
	keyScores    = "tokenizer.ggml.scores"
	keyTokenType = "tokenizer.ggml.token_type"
)

// tokenTypeUnused is llama.cpp's LLAMA_TOKEN_TYPE_UNUSED: a token that
// exists in the vocabulary but is never produced by the tokenizer's rules.
const tokenTypeUnused = 5

// paddedVocab returns donor's tokenizer metadata with the vocabulary padded
// to n tokens named <unusedK>, of type unused and the lowest score.
func paddedVocab(donor *gguf.File, n int) ([]gguf.KV, error) {
	if model, err := donor.String("tokenizer.ggml.model"); err != nil || model != "llama" {
		return nil, fmt.Errorf("convert: the vocabulary donor must have a SentencePiece (llama) tokenizer (tokenizer.ggml.model %q, %v)", model, err)
	}
	tokens, err := donor.Strings(keyTokens)
	if err != nil {
		return nil, fmt.Errorf("convert: vocabulary donor: %w", err)
	}
	scores, err := donor.Float32s(keyScores)
	if err != nil {
		return nil, fmt.Errorf("convert: vocabulary donor: %w", err)
	}
	types, err := donor.Int32s(keyTokenType)
	if err != nil {
		return nil, fmt.Errorf("convert: vocabulary donor: %w", err)
	}
	if len(tokens) > n || len(scores) != len(tokens) || len(types) != len(tokens) {
		return nil, fmt.Errorf("convert: vocabulary donor has %d tokens, %d scores and %d types; the shape needs %d tokens", len(tokens), len(scores), len(types), n)
	}
	donorN := len(tokens)
	low := float32(0)
	seen := make(map[string]bool, n)
	for i, t := range tokens {
		low = min(low, scores[i])
		seen[t] = true
	}
	tokens = append(tokens[:len(tokens):len(tokens)], make([]string, n-len(tokens))...)
	scores = append(scores[:len(scores):len(scores)], make([]float32, n-len(scores))...)
	types = append(types[:len(types):len(types)], make([]int32, n-len(types))...)
	for i := donorN; i < n; i++ {
		tokens[i] = fmt.Sprintf("<unused%d>", i)
		if seen[tokens[i]] {
			return nil, fmt.Errorf("convert: vocabulary donor already has a token %q", tokens[i])
		}
		scores[i], types[i] = low, tokenTypeUnused
	}
	var kvs []gguf.KV
	for _, kv := range donor.KVs {
		switch kv.Key {
		case keyTokens:
			kv.Value = gguf.StringsValue(tokens)
		case keyScores:
			kv.Value = gguf.Float32sValue(scores)
		case keyTokenType:
			kv.Value = gguf.Int32sValue(types)
		default:
			if !strings.HasPrefix(kv.Key, "tokenizer.") {
				continue
			}
		}
		kvs = append(kvs, kv)
	}
	return kvs, nil
}
