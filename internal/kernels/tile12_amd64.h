// The 12-row register tiles of the low-precision Linear kernels
// (lowprec_amd64.s, bf16dp_amd64.s): 12 W rows × 32 tokens, row i's
// accumulators Z(2i) (tokens 0–15) and Z(2i+1) (tokens 16–31), Z24 and
// Z25 the tokens' values at one K step, each W row's value at the step
// (a dword) broadcast into one of Z26–Z31 for both halves. W rows: SI
// (rows 0–5) and DI (rows 6–11) with DX = ldw, R8 = 3·ldw, R9 = 5·ldw
// (TILE12_SETUP), so a row is one of (base), (base)(DX*1), (base)(DX*2),
// (base)(R8*1), (base)(DX*4), (base)(R9*1).

// TILE12_SETUP sets R8, R9 and DI from SI (row 0) and DX (ldw).
#define TILE12_SETUP \
	LEAQ (DX)(DX*2), R8 \
	LEAQ (DX)(DX*4), R9 \
	LEAQ (R8)(R8*1), DI \
	ADDQ SI, DI

// TILE12_ROWS invokes R(x, row, Zb, b, Zlo, lo, Zhi, hi) for the 12 rows
// in order: row the W row's address x bytes on (as x row), Zb (number
// b) its broadcast register, Zlo and Zhi (numbers lo, hi) its
// accumulators.
#define TILE12_ROWS(R, x) \
	R(x, (SI), Z26, 26, Z0, 0, Z1, 1) \
	R(x, (SI)(DX*1), Z27, 27, Z2, 2, Z3, 3) \
	R(x, (SI)(DX*2), Z28, 28, Z4, 4, Z5, 5) \
	R(x, (SI)(R8*1), Z29, 29, Z6, 6, Z7, 7) \
	R(x, (SI)(DX*4), Z30, 30, Z8, 8, Z9, 9) \
	R(x, (SI)(R9*1), Z31, 31, Z10, 10, Z11, 11) \
	R(x, (DI), Z26, 26, Z12, 12, Z13, 13) \
	R(x, (DI)(DX*1), Z27, 27, Z14, 14, Z15, 15) \
	R(x, (DI)(DX*2), Z28, 28, Z16, 16, Z17, 17) \
	R(x, (DI)(R8*1), Z29, 29, Z18, 18, Z19, 19) \
	R(x, (DI)(DX*4), Z30, 30, Z20, 20, Z21, 21) \
	R(x, (DI)(R9*1), Z31, 31, Z22, 22, Z23, 23)

// TILE12_ZERO zeroes the accumulators Z0–Z23.
#define TILE12_ZERO \
	VPXORD Z0, Z0, Z0 \
	VPXORD Z1, Z1, Z1 \
	VPXORD Z2, Z2, Z2 \
	VPXORD Z3, Z3, Z3 \
	VPXORD Z4, Z4, Z4 \
	VPXORD Z5, Z5, Z5 \
	VPXORD Z6, Z6, Z6 \
	VPXORD Z7, Z7, Z7 \
	VPXORD Z8, Z8, Z8 \
	VPXORD Z9, Z9, Z9 \
	VPXORD Z10, Z10, Z10 \
	VPXORD Z11, Z11, Z11 \
	VPXORD Z12, Z12, Z12 \
	VPXORD Z13, Z13, Z13 \
	VPXORD Z14, Z14, Z14 \
	VPXORD Z15, Z15, Z15 \
	VPXORD Z16, Z16, Z16 \
	VPXORD Z17, Z17, Z17 \
	VPXORD Z18, Z18, Z18 \
	VPXORD Z19, Z19, Z19 \
	VPXORD Z20, Z20, Z20 \
	VPXORD Z21, Z21, Z21 \
	VPXORD Z22, Z22, Z22 \
	VPXORD Z23, Z23, Z23

// TILE12_STORE stores Z0–Z23 to [12][32] 32-bit values at r.
#define TILE12_STORE(r) \
	VMOVDQU32 Z0, 0(r) \
	VMOVDQU32 Z1, 64(r) \
	VMOVDQU32 Z2, 128(r) \
	VMOVDQU32 Z3, 192(r) \
	VMOVDQU32 Z4, 256(r) \
	VMOVDQU32 Z5, 320(r) \
	VMOVDQU32 Z6, 384(r) \
	VMOVDQU32 Z7, 448(r) \
	VMOVDQU32 Z8, 512(r) \
	VMOVDQU32 Z9, 576(r) \
	VMOVDQU32 Z10, 640(r) \
	VMOVDQU32 Z11, 704(r) \
	VMOVDQU32 Z12, 768(r) \
	VMOVDQU32 Z13, 832(r) \
	VMOVDQU32 Z14, 896(r) \
	VMOVDQU32 Z15, 960(r) \
	VMOVDQU32 Z16, 1024(r) \
	VMOVDQU32 Z17, 1088(r) \
	VMOVDQU32 Z18, 1152(r) \
	VMOVDQU32 Z19, 1216(r) \
	VMOVDQU32 Z20, 1280(r) \
	VMOVDQU32 Z21, 1344(r) \
	VMOVDQU32 Z22, 1408(r) \
	VMOVDQU32 Z23, 1472(r)

// TILE12_LOOP runs STEP(x, w0, w1), one K step of the tile (W values x
// bytes on in each row, the tokens' at w0(BX) and w1(BX)), AX times: a
// single step for an odd AX, then pairs of steps, each step 4 bytes of
// each W row and 128 of the token panel.
#define TILE12_LOOP(STEP) \
	BTQ $0, AX \
	JCC tile12pairs \
	STEP(0, 0, 64) \
	ADDQ $4, SI \
	ADDQ $4, DI \
	ADDQ $128, BX \
tile12pairs: \
	SHRQ $1, AX \
	JEQ tile12done \
tile12loop: \
	STEP(0, 0, 64) \
	STEP(4, 128, 192) \
	ADDQ $8, SI \
	ADDQ $8, DI \
	ADDQ $256, BX \
	DECQ AX \
	JNZ tile12loop \
tile12done:
