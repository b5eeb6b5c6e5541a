package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

// matVecs pairs each multi-row kernel with the one-row kernel it must equal.
var matVecs = []struct {
	typ    tensor.Type
	matVec func(out []float32, w []byte, rowBytes int, qs []int8, d []float32)
	matMul func(out []float32, cols int, w []byte, rowBytes, rows int, qs []int8, d []float32, stride int)
	dot    func(w []byte, qs []int8, d []float32) float32
}{
	{tensor.Q4_0, MatVecQ4_0, MatMulQ4_0x4, DotQ4_0},
	{tensor.Q8_0, MatVecQ8_0, MatMulQ8_0x4, DotQ8_0},
}

// paddedRows quantizes rows random weight rows of n elements, each followed
// by 3 bytes of 0xff, so that reading past a row's blocks shows.
func paddedRows(tb testing.TB, typ tensor.Type, rows, n int) (w []byte, rowBytes int) {
	tb.Helper()
	size := typ.BlockBytes() * n / typ.BlockSize()
	rowBytes = size + 3
	w = make([]byte, rows*rowBytes)
	for i := range rows {
		copy(w[i*rowBytes:], quantizeWeights(tb, typ, randomFloats(tb, n, uint64(1000*rows+i))))
		for j := size; j < rowBytes; j++ {
			w[i*rowBytes+j] = 0xff
		}
	}
	return w, rowBytes
}

// TestMatVec checks the multi-row kernels against the dispatched one-row
// kernels bit for bit, over row counts that leave every tail of the
// four-row and two-row loops, and against the portable kernels within the
// float32 reordering TestQuantizedDots allows. Rows are padded (rowBytes
// larger than the row) so that reading past a row's blocks shows.
func TestMatVec(t *testing.T) {
	kernelModes(t, func(t *testing.T) {
		t.Logf("kernels: %s", Features())
		for _, mv := range matVecs {
			for _, blocks := range []int{1, 2, 7, 18} {
				for _, rows := range []int{1, 2, 3, 4, 5, 6, 7, 9} {
					t.Run(fmt.Sprintf("%v/%dx%d", mv.typ, rows, 32*blocks), func(t *testing.T) {
						n := 32 * blocks
						x := randomFloats(t, n, uint64(rows))
						q := quantizeRow(x, false, QuantizeQ8_0, QuantizeQ8_K)
						w, rowBytes := paddedRows(t, mv.typ, rows, n)
						got := make([]float32, rows+1)
						got[rows] = 42
						mv.matVec(got[:rows], w, rowBytes, q.qs, q.d)
						if got[rows] != 42 {
							t.Fatalf("wrote past the last row: %v", got[rows])
						}
						for i := range rows {
							want := mv.dot(w[i*rowBytes:(i+1)*rowBytes-3], q.qs, q.d)
							if math.Float32bits(got[i]) != math.Float32bits(want) {
								t.Errorf("row %d: %v, one-row kernel %v", i, got[i], want)
							}
						}
					})
				}
			}
		}
	})
}

// TestMatMulx4 checks the batch kernels against the one-row kernels bit
// for bit, for four tokens and every row tail, writing into a wider output
// whose other columns must stay untouched.
func TestMatMulx4(t *testing.T) {
	kernelModes(t, func(t *testing.T) {
		for _, mv := range matVecs {
			for _, blocks := range []int{1, 2, 7, 18} {
				for _, rows := range []int{1, 2, 3, 4, 5, 6, 7, 9} {
					t.Run(fmt.Sprintf("%v/%dx%d", mv.typ, rows, 32*blocks), func(t *testing.T) {
						n := 32 * blocks
						var tokens []*q8Row
						var qs []int8
						var d []float32
						for k := range 4 {
							q := quantizeRow(randomFloats(t, n, uint64(50*rows+k)), false, QuantizeQ8_0, QuantizeQ8_K)
							tokens = append(tokens, q)
							qs, d = append(qs, q.qs...), append(d, q.d...)
						}
						w, rowBytes := paddedRows(t, mv.typ, rows, n)
						cols := rows + 2
						out := make([]float32, 4*cols)
						for i := range out {
							out[i] = 42
						}
						mv.matMul(out, cols, w, rowBytes, rows, qs, d, n)
						for k, q := range tokens {
							for i := range cols {
								got := out[k*cols+i]
								if i >= rows {
									if got != 42 {
										t.Fatalf("token %d: wrote %v into column %d, past the %d rows", k, got, i, rows)
									}
									continue
								}
								want := mv.dot(w[i*rowBytes:(i+1)*rowBytes-3], q.qs, q.d)
								if math.Float32bits(got) != math.Float32bits(want) {
									t.Errorf("token %d row %d: %v, one-row kernel %v", k, i, got, want)
								}
							}
						}
					})
				}
			}
		}
	})
}

