// Package model holds the transformer architectures Wisp runs, each written
// once as a plain forward function against the Backend operations.
package model

import "github.com/wisp-llm/wisp/wasm/tensor"

// Weight is one weight matrix or vector, kept in its file's block layout.
// A matrix has Rows rows of Cols elements (ggml's ne[1] × ne[0]).
type Weight struct {
	Name       string
	Type       tensor.Type
	Rows, Cols int
	Data       []byte
	// Device is the backend's copy of the weight (e.g. a GPU buffer, or
	// the CPU's repacked layout), set by Backend.Upload.
	Device any
	// Owned says that Data is this weight's alone (the loader's private
	// copy of the file, bound to one backend), so Upload may rewrite it in
	// place (the fast CPU backend repacks it); it then sets Data to nil.
	Owned bool
}

// Act is a matrix of activations: Rows tokens of Cols features. Its storage
// is allocated once by the backend at its full capacity; a forward pass sets
// Rows to the number of tokens it processes.
type Act struct {
	Rows, Cols int
	Data       []float32 // host storage, Cap rows × Cols; nil on device backends
	Device     any
	Cap        int // rows allocated
}

// RoPE describes the rotary position embedding of an architecture.
type RoPE struct {
	Dims        int       // leading dimensions of each head that rotate
	Base        float32   // rope.freq_base
	Scale       float32   // linear position scale: positions are multiplied by it (1 = none)
	NeoX        bool      // rotate (i, i+Dims/2) pairs instead of (2i, 2i+1)
	FreqFactors []float32 // per-pair divisors of the frequency (Llama 3), or nil
}

// Backend is the set of operations a forward pass needs. Operations read and
// write backend-owned activations; every operation applies to rows 0..Rows-1
// of its inputs (one row per token in the batch).
type Backend interface {
	// NewAct allocates activations of up to rows × cols.
	NewAct(rows, cols int) *Act
	// NewKVCache allocates keys and values for layers × positions × kvDim.
	NewKVCache(layers, positions, kvDim int) KVCache
	// Upload prepares a weight for use by the backend (no-op on the host).
	Upload(w *Weight) error

	// Embed copies the embedding rows of tokens into dst (dst.Rows = len(tokens)).
	Embed(dst *Act, table *Weight, tokens []int32)
	// RMSNorm: dst[r] = x[r] / sqrt(mean(x[r]²) + eps) * weight.
	RMSNorm(dst, x *Act, weight *Weight, eps float32)
	// MatMul: dst[r] = W · x[r] (+ bias when not nil). dst.Cols = W.Rows.
	MatMul(dst *Act, w *Weight, x *Act, bias *Weight)
	// RoPE rotates each head of x in place; row r is at position pos+r.
	RoPE(x *Act, headDim int, pos int, rope *RoPE)
	// StoreKV writes k and v (row r at position pos+r) into layer's cache.
	StoreKV(cache KVCache, layer, pos int, k, v *Act)
	// Attention: causal grouped-query attention of q (row r at position
	// pos+r) over positions 0..pos+r of layer's cache; out has q's shape.
	Attention(out, q *Act, cache KVCache, layer, pos, heads, kvHeads, headDim int)
	// SwiGLU: dst = silu(gate) * up, element-wise.
	SwiGLU(dst, gate, up *Act)
	// Add: dst += x.
	Add(dst, x *Act)
	// CopyRow copies row src of x into row 0 of dst and sets dst.Rows = 1.
	CopyRow(dst, x *Act, src int)
	// Read copies row r of x to host memory.
	Read(dst []float32, x *Act, row int)
}

// KVCache is backend-owned storage for attention keys and values.
type KVCache interface {
	Positions() int
}

// MaxTopK bounds k in TopKReader.TopK.
const MaxTopK = 256

// TopKReader is an optional Backend power for backends whose activations
// live on a device, where copying a whole row of logits (the vocabulary) to
// the host every token costs more than the token's arithmetic. A decoder
// whose sampling needs only the most likely tokens asks for those instead
// of reading the row; without this power it reads the row.
type TopKReader interface {
	// TopK finds the k (1..MaxTopK) largest values of row r of x, largest
	// first and ties by lower index, and copies only those and their
	// column indices into vals and ids. It runs every operation recorded
	// before it.
	TopK(x *Act, r, k int, ids []int32, vals []float32) error
}
