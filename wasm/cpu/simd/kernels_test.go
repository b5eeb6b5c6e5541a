package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

func randomFloats(tb testing.TB, n int, seed uint64) []float32 {
	tb.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	// Outliers and a zero block exercise the scale choice: one element far
	// from the rest, and a block whose scale is 0.
	if n >= 64 {
		x[n/3] *= 40
		clear(x[32 : 32+min(32, n-32)])
	}
	return x
}

func quantizeWeights(tb testing.TB, t tensor.Type, x []float32) []byte {
	tb.Helper()
	n, err := tensor.RowBytes(t, int64(len(x)))
	if err != nil {
		tb.Fatal(err)
	}
	b := make([]byte, n)
	if err := tensor.Quantize(t, x, b); err != nil {
		tb.Fatal(err)
	}
	return b
}

func dequantize(tb testing.TB, t tensor.Type, b []byte, n int) []float32 {
	tb.Helper()
	y := make([]float32, n)
	if err := tensor.Dequantize(t, b, y); err != nil {
		tb.Fatal(err)
	}
	return y
}

// q8Row is one activation row quantized for either scheme.
type q8Row struct {
	qs   []int8
	d    []float32
	sums []int16
	k    bool // Q8_K rather than Q8_0
}

func (q *q8Row) block() int {
	if q.k {
		return 256
	}
	return 32
}

// value is the activation that element i stands for after quantization.
func (q *q8Row) value(i int) float64 { return float64(q.qs[i]) * float64(q.d[i/q.block()]) }

type quantizer func([]float32, []int8, []float32, []int16)

func quantizeRow(x []float32, k bool, quant8_0, quantK quantizer) *q8Row {
	q := &q8Row{qs: make([]int8, len(x)), k: k}
	if k {
		q.d, q.sums = make([]float32, len(x)/256), make([]int16, len(x)/16)
		quantK(x, q.qs, q.d, q.sums)
	} else {
		q.d, q.sums = make([]float32, len(x)/32), make([]int16, len(x)/32)
		quant8_0(x, q.qs, q.d, q.sums)
	}
	return q
}

// sumGroup is the number of quantized values each entry of sums adds up.
func (q *q8Row) sumGroup() int {
	if q.k {
		return 16
	}
	return 32
}

// TestQuantizeActivations checks the vector quantizers against the portable
// ones bit for bit, and the portable ones against their definition: every
// element is within half a step of its quantized value (plus, for Q8_0, the
// F16 rounding of the scale times the largest level), and the sums are the
// sums of the values.
func TestQuantizeActivations(t *testing.T) {
	for _, k := range []bool{false, true} {
		for _, blocks := range []int{1, 2, 5} {
			name := fmt.Sprintf("Q8_0/%d", blocks)
			n := 32 * blocks * 8
			if k {
				name, n = fmt.Sprintf("Q8_K/%d", blocks), 256*blocks
			}
			t.Run(name, func(t *testing.T) {
				x := randomFloats(t, n, uint64(blocks))
				fast := quantizeRow(x, k, QuantizeQ8_0, QuantizeQ8_K)
				ref := quantizeRow(x, k, quantizeQ8_0Go, quantizeQ8_KGo)
				for i := range ref.qs {
					if fast.qs[i] != ref.qs[i] {
						t.Fatalf("qs[%d] = %d, portable %d", i, fast.qs[i], ref.qs[i])
					}
				}
				for i := range ref.d {
					if fast.d[i] != ref.d[i] {
						t.Fatalf("d[%d] = %g, portable %g", i, fast.d[i], ref.d[i])
					}
				}
				for i := range ref.sums {
					if fast.sums[i] != ref.sums[i] {
						t.Fatalf("sums[%d] = %d, portable %d", i, fast.sums[i], ref.sums[i])
					}
					var s int16
					g := ref.sumGroup()
					for _, v := range ref.qs[g*i : g*i+g] {
						s += int16(v)
					}
					if s != ref.sums[i] {
						t.Fatalf("sums[%d] = %d, values sum to %d", i, ref.sums[i], s)
					}
				}
				bs := ref.block()
				for b := range ref.d {
					var amax float64
					for _, v := range x[bs*b : bs*b+bs] {
						amax = math.Max(amax, math.Abs(float64(v)))
					}
					step := amax / 127
					bound := step/2*(1+1e-6) + 127*math.Abs(step-float64(ref.d[b]))
					for i := bs * b; i < bs*b+bs; i++ {
						if e := math.Abs(float64(x[i]) - ref.value(i)); e > bound {
							t.Fatalf("element %d: %g quantized to %g, error %g > %g", i, x[i], ref.value(i), e, bound)
						}
					}
				}
			})
		}
	}
}