// BenchmarkMatVec runs the multi-row kernels over 64 rows of the lengths in
// BenchmarkDot, against a loop of one-row calls.
func BenchmarkMatVec(b *testing.B) {
	const rows = 64
	for _, n := range []int{576, 1536, 2048, 8192} {
		x := randomFloats(b, n, 1)
		q := quantizeRow(x, false, QuantizeQ8_0, QuantizeQ8_K)
		for _, mv := range matVecs {
			w := quantizeWeights(b, mv.typ, randomFloats(b, rows*n, 2))
			rowBytes := len(w) / rows
			out := make([]float32, rows)
			b.Run(fmt.Sprintf("%v/%d/multi-row", mv.typ, n), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(w)))
				cpu := startCPU()
				for b.Loop() {
					mv.matVec(out, w, rowBytes, q.qs, q.d)
				}
				cpu.report(b)
			})
			b.Run(fmt.Sprintf("%v/%d/one-row", mv.typ, n), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(w)))
				cpu := startCPU()
				for b.Loop() {
					for i := range out {
						out[i] = mv.dot(w[i*rowBytes:(i+1)*rowBytes], q.qs, q.d)
					}
				}
				cpu.report(b)
			})
		}
	}
}

// TestAttentionLoops checks DotsF32 and AxpyRows against the DotF32 and
// Axpy calls they replace, bit for bit, at head sizes with and without
// tails.
func TestAttentionLoops(t *testing.T) {
	for _, n := range []int{8, 12, 32, 64, 80, 128} {
		for _, positions := range []int{1, 5, 33} {
			stride := 3*n + 4
			rows := randomFloats(t, positions*stride, uint64(n))
			x := randomFloats(t, n, uint64(n+1))
			got := make([]float32, positions)
			DotsF32(got, rows, stride, x, 0.125)
			for p := range got {
				if want := DotF32(rows[p*stride:p*stride+n], x) * 0.125; math.Float32bits(got[p]) != math.Float32bits(want) {
					t.Errorf("DotsF32 n=%d position %d: %v, DotF32 %v", n, p, got[p], want)
				}
			}
			a := randomFloats(t, positions, uint64(n+2))
			dst, want := randomFloats(t, n, 3), randomFloats(t, n, 3)
			AxpyRows(dst, a, rows, stride)
			for p, ap := range a {
				Axpy(want, ap, rows[p*stride:p*stride+n])
			}
			for i := range want {
				if math.Float32bits(dst[i]) != math.Float32bits(want[i]) {
					t.Fatalf("AxpyRows n=%d positions=%d [%d]: %v, Axpy %v", n, positions, i, dst[i], want[i])
				}
			}
		}
	}
}

// kMatVec pairs a K-quant multi-row kernel with the one-row kernel it must
// equal.
type kMatVec struct {
	typ    tensor.Type
	matVec func(out []float32, w []byte, rowBytes int, qs []int8, d []float32, sums []int16)
	dot    func(w []byte, qs []int8, d []float32, sums []int16) float32
}

// kMatVecs are the K-quant multi-row kernels under test.
var kMatVecs = []kMatVec{
	{tensor.Q4_K, MatVecQ4_K, DotQ4_K},
	{tensor.Q6_K, MatVecQ6_K, DotQ6_K},
}

