package simd

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

// x16Types are the formats with x16 kernels, with their functions.
var x16Types = []struct {
	typ     tensor.Type
	repack  func(dst, src []byte, rows, cols int)
	row     func(dst []float32, w []byte, r, cols int)
	matVec  func(out []float32, w []byte, qs []int8, d []float32, sums []int16)
	matMul  func(out []float32, cols int, w []byte, rows int, qs []int8, d []float32, sums []int16, stride int)
	fileDot func(w []byte, qs []int8, d []float32) float32
}{
	{tensor.Q4_0, RepackQ4_0x16, DequantizeRowQ4_0x16, MatVecQ4_0x16, MatMulQ4_0x16x4, DotQ4_0},
	{tensor.Q8_0, RepackQ8_0x16, DequantizeRowQ8_0x16, MatVecQ8_0x16, MatMulQ8_0x16x4, DotQ8_0},
}

// x16Weights quantizes rows random rows of n columns to typ and repacks
// them, returning both layouts.
func x16Weights(tb testing.TB, typ tensor.Type, rows, n int, seed uint64) (file, x16 []byte) {
	tb.Helper()
	file = quantizeWeights(tb, typ, randomFloats(tb, rows*n, seed))
	x16 = make([]byte, len(file))
	if typ == tensor.Q4_0 {
		RepackQ4_0x16(x16, file, rows, n)
	} else {
		RepackQ8_0x16(x16, file, rows, n)
	}
	return file, x16
}

// Every row read back from the x16 layout is the row tensor.Dequantize
// reads from the file's layout.
func TestRepackX16(t *testing.T) {
	for _, xt := range x16Types {
		for _, c := range []struct{ rows, n int }{{16, 32}, {32, 96}, {48, 576}} {
			file, x16 := x16Weights(t, xt.typ, c.rows, c.n, 3)
			want := make([]float32, c.rows*c.n)
			if err := tensor.Dequantize(xt.typ, file, want); err != nil {
				t.Fatal(err)
			}
			got := make([]float32, c.n)
			for r := range c.rows {
				xt.row(got, x16, r, c.n)
				for i, v := range got {
					if math.Float32bits(v) != math.Float32bits(want[r*c.n+i]) {
						t.Fatalf("%v %dx%d row %d column %d: %v, want %v", xt.typ, c.rows, c.n, r, i, v, want[r*c.n+i])
					}
				}
			}
		}
	}
}

// The x16 kernels give their Go model's bits, for one token and for four,
// and agree with the file-layout kernel within float32 reordering.
func TestMatVecX16(t *testing.T) {
	kernelModes(t, func(t *testing.T) {
		for _, xt := range x16Types {
			for _, blocks := range []int{1, 2, 7, 18} {
				for _, rows := range []int{16, 32, 48} {
					t.Run(fmt.Sprintf("%v/%dx%d", xt.typ, rows, 32*blocks), func(t *testing.T) {
						n := 32 * blocks
						file, x16 := x16Weights(t, xt.typ, rows, n, uint64(rows+n))
						var tokens []*q8Row
						var qs []int8
						var d []float32
						var sums []int16
						for k := range 4 {
							q := quantizeRow(randomFloats(t, n, uint64(90*rows+k)), false, QuantizeQ8_0, QuantizeQ8_K)
							tokens = append(tokens, q)
							qs, d, sums = append(qs, q.qs...), append(d, q.d...), append(sums, q.sums...)
						}
						cols := rows + 3
						batch := make([]float32, 4*cols)
						for i := range batch {
							batch[i] = 42
						}
						xt.matMul(batch, cols, x16, rows, qs, d, sums, n)
						for k, q := range tokens {
							got := make([]float32, rows)
							xt.matVec(got, x16, q.qs, q.d, q.sums)
							want := make([]float32, rows)
							matVecX16Go(want, x16, blocks, q.qs, q.d, q.sums, xt.typ == tensor.Q4_0)
							for i := range rows {
								if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
									t.Fatalf("token %d row %d: %v, Go model %v", k, i, got[i], want[i])
								}
								if b := batch[k*cols+i]; math.Float32bits(b) != math.Float32bits(want[i]) {
									t.Fatalf("token %d row %d: %v in a batch of four, %v alone", k, i, b, want[i])
								}
								rb := len(file) / rows
								ref := xt.fileDot(file[i*rb:(i+1)*rb], q.qs, q.d)
								if diff := math.Abs(float64(got[i] - ref)); diff > 1e-5*(1+math.Abs(float64(ref))) {
									t.Fatalf("token %d row %d: %v, file-layout kernel %v", k, i, got[i], ref)
								}
							}
							for i := rows; i < cols; i++ {
								if batch[k*cols+i] != 42 {
									t.Fatalf("token %d: wrote column %d, past the %d rows", k, i, rows)
								}
							}
						}
					})
				}
			}
		}
	})
}

