//go:build goexperiment.simd && amd64

#include "textflag.h"
#include "vnni_x16_amd64.h"

// Kernels for Q4_0 weights in the x16 layout (x16.go): each 32-bit lane
// of a ZMM register is one of a group's sixteen rows. Per block, for each
// quarter k of the packed bytes, the low nibbles times the broadcast
// activations 4k..4k+3 and the high nibbles times 16+4k..16+4k+3 go into
// the lanes with VPDPBUSD, starting from -8·(the block's activation sum),
// so each lane ends the block with its row's exact Σ(q−8)·x; then one
// conversion, one product of the scales (VCVTPH2PS) with the activation
// scale and one FMA per sixteen rows, in the order of dotQ4_0x16Go.
//
// Registers:
//	Z31      0x0f in every byte; Z30 the GFNI matrix for high nibbles
//	SI       the group's current block, CX the block index
//	R11      the activation block of token 0

#define SETUP \
	MOVL $0x0f0f0f0f, AX \
	VPBROADCASTD AX, Z31 \
	MOVQ $0x1020408000000000, AX \
	VPBROADCASTQ AX, Z30

// START sets acc to minus the int16 activation sum at (sp)(CX*2), shifted
// left by shift (3 for Q4_0's offset of 8, 7 for Q8_0's 128).
#define START(sp, acc, shift) \
	MOVWLSX (sp)(CX*2), AX \
	SHLL $shift, AX \
	NEGL AX \
	VPBROADCASTD AX, acc

// QUARTER adds quarter woff's products with the activations at lo and hi
// (the same quarter's elements 4k.. and 16+4k..) to acc.
#define QUARTER(HIGH, woff, lo, hi, acc) \
	VMOVDQU32 woff(SI), Z2 \
	VPANDD Z31, Z2, Z3 \
	HIGH(Z2) \
	VPDPBUSD.BCST lo, Z3, acc \
	VPDPBUSD.BCST hi, Z2, acc

// (Every macro that names an argument comes before the first TEXT, where
// go vet's argument check expects them.)
// Q4BLOCK and Q8BLOCK add a block's products for one token to Z9.
#define Q4BLOCK(HIGH) \
	QUARTER(HIGH, 32, 0(R11), 16(R11), Z9) \
	QUARTER(HIGH, 96, 4(R11), 20(R11), Z9) \
	QUARTER(HIGH, 160, 8(R11), 24(R11), Z9) \
	QUARTER(HIGH, 224, 12(R11), 28(R11), Z9)

#define PART(woff, x) \
	VMOVDQU32 woff(SI), Z2 \
	VPDPBUSD.BCST x, Z2, Z9

#define Q8BLOCK(unused) \
	PART(32, 0(R11)) \
	PART(96, 4(R11)) \
	PART(160, 8(R11)) \
	PART(224, 12(R11)) \
	PART(288, 16(R11)) \
	PART(352, 20(R11)) \
	PART(416, 24(R11)) \
	PART(480, 28(R11))

// Q4BODY and Q8BODY are a decode block: the scales times the activation
// scale, the integer sums from -offset·S, then one conversion and FMA.
#define Q4BODY(HIGH) \
	VCVTPH2PS (SI), Z8 \
	VMULPS.BCST (R9)(CX*4), Z8, Z8 \
	START(R10, Z9, 3) \
	Q4BLOCK(HIGH) \
	VCVTDQ2PS Z9, Z9 \
	VFMADD231PS Z8, Z9, Z0

#define Q8BODY \
	VCVTPH2PS (SI), Z8 \
	VMULPS.BCST (R9)(CX*4), Z8, Z8 \
	START(R10, Z9, 7) \
	Q8BLOCK(0) \
	VCVTDQ2PS Z9, Z9 \
	VFMADD231PS Z8, Z9, Z0

#define Q4BODYSHIFT Q4BODY(HIGHSHIFT)
#define Q4BODYGF Q4BODY(HIGHGF)

// The four-token kernel unpacks each block's quarters once (Z10-Z17) for
// four tokens, whose activations are stride bytes apart (BX, and R12 three
// times it) and whose scale and sum rows are on the stack.
// Accumulators: Z0-Z3 the tokens' rows, Z4-Z7 their integer sums.

#define UNPACK(HIGH, woff, lo, hi) \
	VMOVDQU32 woff(SI), hi \
	VPANDD Z31, hi, lo \
	HIGH(hi)

// Q4LOADS and Q8LOADS set Z10-Z17 to a block's unsigned weight bytes, each
// register paired in TOKEN with activations 0, 16, 4, 20, 8, 24, 12, 28.
#define Q4LOADS(HIGH) \
	UNPACK(HIGH, 32, Z10, Z11) \
	UNPACK(HIGH, 96, Z12, Z13) \
	UNPACK(HIGH, 160, Z14, Z15) \
	UNPACK(HIGH, 224, Z16, Z17)

#define Q8LOADS(unused) \
	VMOVDQU32 32(SI), Z10 \
	VMOVDQU32 96(SI), Z12 \
	VMOVDQU32 160(SI), Z14 \
	VMOVDQU32 224(SI), Z16 \
	VMOVDQU32 288(SI), Z11 \
	VMOVDQU32 352(SI), Z13 \
	VMOVDQU32 416(SI), Z15 \
	VMOVDQU32 480(SI), Z17