type quantDot struct {
	typ  tensor.Type
	k    bool
	fast func(w []byte, q *q8Row) float32
	ref  func(w []byte, q *q8Row) float32
}

var quantDots = []quantDot{
	{tensor.Q8_0, false, func(w []byte, q *q8Row) float32 { return DotQ8_0(w, q.qs, q.d) },
		func(w []byte, q *q8Row) float32 { return dotQ8_0Go(w, q.qs, q.d) }},
	{tensor.Q4_0, false, func(w []byte, q *q8Row) float32 { return DotQ4_0(w, q.qs, q.d) },
		func(w []byte, q *q8Row) float32 { return dotQ4_0Go(w, q.qs, q.d) }},
	{tensor.Q5_0, false, func(w []byte, q *q8Row) float32 { return DotQ5_0(w, q.qs, q.d, q.sums) },
		func(w []byte, q *q8Row) float32 { return dotQ5_0Go(w, q.qs, q.d, q.sums) }},
	{tensor.Q4_K, true, func(w []byte, q *q8Row) float32 { return DotQ4_K(w, q.qs, q.d, q.sums) },
		func(w []byte, q *q8Row) float32 { return dotQ4_KGo(w, q.qs, q.d, q.sums) }},
	{tensor.Q5_K, true, func(w []byte, q *q8Row) float32 { return DotQ5_K(w, q.qs, q.d, q.sums) },
		func(w []byte, q *q8Row) float32 { return dotQ5_KGo(w, q.qs, q.d, q.sums) }},
	{tensor.Q6_K, true, func(w []byte, q *q8Row) float32 { return DotQ6_K(w, q.qs, q.d, q.sums) },
		func(w []byte, q *q8Row) float32 { return dotQ6_KGo(w, q.qs, q.d, q.sums) }},
}

// TestQuantizedDots checks each integer dot product, portable and vector,
// against the float64 dot product of the dequantized weights with the
// values the quantized activations stand for. The integer sums are exact,
// so the only error is float32 rounding of the per-block scale products and
// their sum: a few ulps of Σ|w·x|, bounded here by 1e-5 of it.
//
// It also bounds the whole error against the float reference, tensor.Dot on
// the unquantized activations: each activation moves by at most half a
// quantization step (plus the F16 rounding of a Q8_0 scale), so the dot
// moves by at most Σ|w_i|·err_i.
func TestQuantizedDots(t *testing.T) {
	t.Logf("kernels: %s", Features())
	for _, qd := range quantDots {
		blockSize, counts := 32, []int{1, 3, 7, 18}
		if qd.k {
			blockSize, counts = 256, []int{1, 3, 7}
		}
		for _, blocks := range counts {
			n := blocks * blockSize
			t.Run(fmt.Sprintf("%v/%d", qd.typ, n), func(t *testing.T) {
				for seed := range uint64(4) {
					x := randomFloats(t, n, 100+seed)
					w := quantizeWeights(t, qd.typ, randomFloats(t, n, 200+seed))
					deq := dequantize(t, qd.typ, w, n)
					q := quantizeRow(x, qd.k, QuantizeQ8_0, QuantizeQ8_K)
					var want, scale, quantErr float64
					for i := range deq {
						p := float64(deq[i]) * q.value(i)
						want += p
						scale += math.Abs(p)
						quantErr += math.Abs(float64(deq[i])) * math.Abs(float64(x[i])-q.value(i))
					}
					tol := 1e-5*scale + 1e-30
					for name, got := range map[string]float32{"dispatched": qd.fast(w, q), "portable": qd.ref(w, q)} {
						if math.Abs(float64(got)-want) > tol {
							t.Errorf("seed %d %s: %v, want %v ± %.3g", seed, name, got, want, tol)
						}
					}
					ref := tensor.Dot(qd.typ, w, x)
					if d := math.Abs(float64(qd.fast(w, q)) - float64(ref)); d > quantErr+2*tol {
						t.Errorf("seed %d: %v vs float reference %v: difference %.3g > bound %.3g", seed, qd.fast(w, q), ref, d, quantErr+2*tol)
					}
				}
			})
		}
	}
}

