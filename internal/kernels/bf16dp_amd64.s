//go:build amd64 && gc && !purego

#include "textflag.h"

// The VDPBF16PS register tile of the bf16 Linear (bf16dp_amd64.go).
//
// bf16dpKernelAVX512: the float32 sums of a 12×32 tile, 12 W rows × 32
// tokens over kp2 K pairs, stored to acc [12][32] for tileAddAVX512 (the
// store and reload cost a few L1 accesses per 768·kp2 FLOP).
// Registers: Z0–Z23 the accumulators, row i in Z(2i) (tokens 0–15) and
// Z(2i+1) (tokens 16–31); Z24, Z25 the bf16 pairs of the 32 tokens at one
// K pair (x [kp2][32][2], 128 bytes a pair); each W row's pair (a dword of
// its bf16 row, stored (k+1, k) like the tokens' pairs) is broadcast once
// (VPBROADCASTD into Z26–Z31) for both halves of the tile: 14 loads per
// 24 VDPBF16PS. W rows: SI (rows 0–5) and DI (rows 6–11) with DX = ldw
// (bytes), R8 = 3·ldw, R9 = 5·ldw, so a row is one of (base),
// (base)(DX*1), (base)(DX*2), (base)(R8*1), (base)(DX*4), (base)(R9*1).
// BX walks x, AX counts pairs of K pairs (after a single one for an odd
// kp2), R10 is acc. With wide = 0, 12×16: the first 16 tokens, row i in
// Zi, one K pair a step, tokens 16–31 of acc stored as zeros.

// DPBF16(d, s1, s2) is VDPBF16PS Z(s2), Z(s1), Z(d) (Intel: vdpbf16ps
// zmm_d, zmm_s1, zmm_s2; register operands 0–31), which Go's assembler
// lacks: EVEX.512.F3.0F38.W0 52 /r, bytes 62 P0 P1 P2 52 ModRM with
// P0 = R̄ X̄ B̄ R̄′ 0 010 (R, R′: bits 3, 4 of d; B, X: bits 3, 4 of s2;
// inverted), P1 = 0 v̄v̄v̄v̄ 1 10 (the low 4 bits of s1, inverted),
// P2 = 0 10 0 V̄′ 000 (bit 4 of s1, inverted), ModRM = 11 ddd sss.
#define DPBF16(d, s1, s2) \
	BYTE $0x62; \
	BYTE $((1-(((d)>>3)&1))<<7 | (1-(((s2)>>4)&1))<<6 | (1-(((s2)>>3)&1))<<5 | (1-(((d)>>4)&1))<<4 | 2); \
	BYTE $((15-((s1)&15))<<3 | 6); \
	BYTE $(0x40 | (1-(((s1)>>4)&1))<<3); \
	BYTE $0x52; \
	BYTE $(0xC0 | ((d)&7)<<3 | ((s2)&7))

// DPSTEP is one K pair of the 12×32 tile: the 32 tokens' pairs at w0(BX)
// and w1(BX) (Z24, Z25), each of the 12 W rows' pair (at x bytes into
// rows SI, SI+DX, …, DI+R9) broadcast once and multiplied into its row's
// two accumulators (Z0–Z23).
#define DPSTEP(x, w0, w1) \
	VMOVDQU32 w0(BX), Z24 \
	VMOVDQU32 w1(BX), Z25 \
	VPBROADCASTD x(SI), Z26 \
	DPBF16(0, 24, 26) \
	DPBF16(1, 25, 26) \
	VPBROADCASTD x(SI)(DX*1), Z27 \
	DPBF16(2, 24, 27) \
	DPBF16(3, 25, 27) \
	VPBROADCASTD x(SI)(DX*2), Z28 \
	DPBF16(4, 24, 28) \
	DPBF16(5, 25, 28) \
	VPBROADCASTD x(SI)(R8*1), Z29 \
	DPBF16(6, 24, 29) \
	DPBF16(7, 25, 29) \
	VPBROADCASTD x(SI)(DX*4), Z30 \
	DPBF16(8, 24, 30) \
	DPBF16(9, 25, 30) \
	VPBROADCASTD x(SI)(R9*1), Z31 \
	DPBF16(10, 24, 31) \
	DPBF16(11, 25, 31) \
	VPBROADCASTD x(DI), Z26 \
	DPBF16(12, 24, 26) \
	DPBF16(13, 25, 26) \
	VPBROADCASTD x(DI)(DX*1), Z27 \
	DPBF16(14, 24, 27) \
	DPBF16(15, 25, 27) \
	VPBROADCASTD x(DI)(DX*2), Z28 \
	DPBF16(16, 24, 28) \
	DPBF16(17, 25, 28) \
	VPBROADCASTD x(DI)(R8*1), Z29 \
	DPBF16(18, 24, 29) \
	DPBF16(19, 25, 29) \
	VPBROADCASTD x(DI)(DX*4), Z30 \
	DPBF16(20, 24, 30) \
	DPBF16(21, 25, 30) \
	VPBROADCASTD x(DI)(R9*1), Z31 \
	DPBF16(22, 24, 31) \
	DPBF16(23, 25, 31)