// fma32 rounds a·b+c once, as math/big computes it exactly and rounds it,
// on random operands and on sums built to fall halfway between float32
// values in float64.
func TestFMA32(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	exact := func(a, b, c float32) float32 {
		p := new(big.Float).SetPrec(200).Mul(big.NewFloat(float64(a)), big.NewFloat(float64(b)))
		v, _ := p.Add(p, big.NewFloat(float64(c))).Float32()
		return v
	}
	check := func(a, b, c float32) {
		if got, want := fma32(a, b, c), exact(a, b, c); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("fma32(%g, %g, %g) = %g, want %g", a, b, c, got, want)
		}
	}
	for range 200000 {
		a := float32(r.NormFloat64() * math.Exp2(float64(r.IntN(40)-20)))
		b := float32(r.NormFloat64())
		c := float32(r.NormFloat64() * math.Exp2(float64(r.IntN(40)-20)))
		check(a, b, c)
	}
	// c = 1 and a·b = 2⁻²⁴ ± 2⁻⁵⁰·k: the exact sum is within a float64 ulp
	// of the halfway point between 1 and the next float32.
	for k := -3; k <= 3; k++ {
		a := float32(1 + float64(k)*0x1p-23)
		check(a, 0x1p-24, 1)
		check(a, -0x1p-25, 1)
	}
	for range 100000 {
		c := float32(1 + r.Float64())
		half := float64(math.Nextafter32(c, 2)-c) / 2
		a := float32(half * (1 + float64(r.IntN(5)-2)*0x1p-23))
		check(a, 1+float32(r.IntN(3)-1)*0x1p-23, c)
	}
}

// BenchmarkX16 compares the x16 kernels with the file-layout ones on 64
// rows of 2048, for one token and for four.
func BenchmarkX16(b *testing.B) {
	const rows, n = 64, 2048
	file, x16 := x16Weights(b, tensor.Q4_0, rows, n, 1)
	file8, x16q8 := x16Weights(b, tensor.Q8_0, rows, n, 1)
	var qs []int8
	var d []float32
	var sums []int16
	for k := range 4 {
		q := quantizeRow(randomFloats(b, n, uint64(k)), false, QuantizeQ8_0, QuantizeQ8_K)
		qs, d, sums = append(qs, q.qs...), append(d, q.d...), append(sums, q.sums...)
	}
	out := make([]float32, 4*rows)
	rowBytes := len(file) / rows
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"decode/file", func() { MatVecQ4_0(out[:rows], file, rowBytes, qs[:n], d[:n/32]) }},
		{"decode/x16", func() { MatVecQ4_0x16(out[:rows], x16, qs[:n], d[:n/32], sums[:n/32]) }},
		{"prefill4/file", func() { MatMulQ4_0x4(out, rows, file, rowBytes, rows, qs, d, n) }},
		{"prefill4/x16", func() { MatMulQ4_0x16x4(out, rows, x16, rows, qs, d, sums, n) }},
		{"Q8_0/decode/file", func() { MatVecQ8_0(out[:rows], file8, len(file8)/rows, qs[:n], d[:n/32]) }},
		{"Q8_0/decode/x16", func() { MatVecQ8_0x16(out[:rows], x16q8, qs[:n], d[:n/32], sums[:n/32]) }},
		{"Q8_0/prefill4/file", func() { MatMulQ8_0x4(out, rows, file8, len(file8)/rows, rows, qs, d, n) }},
		{"Q8_0/prefill4/x16", func() { MatMulQ8_0x16x4(out, rows, x16q8, rows, qs, d, sums, n) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(file)))
			cpu := startCPU()
			for b.Loop() {
				c.f()
			}
			cpu.report(b)
		})
	}
}