// floatLengths cover vector widths, their tails and a one-element row.
var floatLengths = []int{1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 100, 257}

func TestFloatDots(t *testing.T) {
	for _, n := range floatLengths {
		x := randomFloats(t, n, uint64(n))
		w := randomFloats(t, n, uint64(n)+1000)
		wf16 := quantizeWeights(t, tensor.F16, w)
		wf32 := quantizeWeights(t, tensor.F32, w)
		for _, c := range []struct {
			name string
			w    []byte
			got  float32
		}{
			{"F32", wf32, DotF32(w, x)},
			{"F16", wf16, DotF16(wf16, x)},
		} {
			typ := tensor.F32
			if c.name == "F16" {
				typ = tensor.F16
			}
			deq := dequantize(t, typ, c.w, n)
			var want, scale float64
			for i := range x {
				want += float64(deq[i]) * float64(x[i])
				scale += math.Abs(float64(deq[i]) * float64(x[i]))
			}
			// float32 summation in any order: n ulps of Σ|w·x| at worst.
			tol := float64(n) * 0x1p-24 * scale
			if math.Abs(float64(c.got)-want) > tol {
				t.Errorf("%s n=%d: %v, want %v ± %.3g", c.name, n, c.got, want, tol)
			}
		}
	}
}

// TestF16Specials feeds every class of half — zeros, subnormals, the
// extremes, infinities — through the F16 dot product one at a time.
func TestF16Specials(t *testing.T) {
	halves := []uint16{0x0000, 0x8000, 0x0001, 0x03ff, 0x8001, 0x0400, 0x3c00, 0xbc00, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x3555}
	for _, h := range halves {
		for _, n := range []int{1, 9, 16, 17} {
			w := make([]byte, 2*n)
			x := make([]float32, n)
			w[2*(n-1)], w[2*(n-1)+1] = byte(h), byte(h>>8)
			x[n-1] = 1.5
			want := tensor.F16ToF32(h) * 1.5
			if got := DotF16(w, x); got != want {
				t.Errorf("half %#04x at %d of %d: %v, want %v", h, n-1, n, got, want)
			}
		}
	}
}

