//go:build amd64 && gc && !purego

#include "textflag.h"

// The int8 micro-kernels, epilogue and activation quantizer for CPUs
// with AVX2 but not AVX-512 VNNI (lowprec_avx2_amd64.go): 256-bit
// registers, 16 of them.
//
// q8KernelVNNI256 (AVX-VNNI): a 6×16 tile of int32 sums per call of its
// group loop. Registers: Y0–Y11 the accumulators, row i in Y(2i) (tokens
// 0–7) and Y(2i+1) (tokens 8–15); Y12, Y13 the u8 quads of the 16 tokens
// at one K step of four; Y14 one W row's s8 quad, broadcast (VPBROADCASTD)
// and used for both halves: 8 loads per 12 VPDPBUSD. W rows: SI, with
// DX = ldw, R8 = 3·ldw, R9 = 5·ldw: (SI), (SI)(DX*1), (SI)(DX*2),
// (SI)(R8*1), (SI)(DX*4), (SI)(R9*1). BX walks x, AX counts K steps, CX
// the groups of 16 tokens, R10 is acc.
//
// q8KernelAVX2 (no VNNI): exact int16 products with VPMADDWD, which sums
// pairs of s16 products into int32 (no saturation, unlike VPMADDUBSW),
// then VPADDD. The u8 quads of 4 tokens are zero-extended to words
// (VPMOVZXBW: 4 tokens × 4 words in a register) and multiplied by a W
// row's quad, sign-extended to words beforehand (q8WidenAVX2) and
// broadcast as a qword (VPBROADCASTQ): lane 2t of the product holds
// token t's x0·w0 + x1·w1, lane 2t+1 its x2·w2 + x3·w3. A 6×8 tile:
// Y0–Y11 the accumulators, row i in Y(2i) (tokens 0–3) and Y(2i+1)
// (tokens 4–7); Y12, Y13 the widened x of tokens 0–3 and 4–7; Y14 the
// broadcast W quad; Y15 the product. At the end VPHADDD adds the lane
// pairs and VPERMQ puts the 8 tokens in order. Same address registers as
// q8KernelVNNI256 (W rows of int16, ldw in bytes), CX counts groups of 8
// tokens.

// VPDPBUSD_Y(d, u, s) is VPDPBUSD on ymm registers in its VEX form
// (AVX-VNNI), which Go's assembler lacks (it encodes the EVEX form,
// AVX512_VNNI+VL): Yd += Σ of the u8 quads of Yu × the s8 quads of Ys.
// Intel: vpdpbusd ymm_d, ymm_u, ymm_s = VEX.256.66.0F38.W0 50 /r:
// C4, RXB̄+map 0F38 (R̄ for d ≥ 8, B̄ for s ≥ 8), W0 v̄v̄v̄v̄ (u) L1 pp 66,
// opcode 50, ModRM 11 d s.
#define VPDPBUSD_Y(d, u, s) BYTE $0xC4; BYTE $(0xE2 ^ ((d>>3)<<7) ^ ((s>>3)<<5)); BYTE $(0x05 | ((15-u)<<3)); BYTE $0x50; BYTE $(0xC0 | ((d&7)<<3) | (s&7))

// ZERO12 clears the accumulators Y0–Y11.
#define ZERO12 \
	VPXOR Y0, Y0, Y0 \
	VPXOR Y1, Y1, Y1 \
	VPXOR Y2, Y2, Y2 \
	VPXOR Y3, Y3, Y3 \
	VPXOR Y4, Y4, Y4 \
	VPXOR Y5, Y5, Y5 \
	VPXOR Y6, Y6, Y6 \
	VPXOR Y7, Y7, Y7 \
	VPXOR Y8, Y8, Y8 \
	VPXOR Y9, Y9, Y9 \
	VPXOR Y10, Y10, Y10 \
	VPXOR Y11, Y11, Y11

// VNNISTEP(row, a, b) multiplies the broadcast s8 quad of W row at row
// into accumulators a (tokens 0–7) and b (8–15).
#define VNNISTEP(row, a, b) \
	VPBROADCASTD row, Y14 \
	VPDPBUSD_Y(a, 12, 14) \
	VPDPBUSD_Y(b, 13, 14)

