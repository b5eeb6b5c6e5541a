//go:build goexperiment.simd && amd64

#include "textflag.h"

// Q4_K matrix-vector kernel on AVX-512 (F, BW and VNNI), one row at a time
// with the row loop inside. A 32-byte chunk of packed nibbles is two
// sub-blocks (its low nibbles, then its high ones), which one ZMM register
// holds side by side against 64 contiguous activations;
// VPMADDUBSW, then VPDPWSSD (VNNI's fused VPMADDWD and VPADDD, exact in
// int32 like them) with the two sub-blocks' scales give the same 32-bit
// lanes as dotQ4_KAVX2, and the float work follows it operation for
// operation, so each result is bit for bit DotQ4_K's.
//
// Registers kept across the loops:
//	Z31      0x0f in every byte
//	Z24      the nibble unpacking's shift counts or GFNI matrix
//	Z20-Z23  VPERMW indices spreading scales 2j and 2j+1 over the halves
//	R13      halfTable
//	Y0       the row's float accumulator, X11 its sum of minimum terms
//	R10      the super-block, R11 its activations, R12 their sums, CX its index

// CHUNK adds the products of nibble chunk j (at byte off of the super-block,
// activations at xoff, unpacked by UNPACK) times their scales to the lanes
// of Z7.
#define CHUNK(UNPACK, off, xoff, idx) \
	VBROADCASTI64X4 off(R10), Z2 \
	UNPACK(Z2) \
	VPMADDUBSW xoff(R11), Z2, Z3 \
	VPERMW Z8, idx, Z4 \
	VPDPWSSD Z4, Z3, Z7

// Q4KERNEL is the whole kernel, NIBBLES setting Z24 for UNPACK. Per
// super-block it unpacks the eight 6-bit scales (Z8's low words) and mins
// (X9's bytes) as scalesK4 does, four bytes at a time in general registers,
// adds Σ m_j·(sums of sub-block j's activations), exact in int32 (each min
// doubled to a word pair against the two sums of 16), to the minimum
// terms, then the four nibble chunks to the float accumulator.
#define Q4KERNEL(NIBBLES, UNPACK) \
	MOVQ out+0(FP), DI \
	MOVQ w+8(FP), SI \
	MOVQ rowBytes+16(FP), BX \
	MOVQ d+48(FP), R9 \
	MOVQ ·halfTable(SB), R13 \
	MOVL $0x0f0f0f0f, AX \
	VPBROADCASTD AX, Z31 \
	MOVL $0xff00, AX \
	KMOVW AX, K1 \
	NIBBLES \
	MOVL $0x00000000, AX \
	VPBROADCASTD AX, Z20 \
	MOVL $0x00010001, AX \
	VPBROADCASTD AX, K1, Z20 \
	MOVL $0x00020002, AX \
	VPBROADCASTD AX, Z21 \
	MOVL $0x00030003, AX \
	VPBROADCASTD AX, K1, Z21 \
	MOVL $0x00040004, AX \
	VPBROADCASTD AX, Z22 \
	MOVL $0x00050005, AX \
	VPBROADCASTD AX, K1, Z22 \
	MOVL $0x00060006, AX \
	VPBROADCASTD AX, Z23 \
	MOVL $0x00070007, AX \
	VPBROADCASTD AX, K1, Z23 \
row: \
	CMPQ rows+24(FP), $0 \
	JLE done \
	VXORPS Y0, Y0, Y0 \
	VXORPS X11, X11, X11 \
	MOVQ SI, R10 \
	MOVQ qs+40(FP), R11 \
	MOVQ sums+56(FP), R12 \
	XORQ CX, CX \
