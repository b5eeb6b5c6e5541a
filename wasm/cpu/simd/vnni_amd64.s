//go:build goexperiment.simd && amd64

#include "textflag.h"
#include "vnni_amd64.h"

// Multi-row matrix-vector kernels for Q4_0 and Q8_0 weights (see
// vnni_amd64.h). Besides the shared registers, the block loop keeps
//	Z28  the activation block in both halves, Z27 -mult·Σx per lane
//	Z25  the activation block's scale in every lane
//	R10  the block of the first row, R11 the activation block, CX its index
//	R14  the prefetch address

// PAIR adds one block of two rows (addresses b0, b1) to acc.
#define PAIR(UNPACK, b0, b1, acc) \
	UNPACK(b0, b1, Z2) \
	HALVES(b0, b1, Z5) \
	VMULPS Z25, Z5, Z5 \
	DOTPAIR(Z2, Z28, Z27, Z5, Z4, acc)

#define BLOCK \
	ACTIVATION((R11), Z28, Z27) \
	VBROADCASTSS (R9)(CX*4), Z25

// The four-row loop reads four rows side by side, a pattern the hardware
// prefetchers follow badly once the matrix is out of the caches, so it
// prefetches the rows four groups ahead (R14): the next groups' bytes are
// contiguous, and each block step covers four blocks' worth of them.
#define Q4PREFETCH \
	PREFETCHT0 (R14) \
	PREFETCHT0 64(R14) \
	ADDQ $72, R14

#define Q8PREFETCH \
	PREFETCHT0 (R14) \
	PREFETCHT0 64(R14) \
	PREFETCHT0 128(R14) \
	ADDQ $136, R14

// KERNEL is the whole row loop for one weight type: four rows at a time,
// then pairs, the last odd row paired with itself.
#define KERNEL(UNPACK, bsize, PREFETCH) \
quad: \
	CMPQ rows+24(FP), $4 \
	JLT pairs \
	VPXORD Z0, Z0, Z0 \
	VPXORD Z1, Z1, Z1 \
	MOVQ SI, R10 \
	MOVQ R8, R11 \
	XORQ CX, CX \
	LEAQ (SI)(BX*8), R14 \
	LEAQ (R14)(BX*8), R14 \
quadblock: \
	CMPQ CX, DX \
	JGE quaddone \
	BLOCK \
	PAIR(UNPACK, (R10), (R10)(BX*1), Z0) \
	PAIR(UNPACK, (R10)(BX*2), (R10)(R12*1), Z1) \
	PREFETCH \
	ADDQ $bsize, R10 \
	ADDQ $32, R11 \
	INCQ CX \
	JMP quadblock \
quaddone: \
	HSUMPAIR(Z0, Y0, X0, (DI), 4(DI)) \
	HSUMPAIR(Z1, Y1, X1, 8(DI), 12(DI)) \
	ADDQ $16, DI \
	LEAQ (SI)(BX*4), SI \
	SUBQ $4, rows+24(FP) \
	JMP quad \
pairs: \
	CMPQ rows+24(FP), $0 \
	JLE done \
	CMPQ rows+24(FP), $1 \
	JNE pair \
	XORQ BX, BX \
pair: \
	VPXORD Z0, Z0, Z0 \
	MOVQ SI, R10 \
	MOVQ R8, R11 \
	XORQ CX, CX \
pairblock: \
	CMPQ CX, DX \
	JGE pairdone \
	BLOCK \
	PAIR(UNPACK, (R10), (R10)(BX*1), Z0) \
	ADDQ $bsize, R10 \
	ADDQ $32, R11 \
	INCQ CX \
	JMP pairblock \
pairdone: \
	VEXTRACTF64X4 $1, Z0, Y7 \
	HSUM8(Y0, X0, (DI)) \
	CMPQ rows+24(FP), $1 \
	JEQ done \
	HSUM8(Y7, X7, 4(DI)) \
	ADDQ $8, DI \
	LEAQ (SI)(BX*2), SI \
	SUBQ $2, rows+24(FP) \
	JMP pairs \
done: \
	VZEROUPPER \
	RET

#define ARGS \
	MOVQ out+0(FP), DI \
	MOVQ w+8(FP), SI \
	MOVQ rowBytes+16(FP), BX \
	MOVQ blocks+32(FP), DX \
	MOVQ qs+40(FP), R8 \
	MOVQ d+48(FP), R9

// func matVecQ4_0VNNI(out *float32, w *byte, rowBytes, rows, blocks int, qs *int8, d *float32)
TEXT ·matVecQ4_0VNNI(SB), NOSPLIT, $0-56
	ARGS
	CONSTANTS($0x08080808)
	KERNEL(Q4UNPACK, 18, Q4PREFETCH)

// func matVecQ8_0VNNI(out *float32, w *byte, rowBytes, rows, blocks int, qs *int8, d *float32)
TEXT ·matVecQ8_0VNNI(SB), NOSPLIT, $0-56
	ARGS
	CONSTANTS($0x80808080)
	KERNEL(Q8UNPACK, 34, Q8PREFETCH)