// func q8KernelVNNI256(groups int, kq4 int, wq *int8, ldw int, x *uint8, acc *int32)
TEXT ·q8KernelVNNI256(SB), NOSPLIT, $0-48
	MOVQ groups+0(FP), CX
	MOVQ ldw+24(FP), DX
	MOVQ x+32(FP), R11
	MOVQ acc+40(FP), R10
	LEAQ (DX)(DX*2), R8
	LEAQ (DX)(DX*4), R9
vnnigroup:
	MOVQ kq4+8(FP), AX
	MOVQ wq+16(FP), SI
	MOVQ R11, BX
	ZERO12
vnniloop256:
	VMOVDQU (BX), Y12
	VMOVDQU 32(BX), Y13
	VNNISTEP((SI), 0, 1)
	VNNISTEP((SI)(DX*1), 2, 3)
	VNNISTEP((SI)(DX*2), 4, 5)
	VNNISTEP((SI)(R8*1), 6, 7)
	VNNISTEP((SI)(DX*4), 8, 9)
	VNNISTEP((SI)(R9*1), 10, 11)
	ADDQ $4, SI
	ADDQ $128, BX
	DECQ AX
	JNZ vnniloop256
	VMOVDQU Y0, 0(R10)
	VMOVDQU Y1, 32(R10)
	VMOVDQU Y2, 128(R10)
	VMOVDQU Y3, 160(R10)
	VMOVDQU Y4, 256(R10)
	VMOVDQU Y5, 288(R10)
	VMOVDQU Y6, 384(R10)
	VMOVDQU Y7, 416(R10)
	VMOVDQU Y8, 512(R10)
	VMOVDQU Y9, 544(R10)
	VMOVDQU Y10, 640(R10)
	VMOVDQU Y11, 672(R10)
	ADDQ $64, R11
	ADDQ $64, R10
	DECQ CX
	JNZ vnnigroup
	VZEROUPPER
	RET

// MADDSTEP(row, a, b) multiplies the broadcast int16 quad of W row at row
// into accumulators a (tokens 0–3) and b (4–7).
#define MADDSTEP(row, a, b) \
	VPBROADCASTQ row, Y14 \
	VPMADDWD Y14, Y12, Y15 \
	VPADDD Y15, a, a \
	VPMADDWD Y14, Y13, Y15 \
	VPADDD Y15, b, b

// MADDSTORE(a, b, off) stores the 8 sums of accumulators a and b (lane
// pairs) in token order at off(R10).
#define MADDSTORE(a, b, off) \
	VPHADDD b, a, a \
	VPERMQ $0xD8, a, a \
	VMOVDQU a, off(R10)

// func q8KernelAVX2(groups int, kq4 int, w16 *int16, ldw int, x *uint8, acc *int32)
TEXT ·q8KernelAVX2(SB), NOSPLIT, $0-48
	MOVQ groups+0(FP), CX
	MOVQ ldw+24(FP), DX
	MOVQ x+32(FP), R11
	MOVQ acc+40(FP), R10
	LEAQ (DX)(DX*2), R8
	LEAQ (DX)(DX*4), R9
maddgroup:
	MOVQ kq4+8(FP), AX
	MOVQ w16+16(FP), SI
	MOVQ R11, BX
	ZERO12
maddloop:
	VPMOVZXBW (BX), Y12
	VPMOVZXBW 16(BX), Y13
	MADDSTEP((SI), Y0, Y1)
	MADDSTEP((SI)(DX*1), Y2, Y3)
	MADDSTEP((SI)(DX*2), Y4, Y5)
	MADDSTEP((SI)(R8*1), Y6, Y7)
	MADDSTEP((SI)(DX*4), Y8, Y9)
	MADDSTEP((SI)(R9*1), Y10, Y11)
	ADDQ $8, SI
	ADDQ $128, BX
	DECQ AX
	JNZ maddloop
	MADDSTORE(Y0, Y1, 0)
	MADDSTORE(Y2, Y3, 128)
	MADDSTORE(Y4, Y5, 256)
	MADDSTORE(Y6, Y7, 384)
	MADDSTORE(Y8, Y9, 512)
	MADDSTORE(Y10, Y11, 640)
	ADDQ $32, R11
	ADDQ $32, R10
	DECQ CX
	JNZ maddgroup
	VZEROUPPER
	RET