block: \
	CMPQ CX, blocks+32(FP) \
	JGE rowdone \
	MOVL 12(R10), R8 \
	MOVL 4(R10), AX \
	MOVL AX, R14 \
	SHRL $6, R14 \
	ANDL $0x03030303, R14 \
	SHLL $4, R14 \
	ANDL $0x3f3f3f3f, AX \
	MOVL R8, DX \
	ANDL $0x0f0f0f0f, DX \
	ORL DX, R14 \
	SHLQ $32, R14 \
	ORQ R14, AX \
	VMOVQ AX, X8 \
	VPMOVZXBW X8, X8 \
	MOVL 8(R10), DX \
	MOVL DX, R14 \
	SHRL $6, R14 \
	ANDL $0x03030303, R14 \
	SHLL $4, R14 \
	ANDL $0x3f3f3f3f, DX \
	SHRL $4, R8 \
	ANDL $0x0f0f0f0f, R8 \
	ORL R8, R14 \
	SHLQ $32, R14 \
	ORQ R14, DX \
	VMOVQ DX, X9 \
	VPUNPCKLBW X9, X9, X9 \
	VPMOVZXBW X9, Y9 \
	VPMADDWD (R12), Y9, Y9 \
	VEXTRACTI128 $1, Y9, X10 \
	VPADDD X10, X9, X9 \
	VPSHUFD $0x4e, X9, X10 \
	VPADDD X10, X9, X9 \
	VPSHUFD $0xb1, X9, X10 \
	VPADDD X10, X9, X9 \
	VCVTDQ2PS X9, X9 \
	MOVWLZX 2(R10), AX \
	VMOVSS (R13)(AX*4), X10 \
	VMULSS (R9)(CX*4), X10, X10 \
	VMULSS X9, X10, X10 \
	VADDSS X10, X11, X11 \
	VPXORD Z7, Z7, Z7 \
	CHUNK(UNPACK, 16, 0, Z20) \
	CHUNK(UNPACK, 48, 64, Z21) \
	CHUNK(UNPACK, 80, 128, Z22) \
	CHUNK(UNPACK, 112, 192, Z23) \
	VEXTRACTI64X4 $1, Z7, Y3 \
	VPADDD Y3, Y7, Y7 \
	VCVTDQ2PS Y7, Y7 \
	MOVWLZX (R10), AX \
	VBROADCASTSS (R13)(AX*4), Y5 \
	VBROADCASTSS (R9)(CX*4), Y6 \
	VMULPS Y6, Y5, Y5 \
	VFMADD231PS Y5, Y7, Y0 \
	ADDQ $144, R10 \
	ADDQ $256, R11 \
	ADDQ $32, R12 \
	INCQ CX \
	JMP block \
rowdone: \
	VEXTRACTF128 $1, Y0, X6 \
	VADDPS X6, X0, X6 \
	VHADDPS X6, X6, X6 \
	VHADDPS X6, X6, X6 \
	VSUBSS X11, X6, X6 \
	VMOVSS X6, (DI) \
	ADDQ $4, DI \
	ADDQ BX, SI \
	DECQ rows+24(FP) \
	JMP row \
done: \
	VZEROUPPER \
	RET

// Q4SHIFTS sets Z24 to per-word shift counts: 0 for the low 256 bits, 4
// for the high. Q4SHIFT unpacks a broadcast nibble chunk with them.
#define Q4SHIFTS \
	VPXORD Z24, Z24, Z24 \
	MOVL $0x00040004, AX \
	VPBROADCASTD AX, K1, Z24

#define Q4SHIFT(v) \
	VPSRLVW Z24, v, v \
	VPANDD Z31, v, v

// With GFNI one affine byte transform per 64-bit lane does the shift and
// the mask: Z24 holds the matrix keeping bits 0-3 in the low 256 bits and
// moving bits 4-7 down in the high ones.
#define Q4GFMATRIX \
	MOVQ $0x0102040800000000, AX \
	VPBROADCASTQ AX, Z24 \
	MOVQ $0x1020408000000000, AX \
	MOVL $0xf0, DX \
	KMOVW DX, K2 \
	VPBROADCASTQ AX, K2, Z24

#define Q4GF(v) \
	VGF2P8AFFINEQB $0, Z24, v, v

// func matVecQ4_KVNNI(out *float32, w *byte, rowBytes, rows, blocks int, qs *int8, d *float32, sums *int16)
TEXT ·matVecQ4_KVNNI(SB), NOSPLIT, $0-64
	Q4KERNEL(Q4SHIFTS, Q4SHIFT)

// func matVecQ4_KGFNI(out *float32, w *byte, rowBytes, rows, blocks int, qs *int8, d *float32, sums *int16)
TEXT ·matVecQ4_KGFNI(SB), NOSPLIT, $0-64
	Q4KERNEL(Q4GFMATRIX, Q4GF)

// Q6_K works the same way: the 64 low-nibble bytes of a half super-block
// are two pairs of sub-blocks of 32 (their low nibbles, then their high
// ones), and the 32 bytes of high bits are broadcast to both halves and
// shifted so that each sub-block's two bits land on bits 4 and 5.
// Registers, besides R10-R13 and CX as above:
//	Z31      0x0f in every byte, Z30 0x30
//	Z24      word left-shift counts 4 (low 256 bits) and 2 (high), for
//	         the high bits at bits 0-1 and 2-3; Z25 right-shift counts 0
//	         and 2, for bits 4-5 and 6-7
//	Z20-Z23  VPERMW indices spreading scales 4m..4m+3 over eight words each
//	Z8       the super-block's 16 scales as words
//	Y0       the float accumulator, X11 the offset terms

// Q6QUANTS sets Z4 to two sub-blocks' 6-bit quants: their low nibbles L
// and two high bits from Z3, moved to bits 4-5 by SHIFT so that one
// VPTERNLOGD (Z4&0x30 | L) merges them. Q6DOT adds their products with 64
// activations at xoff, times their four scales, to Z7; Q6HALF does all
// four sub-block pairs of a half super-block.
#define Q6QUANTS(L, SHIFT, shifts) \
	SHIFT shifts, Z3, Z4 \
	VPTERNLOGD $0xec, Z30, L, Z4

