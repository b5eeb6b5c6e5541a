package simd

import (
	"fmt"
	"math"
	"testing"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

// TestQ4_Kx16 checks the Q4_K x16 layout: rows read back as the file's
// layout dequantizes them, and the kernel gives its Go model's bits and
// agrees with the file-layout kernel within float32 reordering.
func TestQ4_Kx16(t *testing.T) {
	kernelModes(t, func(t *testing.T) {
		for _, blocks := range []int{1, 3} {
			for _, rows := range []int{16, 48} {
				t.Run(fmt.Sprintf("%dx%d", rows, 256*blocks), func(t *testing.T) {
					n := 256 * blocks
					file := quantizeWeights(t, tensor.Q4_K, randomFloats(t, rows*n, uint64(rows+n)))
					x16 := make([]byte, len(file))
					RepackQ4_Kx16(x16, file, rows, n)
					want := make([]float32, rows*n)
					if err := tensor.Dequantize(tensor.Q4_K, file, want); err != nil {
						t.Fatal(err)
					}
					row := make([]float32, n)
					for r := range rows {
						DequantizeRowQ4_Kx16(row, x16, r, n)
						for i, v := range row {
							if math.Float32bits(v) != math.Float32bits(want[r*n+i]) {
								t.Fatalf("row %d column %d: %v, want %v", r, i, v, want[r*n+i])
							}
						}
					}
					for k := range 3 {
						q := quantizeRow(randomFloats(t, n, uint64(70*rows+k)), true, QuantizeQ8_0, QuantizeQ8_K)
						got, model := make([]float32, rows), make([]float32, rows)
						MatVecQ4_Kx16(got, x16, q.qs, q.d, q.sums)
						matVecQ4_Kx16Go(model, x16, blocks, q.qs, q.d, q.sums)
						rb := len(file) / rows
						for i := range rows {
							if math.Float32bits(got[i]) != math.Float32bits(model[i]) {
								t.Fatalf("token %d row %d: %v, Go model %v", k, i, got[i], model[i])
							}
							ref := DotQ4_K(file[i*rb:(i+1)*rb], q.qs, q.d, q.sums)
							if diff := math.Abs(float64(got[i] - ref)); diff > 1e-5*(1+math.Abs(float64(ref))) {
								t.Fatalf("token %d row %d: %v, file-layout kernel %v", k, i, got[i], ref)
							}
						}
					}
				})
			}
		}
	})
}

func BenchmarkQ4_Kx16(b *testing.B) {
	const rows, n = 64, 2048
	file := quantizeWeights(b, tensor.Q4_K, randomFloats(b, rows*n, 1))
	x16 := make([]byte, len(file))
	RepackQ4_Kx16(x16, file, rows, n)
	q := quantizeRow(randomFloats(b, n, 2), true, QuantizeQ8_0, QuantizeQ8_K)
	out := make([]float32, rows)
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"decode/file", func() { MatVecQ4_K(out, file, len(file)/rows, q.qs, q.d, q.sums) }},
		{"decode/x16", func() { MatVecQ4_Kx16(out, x16, q.qs, q.d, q.sums) }},
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