// func q8WidenAVX2(dst *int16, src *int8, n16 int)
// dst[i] = int16(src[i]) for i < 16·n16, 16 at a time (VPMOVSXBW).
TEXT ·q8WidenAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n16+16(FP), CX
widen:
	VPMOVSXBW (SI), Y0
	VMOVDQU Y0, (DI)
	ADDQ $16, SI
	ADDQ $32, DI
	DECQ CX
	JNZ widen
	VZEROUPPER
	RET

// Q8EPI(off, zxr, sxr) is q8EpilogueAVX2 on the 8 tokens off bytes into
// the row (zx in zxr, sx in sxr); Y4 the row's wsum, Y5 its sw, Y6 its
// bias, broadcast.
#define Q8EPI(off, zxr, sxr) \
	VMOVDQU off(SI), Y0 \
	VPMULLD zxr, Y4, Y1 \
	VPSUBD Y1, Y0, Y0 \
	VCVTDQ2PS Y0, Y0 \
	VMULPS sxr, Y5, Y1 \
	VMULPS Y1, Y0, Y0 \
	TESTQ $2, DX \
	JEQ 2(PC) \
	VADDPS Y6, Y0, Y0 \
	TESTQ $1, DX \
	JEQ 2(PC) \
	VADDPS off(DI), Y0, Y0 \
	VMOVUPS Y0, off(DI)

// func q8EpilogueAVX2(acc *int32, dst *float32, rows int, sw *float32, wsum *int32, sx *float32, zx *int32, bias *float32, flags int, wide int)
// q8EpilogueAVX512 on ymm registers: per row, tokens in groups of 8
// (four, or two when wide = 0).
TEXT ·q8EpilogueAVX2(SB), NOSPLIT, $0-80
	MOVQ acc+0(FP), SI
	MOVQ dst+8(FP), DI
	MOVQ rows+16(FP), CX
	MOVQ sw+24(FP), R11
	MOVQ wsum+32(FP), R10
	MOVQ sx+40(FP), R9
	MOVQ zx+48(FP), R8
	MOVQ bias+56(FP), R12
	MOVQ flags+64(FP), DX
	MOVQ wide+72(FP), BX
	VMOVDQU (R8), Y8
	VMOVDQU 32(R8), Y9
	VMOVUPS (R9), Y12
	VMOVUPS 32(R9), Y13
	TESTQ BX, BX
	JEQ q8epi2
	VMOVDQU 64(R8), Y10
	VMOVDQU 96(R8), Y11
	VMOVUPS 64(R9), Y14
	VMOVUPS 96(R9), Y15
q8epi2:
	VPBROADCASTD (R10), Y4
	VBROADCASTSS (R11), Y5
	VBROADCASTSS (R12), Y6
	Q8EPI(0, Y8, Y12)
	Q8EPI(32, Y9, Y13)
	TESTQ BX, BX
	JEQ q8epi2_next
	Q8EPI(64, Y10, Y14)
	Q8EPI(96, Y11, Y15)
q8epi2_next:
	ADDQ $128, SI
	ADDQ $128, DI
	ADDQ $4, R10
	ADDQ $4, R11
	ADDQ $4, R12
	DECQ CX
	JNZ q8epi2
	VZEROUPPER
	RET

// Q8QUANT(off, r, invr, zxr) quantizes the 8 floats at off(SI) into the
// dwords of r: round(x·inv) + zx, clamped to [0, 255]; Y14 = 0, Y15 = 255.
#define Q8QUANT(off, r, invr, zxr) \
	VMULPS off(SI), invr, r \
	VCVTPS2DQ r, r \
	VPADDD zxr, r, r \
	VPMAXSD Y14, r, r \
	VPMINSD Y15, r, r

