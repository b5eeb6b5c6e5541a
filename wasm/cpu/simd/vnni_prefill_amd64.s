//go:build goexperiment.simd && amd64

#include "textflag.h"
#include "vnni_amd64.h"

// Batch kernels for Q4_0 and Q8_0 weights (see vnni_amd64.h): four
// activation rows (tokens) times four weight rows per pass, so each weight
// block is unpacked once for four tokens and each activation block once
// for four weight rows. Each result is bit for bit the one-row kernel's.
// The block loop keeps
//	Z2, Z3    the unpacked blocks of rows 0-1 and 2-3
//	Z10, Z11  their F16 scales
//	Z16-Z19   the accumulators of rows 0-1, tokens 0-3; Z20-Z23 rows 2-3
//	R10       the block of the first row; R11 the activation block offset
//	          and CX its index
// and the four tokens' activation and scale rows on the stack.

// TOKEN multiplies the unpacked pairs by the activation block of one token
// (qs row xrow, scales drow) into accA; TOKEN2 also into accB.
#define TOKEN(xrow, drow, accA) \
	MOVQ xrow, AX \
	ACTIVATION((AX)(R11*1), Z28, Z27) \
	MOVQ drow, AX \
	VBROADCASTSS (AX)(CX*4), Z25 \
	VMULPS Z25, Z10, Z12 \
	DOTPAIR(Z2, Z28, Z27, Z12, Z4, accA)

#define TOKEN2(xrow, drow, accA, accB) \
	TOKEN(xrow, drow, accA) \
	VMULPS Z25, Z11, Z13 \
	DOTPAIR(Z3, Z28, Z27, Z13, Z6, accB)

// STORE writes the two sums of acc at lo and hi; STORELO only the first.
#define STORE(acc, lo, hi) \
	VMOVAPS acc, Z0 \
	HSUMPAIR(Z0, Y0, X0, lo, hi)

#define STORELO(acc, lo) \
	VMOVAPS acc, Z0 \
	HSUM8(Y0, X0, lo)

#define ZERO8 \
	VPXORD Z16, Z16, Z16 \
	VPXORD Z17, Z17, Z17 \
	VPXORD Z18, Z18, Z18 \
	VPXORD Z19, Z19, Z19 \
	VPXORD Z20, Z20, Z20 \
	VPXORD Z21, Z21, Z21 \
	VPXORD Z22, Z22, Z22 \
	VPXORD Z23, Z23, Z23

// KERNEL is the row loop for one weight type: four rows at a time, then
// pairs, the last odd row paired with itself. DI is the output of row 0,
// token 0; R8 the distance between tokens' outputs, R9 three times it.
#define KERNEL(UNPACK, bsize) \
quad: \
	CMPQ rows+32(FP), $4 \
	JLT pairs \
	ZERO8 \
	MOVQ SI, R10 \
	XORQ R11, R11 \
	XORQ CX, CX \
quadblock: \
	CMPQ CX, DX \
	JGE quaddone \
	UNPACK((R10), (R10)(BX*1), Z2) \
	UNPACK((R10)(BX*2), (R10)(R12*1), Z3) \
	HALVES((R10), (R10)(BX*1), Z10) \
	HALVES((R10)(BX*2), (R10)(R12*1), Z11) \
	TOKEN2(x0-64(SP), d0-32(SP), Z16, Z20) \
	TOKEN2(x1-56(SP), d1-24(SP), Z17, Z21) \
	TOKEN2(x2-48(SP), d2-16(SP), Z18, Z22) \
	TOKEN2(x3-40(SP), d3-8(SP), Z19, Z23) \
	ADDQ $bsize, R10 \
	ADDQ $32, R11 \
	INCQ CX \
	JMP quadblock \
