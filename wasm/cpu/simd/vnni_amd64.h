// Macros shared by the AVX-512 VNNI kernels (vnni_amd64.s for decoding,
// vnni_prefill_amd64.s for batches).
//
// One ZMM register holds the same 32-element block of two weight rows
// (row r in the low 256 bits, row r+1 in the high 256) and the activation
// block is repeated in both halves, so each VPDPBUSD does the integer work
// of two rows. Every 32-bit lane sums the products of four neighbouring
// elements and the float accumulation runs lane by lane in block order,
// exactly as the AVX2 one-row kernels do it: each result is bit for bit
// DotQ4_0's or DotQ8_0's.
//
// VPDPBUSD multiplies unsigned by signed bytes. Q4_0's nibbles are already
// unsigned; their offset of 8 becomes a starting value of -8·Σx per lane,
// computed once per activation block. Q8_0's signed weights are made
// unsigned by adding 128 (flipping the top bit), with -128·Σx per lane as
// the starting value.
//
// Registers kept across the block loops:
//	Z31  0x0f in every byte (Q4_0 nibble mask)
//	Z30  per-word shift counts 0,4,0,4 for the four 128-bit lanes (Q4_0)
//	Z29  the multiplier for the activation-sum lanes (8 or 128 in every byte)
//	Z26  zero
//	K1   the high eight 32-bit lanes
//	BX   the weight row stride in bytes, R12 three times it
//	R13  halfTable, for the weights' F16 scales

// CONSTANTS sets the registers above; mult is the byte Z29 holds (8 for
// Q4_0, 128 for Q8_0).
#define CONSTANTS(mult) \
	MOVQ ·halfTable(SB), R13 \
	LEAQ (BX)(BX*2), R12 \
	MOVL $0xff00, AX \
	KMOVW AX, K1 \
	MOVL $0xf0f0, AX \
	KMOVW AX, K2 \
	MOVL $0x0f0f0f0f, AX \
	VPBROADCASTD AX, Z31 \
	VPXORD Z30, Z30, Z30 \
	MOVL $0x00040004, AX \
	VPBROADCASTD AX, K2, Z30 \
	MOVL mult, AX \
	VPBROADCASTD AX, Z29 \
	VPXORD Z26, Z26, Z26

// Q4UNPACK sets dst to the 32 nibbles of the blocks at b0 and b1, as
// unsigned bytes in Q4_0's order (low nibbles, then high).
#define Q4UNPACK(b0, b1, dst) \
	VBROADCASTI32X4 2 b0, dst \
	VBROADCASTI32X4 2 b1, K1, dst \
	VPSRLVW Z30, dst, dst \
	VPANDD Z31, dst, dst

// Q8UNPACK sets dst to the 32 weights of the blocks at b0 and b1 plus 128.
#define Q8UNPACK(b0, b1, dst) \
	VBROADCASTI64X4 2 b0, dst \
	VINSERTI64X4 $1, 2 b1, dst, dst \
	VPXORD Z29, dst, dst

// HALVES sets dst to the F16 scales of the blocks at b0 and b1, the low
// eight lanes for the first and the high eight for the second.
#define HALVES(b0, b1, dst) \
	MOVWLZX b0, AX \
	VBROADCASTSS (R13)(AX*4), dst \
	MOVWLZX b1, AX \
	VBROADCASTSS (R13)(AX*4), K1, dst

// ACTIVATION loads an activation block (at xa) into both halves of xv and
// sets neg to -mult·Σx per lane.
#define ACTIVATION(xa, xv, neg) \
	VBROADCASTI64X4 xa, xv \
	VPXORD neg, neg, neg \
	VPDPBUSD xv, Z29, neg \
	VPSUBD neg, Z26, neg

// DOTPAIR adds to acc the products of the unpacked weights wv with the
// activations xv, starting from neg, times the scales in sv (tmp is
// clobbered).
#define DOTPAIR(wv, xv, neg, sv, tmp, acc) \
	VMOVDQA32 neg, tmp \
	VPDPBUSD xv, wv, tmp \
	VCVTDQ2PS tmp, tmp \
	VFMADD231PS sv, tmp, acc

// HSUM8 stores the sum of the eight lanes of y (x is its low half, both
// below Y16) at dst, adding as hsum8 does: halves, then adjacent pairs
// twice. HSUMPAIR does it for both halves of acc (below Z8).
#define HSUM8(y, x, dst) \
	VEXTRACTF128 $1, y, X6 \
	VADDPS X6, x, X6 \
	VHADDPS X6, X6, X6 \
	VHADDPS X6, X6, X6 \
	VMOVSS X6, dst

#define HSUMPAIR(acc, yacc, xacc, lo, hi) \
	VEXTRACTF64X4 $1, acc, Y7 \
	HSUM8(yacc, xacc, lo) \
	HSUM8(Y7, X7, hi)
