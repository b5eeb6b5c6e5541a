//go:build goexperiment.simd && amd64

#include "textflag.h"
#include "vnni_x16_amd64.h"

// The kernel for Q6_K weights in the x16 layout (x16.go), one row per
// 32-bit lane as in vnni_x16k_amd64.s. For each half super-block and each
// part k of four bytes per row, it rebuilds the four 6-bit quants of the
// four groups of 32 (low or high nibble of ql, two bits of qh merged by one
// VPTERNLOGD, as the file-layout kernel does) and adds their products with
// the broadcast activations to the accumulator of their sub-block of 16.
// Each sub-block's sum is then weighted by its int8 scale (VPMULLD), the
// offset of 32 comes off as 32·Σ sc_s·S_s (VPDPWSSD, scales paired into
// words against the activation sums of 16), and a row ends the super-block
// with one FMA, in the order of matVecQ6_Kx16Go.
//
// Registers:
//	Z31  0x0f in every byte; Z30 the GFNI matrix for high nibbles; Z29
//	     0x30 in every byte; Z28 0xffff in every dword
//	Z0   the rows' float sums, Z1 Σ sc_s·dot_s, Z2 Σ sc_s·S_s
//	Z4-Z11  the sub-block sums of a half, group g and part p in Z(4+2g+p)
//	SI   the group's super-block, R11 its activations, R10 their sums of
//	     16, CX its index

// QUANTS merges the low four bits in Z15 with qh (Z16, shifted so that
// this group's two bits sit at bits 4-5) into Z16 and adds its products
// with the activations at x to acc.
#define QUANTS(x, acc) \
	VPTERNLOGD $0xec, Z29, Z15, Z16 \
	VPDPBUSD.BCST x(R11), Z16, acc

// PART does part k of half h; accumulators a0-a3 are the four groups'
// (of sub-block part k/4).
#define PART(HIGH, h, k, a0, a1, a2, a3) \
	VMOVDQU32 288+64*(16*h+k)(SI), Z12 \
	VMOVDQU32 288+64*(16*h+8+k)(SI), Z13 \
	VMOVDQU32 2336+64*(8*h+k)(SI), Z14 \
	VPANDD Z31, Z12, Z15 \
	VPSLLW $4, Z14, Z16 \
	QUANTS(128*h+4*k, a0) \
	VPANDD Z31, Z13, Z15 \
	VPSLLW $2, Z14, Z16 \
	QUANTS(128*h+32+4*k, a1) \
	VMOVDQA32 Z12, Z15 \
	HIGH(Z15) \
	VMOVDQA32 Z14, Z16 \
	QUANTS(128*h+64+4*k, a2) \
	VMOVDQA32 Z13, Z15 \
	HIGH(Z15) \
	VPSRLW $2, Z14, Z16 \
	QUANTS(128*h+96+4*k, a3)

// SCALE sets dst to the int8 scale in byte b of part i's dwords.
#define SCALE(i, b, dst) \
	VMOVDQU32 32+64*(i)(SI), dst \
	VPSLLD $(24-8*(b)), dst, dst \
	VPSRAD $24, dst, dst

// WEIGH weights group g's two sub-block sums of half h by their scales
// into Z1 and adds the scales (paired into words) times the two sub-blocks'
// activation sums to Z2.
#define WEIGH(h, g, lo, hi) \
	SCALE(2*h+g/2, (2*g)%4, Z17) \
	SCALE(2*h+g/2, (2*g)%4+1, Z18) \
	VPMULLD Z17, lo, lo \
	VPMULLD Z18, hi, hi \
	VPADDD lo, Z1, Z1 \
	VPADDD hi, Z1, Z1 \
	VPSLLD $16, Z18, Z18 \
	VPTERNLOGD $0xe4, Z28, Z18, Z17 \
	VPDPWSSD.BCST 4*(4*h+g)(R10), Z17, Z2

#define HALF(HIGH, h) \
	VPXORD Z4, Z4, Z4 \
	VPXORD Z5, Z5, Z5 \
	VPXORD Z6, Z6, Z6 \
	VPXORD Z7, Z7, Z7 \
	VPXORD Z8, Z8, Z8 \
	VPXORD Z9, Z9, Z9 \
	VPXORD Z10, Z10, Z10 \
	VPXORD Z11, Z11, Z11 \
	PART(HIGH, h, 0, Z4, Z6, Z8, Z10) \
	PART(HIGH, h, 1, Z4, Z6, Z8, Z10) \
	PART(HIGH, h, 2, Z4, Z6, Z8, Z10) \
	PART(HIGH, h, 3, Z4, Z6, Z8, Z10) \
	PART(HIGH, h, 4, Z5, Z7, Z9, Z11) \
	PART(HIGH, h, 5, Z5, Z7, Z9, Z11) \
	PART(HIGH, h, 6, Z5, Z7, Z9, Z11) \
	PART(HIGH, h, 7, Z5, Z7, Z9, Z11) \
	WEIGH(h, 0, Z4, Z5) \
	WEIGH(h, 1, Z6, Z7) \
	WEIGH(h, 2, Z8, Z9) \
	WEIGH(h, 3, Z10, Z11)

#define Q6CONSTS \
	MOVL $0x0f0f0f0f, AX \
	VPBROADCASTD AX, Z31 \
	MOVQ $0x1020408000000000, AX \
	VPBROADCASTQ AX, Z30 \
	MOVL $0x30303030, AX \
	VPBROADCASTD AX, Z29 \
	MOVL $0xffff, AX \
	VPBROADCASTD AX, Z28

// BODY is one super-block of a group.
#define BODY(HIGH) \
	PREFETCH2304(6720) \
	PREFETCH4(6720, 2304) \
	PREFETCH4(6720, 2560) \
	PREFETCH4(6720, 2816) \
	PREFETCH4(6720, 3072) \
	PREFETCHT0 6720+3328(SI) \
	VPXORD Z1, Z1, Z1 \
	VPXORD Z2, Z2, Z2 \
	HALF(HIGH, 0) \
	HALF(HIGH, 1) \
	VPSLLD $5, Z2, Z2 \
	VPSUBD Z2, Z1, Z1 \
	VCVTPH2PS (SI), Z21 \
	VMULPS.BCST (R9)(CX*4), Z21, Z21 \
	VCVTDQ2PS Z1, Z1 \
	VFMADD231PS Z21, Z1, Z0

#define BODYSHIFT BODY(HIGHSHIFT)
#define BODYGF BODY(HIGHGF)

// func matVecQ6_Kx16VNNI(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16)
TEXT ·matVecQ6_Kx16VNNI(SB), NOSPLIT, $0-56
	X16DECODE(Q6CONSTS, BODYSHIFT, 3360, 256, 32)

// func matVecQ6_Kx16GFNI(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16)
TEXT ·matVecQ6_Kx16GFNI(SB), NOSPLIT, $0-56
	X16DECODE(Q6CONSTS, BODYGF, 3360, 256, 32)
