//go:build amd64 && gc && !purego

#include "textflag.h"
#include "tile12_amd64.h"

// The VDPBF16PS register tile of the bf16 Linear (bf16dp_amd64.go).
//
// bf16dpKernelAVX512: a 12×32 tile, 12 W rows × 32 tokens over kp2 K
// pairs, with the float32 kernels' epilogue (bias, then the tile's
// values added), stored to c [12][32]. Registers
// as tile12_amd64.h lays them out: Z0–Z23 the accumulators, Z24, Z25 the
// bf16 pairs of the 32 tokens at one K pair (x [kp2][32][2], 128 bytes a
// pair), each W row's pair (a dword, in natural order like the tokens'
// pairs) broadcast once into Z26–Z31 for both halves of the tile: 14
// loads per 24 VDPBF16PS. DX = ldw in bytes; BX walks x, AX counts pairs
// of K pairs (after a single one for an odd kp2), R10 is c, R11 bias, CX
// flags. With wide = 0, 12×16: the first 16 tokens, one K pair a step,
// row i in Z(2i) alone; Z(2i+1) stay zero, so tokens 16–31 of c get the
// bias (and their values with kLoad).

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

// DPROW32 and DPROW16 are a W row's part of a K pair (TILE12_ROWS):
// its pair broadcast into Zb and multiplied into its two accumulators
// (the 32 tokens in Z24, Z25) or the first (16 tokens in Z24).
#define DPROW32(x, row, zb, b, zlo, lo, zhi, hi) \
	VPBROADCASTD x row, zb \
	DPBF16(lo, 24, b) \
	DPBF16(hi, 25, b)

#define DPROW16(x, row, zb, b, zlo, lo, zhi, hi) \
	VPBROADCASTD x row, zb \
	DPBF16(lo, 24, b)

// DPSTEP32 is one K pair of the 12×32 tile (TILE12_LOOP).
#define DPSTEP32(x, w0, w1) \
	VMOVDQU32 w0(BX), Z24 \
	VMOVDQU32 w1(BX), Z25 \
	TILE12_ROWS(DPROW32, x)

// DPEPILOGUE adds to the tile Z0–Z23 the bias at bias (an address
// operand) when flags (one) has kBias, then c's values at R10 when it has
// kLoad, and stores the tile to c (TILE12_STORE). CX and R11 scratch.
#define DPEPILOGUE(flags, bias) \
	MOVQ flags, CX \
	TESTQ $2, CX \
	JEQ dpnobias \
	MOVQ bias, R11 \
	VBROADCASTSS 0(R11), Z24 \
	VADDPS Z24, Z0, Z0 \
	VADDPS Z24, Z1, Z1 \
	VBROADCASTSS 4(R11), Z24 \
	VADDPS Z24, Z2, Z2 \
	VADDPS Z24, Z3, Z3 \
	VBROADCASTSS 8(R11), Z24 \
	VADDPS Z24, Z4, Z4 \
	VADDPS Z24, Z5, Z5 \
	VBROADCASTSS 12(R11), Z24 \
	VADDPS Z24, Z6, Z6 \
	VADDPS Z24, Z7, Z7 \
	VBROADCASTSS 16(R11), Z24 \
	VADDPS Z24, Z8, Z8 \
	VADDPS Z24, Z9, Z9 \
	VBROADCASTSS 20(R11), Z24 \
	VADDPS Z24, Z10, Z10 \
	VADDPS Z24, Z11, Z11 \
	VBROADCASTSS 24(R11), Z24 \
	VADDPS Z24, Z12, Z12 \
	VADDPS Z24, Z13, Z13 \
	VBROADCASTSS 28(R11), Z24 \
	VADDPS Z24, Z14, Z14 \
	VADDPS Z24, Z15, Z15 \
	VBROADCASTSS 32(R11), Z24 \
	VADDPS Z24, Z16, Z16 \
	VADDPS Z24, Z17, Z17 \
	VBROADCASTSS 36(R11), Z24 \
	VADDPS Z24, Z18, Z18 \
	VADDPS Z24, Z19, Z19 \
	VBROADCASTSS 40(R11), Z24 \
	VADDPS Z24, Z20, Z20 \
	VADDPS Z24, Z21, Z21 \
	VBROADCASTSS 44(R11), Z24 \
	VADDPS Z24, Z22, Z22 \
	VADDPS Z24, Z23, Z23 \
