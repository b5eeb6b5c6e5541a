package cpu_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/wisp-llm/wisp/host/convert"
	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/gguf"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// Benchmarks of the reference backend beside the fast one: matrix-vector
// products per weight type, attention over a filled KV cache, and a whole
// decode step of the `tiny` synthetic model that `wisp synth` writes. The
// reference numbers are the floor that every fast path is measured against.

// backendCase is a backend under benchmark, made fresh per sub-benchmark.
type backendCase struct {
	name string
	make func(b *testing.B) model.Backend
}

var benchBackends = []backendCase{
	{"reference", func(*testing.B) model.Backend { return cpu.Reference{} }},
	{"fast/threads=1", func(b *testing.B) model.Backend { return newFast(b, 1) }},
	{"fast/threads=2", func(b *testing.B) model.Backend { return newFast(b, 2) }},
}

// BenchmarkReferenceMatVec is one matrix-vector product on the reference
// backend at SmolLM2-135M's FFN shapes, for every type a model file may
// hold; SetBytes makes MB/s the weight bytes streamed per second.
func BenchmarkReferenceMatVec(b *testing.B) {
	types := []tensor.Type{tensor.F32, tensor.F16, tensor.BF16, tensor.Q8_0, tensor.Q4_0, tensor.Q4_K, tensor.Q5_K, tensor.Q6_K}
	for _, typ := range types {
		for _, sh := range [][2]int{{1536, 576}, {576, 1536}} {
			b.Run(fmt.Sprintf("%v/%dx%d", typ, sh[0], sh[1]), func(b *testing.B) {
				if sh[1]%256 != 0 && typ.BlockSize() == 256 {
					b.Skipf("rows of %d do not fit %v's blocks", sh[1], typ)
				}
				var ref cpu.Reference
				w := randomWeight(b, typ, sh[0], sh[1])
				x, dst := ref.NewAct(1, sh[1]), ref.NewAct(1, sh[0])
				for i := range x.Data {
					x.Data[i] = float32(i%7) - 3
				}
				b.ReportAllocs()
				b.SetBytes(int64(len(w.Data)))
				for b.Loop() {
					ref.MatMul(dst, w, x, nil)
				}
			})
		}
	}
}

// BenchmarkAttention is one decoding query (SmolLM2-135M's 9 heads over 3
// KV heads of 64) attending to a cache filled up to positions.
func BenchmarkAttention(b *testing.B) {
	const heads, kvHeads, headDim = 9, 3, 64
	kvDim := kvHeads * headDim
	for _, be := range benchBackends {
		for _, positions := range []int{128, 1024} {
			b.Run(fmt.Sprintf("%s/positions=%d", be.name, positions), func(b *testing.B) {
				bk := be.make(b)
				cache := bk.NewKVCache(1, positions, kvDim)
				k, v := bk.NewAct(positions, kvDim), bk.NewAct(positions, kvDim)
				k.Rows, v.Rows = positions, positions
				for i := range k.Data {
					k.Data[i] = float32(i%13)/13 - 0.5
					v.Data[i] = float32(i%11)/11 - 0.5
				}
				bk.StoreKV(cache, 0, 0, k, v)
				q, out := bk.NewAct(1, heads*headDim), bk.NewAct(1, heads*headDim)
				q.Rows, out.Rows = 1, 1
				for i := range q.Data {
					q.Data[i] = float32(i%5) - 2
				}
				b.ReportAllocs()
				for b.Loop() {
					bk.Attention(out, q, cache, 0, positions-1, heads, kvHeads, headDim)
				}
			})
		}
	}
}

// tinyModel is `wisp synth --shape tiny --type typ`, made in memory.
func tinyModel(tb testing.TB, typ string) []byte {
	tb.Helper()
	donor, err := convert.VocabDonor("tiny")
	if err != nil {
		tb.Fatal(err)
	}
	vocab, err := gguf.Open(sharedModels + "/" + donor)
	if err != nil {
		tb.Fatal(err)
	}
	defer vocab.Close()
	var buf bytes.Buffer
	if err := convert.Synth(convert.SynthOptions{Shape: "tiny", Type: typ, Seed: 1, Vocab: vocab}, &buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkDecodeTiny is one decode step of the whole tiny model (two
// layers of 256, every tensor in the named type), at positions cycling
// through 0..127; it reports tokens/s and allocations per token.
func BenchmarkDecodeTiny(b *testing.B) {
	for _, typ := range []string{"F16", "Q8_0", "Q4_0", "Q4_K_M"} {
		data := tinyModel(b, typ)
		for _, be := range benchBackends {
			b.Run(fmt.Sprintf("%s/%s", typ, be.name), func(b *testing.B) {
				m := load(b, data, be.make(b))
				s, err := m.NewState(128, 1)
				if err != nil {
					b.Fatal(err)
				}
				logits := make([]float32, m.Config.Vocab)
				tok := []int32{1}
				b.ReportAllocs()
				start := time.Now()
				for b.Loop() {
					if s.Pos == 128 {
						s.Pos = 0
					}
					if err := m.Forward(s, tok, logits); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "tok/s")
			})
		}
	}
}