// TOKEN multiplies the unpacked block by the activations at x (an
// addressing suffix of R11) and adds it to accF.
#define TOKEN(x, dslot, sslot, shift, acc, tmp, accF) \
	MOVQ sslot, AX \
	START(AX, acc, shift) \
	VPDPBUSD.BCST 0 x, Z10, acc \
	VPDPBUSD.BCST 16 x, Z11, acc \
	VPDPBUSD.BCST 4 x, Z12, acc \
	VPDPBUSD.BCST 20 x, Z13, acc \
	VPDPBUSD.BCST 8 x, Z14, acc \
	VPDPBUSD.BCST 24 x, Z15, acc \
	VPDPBUSD.BCST 12 x, Z16, acc \
	VPDPBUSD.BCST 28 x, Z17, acc \
	VCVTDQ2PS acc, acc \
	MOVQ dslot, AX \
	VMULPS.BCST (AX)(CX*4), Z8, tmp \
	VFMADD231PS tmp, acc, accF

#define PREFILL(LOADS, HIGH, bsize, shift) \
	MOVQ out+0(FP), DI \
	MOVQ w+16(FP), SI \
	MOVQ groups+24(FP), R8 \
	MOVQ blocks+32(FP), DX \
	MOVQ stride+64(FP), BX \
	LEAQ (BX)(BX*2), R12 \
	MOVQ BX, R13 \
	SHRQ $3, R13 \
	MOVQ d+48(FP), AX \
	MOVQ AX, d0-64(SP) \
	ADDQ R13, AX \
	MOVQ AX, d1-56(SP) \
	ADDQ R13, AX \
	MOVQ AX, d2-48(SP) \
	ADDQ R13, AX \
	MOVQ AX, d3-40(SP) \
	SHRQ $1, R13 \
	MOVQ sums+56(FP), AX \
	MOVQ AX, s0-32(SP) \
	ADDQ R13, AX \
	MOVQ AX, s1-24(SP) \
	ADDQ R13, AX \
	MOVQ AX, s2-16(SP) \
	ADDQ R13, AX \
	MOVQ AX, s3-8(SP) \
	MOVQ cols+8(FP), R13 \
	SHLQ $2, R13 \
	SETUP \
group: \
	TESTQ R8, R8 \
	JLE done \
	VPXORD Z0, Z0, Z0 \
	VPXORD Z1, Z1, Z1 \
	VPXORD Z2, Z2, Z2 \
	VPXORD Z3, Z3, Z3 \
	MOVQ qs+40(FP), R11 \
	XORQ CX, CX \
block: \
	CMPQ CX, DX \
	JGE groupdone \
	VCVTPH2PS (SI), Z8 \
	LOADS(HIGH) \
	TOKEN((R11), d0-64(SP), s0-32(SP), shift, Z4, Z18, Z0) \
	TOKEN((R11)(BX*1), d1-56(SP), s1-24(SP), shift, Z5, Z19, Z1) \
	TOKEN((R11)(BX*2), d2-48(SP), s2-16(SP), shift, Z6, Z20, Z2) \
	TOKEN((R11)(R12*1), d3-40(SP), s3-8(SP), shift, Z7, Z21, Z3) \
	ADDQ $bsize, SI \
	ADDQ $32, R11 \
	INCQ CX \
	JMP block \
groupdone: \
	VMOVUPS Z0, (DI) \
	VMOVUPS Z1, (DI)(R13*1) \
	VMOVUPS Z2, (DI)(R13*2) \
	LEAQ (R13)(R13*2), AX \
	VMOVUPS Z3, (DI)(AX*1) \
	ADDQ $64, DI \
	DECQ R8 \
	JMP group \
done: \
	VZEROUPPER \
	RET

// func matVecQ4_0x16VNNI(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16)
TEXT ·matVecQ4_0x16VNNI(SB), NOSPLIT, $0-56
	X16DECODE(SETUP, Q4BODYSHIFT, 288, 32, 0)

// func matVecQ4_0x16GFNI(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16)
TEXT ·matVecQ4_0x16GFNI(SB), NOSPLIT, $0-56
	X16DECODE(SETUP, Q4BODYGF, 288, 32, 0)

// func matVecQ8_0x16VNNI(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16)
TEXT ·matVecQ8_0x16VNNI(SB), NOSPLIT, $0-56
	X16DECODE(SETUP, Q8BODY, 544, 32, 0)

// func matMulQ4_0x16x4VNNI(out *float32, cols int, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16, stride int)
TEXT ·matMulQ4_0x16x4VNNI(SB), NOSPLIT, $64-72
	PREFILL(Q4LOADS, HIGHSHIFT, 288, 3)

// func matMulQ4_0x16x4GFNI(out *float32, cols int, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16, stride int)
TEXT ·matMulQ4_0x16x4GFNI(SB), NOSPLIT, $64-72
	PREFILL(Q4LOADS, HIGHGF, 288, 3)

// func matMulQ8_0x16x4VNNI(out *float32, cols int, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16, stride int)
TEXT ·matMulQ8_0x16x4VNNI(SB), NOSPLIT, $64-72
	PREFILL(Q8LOADS, HIGHSHIFT, 544, 7)