dpnobias: \
	TESTQ $1, CX \
	JEQ dpstore \
	VADDPS 0(R10), Z0, Z0 \
	VADDPS 64(R10), Z1, Z1 \
	VADDPS 128(R10), Z2, Z2 \
	VADDPS 192(R10), Z3, Z3 \
	VADDPS 256(R10), Z4, Z4 \
	VADDPS 320(R10), Z5, Z5 \
	VADDPS 384(R10), Z6, Z6 \
	VADDPS 448(R10), Z7, Z7 \
	VADDPS 512(R10), Z8, Z8 \
	VADDPS 576(R10), Z9, Z9 \
	VADDPS 640(R10), Z10, Z10 \
	VADDPS 704(R10), Z11, Z11 \
	VADDPS 768(R10), Z12, Z12 \
	VADDPS 832(R10), Z13, Z13 \
	VADDPS 896(R10), Z14, Z14 \
	VADDPS 960(R10), Z15, Z15 \
	VADDPS 1024(R10), Z16, Z16 \
	VADDPS 1088(R10), Z17, Z17 \
	VADDPS 1152(R10), Z18, Z18 \
	VADDPS 1216(R10), Z19, Z19 \
	VADDPS 1280(R10), Z20, Z20 \
	VADDPS 1344(R10), Z21, Z21 \
	VADDPS 1408(R10), Z22, Z22 \
	VADDPS 1472(R10), Z23, Z23 \
dpstore: \
	TILE12_STORE(R10)

// DPPFC prefetches the tile c [12][32] at R10 when flags (an operand)
// has kPrefetchC (4): the kernel adds c's values at its end (kLoad), a
// residual's from memory; issued at once, the 24 lines arrive during
// the loop.
#define DPPFC(flags) \
	TESTQ $4, flags \
	JEQ dppfcdone \
	PREFETCHT0 0(R10) \
	PREFETCHT0 64(R10) \
	PREFETCHT0 128(R10) \
	PREFETCHT0 192(R10) \
	PREFETCHT0 256(R10) \
	PREFETCHT0 320(R10) \
	PREFETCHT0 384(R10) \
	PREFETCHT0 448(R10) \
	PREFETCHT0 512(R10) \
	PREFETCHT0 576(R10) \
	PREFETCHT0 640(R10) \
	PREFETCHT0 704(R10) \
	PREFETCHT0 768(R10) \
	PREFETCHT0 832(R10) \
	PREFETCHT0 896(R10) \
	PREFETCHT0 960(R10) \
	PREFETCHT0 1024(R10) \
	PREFETCHT0 1088(R10) \
	PREFETCHT0 1152(R10) \
	PREFETCHT0 1216(R10) \
	PREFETCHT0 1280(R10) \
	PREFETCHT0 1344(R10) \
	PREFETCHT0 1408(R10) \
	PREFETCHT0 1472(R10) \
dppfcdone:

// DPPFBODY(PF) is the body of bf16dpKernelPfAVX512 and
// bf16dpKernelPf0AVX512, PF the prefetch instruction. During the loop R12
// is the prefetch address, R13 pfStep, CX the bytes left in its segment
// and R11 pfSkip.
#define DPPFBODY(PF) \
	MOVQ kp2+0(FP), AX \
	MOVQ w+8(FP), SI \
	MOVQ ldw+16(FP), DX \
	MOVQ x+24(FP), BX \
	MOVQ c+32(FP), R10 \
	DPPFC(flags+48(FP)) \
	MOVQ pf+56(FP), R12 \
	MOVQ pfStep+64(FP), R13 \
	MOVQ pfLeft+72(FP), CX \
	MOVQ pfSkip+88(FP), R11 \
	TILE12_SETUP \
	TILE12_ZERO \
	BTQ $0, AX \
	JCC dppfpairs \
	DPSTEP32(0, 0, 64) \
	ADDQ $4, SI \
	ADDQ $4, DI \
	ADDQ $128, BX \
dppfpairs: \
	SHRQ $1, AX \
	JEQ dppfdone \
dppfloop: \
	DPSTEP32(0, 0, 64) \
	PF (R12) \
	ADDQ R13, R12 \
	SUBQ R13, CX \
	JGT dppfin \
	ADDQ R11, R12 \
	ADDQ pfSeg+80(FP), CX \
dppfin: \
	DPSTEP32(4, 128, 192) \
	ADDQ $8, SI \
	ADDQ $8, DI \
	ADDQ $256, BX \
	DECQ AX \
	JNZ dppfloop \
dppfdone: \
	DPEPILOGUE(flags+48(FP), bias+40(FP)) \
	VZEROUPPER \
	RET