func TestFloatLoops(t *testing.T) {
	for _, n := range floatLengths {
		x := randomFloats(t, n, uint64(n))
		w := randomFloats(t, n, uint64(n)+1)
		check := func(name string, got, want []float32, rel float64) {
			t.Helper()
			for i := range want {
				if d := math.Abs(float64(got[i] - want[i])); d > rel*math.Abs(float64(want[i]))+1e-30 {
					t.Fatalf("%s n=%d [%d]: %v, want %v", name, n, i, got[i], want[i])
				}
			}
		}
		got, want := append([]float32(nil), w...), append([]float32(nil), w...)
		Axpy(got, 0.75, x)
		axpyGo(want, 0.75, x)
		check("Axpy", got, want, 1e-6) // a fused multiply-add rounds once
		got, want = append([]float32(nil), w...), append([]float32(nil), w...)
		Add(got, x)
		addGo(want, x)
		check("Add", got, want, 0)
		ScaleMul(got, x, w, 0.3)
		scaleMulGo(want, x, w, 0.3)
		check("ScaleMul", got, want, 0)
		SwiGLU(got, x, w)
		swiGLUGo(want, x, w)
		// Five ulps: the exponential's one, and half an ulp for each of
		// the four operations after it.
		check("SwiGLU", got, want, 5*0x1p-23)
		var ss float64
		for _, v := range x {
			ss += float64(v) * float64(v)
		}
		if got := SumSquares(x); math.Abs(float64(got)-ss) > float64(n)*0x1p-24*ss {
			t.Errorf("SumSquares n=%d: %v, want %v", n, got, ss)
		}
	}
}

func TestKernelsDoNotAllocate(t *testing.T) {
	n := 1024
	x := randomFloats(t, n, 1)
	q := quantizeRow(x, true, QuantizeQ8_0, QuantizeQ8_K)
	q0 := quantizeRow(x, false, QuantizeQ8_0, QuantizeQ8_K)
	w4k := quantizeWeights(t, tensor.Q4_K, x)
	w80 := quantizeWeights(t, tensor.Q8_0, x)
	allocs := testing.AllocsPerRun(10, func() {
		QuantizeQ8_K(x, q.qs, q.d, q.sums)
		QuantizeQ8_0(x, q0.qs, q0.d, q0.sums)
		DotQ4_K(w4k, q.qs, q.d, q.sums)
		DotQ8_0(w80, q0.qs, q0.d)
		DotF32(x, x)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per run", allocs)
	}
}

// TestF16AllHalves checks the scale reader against the reference conversion
// on every half.
func TestF16AllHalves(t *testing.T) {
	for h := range 1 << 16 {
		b := []byte{byte(h), byte(h >> 8)}
		got, want := f16(b), tensor.F16ToF32(uint16(h))
		if math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("f16(%#04x) = %v, want %v", h, got, want)
		}
	}
}

// TestFourRowDots checks that the prefill kernels give each of their four
// rows exactly what the one-row kernel gives it, for the dispatched and the
// portable versions.
func TestFourRowDots(t *testing.T) {
	for _, blocks := range []int{1, 5, 18} {
		n := 32 * blocks
		var rows []*q8Row
		var qs []int8
		var d []float32
		var sums []int16
		for k := range 4 {
			q := quantizeRow(randomFloats(t, n, uint64(10*blocks+k)), false, QuantizeQ8_0, QuantizeQ8_K)
			rows = append(rows, q)
			qs, d, sums = append(qs, q.qs...), append(d, q.d...), append(sums, q.sums...)
		}
		w8 := quantizeWeights(t, tensor.Q8_0, randomFloats(t, n, 1))
		w4 := quantizeWeights(t, tensor.Q4_0, randomFloats(t, n, 2))
		var fast8, port8, fast4, port4 [4]float32
		DotQ8_0x4(w8, qs, d, n, &fast8)
		dotQ8_0x4Go(w8, qs, d, n, &port8)
		DotQ4_0x4(w4, qs, d, n, &fast4)
		dotQ4_0x4Go(w4, qs, d, n, &port4)
		for k, q := range rows {
			for _, c := range []struct {
				name      string
				got, want float32
			}{
				{"DotQ8_0x4", fast8[k], DotQ8_0(w8, q.qs, q.d)},
				{"dotQ8_0x4Go", port8[k], dotQ8_0Go(w8, q.qs, q.d)},
				{"DotQ4_0x4", fast4[k], DotQ4_0(w4, q.qs, q.d)},
				{"dotQ4_0x4Go", port4[k], dotQ4_0Go(w4, q.qs, q.d)},
			} {
				if math.Float32bits(c.got) != math.Float32bits(c.want) {
					t.Errorf("%s n=%d row %d: %v, one-row kernel %v", c.name, n, k, c.got, c.want)
				}
			}
		}
	}
}