#define Q6DOT(xoff, idx) \
	VPMADDUBSW xoff(R11), Z4, Z4 \
	VPERMW Z8, idx, Z5 \
	VPDPWSSD Z5, Z4, Z7

#define Q6HALF(loff, hoff, xoff, idxA, idxB) \
	VMOVDQU64 loff(R10), Z2 \
	VBROADCASTI64X4 hoff(R10), Z3 \
	VPANDD Z31, Z2, Z6 \
	Q6QUANTS(Z6, VPSLLVW, Z24) \
	Q6DOT(xoff, idxA) \
	VPSRLW $4, Z2, Z6 \
	VPANDD Z31, Z6, Z6 \
	Q6QUANTS(Z6, VPSRLVW, Z25) \
	Q6DOT(64+xoff, idxB)

#define SPREAD4(m, dst) \
	MOVL $(4*m | (4*m)<<16), AX \
	VPBROADCASTD AX, dst \
	MOVL $0xf0, AX \
	KMOVW AX, K2 \
	MOVL $((4*m+1) | (4*m+1)<<16), AX \
	VPBROADCASTD AX, K2, dst \
	MOVL $0xf00, AX \
	KMOVW AX, K2 \
	MOVL $((4*m+2) | (4*m+2)<<16), AX \
	VPBROADCASTD AX, K2, dst \
	MOVL $0xf000, AX \
	KMOVW AX, K2 \
	MOVL $((4*m+3) | (4*m+3)<<16), AX \
	VPBROADCASTD AX, K2, dst

// func matVecQ6_KVNNI(out *float32, w *byte, rowBytes, rows, blocks int, qs *int8, d *float32, sums *int16)
TEXT ·matVecQ6_KVNNI(SB), NOSPLIT, $0-64
	MOVQ out+0(FP), DI
	MOVQ w+8(FP), SI
	MOVQ rowBytes+16(FP), BX
	MOVQ d+48(FP), R9
	MOVQ ·halfTable(SB), R13
	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z31
	MOVL $0x30303030, AX
	VPBROADCASTD AX, Z30
	MOVL $0xff00, AX
	KMOVW AX, K1
	MOVL $0x00040004, AX
	VPBROADCASTD AX, Z24
	MOVL $0x00020002, AX
	VPBROADCASTD AX, K1, Z24
	VPXORD Z25, Z25, Z25
	VPBROADCASTD AX, K1, Z25
	SPREAD4(0, Z20)
	SPREAD4(1, Z21)
	SPREAD4(2, Z22)
	SPREAD4(3, Z23)

row:
	CMPQ rows+24(FP), $0
	JLE done
	VXORPS Y0, Y0, Y0
	VXORPS X11, X11, X11
	MOVQ SI, R10
	MOVQ qs+40(FP), R11
	MOVQ sums+56(FP), R12
	XORQ CX, CX

block:
	CMPQ CX, blocks+32(FP)
	JGE rowdone

	// The offset of 32 in every quant: 32·Σ scale_g·(sum of group g's
	// activations), exact in int32 before its conversion, as in dotQ6_KAVX2.
	VPMOVSXBW 192(R10), Y8
	VPMADDWD (R12), Y8, Y9
	VEXTRACTI128 $1, Y9, X10
	VPADDD X10, X9, X9
	VPSHUFD $0x4e, X9, X10
	VPADDD X10, X9, X9
	VPSHUFD $0xb1, X9, X10
	VPADDD X10, X9, X9
	VPSLLD $5, X9, X9
	VCVTDQ2PS X9, X9
	MOVWLZX 208(R10), AX
	VMOVSS (R13)(AX*4), X10
	VMULSS (R9)(CX*4), X10, X10
	VMULSS X9, X10, X12
	VADDSS X12, X11, X11

	VPXORD Z7, Z7, Z7
	Q6HALF(0, 128, 0, Z20, Z21)
	Q6HALF(64, 160, 128, Z22, Z23)
	VEXTRACTI64X4 $1, Z7, Y3
	VPADDD Y3, Y7, Y7
	VCVTDQ2PS Y7, Y7
	VBROADCASTSS X10, Y5
	VFMADD231PS Y5, Y7, Y0

	ADDQ $210, R10
	ADDQ $256, R11
	ADDQ $32, R12
	INCQ CX
	JMP block

rowdone:
	VEXTRACTF128 $1, Y0, X6
	VADDPS X6, X0, X6
	VHADDPS X6, X6, X6
	VHADDPS X6, X6, X6
	VSUBSS X11, X6, X6
	VMOVSS X6, (DI)
	ADDQ $4, DI
	ADDQ BX, SI
	DECQ rows+24(FP)
	JMP row

done:
	VZEROUPPER
	RET