// func bf16dpKernelAVX512(kp2 int, w *uint16, ldw int, x *uint16, c *float32, wide int, bias *float32, flags int)
TEXT ·bf16dpKernelAVX512(SB), NOSPLIT, $0-64
	MOVQ kp2+0(FP), AX
	MOVQ w+8(FP), SI
	MOVQ ldw+16(FP), DX
	MOVQ x+24(FP), BX
	MOVQ c+32(FP), R10
	DPPFC(flags+56(FP))
	TILE12_SETUP
	TILE12_ZERO
	CMPQ wide+40(FP), $0
	JEQ dploop16
	TILE12_LOOP(DPSTEP32)
	JMP dpdone
dploop16:
	VMOVDQU32 0(BX), Z24
	TILE12_ROWS(DPROW16, 0)
	ADDQ $4, SI
	ADDQ $4, DI
	ADDQ $128, BX
	DECQ AX
	JNZ dploop16
dpdone:
	DPEPILOGUE(flags+56(FP), bias+48(FP))
	VZEROUPPER
	RET

// func bf16dpKernelPfAVX512(kp2 int, w *uint16, ldw int, x *uint16, c *float32, bias *float32, flags int, pf *uint16, pfStep, pfLeft, pfSeg, pfSkip int)
// bf16dpKernelAVX512 on 32 tokens (wide = 1) that also prefetches into
// L2, every two K pairs, an address pfStep bytes after the last from pf,
// through segments of pfSeg bytes pfSkip bytes apart (pfLeft bytes left
// in the first).
TEXT ·bf16dpKernelPfAVX512(SB), NOSPLIT, $0-96
	DPPFBODY(PREFETCHT1)

// func bf16dpKernelPf0AVX512(kp2 int, w *uint16, ldw int, x *uint16, c *float32, bias *float32, flags int, pf *uint16, pfStep, pfLeft, pfSeg, pfSkip int)
// bf16dpKernelPfAVX512 prefetching into L1.
TEXT ·bf16dpKernelPf0AVX512(SB), NOSPLIT, $0-96
	DPPFBODY(PREFETCHT0)

// func bf16dpKernelPfXAVX512(kp2 int, w *uint16, ldw int, x *uint16, c *float32, bias *float32, flags int, pf *uint16)
// bf16dpKernelAVX512 on 32 tokens (wide = 1) that also prefetches into
// L2 the 128·(kp2/2)·2 bytes from pf, 256 every two K pairs: the next
// token panel's K block, a tile ahead of its first use (R12).
TEXT ·bf16dpKernelPfXAVX512(SB), NOSPLIT, $0-64
	MOVQ kp2+0(FP), AX
	MOVQ w+8(FP), SI
	MOVQ ldw+16(FP), DX
	MOVQ x+24(FP), BX
	MOVQ c+32(FP), R10
	DPPFC(flags+48(FP))
	MOVQ pf+56(FP), R12
	TILE12_SETUP
	TILE12_ZERO
	BTQ $0, AX
	JCC dppxpairs
	DPSTEP32(0, 0, 64)
	ADDQ $4, SI
	ADDQ $4, DI
	ADDQ $128, BX
dppxpairs:
	SHRQ $1, AX
	JEQ dppxdone
dppxloop:
	DPSTEP32(0, 0, 64)
	PREFETCHT1 0(R12)
	PREFETCHT1 64(R12)
	DPSTEP32(4, 128, 192)
	PREFETCHT1 128(R12)
	PREFETCHT1 192(R12)
	ADDQ $256, R12
	ADDQ $8, SI
	ADDQ $8, DI
	ADDQ $256, BX
	DECQ AX
	JNZ dppxloop
dppxdone:
	DPEPILOGUE(flags+48(FP), bias+40(FP))
	VZEROUPPER
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

// The short tiles of dpRows (4 or 8 rows), which the 12-row tile would
// otherwise finish with rows computed twice: row i's accumulators Z(2i)
// (tokens 0–15) and Z(2i+1) (16–31) as in the 12-row tile, each row's
// pair broadcast into one of Z26–Z29, the tokens' pairs in Z24, Z25. SI
// rows 0–3, DI rows 4–7, DX = ldw, R8 = 3·ldw; BX walks x, AX counts K
// pairs, R10 is c.

// DPSHORT(row, zb, b, lo, hi) is one row of a K pair on 32 tokens,
// DPSHORT16 on 16.
#define DPSHORT(row, zb, b, lo, hi) \
	VPBROADCASTD row, zb \
	DPBF16(lo, 24, b) \
	DPBF16(hi, 25, b)

#define DPSHORT16(row, zb, b, lo, hi) \
	VPBROADCASTD row, zb \
	DPBF16(lo, 24, b)

#define DPROWS4(R) \
	R((SI), Z26, 26, 0, 1) \
	R((SI)(DX*1), Z27, 27, 2, 3) \
	R((SI)(DX*2), Z28, 28, 4, 5) \
	R((SI)(R8*1), Z29, 29, 6, 7)

#define DPROWS8(R) \
	DPROWS4(R) \
	R((DI), Z26, 26, 8, 9) \
	R((DI)(DX*1), Z27, 27, 10, 11) \
	R((DI)(DX*2), Z28, 28, 12, 13) \
	R((DI)(R8*1), Z29, 29, 14, 15)

// func bf16dpShortAVX512(kp2 int, w *uint16, ldw int, x *uint16, c *float32, wide, rows int, m *float32)
// bf16dpKernelAVX512 on rows = 4 or 8 W rows, from zero, without bias
// or earlier sums: c[i·32+j] = Σ_p the pair products, i < rows; with
// wide = 0 only tokens j < 16 (the others' sums 0). Unless m is nil,
// m[j] = max(m[j], c[i·32+j] for i < rows), j < 32 (DPMAX).
TEXT ·bf16dpShortAVX512(SB), NOSPLIT, $0-64
	MOVQ kp2+0(FP), AX
	MOVQ w+8(FP), SI
	MOVQ ldw+16(FP), DX
	MOVQ x+24(FP), BX
	MOVQ c+32(FP), R10
	LEAQ (DX)(DX*2), R8
	LEAQ (SI)(DX*4), DI
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
	MOVQ wide+40(FP), CX
	CMPQ rows+48(FP), $4
	JEQ dps4
	TESTQ CX, CX
	JEQ dps8n
dps8w:
	VMOVDQU32 0(BX), Z24
	VMOVDQU32 64(BX), Z25
	DPROWS8(DPSHORT)
	ADDQ $4, SI
	ADDQ $4, DI
	ADDQ $128, BX
	DECQ AX
	JNZ dps8w
	JMP dps8store
dps8n:
	VMOVDQU32 0(BX), Z24
	DPROWS8(DPSHORT16)
	ADDQ $4, SI
	ADDQ $4, DI
	ADDQ $128, BX
	DECQ AX
	JNZ dps8n
	JMP dps8store
dps4:
	TESTQ CX, CX
	JEQ dps4n
dps4w:
	VMOVDQU32 0(BX), Z24
	VMOVDQU32 64(BX), Z25
	DPROWS4(DPSHORT)
	ADDQ $4, SI
	ADDQ $128, BX
	DECQ AX
	JNZ dps4w
	JMP dps4store
dps4n:
	VMOVDQU32 0(BX), Z24
	DPROWS4(DPSHORT16)
	ADDQ $4, SI
	ADDQ $128, BX
	DECQ AX
	JNZ dps4n
	JMP dps4store
dps8store:
	VMOVDQU32 Z9, 576(R10)
	VMOVDQU32 Z11, 704(R10)
	VMOVDQU32 Z13, 832(R10)
	VMOVDQU32 Z15, 960(R10)
	VMOVDQU32 Z8, 512(R10)
	VMOVDQU32 Z10, 640(R10)
	VMOVDQU32 Z12, 768(R10)
	VMOVDQU32 Z14, 896(R10)
dps4store:
	VMOVDQU32 Z1, 64(R10)
	VMOVDQU32 Z3, 192(R10)
	VMOVDQU32 Z5, 320(R10)
	VMOVDQU32 Z7, 448(R10)
	VMOVDQU32 Z0, 0(R10)
	VMOVDQU32 Z2, 128(R10)
	VMOVDQU32 Z4, 256(R10)
	VMOVDQU32 Z6, 384(R10)
	MOVQ m+56(FP), R11
	TESTQ R11, R11
	JEQ dpsdone
	CMPQ rows+48(FP), $4
	JEQ dps4max
	VMAXPS Z8, Z0, Z0
	VMAXPS Z9, Z1, Z1
	VMAXPS Z10, Z2, Z2
	VMAXPS Z11, Z3, Z3
	VMAXPS Z12, Z4, Z4
	VMAXPS Z13, Z5, Z5
	VMAXPS Z14, Z6, Z6
	VMAXPS Z15, Z7, Z7
