package tensor

import (
	"encoding/binary"
	"math"
	"os"
	"testing"
)

func TestTmpOracle(t *testing.T) {
	dir := os.Getenv("ORACLE_DIR")
	if dir == "" {
		dir = "/tmp/oracle/"
	}
	in, err := os.ReadFile(dir + "input.f32")
	if err != nil {
		t.Skip(err)
	}
	x := make([]float32, len(in)/4)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(in[4*i:]))
	}
	gen := parityInput()
	for i := range x {
		if len(gen) != len(x) {
			break
		}
		if math.Float32bits(gen[i]) != math.Float32bits(x[i]) {
			t.Fatalf("input %d: go %v c %v", i, gen[i], x[i])
		}
	}
	for _, typ := range []Type{F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K} {
		want, err := os.ReadFile(dir + typ.String() + ".bin")
		if err != nil {
			t.Fatal(err)
		}
		n, _ := RowBytes(typ, int64(len(x)))
		got := make([]byte, n)
		if err := Quantize(typ, x, got); err != nil {
			t.Fatal(err)
		}
		bad := 0
		size, bytes := blockLayout(typ)
		if size == 0 {
			size, bytes = 1, 2
		}
		for b := 0; b < len(got)/bytes; b++ {
			g, w := got[b*bytes:(b+1)*bytes], want[b*bytes:(b+1)*bytes]
			if string(g) != string(w) {
				if bad < 3 {
					t.Errorf("%v block %d differs:\n go %x\n c  %x", typ, b, g, w)
				}
				bad++
			}
		}
		if bad > 0 {
			t.Errorf("%v: %d blocks differ", typ, bad)
		}
		deqWant, err := os.ReadFile(dir + typ.String() + ".deq")
		if err != nil {
			continue
		}
		deq := make([]float32, len(x))
		if err := Dequantize(typ, want, deq); err != nil {
			t.Fatal(err)
		}
		bad = 0
		for i := range deq {
			w := binary.LittleEndian.Uint32(deqWant[4*i:])
			if math.Float32bits(deq[i]) != w {
				if bad < 3 {
					t.Errorf("%v deq %d: go %v c %v", typ, i, deq[i], math.Float32frombits(w))
				}
				bad++
			}
		}
	}
}
