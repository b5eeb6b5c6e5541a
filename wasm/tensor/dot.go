package tensor

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Dot is the reference dot product of one weight row w of type t with the
// float32 activations x; len(x) is the row length. It is the truth that fast
// kernels are tested against, and it defines the summation order:
//
//   - F32, F16, BF16: one float32 accumulator in element order,
//     sum += w[j]*x[j], each product rounded to float32 before the add. For
//     F32 this is llama2.c's matmul loop bit for bit (as compiled without FMA
//     contraction, e.g. gcc on x86-64).
//   - block types: each block is dequantized (exactly as Dequantize), its
//     products summed in element order into a block sum, and the block sums
//     added in block order.
//
// Dot does not allocate. Like the other hot-path kernels it trusts its
// caller: t must satisfy CanDequantize and len(w) must be RowBytes(t,
// len(x)) (check once with ValidateMatVec). An unsupported type yields 0.
func Dot(t Type, w []byte, x []float32) float32 {
	switch t {
	case F32:
		return dotF32(w, x)
	case F16:
		return dotF16(w, x)
	case BF16:
		return dotBF16(w, x)
	}
	return dotBlocks(t, w, x)
}

func dotF32(w []byte, x []float32) float32 {
	w = w[:4*len(x)]
	var sum float32
	for j, xj := range x {
		wj := math.Float32frombits(binary.LittleEndian.Uint32(w[4*j:]))
		sum += float32(wj * xj)
	}
	return sum
}

func dotF16(w []byte, x []float32) float32 {
	w = w[:2*len(x)]
	var sum float32
	for j, xj := range x {
		sum += float32(F16ToF32(binary.LittleEndian.Uint16(w[2*j:])) * xj)
	}
	return sum
}

func dotBF16(w []byte, x []float32) float32 {
	w = w[:2*len(x)]
	var sum float32
	for j, xj := range x {
		sum += float32(BF16ToF32(binary.LittleEndian.Uint16(w[2*j:])) * xj)
	}
	return sum
}

func dotBlocks(t Type, w []byte, x []float32) float32 {
	size, bytes := blockLayout(t)
	if size == 0 {
		return 0
	}
	var buf [QK_K]float32
	block := buf[:size]
	var sum float32
	for i := 0; i+size <= len(x); i += size {
		decodeBlock(t, w[i/size*bytes:][:bytes], block)
		xs := x[i : i+size]
		var bsum float32
		for j, v := range block {
			bsum += float32(v * xs[j])
		}
		sum += bsum
	}
	return sum
}

// MatVec is the reference matrix-vector product: w holds rows rows of cols
// elements of type t, and out[r] = Dot(t, row r, x). It trusts its inputs as
// Dot does; ValidateMatVec checks them.
func MatVec(t Type, w []byte, rows, cols int, x []float32, out []float32) {
	rowBytes := rowBytesOf(t, cols)
	x = x[:cols]
	out = out[:rows]
	for r := range out {
		out[r] = Dot(t, w[r*rowBytes:][:rowBytes], x)
	}
}

// rowBytesOf is RowBytes for a validated row, without the map lookup.
func rowBytesOf(t Type, cols int) int {
	switch t {
	case F32:
		return 4 * cols
	case F16, BF16:
		return 2 * cols
	}
	size, bytes := blockLayout(t)
	if size == 0 {
		return 0
	}
	return cols / size * bytes
}

// ValidateMatVec checks the arguments of MatVec (and so of Dot on each row):
// a supported type, a row length that is a whole number of blocks, and
// slices of exactly the right sizes.
func ValidateMatVec(t Type, w []byte, rows, cols int, x, out []float32) error {
	if !CanDequantize(t) {
		return fmt.Errorf("matvec: unsupported weight type %v", t)
	}
	if rows < 0 || cols < 0 {
		return fmt.Errorf("matvec: negative shape %d×%d", rows, cols)
	}
	rowBytes, err := RowBytes(t, int64(cols))
	if err != nil {
		return fmt.Errorf("matvec: %w", err)
	}
	if rows > 0 && rowBytes > math.MaxInt64/int64(rows) {
		return fmt.Errorf("matvec: %d rows of %d bytes overflow", rows, rowBytes)
	}
	if int64(len(w)) != int64(rows)*rowBytes {
		return fmt.Errorf("matvec: %d×%d %v weight needs %d bytes, got %d", rows, cols, t, int64(rows)*rowBytes, len(w))
	}
	if len(x) != cols {
		return fmt.Errorf("matvec: input has %d elements, want %d", len(x), cols)
	}
	if len(out) != rows {
		return fmt.Errorf("matvec: output has %d elements, want %d", len(out), rows)
	}
	return nil
}