quaddone: \
	STORE(Z16, (DI), 4(DI)) \
	STORE(Z20, 8(DI), 12(DI)) \
	STORE(Z17, (DI)(R8*1), 4(DI)(R8*1)) \
	STORE(Z21, 8(DI)(R8*1), 12(DI)(R8*1)) \
	STORE(Z18, (DI)(R8*2), 4(DI)(R8*2)) \
	STORE(Z22, 8(DI)(R8*2), 12(DI)(R8*2)) \
	STORE(Z19, (DI)(R9*1), 4(DI)(R9*1)) \
	STORE(Z23, 8(DI)(R9*1), 12(DI)(R9*1)) \
	ADDQ $16, DI \
	LEAQ (SI)(BX*4), SI \
	SUBQ $4, rows+32(FP) \
	JMP quad \
pairs: \
	CMPQ rows+32(FP), $0 \
	JLE done \
	CMPQ rows+32(FP), $1 \
	JNE pair \
	XORQ BX, BX \
pair: \
	ZERO8 \
	MOVQ SI, R10 \
	XORQ R11, R11 \
	XORQ CX, CX \
pairblock: \
	CMPQ CX, DX \
	JGE pairdone \
	UNPACK((R10), (R10)(BX*1), Z2) \
	HALVES((R10), (R10)(BX*1), Z10) \
	TOKEN(x0-64(SP), d0-32(SP), Z16) \
	TOKEN(x1-56(SP), d1-24(SP), Z17) \
	TOKEN(x2-48(SP), d2-16(SP), Z18) \
	TOKEN(x3-40(SP), d3-8(SP), Z19) \
	ADDQ $bsize, R10 \
	ADDQ $32, R11 \
	INCQ CX \
	JMP pairblock \
pairdone: \
	CMPQ rows+32(FP), $1 \
	JEQ last \
	STORE(Z16, (DI), 4(DI)) \
	STORE(Z17, (DI)(R8*1), 4(DI)(R8*1)) \
	STORE(Z18, (DI)(R8*2), 4(DI)(R8*2)) \
	STORE(Z19, (DI)(R9*1), 4(DI)(R9*1)) \
	ADDQ $8, DI \
	LEAQ (SI)(BX*2), SI \
	SUBQ $2, rows+32(FP) \
	JMP pairs \
last: \
	STORELO(Z16, (DI)) \
	STORELO(Z17, (DI)(R8*1)) \
	STORELO(Z18, (DI)(R8*2)) \
	STORELO(Z19, (DI)(R9*1)) \
done: \
	VZEROUPPER \
	RET

// ARGS loads the arguments and puts the four tokens' activation rows
// (stride bytes apart) and scale rows (stride/8 bytes apart) on the stack.
#define ARGS \
	MOVQ out+0(FP), DI \
	MOVQ cols+8(FP), R8 \
	SHLQ $2, R8 \
	LEAQ (R8)(R8*2), R9 \
	MOVQ w+16(FP), SI \
	MOVQ rowBytes+24(FP), BX \
	MOVQ blocks+40(FP), DX \
	MOVQ stride+64(FP), CX \
	MOVQ qs+48(FP), AX \
	MOVQ AX, x0-64(SP) \
	ADDQ CX, AX \
	MOVQ AX, x1-56(SP) \
	ADDQ CX, AX \
	MOVQ AX, x2-48(SP) \
	ADDQ CX, AX \
	MOVQ AX, x3-40(SP) \
	SHRQ $3, CX \
	MOVQ d+56(FP), AX \
	MOVQ AX, d0-32(SP) \
	ADDQ CX, AX \
	MOVQ AX, d1-24(SP) \
	ADDQ CX, AX \
	MOVQ AX, d2-16(SP) \
	ADDQ CX, AX \
	MOVQ AX, d3-8(SP)

// func matMulQ4_0x4VNNI(out *float32, cols int, w *byte, rowBytes, rows, blocks int, qs *int8, d *float32, stride int)
TEXT ·matMulQ4_0x4VNNI(SB), NOSPLIT, $64-72
	ARGS
	CONSTANTS($0x08080808)
	KERNEL(Q4UNPACK, 18)

// func matMulQ8_0x4VNNI(out *float32, cols int, w *byte, rowBytes, rows, blocks int, qs *int8, d *float32, stride int)
TEXT ·matMulQ8_0x4VNNI(SB), NOSPLIT, $64-72
	ARGS
	CONSTANTS($0x80808080)
	KERNEL(Q8UNPACK, 34)
