// Macros shared by the kernels for x16 weights (vnni_x16*_amd64.s; the
// layout is in x16.go).

// HIGHSHIFT and HIGHGF set v to its bytes' high nibbles (HIGHGF with one
// GFNI affine transform, its matrix in Z30).
#define HIGHSHIFT(v) \
	VPSRLW $4, v, v \
	VPANDD Z31, v, v

#define HIGHGF(v) \
	VGF2P8AFFINEQB $0, Z30, v, v

// PREFETCH4 asks for the four cache lines at off in the block ahead bytes
// on; PREFETCH2304 for 2304 bytes of it. Out of the caches the hardware
// prefetchers alone kept the K-quant kernels below the file-layout
// kernels' rate (Q4_K: 23 GB/s against 28 on one thread); two super-blocks
// ahead they stream at 29-32.
#define PREFETCH4(ahead, off) \
	PREFETCHT0 ahead+off(SI) \
	PREFETCHT0 ahead+off+64(SI) \
	PREFETCHT0 ahead+off+128(SI) \
	PREFETCHT0 ahead+off+192(SI)

#define PREFETCH2304(ahead) \
	PREFETCH4(ahead, 0) \
	PREFETCH4(ahead, 256) \
	PREFETCH4(ahead, 512) \
	PREFETCH4(ahead, 768) \
	PREFETCH4(ahead, 1024) \
	PREFETCH4(ahead, 1280) \
	PREFETCH4(ahead, 1536) \
	PREFETCH4(ahead, 1792) \
	PREFETCH4(ahead, 2048)

// X16DECODE is the loop of a decode kernel
//
//	func(out *float32, w *byte, groups, blocks int, qs *int8, d *float32, sums *int16)
//
// For each group of sixteen rows the float sums in Z0 start at zero, BODY
// adds each block (SI its weights, R11 its activations, R10 their sums, R9
// the activation scales, CX its index) and one store writes the sixteen
// results. CONSTS sets the kernel's constant registers; a block takes
// bsize bytes of weights, xstep of activations and sstep of sums (0 for
// kernels that index the sums by CX).
#define X16DECODE(CONSTS, BODY, bsize, xstep, sstep) \
	MOVQ out+0(FP), DI \
	MOVQ w+8(FP), SI \
	MOVQ groups+16(FP), R8 \
	MOVQ blocks+24(FP), DX \
	MOVQ qs+32(FP), R12 \
	MOVQ d+40(FP), R9 \
	MOVQ sums+48(FP), R13 \
	CONSTS \
group: \
	TESTQ R8, R8 \
	JLE done \
	VPXORD Z0, Z0, Z0 \
	MOVQ R12, R11 \
	MOVQ R13, R10 \
	XORQ CX, CX \
block: \
	CMPQ CX, DX \
	JGE groupdone \
	BODY \
	ADDQ $bsize, SI \
	ADDQ $xstep, R11 \
	ADDQ $sstep, R10 \
	INCQ CX \
	JMP block \
groupdone: \
	VMOVUPS Z0, (DI) \
	ADDQ $64, DI \
	DECQ R8 \
	JMP group \
done: \
	VZEROUPPER \
	RET