// DPSTEP16 is DPSTEP on the first 16 tokens alone (Z24), row i in Zi.
#define DPSTEP16(x, w0) \
	VMOVDQU32 w0(BX), Z24 \
	VPBROADCASTD x(SI), Z26 \
	DPBF16(0, 24, 26) \
	VPBROADCASTD x(SI)(DX*1), Z27 \
	DPBF16(1, 24, 27) \
	VPBROADCASTD x(SI)(DX*2), Z28 \
	DPBF16(2, 24, 28) \
	VPBROADCASTD x(SI)(R8*1), Z29 \
	DPBF16(3, 24, 29) \
	VPBROADCASTD x(SI)(DX*4), Z30 \
	DPBF16(4, 24, 30) \
	VPBROADCASTD x(SI)(R9*1), Z31 \
	DPBF16(5, 24, 31) \
	VPBROADCASTD x(DI), Z26 \
	DPBF16(6, 24, 26) \
	VPBROADCASTD x(DI)(DX*1), Z27 \
	DPBF16(7, 24, 27) \
	VPBROADCASTD x(DI)(DX*2), Z28 \
	DPBF16(8, 24, 28) \
	VPBROADCASTD x(DI)(R8*1), Z29 \
	DPBF16(9, 24, 29) \
	VPBROADCASTD x(DI)(DX*4), Z30 \
	DPBF16(10, 24, 30) \
	VPBROADCASTD x(DI)(R9*1), Z31 \
	DPBF16(11, 24, 31)

// func bf16dpKernelAVX512(kp2 int, w *uint16, ldw int, x *uint16, acc *float32, wide int)
TEXT ·bf16dpKernelAVX512(SB), NOSPLIT, $0-48
	MOVQ kp2+0(FP), AX
	MOVQ w+8(FP), SI
	MOVQ ldw+16(FP), DX
	MOVQ x+24(FP), BX
	MOVQ acc+32(FP), R10
	LEAQ (DX)(DX*2), R8
	LEAQ (DX)(DX*4), R9
	LEAQ (R8)(R8*1), DI
	ADDQ SI, DI
	CMPQ wide+40(FP), $0
	JEQ dpnarrow
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	// an odd kp2: one K pair, then pairs of them
	BTQ $0, AX
	JCC dppairs
	DPSTEP(0, 0, 64)
	ADDQ $4, SI
	ADDQ $4, DI
	ADDQ $128, BX
dppairs:
	SHRQ $1, AX
	JEQ dpdone
dploop:
	DPSTEP(0, 0, 64)
	DPSTEP(4, 128, 192)
	ADDQ $8, SI
	ADDQ $8, DI
	ADDQ $256, BX
	DECQ AX
	JNZ dploop
dpdone:
	VMOVUPS Z0, 0(R10)
	VMOVUPS Z1, 64(R10)
	VMOVUPS Z2, 128(R10)
	VMOVUPS Z3, 192(R10)
	VMOVUPS Z4, 256(R10)
	VMOVUPS Z5, 320(R10)
	VMOVUPS Z6, 384(R10)
	VMOVUPS Z7, 448(R10)
	VMOVUPS Z8, 512(R10)
	VMOVUPS Z9, 576(R10)
	VMOVUPS Z10, 640(R10)
	VMOVUPS Z11, 704(R10)
	VMOVUPS Z12, 768(R10)
	VMOVUPS Z13, 832(R10)
	VMOVUPS Z14, 896(R10)
	VMOVUPS Z15, 960(R10)
	VMOVUPS Z16, 1024(R10)
	VMOVUPS Z17, 1088(R10)
	VMOVUPS Z18, 1152(R10)
	VMOVUPS Z19, 1216(R10)
	VMOVUPS Z20, 1280(R10)
	VMOVUPS Z21, 1344(R10)
	VMOVUPS Z22, 1408(R10)
	VMOVUPS Z23, 1472(R10)
	VZEROUPPER
	RET

dpnarrow:
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
dploop16:
	DPSTEP16(0, 0)
	ADDQ $4, SI
	ADDQ $4, DI
	ADDQ $128, BX
	DECQ AX
	JNZ dploop16
	// tokens 16–31 of acc: zero (Z12)
	VMOVUPS Z0, 0(R10)
	VMOVUPS Z12, 64(R10)
	VMOVUPS Z1, 128(R10)
	VMOVUPS Z12, 192(R10)
	VMOVUPS Z2, 256(R10)
	VMOVUPS Z12, 320(R10)
	VMOVUPS Z3, 384(R10)
	VMOVUPS Z12, 448(R10)
	VMOVUPS Z4, 512(R10)
	VMOVUPS Z12, 576(R10)
	VMOVUPS Z5, 640(R10)
	VMOVUPS Z12, 704(R10)
	VMOVUPS Z6, 768(R10)
	VMOVUPS Z12, 832(R10)
	VMOVUPS Z7, 896(R10)
	VMOVUPS Z12, 960(R10)
	VMOVUPS Z8, 1024(R10)
	VMOVUPS Z12, 1088(R10)
	VMOVUPS Z9, 1152(R10)
	VMOVUPS Z12, 1216(R10)
	VMOVUPS Z10, 1280(R10)
	VMOVUPS Z12, 1344(R10)
	VMOVUPS Z11, 1408(R10)
	VMOVUPS Z12, 1472(R10)
	VZEROUPPER
	RET

// func cpuVendor() (ebx, edx, ecx uint32)
// CPUID leaf 0: the vendor string's 12 bytes in EBX, EDX, ECX.
TEXT ·cpuVendor(SB), NOSPLIT, $0-12
	XORL AX, AX
	XORL CX, CX
	CPUID
	MOVL BX, ebx+0(FP)
	MOVL DX, edx+4(FP)
	MOVL CX, ecx+8(FP)
	RET

// func swapPairsAVX512(dst, src *uint16, n32 int)
// 32 values at a time: each dword's two halves swapped (rotated by 16).
TEXT ·swapPairsAVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n32+16(FP), CX
swappairs:
	VPRORD $16, (SI), Z0
	VMOVDQU32 Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ swappairs
	VZEROUPPER
	RET