// Q8PACK(off, invr, zxr) is one K step of four of the 8 tokens off
// bytes into a row: their four quantized values (rows at off, off+128,
// off+256, off+384 of src) packed into the bytes of one dword per token.
#define Q8PACK(off, invr, zxr) \
	Q8QUANT(off, Y0, invr, zxr) \
	Q8QUANT(128+off, Y1, invr, zxr) \
	Q8QUANT(256+off, Y2, invr, zxr) \
	Q8QUANT(384+off, Y3, invr, zxr) \
	VPSLLD $8, Y1, Y1 \
	VPSLLD $16, Y2, Y2 \
	VPSLLD $24, Y3, Y3 \
	VPOR Y1, Y0, Y0 \
	VPOR Y3, Y2, Y2 \
	VPOR Y2, Y0, Y0 \
	VMOVDQU Y0, off(DI)

// func q8PanelAVX2(dst *uint8, src *float32, kq4 int, inv *[32]float32, zx *int32)
// q8PanelAVX512 on ymm registers: Y6–Y9 inv, Y10–Y13 zx of tokens 8c..
// 8c+7, c < 4.
TEXT ·q8PanelAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ kq4+16(FP), CX
	MOVQ inv+24(FP), AX
	MOVQ zx+32(FP), BX
	VMOVUPS (AX), Y6
	VMOVUPS 32(AX), Y7
	VMOVUPS 64(AX), Y8
	VMOVUPS 96(AX), Y9
	VMOVDQU (BX), Y10
	VMOVDQU 32(BX), Y11
	VMOVDQU 64(BX), Y12
	VMOVDQU 96(BX), Y13
	VPXOR Y14, Y14, Y14
	MOVL $255, AX
	MOVQ AX, X15
	VPBROADCASTD X15, Y15
q8panel2:
	Q8PACK(0, Y6, Y10)
	Q8PACK(32, Y7, Y11)
	Q8PACK(64, Y8, Y12)
	Q8PACK(96, Y9, Y13)
	ADDQ $512, SI
	ADDQ $128, DI
	DECQ CX
	JNZ q8panel2
	VZEROUPPER
	RET

