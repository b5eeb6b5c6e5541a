//go:build goexperiment.simd && amd64

#include "textflag.h"

// Q4_K batch kernel: one weight row times four tokens per pass, so each
// super-block's scales are unpacked and its nibbles expanded once for four
// tokens. Per token the arithmetic is matVecQ4_KVNNI's (vnni_k_amd64.s),
// so each result is bit for bit DotQ4_K's. Registers:
//	Z31      0x0f in every byte; Z30 word shift counts 0 and 4 by half
//	Z16-Z19  VPERMW indices for scales 2j and 2j+1
//	Z20-Z23  the super-block's scales for chunk j, as words
//	Z24-Z27  chunk j's nibbles (low ones, then high ones)
//	Y0-Y3    each token's float accumulator, X12-X15 its minimum terms
//	R10      the super-block, R11 the activation offset (256 per super-
//	         block), R12 the sums offset (32 bytes), CX the index
//	R13      halfTable; R8 the distance between tokens' outputs, R9 3·R8
// The four tokens' activation, scale and sum rows are on the stack.

// TOKENK adds one token's super-block (rows x, d, s on the stack) to acc
// and its minimum term to mins.
#define TOKENK(x, d, s, acc, mins) \
	MOVQ s, AX \
	VPMADDWD (AX)(R12*1), Y9, Y5 \
	VEXTRACTI128 $1, Y5, X10 \
	VPADDD X10, X5, X5 \
	VPSHUFD $0x4e, X5, X10 \
	VPADDD X10, X5, X5 \
	VPSHUFD $0xb1, X5, X10 \
	VPADDD X10, X5, X5 \
	VCVTDQ2PS X5, X5 \
	MOVQ d, DX \
	VMULSS (DX)(CX*4), X11, X10 \
	VMULSS X5, X10, X10 \
	VADDSS X10, mins, mins \
	MOVQ x, AX \
	VPMADDUBSW (AX)(R11*1), Z24, Z5 \
	VPMADDWD Z20, Z5, Z7 \
	VPMADDUBSW 64(AX)(R11*1), Z25, Z5 \
	VPMADDWD Z21, Z5, Z5 \
	VPADDD Z5, Z7, Z7 \
	VPMADDUBSW 128(AX)(R11*1), Z26, Z5 \
	VPMADDWD Z22, Z5, Z5 \
	VPADDD Z5, Z7, Z7 \
	VPMADDUBSW 192(AX)(R11*1), Z27, Z5 \
	VPMADDWD Z23, Z5, Z5 \
	VPADDD Z5, Z7, Z7 \
	VEXTRACTI64X4 $1, Z7, Y5 \
	VPADDD Y5, Y7, Y7 \
	VCVTDQ2PS Y7, Y7 \
	VBROADCASTSS (DX)(CX*4), Y5 \
	VMULPS Y4, Y5, Y5 \
	VFMADD231PS Y5, Y7, acc

#define NIBBLES(off, dst) \
	VBROADCASTI64X4 off(R10), dst \
	VPSRLVW Z30, dst, dst \
	VPANDD Z31, dst, dst

#define INDEX(lo, hi, dst) \
	MOVL $lo, AX \
	VPBROADCASTD AX, dst \
	MOVL $hi, AX \
	VPBROADCASTD AX, K1, dst

// RESULT stores hsum8(acc) - mins at dst.
#define RESULT(yacc, xacc, mins, dst) \
	VEXTRACTF128 $1, yacc, X6 \
	VADDPS X6, xacc, X6 \
	VHADDPS X6, X6, X6 \
	VHADDPS X6, X6, X6 \
	VSUBSS mins, X6, X6 \
	VMOVSS X6, dst

