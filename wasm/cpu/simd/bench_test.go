package simd

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

// BenchmarkDot measures one weight row against one activation row at the
// row lengths of SmolLM2-135M (576, 1536) and Llama-3.2-1B (2048, 8192).
// SetBytes counts the weight bytes, so MB/s is the kernel's read bandwidth.
func BenchmarkDot(b *testing.B) {
	for _, n := range []int{576 / 64 * 256, 1536, 2048, 8192} {
		x := randomFloats(b, n, 1)
		for _, qd := range quantDots {
			if qd.k && n%256 != 0 {
				continue
			}
			w := quantizeWeights(b, qd.typ, randomFloats(b, n, 2))
			q := quantizeRow(x, qd.k, QuantizeQ8_0, QuantizeQ8_K)
			for _, impl := range []struct {
				name string
				f    func([]byte, *q8Row) float32
			}{{"fast", qd.fast}, {"portable", qd.ref}} {
				b.Run(fmt.Sprintf("%v/%d/%s", qd.typ, n, impl.name), func(b *testing.B) {
					b.ReportAllocs()
					b.SetBytes(int64(len(w)))
					cpu := startCPU()
					for b.Loop() {
						impl.f(w, q)
					}
					cpu.report(b)
				})
			}
		}
		for _, typ := range []tensor.Type{tensor.F16, tensor.F32} {
			w := quantizeWeights(b, typ, randomFloats(b, n, 2))
			wf := randomFloats(b, n, 2)
			b.Run(fmt.Sprintf("%v/%d", typ, n), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(w)))
				for b.Loop() {
					if typ == tensor.F16 {
						DotF16(w, x)
					} else {
						DotF32(wf, x)
					}
				}
			})
		}
	}
}

func BenchmarkQuantize(b *testing.B) {
	x := randomFloats(b, 1536, 1)
	q0 := quantizeRow(x, false, QuantizeQ8_0, QuantizeQ8_K)
	qk := quantizeRow(x, true, QuantizeQ8_0, QuantizeQ8_K)
	b.Run("Q8_0", func(b *testing.B) {
		b.SetBytes(4 * int64(len(x)))
		for b.Loop() {
			QuantizeQ8_0(x, q0.qs, q0.d, q0.sums)
		}
	})
	b.Run("Q8_K", func(b *testing.B) {
		b.SetBytes(4 * int64(len(x)))
		for b.Loop() {
			QuantizeQ8_K(x, qk.qs, qk.d, qk.sums)
		}
	})
}

// cpuClock measures the CPU time of a benchmark loop on its OS thread.
type cpuClock struct{ start time.Duration }

func startCPU() cpuClock {
	runtime.LockOSThread()
	return cpuClock{threadCPU()}
}

// report adds the CPU nanoseconds per operation, which the load of other
// processes does not inflate as it does ns/op, and unlocks the thread.
func (c cpuClock) report(b *testing.B) {
	used := threadCPU() - c.start
	runtime.UnlockOSThread()
	if used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
