// Package tensor defines the element types of GGUF tensors (ggml's block
// layouts) and their pure-Go reference kernels: dequantize, dot product
// against float32 activations, and quantize.
//
// The reference kernels are the project's truth. Quantize writes the bytes
// llama.cpp's reference quantizers write (checked against digests of their
// output), Dequantize reads them back to ggml's floats, and Dot fixes one
// summation order (see Dot). Faster kernels — SIMD, or dot products against
// activations quantized to 8-bit blocks as llama.cpp does — belong beside
// these under their own names, each tested against the reference on random
// inputs; the reference path stays.
package tensor

import (
	"fmt"
	"math"
)

// Type is a ggml tensor type; the numeric values are those stored in GGUF files.
type Type uint32

const (
	F32  Type = 0
	F16  Type = 1
	Q4_0 Type = 2
	Q4_1 Type = 3
	Q5_0 Type = 6
	Q5_1 Type = 7
	Q8_0 Type = 8
	Q8_1 Type = 9
	Q2_K Type = 10
	Q3_K Type = 11
	Q4_K Type = 12
	Q5_K Type = 13
	Q6_K Type = 14
	Q8_K Type = 15
	I8   Type = 24
	I16  Type = 25
	I32  Type = 26
	I64  Type = 27
	F64  Type = 28
	BF16 Type = 30
)

// QK_K is the super-block size of the K-quants.
const QK_K = 256

type typeInfo struct {
	name       string
	blockSize  int // elements per block
	blockBytes int // bytes per block
}

// typeTable lists every type whose layout we know. A type absent from it is
// rejected by the GGUF reader; ValidType tells which.
var typeTable = map[Type]typeInfo{
	F32:  {"F32", 1, 4},
	F16:  {"F16", 1, 2},
	BF16: {"BF16", 1, 2},
	F64:  {"F64", 1, 8},
	I8:   {"I8", 1, 1},
	I16:  {"I16", 1, 2},
	I32:  {"I32", 1, 4},
	I64:  {"I64", 1, 8},
	Q4_0: {"Q4_0", 32, 2 + 16},
	Q4_1: {"Q4_1", 32, 2 + 2 + 16},
	Q5_0: {"Q5_0", 32, 2 + 4 + 16},
	Q5_1: {"Q5_1", 32, 2 + 2 + 4 + 16},
	Q8_0: {"Q8_0", 32, 2 + 32},
	Q8_1: {"Q8_1", 32, 4 + 4 + 32},
	Q2_K: {"Q2_K", QK_K, QK_K/16 + QK_K/4 + 2 + 2},
	Q3_K: {"Q3_K", QK_K, QK_K/8 + QK_K/4 + 12 + 2},
	Q4_K: {"Q4_K", QK_K, 2 + 2 + 12 + QK_K/2},
	Q5_K: {"Q5_K", QK_K, 2 + 2 + 12 + QK_K/8 + QK_K/2},
	Q6_K: {"Q6_K", QK_K, QK_K/2 + QK_K/4 + QK_K/16 + 2},
	Q8_K: {"Q8_K", QK_K, 4 + QK_K + QK_K/16*2},
}

// ValidType reports whether t is a type whose block layout is known.
func ValidType(t Type) bool { _, ok := typeTable[t]; return ok }

func (t Type) String() string {
	if info, ok := typeTable[t]; ok {
		return info.name
	}
	return fmt.Sprintf("Type(%d)", uint32(t))
}

// BlockSize is the number of elements in one block (1 for plain types).
// It is 0 for an unknown type.
func (t Type) BlockSize() int { return typeTable[t].blockSize }

// BlockBytes is the size in bytes of one block. It is 0 for an unknown type.
func (t Type) BlockBytes() int { return typeTable[t].blockBytes }

// ParseType maps a type name such as "Q4_K" to its Type.
func ParseType(name string) (Type, error) {
	for t, info := range typeTable {
		if info.name == name {
			return t, nil
		}
	}
	return 0, fmt.Errorf("unknown tensor type %q", name)
}

// RowBytes is the byte size of n elements of type t. It fails when n is not a
// multiple of the block size or the size overflows.
func RowBytes(t Type, n int64) (int64, error) {
	info, ok := typeTable[t]
	if !ok {
		return 0, fmt.Errorf("unknown tensor type %d", uint32(t))
	}
	if n < 0 || n%int64(info.blockSize) != 0 {
		return 0, fmt.Errorf("%d elements of %s: not a multiple of its block size %d", n, info.name, info.blockSize)
	}
	blocks := n / int64(info.blockSize)
	if blocks > math.MaxInt64/int64(info.blockBytes) {
		return 0, fmt.Errorf("%d elements of %s: size overflows", n, info.name)
	}
	return blocks * int64(info.blockBytes), nil
}