// TestMatVecK is TestMatVec for the K-quants. Scale bytes of every
// super-block are also overwritten with random ones, so that every bit of
// Q4_K's packed 6-bit scales and minimums, and Q6_K's extreme scales, are
// exercised.
func TestMatVecK(t *testing.T) {
	kernelModes(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, mv := range kMatVecs {
			for _, blocks := range []int{1, 2, 3} {
				for _, rows := range []int{1, 2, 3, 5} {
					t.Run(fmt.Sprintf("%v/%dx%d", mv.typ, rows, 256*blocks), func(t *testing.T) {
						n := 256 * blocks
						q := quantizeRow(randomFloats(t, n, uint64(rows)), true, QuantizeQ8_0, QuantizeQ8_K)
						w, rowBytes := paddedRows(t, mv.typ, rows, n)
						// Q4_K's packed scales are bytes 4-15, Q6_K's 192-207.
						first, count, size := 4, 12, q4_KBytes
						if mv.typ == tensor.Q6_K {
							first, count, size = 192, 16, q6_KBytes
						}
						for i := range rows {
							for b := range blocks {
								for j := first; j < first+count; j++ {
									w[i*rowBytes+b*size+j] = byte(r.Uint32())
								}
							}
						}
						got := make([]float32, rows+1)
						got[rows] = 42
						mv.matVec(got[:rows], w, rowBytes, q.qs, q.d, q.sums)
						if got[rows] != 42 {
							t.Fatalf("wrote past the last row: %v", got[rows])
						}
						for i := range rows {
							want := mv.dot(w[i*rowBytes:(i+1)*rowBytes-3], q.qs, q.d, q.sums)
							if math.Float32bits(got[i]) != math.Float32bits(want) {
								t.Errorf("row %d: %v, one-row kernel %v", i, got[i], want)
							}
						}
					})
				}
			}
		}
	})
}

// BenchmarkMatVecK is BenchmarkMatVec for the K-quant kernels.
func BenchmarkMatVecK(b *testing.B) {
	const rows = 64
	for _, n := range []int{2048, 8192} {
		q := quantizeRow(randomFloats(b, n, 1), true, QuantizeQ8_0, QuantizeQ8_K)
		for _, mv := range kMatVecs {
			w := quantizeWeights(b, mv.typ, randomFloats(b, rows*n, 2))
			rowBytes := len(w) / rows
			out := make([]float32, rows)
			b.Run(fmt.Sprintf("%v/%d/multi-row", mv.typ, n), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(w)))
				cpu := startCPU()
				for b.Loop() {
					mv.matVec(out, w, rowBytes, q.qs, q.d, q.sums)
				}
				cpu.report(b)
			})
			b.Run(fmt.Sprintf("%v/%d/one-row", mv.typ, n), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(w)))
				cpu := startCPU()
				for b.Loop() {
					for i := range out {
						out[i] = mv.dot(w[i*rowBytes:(i+1)*rowBytes], q.qs, q.d, q.sums)
					}
				}
				cpu.report(b)
			})
		}
	}
}

// BenchmarkMatVecKLarge runs the K-quant kernels on decode-sized matrices
// (over 64 MiB, past the caches), where memory bandwidth, not the
// instruction count, may bound them. One quantized row is repeated with a
// varied scale byte: quantizing every row would make setup take seconds.
func BenchmarkMatVecKLarge(b *testing.B) {
	for _, c := range []struct {
		typ     tensor.Type
		rows, n int
	}{
		{tensor.Q6_K, 65536, 2048},
		{tensor.Q4_K, 16384, 8192},
	} {
		mv := kMatVecs[slices.IndexFunc(kMatVecs, func(m kMatVec) bool { return m.typ == c.typ })]
		q := quantizeRow(randomFloats(b, c.n, 1), true, QuantizeQ8_0, QuantizeQ8_K)
		row := quantizeWeights(b, c.typ, randomFloats(b, c.n, 2))
		w := make([]byte, c.rows*len(row))
		for i := range c.rows {
			copy(w[i*len(row):], row)
			w[i*len(row)+5] ^= byte(i)
		}
		out := make([]float32, c.rows)
		b.Run(fmt.Sprintf("%v/%dx%d", c.typ, c.rows, c.n), func(b *testing.B) {
			b.SetBytes(int64(len(w)))
			cpu := startCPU()
			for b.Loop() {
				mv.matVec(out, w, len(row), q.qs, q.d, q.sums)
			}
			cpu.report(b)
		})
	}
}