// TestSwiGLURange runs SwiGLU over gates from -100 to 100, past where the
// exponential overflows float32, against the reference within five ulps of
// the result (or 1e-30 absolute where the result underflows).
func TestSwiGLURange(t *testing.T) {
	var gate, up []float32
	for g := float32(-100); g <= 100; g += 0.0137 {
		gate = append(gate, g)
		up = append(up, 1.5)
	}
	gate = append(gate, 0, float32(math.Copysign(0, -1)), 1e-30, -1e-30)
	up = append(up, 1, 1, 1, 1)
	got, want := make([]float32, len(gate)), make([]float32, len(gate))
	SwiGLU(got, gate, up)
	swiGLUGo(want, gate, up)
	for i := range want {
		if d := math.Abs(float64(got[i] - want[i])); d > 5*0x1p-23*math.Abs(float64(want[i]))+1e-30 {
			t.Fatalf("gate %v: %v, want %v", gate[i], got[i], want[i])
		}
	}
}

func TestSoftmax(t *testing.T) {
	for _, n := range floatLengths {
		x := randomFloats(t, n, uint64(n))
		for i := range x {
			x[i] *= 4
		}
		got, want := append([]float32(nil), x...), append([]float32(nil), x...)
		Softmax(got)
		tensor.Softmax(want)
		var sum float64
		for i := range want {
			sum += float64(got[i])
			// exp8's ulp plus the float32 sum's rounding over n terms.
			if d := math.Abs(float64(got[i] - want[i])); d > (4+float64(n))*0x1p-24*float64(want[i])+1e-30 {
				t.Fatalf("n=%d [%d]: %v, want %v", n, i, got[i], want[i])
			}
		}
		if math.Abs(sum-1) > 1e-5 {
			t.Errorf("n=%d: probabilities sum to %v", n, sum)
		}
	}
}

func TestRoundF16(t *testing.T) {
	src := randomFloats(t, 100, 9)
	src = append(src, 0, 65520, 1e-8, -3e-5, float32(math.Inf(1)))
	dst := make([]float32, len(src))
	RoundF16(dst, src)
	for i, v := range src {
		if want := tensor.F16ToF32(tensor.F32ToF16(v)); dst[i] != want {
			t.Errorf("RoundF16(%v) = %v, want %v", v, dst[i], want)
		}
	}
}

func TestFourRowDotsQ4_K(t *testing.T) {
	for _, blocks := range []int{1, 3} {
		n := 256 * blocks
		var rows []*q8Row
		var qs []int8
		var d []float32
		var sums []int16
		for k := range 4 {
			q := quantizeRow(randomFloats(t, n, uint64(10*blocks+k)), true, QuantizeQ8_0, QuantizeQ8_K)
			rows = append(rows, q)
			qs, d, sums = append(qs, q.qs...), append(d, q.d...), append(sums, q.sums...)
		}
		w := quantizeWeights(t, tensor.Q4_K, randomFloats(t, n, 1))
		var fast, port [4]float32
		DotQ4_Kx4(w, qs, d, sums, n, &fast)
		dotQ4_Kx4Go(w, qs, d, sums, n, &port)
		for k, q := range rows {
			if want := DotQ4_K(w, q.qs, q.d, q.sums); math.Float32bits(fast[k]) != math.Float32bits(want) {
				t.Errorf("DotQ4_Kx4 n=%d row %d: %v, one-row kernel %v", n, k, fast[k], want)
			}
			if want := dotQ4_KGo(w, q.qs, q.d, q.sums); math.Float32bits(port[k]) != math.Float32bits(want) {
				t.Errorf("dotQ4_Kx4Go n=%d row %d: %v, one-row kernel %v", n, k, port[k], want)
			}
		}
	}
}
