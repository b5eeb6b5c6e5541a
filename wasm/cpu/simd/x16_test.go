package simd

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

// x16Types are the types with x16 kernels, each with its file-layout dot
// product and whether it takes Q8_K activations.
var x16Types = []struct {
	typ     tensor.Type
	k       bool
	fileDot func(w []byte, q *q8Row) float32
}{
	{tensor.Q4_0, false, func(w []byte, q *q8Row) float32 { return DotQ4_0(w, q.qs, q.d) }},
	{tensor.Q8_0, false, func(w []byte, q *q8Row) float32 { return DotQ8_0(w, q.qs, q.d) }},
	{tensor.Q4_K, true, func(w []byte, q *q8Row) float32 { return DotQ4_K(w, q.qs, q.d, q.sums) }},
	{tensor.Q6_K, true, func(w []byte, q *q8Row) float32 { return DotQ6_K(w, q.qs, q.d, q.sums) }},
}

// x16Weights quantizes rows random rows of n columns to typ and repacks
// them, returning both layouts.
func x16Weights(tb testing.TB, typ tensor.Type, rows, n int, seed uint64) (file, x16 []byte) {
	tb.Helper()
	file = quantizeWeights(tb, typ, randomFloats(tb, rows*n, seed))
	x16 = make([]byte, len(file))
	RepackX16(typ, x16, file, rows, n)
	return file, x16
}

// Every row read back from the x16 layout is the row tensor.Dequantize
// reads from the file's layout.
func TestRepackX16(t *testing.T) {
	for _, xt := range x16Types {
		for _, c := range []struct{ rows, blocks int }{{16, 1}, {32, 3}, {48, 2}} {
			n := c.blocks * xt.typ.BlockSize()
			file, x16 := x16Weights(t, xt.typ, c.rows, n, 3)
			want := make([]float32, c.rows*n)
			if err := tensor.Dequantize(xt.typ, file, want); err != nil {
				t.Fatal(err)
			}
			got := make([]float32, n)
			for r := range c.rows {
				DequantizeRowX16(xt.typ, got, x16, r, n)
				for i, v := range got {
					if math.Float32bits(v) != math.Float32bits(want[r*n+i]) {
						t.Fatalf("%v %dx%d row %d column %d: %v, want %v", xt.typ, c.rows, n, r, i, v, want[r*n+i])
					}
				}
			}
		}
	}
}

// The x16 kernels give their Go model's bits, for one token and for four,
// and agree with the file-layout kernels within float32
// reordering.
func TestMatVecX16(t *testing.T) {
	kernelModes(t, func(t *testing.T) {
		for _, xt := range x16Types {
			for _, blocks := range []int{1, 2, 7} {
				for _, rows := range []int{16, 48} {
					t.Run(fmt.Sprintf("%v/%dx%d", xt.typ, rows, blocks), func(t *testing.T) {
						checkMatVecX16(t, xt.typ, xt.k, xt.fileDot, rows, blocks)
					})
				}
			}
		}
	})
}

func checkMatVecX16(t *testing.T, typ tensor.Type, k bool, fileDot func([]byte, *q8Row) float32, rows, blocks int) {
	n := blocks * typ.BlockSize()
	file, x16 := x16Weights(t, typ, rows, n, uint64(rows+n))
	f, _ := x16FormatOf(typ)
	var tokens []*q8Row
	var qs []int8
	var d []float32
	var sums []int16
	for i := range 4 {
		q := quantizeRow(randomFloats(t, n, uint64(90*rows+i)), k, QuantizeQ8_0, QuantizeQ8_K)
		tokens = append(tokens, q)
		qs, d, sums = append(qs, q.qs...), append(d, q.d...), append(sums, q.sums...)
	}
	cols := rows + 3
	batch := make([]float32, 4*cols)
	for i := range batch {
		batch[i] = 42
	}
	MatMulX16x4(typ, batch, cols, x16, rows, qs, d, sums, n)
	rb := len(file) / rows
	wf := make([]float32, rows*n)
	if err := tensor.Dequantize(typ, file, wf); err != nil {
		t.Fatal(err)
	}
	for i, q := range tokens {
		got, want := make([]float32, rows), make([]float32, rows)
		MatVecX16(typ, got, x16, q.qs, q.d, q.sums)
		matVecX16Go(f, want, x16, len(q.d), q.qs, q.d, q.sums)
		for r := range rows {
			if math.Float32bits(got[r]) != math.Float32bits(want[r]) {
				t.Fatalf("token %d row %d: %v, Go model %v", i, r, got[r], want[r])
			}
			if b := batch[i*cols+r]; math.Float32bits(b) != math.Float32bits(want[r]) {
				t.Fatalf("token %d row %d: %v in a batch of four, %v alone", i, r, b, want[r])
			}
			// The tolerance TestQuantizedDots allows float32 reordering.
			var scale float64
			for j := range n {
				scale += math.Abs(float64(wf[r*n+j]) * q.value(j))
			}
			ref := fileDot(file[r*rb:(r+1)*rb], q)
			if diff := math.Abs(float64(got[r] - ref)); diff > 1e-5*scale+1e-30 {
				t.Fatalf("token %d row %d: %v, file-layout kernel %v (tolerance %.3g)", i, r, got[r], ref, 1e-5*scale)
			}
		}
		for r := rows; r < cols; r++ {
			if batch[i*cols+r] != 42 {
				t.Fatalf("token %d: wrote column %d, past the %d rows", i, r, rows)
			}
		}
	}
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
	out := make([]float32, 4*rows)
	for _, xt := range x16Types {
		file, x16 := x16Weights(b, xt.typ, rows, n, 1)
		var qs []int8
		var d []float32
		var sums []int16
		var first *q8Row
		for k := range 4 {
			q := quantizeRow(randomFloats(b, n, uint64(k)), xt.k, QuantizeQ8_0, QuantizeQ8_K)
			first = cmp.Or(first, q)
			qs, d, sums = append(qs, q.qs...), append(d, q.d...), append(sums, q.sums...)
		}
		rowBytes := len(file) / rows
		type benchCase struct {
			name string
			f    func()
		}
		cases := []benchCase{
			{"decode/file", func() {
				for r := range rows {
					out[r] = xt.fileDot(file[r*rowBytes:(r+1)*rowBytes], first)
				}
			}},
			{"decode/x16", func() { MatVecX16(xt.typ, out[:rows], x16, first.qs, first.d, first.sums) }},
		}
		switch xt.typ {
		case tensor.Q4_0:
			cases = append(cases,
				benchCase{"decode/file-4row", func() { MatVecQ4_0(out[:rows], file, rowBytes, first.qs, first.d) }},
				benchCase{"prefill4/file", func() { MatMulQ4_0x4(out, rows, file, rowBytes, rows, qs, d, n) }})
		case tensor.Q8_0:
			cases = append(cases, benchCase{"prefill4/file", func() { MatMulQ8_0x4(out, rows, file, rowBytes, rows, qs, d, n) }})
		}
		cases = append(cases, benchCase{"prefill4/x16", func() { MatMulX16x4(xt.typ, out, rows, x16, rows, qs, d, sums, n) }})
		for _, c := range cases {
			b.Run(xt.typ.String()+"/"+c.name, func(b *testing.B) {
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
}