// TestMatMulKx4 checks the K-quant batch kernels against the one-row
// kernels bit for bit, for four tokens and a few row counts.
func TestMatMulKx4(t *testing.T) {
	kernelModes(t, func(t *testing.T) {
		for _, c := range []struct {
			typ                tensor.Type
			matMul             func(out []float32, cols int, w []byte, rowBytes, rows int, qs []int8, d []float32, sums []int16, stride int)
			dot                func(w []byte, qs []int8, d []float32, sums []int16) float32
			first, count, size int
		}{
			{tensor.Q4_K, MatMulQ4_Kx4, DotQ4_K, 4, 12, q4_KBytes},
			{tensor.Q6_K, MatMulQ6_Kx4, DotQ6_K, 192, 16, q6_KBytes},
		} {
			for _, blocks := range []int{1, 3} {
				for _, rows := range []int{1, 4, 5} {
					n := 256 * blocks
					var tokens []*q8Row
					var qs []int8
					var d []float32
					var sums []int16
					for k := range 4 {
						q := quantizeRow(randomFloats(t, n, uint64(20*rows+k)), true, QuantizeQ8_0, QuantizeQ8_K)
						tokens = append(tokens, q)
						qs, d, sums = append(qs, q.qs...), append(d, q.d...), append(sums, q.sums...)
					}
					w, rowBytes := paddedRows(t, c.typ, rows, n)
					// Random packed scales and minimums, every bit of them.
					r := rand.New(rand.NewPCG(uint64(rows), 5))
					for i := range rows {
						for b := range blocks {
							for j := c.first; j < c.first+c.count; j++ {
								w[i*rowBytes+b*c.size+j] = byte(r.Uint32())
							}
						}
					}
					cols := rows + 1
					out := make([]float32, 4*cols)
					c.matMul(out, cols, w, rowBytes, rows, qs, d, sums, n)
					for k, q := range tokens {
						if out[k*cols+rows] != 0 {
							t.Fatalf("%v %d rows: token %d: wrote %v past the rows", c.typ, rows, k, out[k*cols+rows])
						}
						for i := range rows {
							want := c.dot(w[i*rowBytes:(i+1)*rowBytes-3], q.qs, q.d, q.sums)
							if got := out[k*cols+i]; math.Float32bits(got) != math.Float32bits(want) {
								t.Errorf("%v n=%d token %d row %d: %v, one-row kernel %v", c.typ, n, k, i, got, want)
							}
						}
					}
				}
			}
		}
	})
}

// BenchmarkMatMulx4 runs the batch kernels over 64 rows and four tokens.
func BenchmarkMatMulx4(b *testing.B) {
	const rows = 64
	for _, n := range []int{576 / 64 * 256, 2048} {
		var q0, qk []*q8Row
		for k := range 4 {
			q0 = append(q0, quantizeRow(randomFloats(b, n, uint64(k)), false, QuantizeQ8_0, QuantizeQ8_K))
			qk = append(qk, quantizeRow(randomFloats(b, n, uint64(k)), true, QuantizeQ8_0, QuantizeQ8_K))
		}
		join := func(rs []*q8Row) (qs []int8, d []float32, sums []int16) {
			for _, q := range rs {
				qs, d, sums = append(qs, q.qs...), append(d, q.d...), append(sums, q.sums...)
			}
			return qs, d, sums
		}
		qs0, d0, _ := join(q0)
		qsk, dk, sk := join(qk)
		out := make([]float32, 4*rows)
		for _, typ := range []tensor.Type{tensor.Q4_0, tensor.Q8_0, tensor.Q4_K, tensor.Q6_K} {
			w := quantizeWeights(b, typ, randomFloats(b, rows*n, 2))
			rowBytes := len(w) / rows
			b.Run(fmt.Sprintf("%v/%d", typ, n), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(w)))
				cpu := startCPU()
				for b.Loop() {
					switch typ {
					case tensor.Q4_0:
						MatMulQ4_0x4(out, rows, w, rowBytes, rows, qs0, d0, n)
					case tensor.Q8_0:
						MatMulQ8_0x4(out, rows, w, rowBytes, rows, qs0, d0, n)
					case tensor.Q4_K:
						MatMulQ4_Kx4(out, rows, w, rowBytes, rows, qsk, dk, sk, n)
					case tensor.Q6_K:
						MatMulQ6_Kx4(out, rows, w, rowBytes, rows, qsk, dk, sk, n)
					}
				}
				cpu.report(b)
			})
		}
	}
}