// func matMulQ4_Kx4VNNI(out *float32, cols int, w *byte, rowBytes, rows, blocks int, qs *int8, d *float32, sums *int16, stride int)
TEXT ·matMulQ4_Kx4VNNI(SB), NOSPLIT, $96-80
	MOVQ out+0(FP), DI
	MOVQ cols+8(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	MOVQ w+16(FP), SI
	MOVQ rowBytes+24(FP), BX
	MOVQ ·halfTable(SB), R13
	// The tokens' rows: activations stride bytes apart, scales stride/64,
	// sums stride/8.
	MOVQ stride+72(FP), CX
	MOVQ qs+48(FP), AX
	MOVQ AX, x0-96(SP)
	ADDQ CX, AX
	MOVQ AX, x1-88(SP)
	ADDQ CX, AX
	MOVQ AX, x2-80(SP)
	ADDQ CX, AX
	MOVQ AX, x3-72(SP)
	MOVQ CX, DX
	SHRQ $6, DX
	MOVQ d+56(FP), AX
	MOVQ AX, d0-64(SP)
	ADDQ DX, AX
	MOVQ AX, d1-56(SP)
	ADDQ DX, AX
	MOVQ AX, d2-48(SP)
	ADDQ DX, AX
	MOVQ AX, d3-40(SP)
	SHRQ $3, CX
	MOVQ sums+64(FP), AX
	MOVQ AX, s0-32(SP)
	ADDQ CX, AX
	MOVQ AX, s1-24(SP)
	ADDQ CX, AX
	MOVQ AX, s2-16(SP)
	ADDQ CX, AX
	MOVQ AX, s3-8(SP)

	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z31
	MOVL $0xff00, AX
	KMOVW AX, K1
	VPXORD Z30, Z30, Z30
	MOVL $0x00040004, AX
	VPBROADCASTD AX, K1, Z30
	INDEX(0x00000000, 0x00010001, Z16)
	INDEX(0x00020002, 0x00030003, Z17)
	INDEX(0x00040004, 0x00050005, Z18)
	INDEX(0x00060006, 0x00070007, Z19)

row:
	CMPQ rows+32(FP), $0
	JLE done
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS X12, X12, X12
	VXORPS X13, X13, X13
	VXORPS X14, X14, X14
	VXORPS X15, X15, X15
	MOVQ SI, R10
	XORQ R11, R11
	XORQ R12, R12
	XORQ CX, CX

block:
	CMPQ CX, blocks+40(FP)
	JGE rowdone

	// Scales into Z8's words and mins into X9's bytes, as in
	// matVecQ4_KVNNI.
	MOVL 4(R10), AX
	MOVL AX, DX
	SHRL $6, DX
	ANDL $0x03030303, DX
	SHLL $4, DX
	ANDL $0x3f3f3f3f, AX
	MOVL 12(R10), R14
	ANDL $0x0f0f0f0f, R14
	ORL R14, DX
	SHLQ $32, DX
	ORQ DX, AX
	VMOVQ AX, X8
	VPMOVZXBW X8, X8
	MOVL 8(R10), AX
	MOVL AX, DX
	SHRL $6, DX
	ANDL $0x03030303, DX
	SHLL $4, DX
	ANDL $0x3f3f3f3f, AX
	MOVL 12(R10), R14
	SHRL $4, R14
	ANDL $0x0f0f0f0f, R14
	ORL R14, DX
	SHLQ $32, DX
	ORQ DX, AX
	VMOVQ AX, X9
	VPUNPCKLBW X9, X9, X9
	VPMOVZXBW X9, Y9
	VPERMW Z8, Z16, Z20
	VPERMW Z8, Z17, Z21
	VPERMW Z8, Z18, Z22
	VPERMW Z8, Z19, Z23
	NIBBLES(16, Z24)
	NIBBLES(48, Z25)
	NIBBLES(80, Z26)
	NIBBLES(112, Z27)
	// X11 the super-block's dmin, Y4 its d in every lane.
	MOVWLZX 2(R10), AX
	VMOVSS (R13)(AX*4), X11
	MOVWLZX (R10), AX
	VBROADCASTSS (R13)(AX*4), Y4

	TOKENK(x0-96(SP), d0-64(SP), s0-32(SP), Y0, X12)
	TOKENK(x1-88(SP), d1-56(SP), s1-24(SP), Y1, X13)
	TOKENK(x2-80(SP), d2-48(SP), s2-16(SP), Y2, X14)
	TOKENK(x3-72(SP), d3-40(SP), s3-8(SP), Y3, X15)

	ADDQ $144, R10
	ADDQ $256, R11
	ADDQ $32, R12
	INCQ CX
	JMP block

rowdone:
	RESULT(Y0, X0, X12, (DI))
	RESULT(Y1, X1, X13, (DI)(R8*1))
	RESULT(Y2, X2, X14, (DI)(R8*2))
	RESULT(Y3, X3, X15, (DI)(R9*1))
	ADDQ $4, DI
	ADDQ BX, SI
	DECQ rows+32(FP)
	JMP row

done:
	VZEROUPPER
	RET

// Q6_K batch kernel, the same scheme with matVecQ6_KVNNI's arithmetic per
// token. Registers:
//	Z31      0x0f in every byte, Z30 0x03
//	Z28      word shift counts 0 and 2 by half, Z29 4 and 6
//	Z16-Z19  VPERMW indices for scales 4m..4m+3; Z20-Z23 those scales
//	Z24-Z27  the super-block's 6-bit quants, 64 at a time (their offset
//	         of 32 is each token's X12-X15 term)
//	Y8       the scales as words, X11 the super-block's d

// Q6QUANTS6 sets dst to 64 quants: low nibbles L, high bits from Z10 at the
// shift counts in shifts. Q6HALF6 does both pairs of a half super-block,
// with Z9 and Z10 as scratch (Z2 and Z3 are accumulators here).
#define Q6QUANTS6(L, shifts, dst) \
	VPSRLVW shifts, Z10, Z5 \
	VPANDD Z30, Z5, Z5 \
	VPSLLW $4, Z5, Z5 \
	VPORD Z5, L, dst

#define Q6HALF6(loff, hoff, dstA, dstB) \
	VMOVDQU64 loff(R10), Z9 \
	VBROADCASTI64X4 hoff(R10), Z10 \
	VPANDD Z31, Z9, Z6 \
	Q6QUANTS6(Z6, Z28, dstA) \
	VPSRLW $4, Z9, Z6 \
	VPANDD Z31, Z6, Z6 \
	Q6QUANTS6(Z6, Z29, dstB)

#define SPREAD(m, dst) \
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

// TOKEN6 adds one token's super-block to acc and its offset term to offs.
#define TOKEN6(x, d, s, acc, offs) \
	MOVQ s, AX \
	VPMADDWD (AX)(R12*1), Y8, Y5 \
	VEXTRACTI128 $1, Y5, X10 \
	VPADDD X10, X5, X5 \
	VPSHUFD $0x4e, X5, X10 \
	VPADDD X10, X5, X5 \
	VPSHUFD $0xb1, X5, X10 \
	VPADDD X10, X5, X5 \
	VPSLLD $5, X5, X5 \
	VCVTDQ2PS X5, X5 \
	MOVQ d, DX \
	VMULSS (DX)(CX*4), X11, X10 \
	VMULSS X5, X10, X5 \
	VADDSS X5, offs, offs \
	MOVQ x, AX \
	VPMADDUBSW (AX)(R11*1), Z24, Z5 \
	VPMADDWD Z20, Z5, Z7 \
	VPMADDUBSW 64(AX)(R11*1), Z25, Z5 \
	VPMADDWD Z21, Z5, Z5 \
	VPADDD Z5, Z7, Z7 \
	VPMADDUBSW 128(AX)(R11*1), Z26, Z5 \
	VPMADDWD Z22, Z5, Z5 \
	VPADDD Z5, Z7, Z7 \
	VPMADDUBSW 192(AX)(R11*1), Z27, Z5 \
	VPMADDWD Z23, Z5, Z5 \
	VPADDD Z5, Z7, Z7 \
	VEXTRACTI64X4 $1, Z7, Y5 \
	VPADDD Y5, Y7, Y7 \
	VCVTDQ2PS Y7, Y7 \
	VBROADCASTSS X10, Y5 \
	VFMADD231PS Y5, Y7, acc

// func matMulQ6_Kx4VNNI(out *float32, cols int, w *byte, rowBytes, rows, blocks int, qs *int8, d *float32, sums *int16, stride int)
TEXT ·matMulQ6_Kx4VNNI(SB), NOSPLIT, $96-80
	MOVQ out+0(FP), DI
	MOVQ cols+8(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	MOVQ w+16(FP), SI
	MOVQ rowBytes+24(FP), BX
	MOVQ ·halfTable(SB), R13
	MOVQ stride+72(FP), CX
	MOVQ qs+48(FP), AX
	MOVQ AX, x0-96(SP)
	ADDQ CX, AX
	MOVQ AX, x1-88(SP)
	ADDQ CX, AX
	MOVQ AX, x2-80(SP)
	ADDQ CX, AX
	MOVQ AX, x3-72(SP)
	MOVQ CX, DX
	SHRQ $6, DX
	MOVQ d+56(FP), AX
	MOVQ AX, d0-64(SP)
	ADDQ DX, AX
	MOVQ AX, d1-56(SP)
	ADDQ DX, AX
	MOVQ AX, d2-48(SP)
	ADDQ DX, AX
	MOVQ AX, d3-40(SP)
	SHRQ $3, CX
	MOVQ sums+64(FP), AX
	MOVQ AX, s0-32(SP)
	ADDQ CX, AX
	MOVQ AX, s1-24(SP)
	ADDQ CX, AX
	MOVQ AX, s2-16(SP)
	ADDQ CX, AX
	MOVQ AX, s3-8(SP)

	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z31
	MOVL $0x03030303, AX
	VPBROADCASTD AX, Z30
	MOVL $0xff00, AX
	KMOVW AX, K1
	VPXORD Z28, Z28, Z28
	MOVL $0x00020002, AX
	VPBROADCASTD AX, K1, Z28
	MOVL $0x00040004, AX
	VPBROADCASTD AX, Z29
	MOVL $0x00060006, AX
	VPBROADCASTD AX, K1, Z29
	SPREAD(0, Z16)
	SPREAD(1, Z17)
	SPREAD(2, Z18)
	SPREAD(3, Z19)

row6:
	CMPQ rows+32(FP), $0
	JLE done6
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS X12, X12, X12
	VXORPS X13, X13, X13
	VXORPS X14, X14, X14
	VXORPS X15, X15, X15
	MOVQ SI, R10
	XORQ R11, R11
	XORQ R12, R12
	XORQ CX, CX

block6:
	CMPQ CX, blocks+40(FP)
	JGE rowdone6
	VPMOVSXBW 192(R10), Y8
	VPERMW Z8, Z16, Z20
	VPERMW Z8, Z17, Z21
	VPERMW Z8, Z18, Z22
	VPERMW Z8, Z19, Z23
	Q6HALF6(0, 128, Z24, Z25)
	Q6HALF6(64, 160, Z26, Z27)
	MOVWLZX 208(R10), AX
	VMOVSS (R13)(AX*4), X11

	TOKEN6(x0-96(SP), d0-64(SP), s0-32(SP), Y0, X12)
	TOKEN6(x1-88(SP), d1-56(SP), s1-24(SP), Y1, X13)
	TOKEN6(x2-80(SP), d2-48(SP), s2-16(SP), Y2, X14)
	TOKEN6(x3-72(SP), d3-40(SP), s3-8(SP), Y3, X15)

	ADDQ $210, R10
	ADDQ $256, R11
	ADDQ $32, R12
	INCQ CX
	JMP block6

rowdone6:
	RESULT(Y0, X0, X12, (DI))
	RESULT(Y1, X1, X13, (DI)(R8*1))
	RESULT(Y2, X2, X14, (DI)(R8*2))
	RESULT(Y3, X3, X15, (DI)(R9*1))
	ADDQ $4, DI
	ADDQ BX, SI
	DECQ rows+32(FP)
	JMP row6

done6:
	VZEROUPPER
	RET
