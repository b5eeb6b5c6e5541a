//go:build goexperiment.simd && amd64

#include "textflag.h"
#include "vnni_x16_amd64.h"

// The decode kernel for Q4_K weights in the x16 layout (x16.go): each
// 32-bit lane of a ZMM register is one of a group's sixteen rows. Per
// super-block it unpacks the rows' sub-block scales and minimums lane by
// lane from their three packed dwords (as scalesK4 does), adds
// Σ_j m_j·S_j with VPDPWSSD (each minimum doubled into a word pair against
// the two activation sums of 16 that make S_j), sums each sub-block's
// nibbles times the broadcast activations with VPDPBUSD and weights it by
// its scale with VPMULLD, all exact in int32, and then does the float work
// of matVecQ4_Kx16Go: one FMA for the scales and one for the minimums per
// sixteen rows. A prefill runs it once per token, which keeps prefill and
// decode equal bit for bit.
//
// Registers:
//	Z31  0x0f in every byte; Z30 the GFNI matrix for high nibbles
//	Z29  63 in every dword; Z28 15 in every dword
//	Z10-Z12  the super-block's three dwords of packed scales per row
//	Z6   Σ sc_j·isum_j, Z7 Σ m_j·S_j, Z0 the rows' float sums
//	SI   the group's super-block, R11 its activations, R10 their sums of
//	     16, CX its index

// LOW6 sets dst to the 6-bit field at bits 8s.. of src's dwords (scales
// and minimums of sub-blocks 0-3). SPLIT6 sets dst to the 6-bit value of
// sub-blocks 4-7: four bits at bit lo of the third dword, two at bit hi
// of src (moved to bits 4-5, where the select of VPTERNLOGD by Z28 keeps
// them).
#define LOW6(src, s, dst) \
	VPSRLD $(8*s), src, dst \
	VPANDD Z29, dst, dst

#define SPLIT6(lo, src, hi, dst, tmp) \
	VPSRLD $lo, Z12, dst \
	VPSRLD $hi, src, tmp \
	VPTERNLOGD $0xe4, Z28, tmp, dst \
	VPANDD Z29, dst, dst

// MINTERM adds m_j (in Z15) times S_j, the sums of 16 at j·4 bytes of R10,
// to Z7.
#define MINTERM(j) \
	VPSLLD $16, Z15, Z16 \
	VPORD Z16, Z15, Z15 \
	VPDPWSSD.BCST 4*j(R10), Z15, Z7

// PART adds part k of chunk j's nibbles times their activations to Z4
// (low nibbles, sub-block 2j) and Z5 (high, 2j+1).
#define PART(HIGH, j, k) \
	VMOVDQU32 256+512*j+64*k(SI), Z2 \
	VPANDD Z31, Z2, Z3 \
	HIGH(Z2) \
	VPDPBUSD.BCST 64*j+4*k(R11), Z3, Z4 \
	VPDPBUSD.BCST 64*j+32+4*k(R11), Z2, Z5

// CHUNK adds chunk j's two sub-blocks, times their scales (set in Z13 and
// Z14 by SCALES), to Z6.
#define CHUNK(HIGH, j, SCALES) \
	VPXORD Z4, Z4, Z4 \
	VPXORD Z5, Z5, Z5 \
	PART(HIGH, j, 0) \
	PART(HIGH, j, 1) \
	PART(HIGH, j, 2) \
	PART(HIGH, j, 3) \
	PART(HIGH, j, 4) \
	PART(HIGH, j, 5) \
	PART(HIGH, j, 6) \
	PART(HIGH, j, 7) \
	SCALES \
	VPMULLD Z13, Z4, Z4 \
	VPMULLD Z14, Z5, Z5 \
	VPADDD Z4, Z6, Z6 \
	VPADDD Z5, Z6, Z6

#define SCALES01 LOW6(Z10, 0, Z13); LOW6(Z10, 1, Z14)
#define SCALES23 LOW6(Z10, 2, Z13); LOW6(Z10, 3, Z14)
#define SCALES45 SPLIT6(0, Z10, 2, Z13, Z16); SPLIT6(8, Z10, 10, Z14, Z16)
#define SCALES67 SPLIT6(16, Z10, 18, Z13, Z16); SPLIT6(24, Z10, 26, Z14, Z16)

#define KCONSTS \
	MOVL $0x0f0f0f0f, AX \
	VPBROADCASTD AX, Z31 \
	MOVQ $0x1020408000000000, AX \
	VPBROADCASTQ AX, Z30 \
	MOVL $63, AX \
	VPBROADCASTD AX, Z29 \
	MOVL $15, AX \
	VPBROADCASTD AX, Z28

// BODY is one super-block of a group.
#define BODY(HIGH) \
	PREFETCH2304(4608) \
	VMOVDQU32 64(SI), Z10 \
	VMOVDQU32 128(SI), Z11 \
	VMOVDQU32 192(SI), Z12 \
	VPXORD Z6, Z6, Z6 \
	VPXORD Z7, Z7, Z7 \
	LOW6(Z11, 0, Z15) \
	MINTERM(0) \
	LOW6(Z11, 1, Z15) \
	MINTERM(1) \
	LOW6(Z11, 2, Z15) \
	MINTERM(2) \
	LOW6(Z11, 3, Z15) \
	MINTERM(3) \
	SPLIT6(4, Z11, 2, Z15, Z16) \
	MINTERM(4) \
	SPLIT6(12, Z11, 10, Z15, Z16) \
	MINTERM(5) \
	SPLIT6(20, Z11, 18, Z15, Z16) \
	MINTERM(6) \
	SPLIT6(28, Z11, 26, Z15, Z16) \
	MINTERM(7) \
	CHUNK(HIGH, 0, SCALES01) \
	CHUNK(HIGH, 1, SCALES23) \
	CHUNK(HIGH, 2, SCALES45) \
	CHUNK(HIGH, 3, SCALES67) \
	VCVTPH2PS (SI), Z8 \
	VCVTPH2PS 32(SI), Z9 \
	VMULPS.BCST (R9)(CX*4), Z8, Z8 \
	VMULPS.BCST (R9)(CX*4), Z9, Z9 \
	VCVTDQ2PS Z6, Z6 \
	VFMADD231PS Z8, Z6, Z0 \
	VCVTDQ2PS Z7, Z7 \
	VFNMADD231PS Z9, Z7, Z0

#define BODYSHIFT BODY(HIGHSHIFT)
#define BODYGF BODY(HIGHGF)

// func matVecQ4_Kx16VNNI(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16)
TEXT ·matVecQ4_Kx16VNNI(SB), NOSPLIT, $0-56
	X16DECODE(KCONSTS, BODYSHIFT, 2304, 256, 32)

// func matVecQ4_Kx16GFNI(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16)
TEXT ·matVecQ4_Kx16GFNI(SB), NOSPLIT, $0-56
	X16DECODE(KCONSTS, BODYGF, 2304, 256, 32)
