package cpu_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// The decode and prefill benchmarks run a random-weight model of
// SmolLM2-135M's shape, built in memory once per type (a few seconds).
var (
	benchModelsMu sync.Mutex
	benchModels   = map[synthTypes][]byte{}
)

func benchModel(b *testing.B, types synthTypes) []byte {
	b.Helper()
	benchModelsMu.Lock()
	defer benchModelsMu.Unlock()
	if data, ok := benchModels[types]; ok {
		return data
	}
	data := synthModel(b, smollm2Shape, types, 42)
	benchModels[types] = data
	return data
}

var benchTypes = []struct {
	name  string
	types synthTypes
}{
	{"Q8_0", synthTypes{tensor.Q8_0, tensor.Q8_0}},
	{"Q4_0", synthTypes{tensor.Q4_0, tensor.Q8_0}},
}

func weightBytes(m *model.Llama) int64 {
	var n int64
	for _, w := range m.Weights.All() {
		if w != m.Weights.TokenEmbd || m.Config.TiedOutput {
			n += int64(len(w.Data))
		}
	}
	return n
}

// BenchmarkDecode measures one decoded token at positions 0..127 (llama.cpp's
// tg128), reporting tokens/s and, through SetBytes, the weight bytes read
// per second.
func BenchmarkDecode(b *testing.B) {
	for _, bt := range benchTypes {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("smollm2-135m/%s/threads=%d", bt.name, threads), func(b *testing.B) {
				m := load(b, benchModel(b, bt.types), newFast(b, threads))
				s, err := m.NewState(128, 1)
				if err != nil {
					b.Fatal(err)
				}
				logits := make([]float32, m.Config.Vocab)
				tok := []int32{1}
				b.ReportAllocs()
				b.SetBytes(weightBytes(m))
				start, cpu := time.Now(), processCPU()
				for b.Loop() {
					if s.Pos == 128 {
						s.Pos = 0
					}
					if err := m.Forward(s, tok, logits); err != nil {
						b.Fatal(err)
					}
				}
				reportSpeed(b, b.N, start, cpu)
			})
		}
	}
}

// BenchmarkPrefill measures a 128-token prompt processed as one batch
// (llama.cpp's pp128).
func BenchmarkPrefill(b *testing.B) {
	for _, bt := range benchTypes {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("smollm2-135m/%s/threads=%d", bt.name, threads), func(b *testing.B) {
				m := load(b, benchModel(b, bt.types), newFast(b, threads))
				s, err := m.NewState(128, 128)
				if err != nil {
					b.Fatal(err)
				}
				logits := make([]float32, m.Config.Vocab)
				tokens := tokensFor(128, m.Config.Vocab)
				b.ReportAllocs()
				start, cpu := time.Now(), processCPU()
				for b.Loop() {
					s.Pos = 0
					if err := m.Forward(s, tokens, logits); err != nil {
						b.Fatal(err)
					}
				}
				reportSpeed(b, 128*b.N, start, cpu)
			})
		}
	}
}

// reportSpeed reports tokens per second of wall time, and tokens per
// second of CPU time (all threads): at one thread, what an idle machine
// would do when other processes share this one.
func reportSpeed(b *testing.B, tokens int, start time.Time, cpu time.Duration) {
	b.ReportMetric(float64(tokens)/time.Since(start).Seconds(), "tok/s")
	if used := processCPU() - cpu; used > 0 {
		b.ReportMetric(float64(tokens)/used.Seconds(), "tok/cpu-s")
	}
}

// BenchmarkMatVec is one matrix-vector product at SmolLM2-135M's shapes
// (the FFN's 1536×576 and 576×1536, the 49152×576 output).
func BenchmarkMatVec(b *testing.B) {
	shapes := [][2]int{{1536, 576}, {576, 1536}, {49152, 576}}
	for _, typ := range []tensor.Type{tensor.Q8_0, tensor.Q4_0, tensor.F16, tensor.F32} {
		for _, sh := range shapes {
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("%v/%dx%d/threads=%d", typ, sh[0], sh[1], threads), func(b *testing.B) {
					f := newFast(b, threads)
					w := randomWeight(b, typ, sh[0], sh[1])
					x, dst := f.NewAct(1, sh[1]), f.NewAct(1, sh[0])
					for i := range x.Data {
						x.Data[i] = float32(i%7) - 3
					}
					b.ReportAllocs()
					b.SetBytes(int64(len(w.Data)))
					for b.Loop() {
						// A fresh input each time, as in decoding, so that
						// the quantized copy is not reused.
						x.Data[0]++
						f.MatMul(dst, w, x, nil)
					}
				})
			}
		}
	}
}

// randomWeight is a rows × cols weight of type typ with values spread over
// [-1, 1]; speed does not depend on them.
func randomWeight(tb testing.TB, typ tensor.Type, rows, cols int) *model.Weight {
	tb.Helper()
	x := make([]float32, rows*cols)
	for i := range x {
		x[i] = float32((i*2654435761)%2001-1000) / 1000
	}
	n, err := tensor.RowBytes(typ, int64(len(x)))
	if err != nil {
		tb.Fatal(err)
	}
	w := &model.Weight{Name: "w", Type: typ, Rows: rows, Cols: cols, Data: make([]byte, n)}
	if err := tensor.Quantize(typ, x, w.Data); err != nil {
		tb.Fatal(err)
	}
	return w
}