dps4max:
	VMAXPS Z2, Z0, Z0
	VMAXPS Z3, Z1, Z1
	VMAXPS Z6, Z4, Z4
	VMAXPS Z7, Z5, Z5
	VMAXPS Z4, Z0, Z0
	VMAXPS Z5, Z1, Z1
	VMAXPS (R11), Z0, Z0
	VMAXPS 64(R11), Z1, Z1
	VMOVUPS Z0, (R11)
	VMOVUPS Z1, 64(R11)
dpsdone:
	VZEROUPPER
	RET

// DPMAX merges the column maxima of the 12-row tile's sums (Z0–Z23)
// into m [32] at R11: m[j] = max(m[j], the 12 sums of token j), in an
// order of its own (maxima of floats differ by order only in which of
// +0 and −0, or which NaN, they keep). Z24–Z31 scratch.
#define DPMAX \
	VMAXPS Z2, Z0, Z24 \
	VMAXPS Z6, Z4, Z26 \
	VMAXPS Z10, Z8, Z27 \
	VMAXPS Z14, Z12, Z28 \
	VMAXPS Z18, Z16, Z29 \
	VMAXPS Z22, Z20, Z30 \
	VMAXPS Z26, Z24, Z24 \
	VMAXPS Z28, Z27, Z27 \
	VMAXPS Z30, Z29, Z29 \
	VMAXPS Z27, Z24, Z24 \
	VMAXPS Z29, Z24, Z24 \
	VMAXPS (R11), Z24, Z24 \
	VMOVUPS Z24, (R11) \
	VMAXPS Z3, Z1, Z25 \
	VMAXPS Z7, Z5, Z26 \
	VMAXPS Z11, Z9, Z27 \
	VMAXPS Z15, Z13, Z28 \
	VMAXPS Z19, Z17, Z29 \
	VMAXPS Z23, Z21, Z30 \
	VMAXPS Z26, Z25, Z25 \
	VMAXPS Z28, Z27, Z27 \
	VMAXPS Z30, Z29, Z29 \
	VMAXPS Z27, Z25, Z25 \
	VMAXPS Z29, Z25, Z25 \
	VMAXPS 64(R11), Z25, Z25 \
	VMOVUPS Z25, 64(R11)

// DPPF asks for the line at R12 (PREFETCHT1) and moves R12 to the next
// line while R13, counted down, stays above zero: lines lines from pf,
// then the last of them again (or pf again for lines 0).
#define DPPF \
	PREFETCHT1 (R12) \
	DECQ R13 \
	LEAQ 64(R12), R14 \
	CMOVQGT R14, R12

// func bf16dpMaxAVX512(kp2 int, w *uint16, ldw int, x *uint16, c *float32, wide int, m *float32, pf *float32, lines int)
// bf16dpKernelAVX512 with flags 0 (the sums alone) and their column
// maxima merged into m [32] (DPMAX): the attention's scores, whose
// softmax then needs no pass for its maxima. One line from pf asked for
// after each K pair (DPPF, R12 and R13), the next head's q, k and v.
TEXT ·bf16dpMaxAVX512(SB), NOSPLIT, $0-72
	MOVQ kp2+0(FP), AX
	MOVQ w+8(FP), SI
	MOVQ ldw+16(FP), DX
	MOVQ x+24(FP), BX
	MOVQ c+32(FP), R10
	MOVQ pf+56(FP), R12
	MOVQ lines+64(FP), R13
	TILE12_SETUP
	TILE12_ZERO
	CMPQ wide+40(FP), $0
	JEQ dpmloop16
	BTQ $0, AX
	JCC dpmpairs
	DPSTEP32(0, 0, 64)
	DPPF
	ADDQ $4, SI
	ADDQ $4, DI
	ADDQ $128, BX
dpmpairs:
	SHRQ $1, AX
	JEQ dpmdone
dpmloop:
	DPSTEP32(0, 0, 64)
	DPPF
	DPSTEP32(4, 128, 192)
	DPPF
	ADDQ $8, SI
	ADDQ $8, DI
	ADDQ $256, BX
	DECQ AX
	JNZ dpmloop
	JMP dpmdone
dpmloop16:
	VMOVDQU32 0(BX), Z24
	TILE12_ROWS(DPROW16, 0)
	DPPF
	ADDQ $4, SI
	ADDQ $4, DI
	ADDQ $128, BX
	DECQ AX
	JNZ dpmloop16
dpmdone:
	TILE12_STORE(R10)
	MOVQ m+48(FP), R11
	DPMAX
	VZEROUPPER
	RET
