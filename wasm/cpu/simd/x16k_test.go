package simd

import (
	"fmt"
	"math"
	"testing"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

// kx16Types are the K-quants with x16 kernels, with their functions.
var kx16Types = []struct {
	typ     tensor.Type
	repack  func(dst, src []byte, rows, cols int)
	row     func(dst []float32, w []byte, r, cols int)
	matVec  func(out []float32, w []byte, qs []int8, d []float32, sums []int16)
	model   func(out []float32, w []byte, blocks int, qs []int8, d []float32, sums []int16)
	fileDot func(w []byte, qs []int8, d []float32, sums []int16) float32
}{
	{tensor.Q4_K, RepackQ4_Kx16, DequantizeRowQ4_Kx16, MatVecQ4_Kx16, matVecQ4_Kx16Go, DotQ4_K},
	{tensor.Q6_K, RepackQ6_Kx16, DequantizeRowQ6_Kx16, MatVecQ6_Kx16, matVecQ6_Kx16Go, DotQ6_K},
}

// TestKx16 checks the K-quant x16 layouts: rows read back as the file's
// layout dequantizes them, and the kernels give their Go models' bits and
// agree with the file-layout kernels within float32 reordering.
func TestKx16(t *testing.T) {
	kernelModes(t, func(t *testing.T) {
		for _, kt := range kx16Types {
			for _, blocks := range []int{1, 3} {
				for _, rows := range []int{16, 48} {
					t.Run(fmt.Sprintf("%v/%dx%d", kt.typ, rows, 256*blocks), func(t *testing.T) {
						n := 256 * blocks
						file := quantizeWeights(t, kt.typ, randomFloats(t, rows*n, uint64(rows+n)))
						x16 := make([]byte, len(file))
						kt.repack(x16, file, rows, n)
						want := make([]float32, rows*n)
						if err := tensor.Dequantize(kt.typ, file, want); err != nil {
							t.Fatal(err)
						}
						row := make([]float32, n)
						for r := range rows {
							kt.row(row, x16, r, n)
							for i, v := range row {
								if math.Float32bits(v) != math.Float32bits(want[r*n+i]) {
									t.Fatalf("row %d column %d: %v, want %v", r, i, v, want[r*n+i])
								}
							}
						}
						for k := range 3 {
							q := quantizeRow(randomFloats(t, n, uint64(70*rows+k)), true, QuantizeQ8_0, QuantizeQ8_K)
							got, model := make([]float32, rows), make([]float32, rows)
							kt.matVec(got, x16, q.qs, q.d, q.sums)
							kt.model(model, x16, blocks, q.qs, q.d, q.sums)
							rb := len(file) / rows
							for i := range rows {
								if math.Float32bits(got[i]) != math.Float32bits(model[i]) {
									t.Fatalf("token %d row %d: %v, Go model %v", k, i, got[i], model[i])
								}
								ref := kt.fileDot(file[i*rb:(i+1)*rb], q.qs, q.d, q.sums)
								if diff := math.Abs(float64(got[i] - ref)); diff > 1e-5*(1+math.Abs(float64(ref))) {
									t.Fatalf("token %d row %d: %v, file-layout kernel %v", k, i, got[i], ref)
								}
							}
						}
					})
				}
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