// func minMaxPanelAVX2(src *float32, k int, lo, hi *[32]float32)
// Y0–Y3 the running minimum of tokens 8c..8c+7 (from 0), Y4–Y7 the
// maximum.
TEXT ·minMaxPanelAVX2(SB), NOSPLIT, $0-32
	MOVQ src+0(FP), SI
	MOVQ k+8(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
minmax2:
	VMINPS (SI), Y0, Y0
	VMINPS 32(SI), Y1, Y1
	VMINPS 64(SI), Y2, Y2
	VMINPS 96(SI), Y3, Y3
	VMAXPS (SI), Y4, Y4
	VMAXPS 32(SI), Y5, Y5
	VMAXPS 64(SI), Y6, Y6
	VMAXPS 96(SI), Y7, Y7
	ADDQ $128, SI
	DECQ CX
	JNZ minmax2
	MOVQ lo+16(FP), AX
	MOVQ hi+24(FP), BX
	VMOVUPS Y0, (AX)
	VMOVUPS Y1, 32(AX)
	VMOVUPS Y2, 64(AX)
	VMOVUPS Y3, 96(AX)
	VMOVUPS Y4, (BX)
	VMOVUPS Y5, 32(BX)
	VMOVUPS Y6, 64(BX)
	VMOVUPS Y7, 96(BX)
	VZEROUPPER
	RET

// func dotLoopVNNI256(n int)
// n rounds of 14 independent VEX VPDPBUSD into Y0–Y13: 14·64 = 896 OP
// per round.
TEXT ·dotLoopVNNI256(SB), NOSPLIT, $0-8
	MOVQ n+0(FP), CX
	ZERO12
	VPXOR Y12, Y12, Y12
	VPXOR Y13, Y13, Y13
	VPXOR Y14, Y14, Y14
	VPXOR Y15, Y15, Y15
	TESTQ CX, CX
	JEQ vnni256loop_done
vnni256loop:
	VPDPBUSD_Y(0, 14, 15)
	VPDPBUSD_Y(1, 14, 15)
	VPDPBUSD_Y(2, 14, 15)
	VPDPBUSD_Y(3, 14, 15)
	VPDPBUSD_Y(4, 14, 15)
	VPDPBUSD_Y(5, 14, 15)
	VPDPBUSD_Y(6, 14, 15)
	VPDPBUSD_Y(7, 14, 15)
	VPDPBUSD_Y(8, 14, 15)
	VPDPBUSD_Y(9, 14, 15)
	VPDPBUSD_Y(10, 14, 15)
	VPDPBUSD_Y(11, 14, 15)
	VPDPBUSD_Y(12, 14, 15)
	VPDPBUSD_Y(13, 14, 15)
	DECQ CX
	JNZ vnni256loop
vnni256loop_done:
	VZEROUPPER
	RET

// MADDPAIR(t, a) is one VPMADDWD of Y14 and Y15 into t added to a.
#define MADDPAIR(t, a) \
	VPMADDWD Y15, Y14, t \
	VPADDD t, a, a

// func dotLoopMADDWD(n int)
// n rounds of 7 independent VPMADDWD + VPADDD pairs (the q8KernelAVX2
// step, 16 multiply-adds each) into Y0–Y6, products in Y7–Y13: 7·32 =
// 224 OP per round.
TEXT ·dotLoopMADDWD(SB), NOSPLIT, $0-8
	MOVQ n+0(FP), CX
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y14, Y14, Y14
	VPXOR Y15, Y15, Y15
	TESTQ CX, CX
	JEQ maddloop_done
maddpeak:
	MADDPAIR(Y7, Y0)
	MADDPAIR(Y8, Y1)
	MADDPAIR(Y9, Y2)
	MADDPAIR(Y10, Y3)
	MADDPAIR(Y11, Y4)
	MADDPAIR(Y12, Y5)
	MADDPAIR(Y13, Y6)
	DECQ CX
	JNZ maddpeak
maddloop_done:
	VZEROUPPER
	RET

// BF16ROUND(off, r, t, doff) rounds the 8 float32 at off(SI) to bf16
// (ties to even: u + 0x7fff + (u>>16 & 1), low half cleared) in r, with
// t a temporary, and stores them at doff(DI). Y13 = 1, Y14 = 0x7fff,
// Y15 = 0xffff0000.
#define BF16ROUND(off, r, t, doff) \
	VMOVDQU off(SI), r \
	VPSRLD $16, r, t \
	VPAND Y13, t, t \
	VPADDD Y14, r, r \
	VPADDD t, r, r \
	VPAND Y15, r, r \
	VMOVDQU r, doff(DI)

// func bf16PanelAVX2(dst, src *float32, pairs int)
// bf16PanelAVX512 on ymm registers: per pair of rows of src (32 tokens
// each), each rounded to bf16 and stored in the other row of dst.
TEXT ·bf16PanelAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ pairs+16(FP), CX
	MOVL $1, AX
	MOVQ AX, X13
	VPBROADCASTD X13, Y13
	MOVL $0x7fff, AX
	MOVQ AX, X14
	VPBROADCASTD X14, Y14
	MOVL $0xffff0000, AX
	MOVQ AX, X15
	VPBROADCASTD X15, Y15
bf16pair2:
	BF16ROUND(0, Y0, Y8, 128)
	BF16ROUND(32, Y1, Y9, 160)
	BF16ROUND(64, Y2, Y10, 192)
	BF16ROUND(96, Y3, Y11, 224)
	BF16ROUND(128, Y4, Y8, 0)
	BF16ROUND(160, Y5, Y9, 32)
	BF16ROUND(192, Y6, Y10, 64)
	BF16ROUND(224, Y7, Y11, 96)
	ADDQ $256, SI
	ADDQ $256, DI
	DECQ CX
	JNZ bf16pair2
	VZEROUPPER
	RET

// func bf16ExpandAVX2(dst *float32, src *uint16, n16 int)
// 16 bf16 values at a time: zero-extended to dwords, shifted up 16.
TEXT ·bf16ExpandAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n16+16(FP), CX
bf16exp2:
	VPMOVZXWD (SI), Y0
	VPMOVZXWD 16(SI), Y1
	VPSLLD $16, Y0, Y0
	VPSLLD $16, Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ $32, SI
	ADDQ $64, DI
	DECQ CX
	JNZ bf16exp2
	VZEROUPPER
	RET
