//go:build amd64 && gc && !purego

#include "textflag.h"
#include "bf16_amd64.h"
#include "tile12_amd64.h"

// The int8 micro-kernel, its epilogue and the activation conversions of
// the bf16 and int8 Linear (lowprec.go), written by hand.
//
// q8TileAVX512: a 12×32 (or 12×16) tile of u8 activations × s8 weights,
// its int32 sums and then, on them in their registers, the epilogue
// (q8EpilogueAVX512's, which the AMX tiles use; storing the sums and
// calling it took 4–5% of the int8 forward). Registers as
// tile12_amd64.h lays them out: Z0–Z23 the accumulators (12×16: row i
// in Zi); Z24, Z25 the four u8 values of 32 tokens at one K step of
// four; each weight quad is loaded once (VPBROADCASTD into Z26–Z31) for
// both halves of the 12×32 tile, 14 loads per 24 VPDPBUSD rather than 26
// (12×16: broadcast by VPDPBUSD itself). DX = ldw, BX walks x, AX counts
// K steps (12×32: pairs of them, after a single step for an odd kq4).

// Q8STEP32 is one K step of four of the 12×32 int8 tile (TILE12_LOOP):
// the 32 tokens' u8 quads of the step at w0(BX) and w1(BX) (Z24, Z25),
// each of the 12 weight rows' s8 quad (x bytes on) broadcast once and
// multiplied into its row's two accumulators (Q8ROW32).
#define Q8ROW32(x, row, zb, b, zlo, lo, zhi, hi) \
	VPBROADCASTD x row, zb \
	VPDPBUSD zb, Z24, zlo \
	VPDPBUSD zb, Z25, zhi

#define Q8STEP32(x, w0, w1) \
	VMOVDQU32 w0(BX), Z24 \
	VMOVDQU32 w1(BX), Z25 \
	TILE12_ROWS(Q8ROW32, x)

// PREFETCHW_R11 is PREFETCHW (R11), which Go's assembler lacks (0F 0D /1,
// REX.B for R11): the line at R11 into L1 in a state ready to be written.
// Every CPU with AVX-512 VNNI, the only ones that run this kernel, has
// it (CPUID PRFCHW: Intel from Broadwell, every AMD64).
#define PREFETCHW_R11 BYTE $0x41; BYTE $0x0F; BYTE $0x0D; BYTE $0x0B

// Q8STEP32PF is Q8STEP32 that also asks for one line of the next output
// tile (PREFETCHW_R11), moving R11 a line on until it reaches R14: the
// lines arrive, ready for the epilogue's stores, while the tile computes
// (PREFETCHT1, into L2 only, left the stores waiting: int8 forward 0.97×
// the time at batch 8); and one line of the next W micro-panel's share
// (CX, until R12): at batch 1 each W row comes from memory once per call.
#define Q8STEP32PF(x, w0, w1) \
	Q8STEP32(x, w0, w1) \
	PREFETCHW_R11 \
	LEAQ 64(R11), R13 \
	CMPQ R13, R14 \
	CMOVQLT R13, R11 \
	PREFETCHT1 (CX) \
	LEAQ 64(CX), R13 \
	CMPQ R13, R12 \
	CMOVQLT R13, CX

// Q8FIX32 is the first part of the epilogue (q8Generic's) on row i's
// accumulators zlo, zhi (int32 sums of tokens 0–15, 16–31), wo = 4·i:
// the zero point's term wsum[i]·zx[j] subtracted, the difference
// converted to float32 and multiplied by sw[i]·sx[j]. R10 is wsum, SI
// sw; Z24, Z25 hold zx, Z26, Z27 sx; Z28, Z29 are scratch.
#define Q8FIX32(wo, zlo, zhi) \
	VPBROADCASTD wo(R10), Z28 \
	VPMULLD Z24, Z28, Z29 \
	VPSUBD Z29, zlo, zlo \
	VPMULLD Z25, Z28, Z29 \
	VPSUBD Z29, zhi, zhi \
	VCVTDQ2PS zlo, zlo \
	VCVTDQ2PS zhi, zhi \
	VBROADCASTSS wo(SI), Z28 \
	VMULPS Z26, Z28, Z29 \
	VMULPS Z29, zlo, zlo \
	VMULPS Z27, Z28, Z29 \
	VMULPS Z29, zhi, zhi

// Q8BIAS32 adds bias[i] (R12) to row i; Q8LOAD32 adds the tile's row in
// c (DI, co = 128·i bytes on); Q8STORE32 stores it there.
#define Q8BIAS32(wo, zlo, zhi) \
	VBROADCASTSS wo(R12), Z28 \
	VADDPS Z28, zlo, zlo \
	VADDPS Z28, zhi, zhi

#define Q8LOAD32(co, co2, zlo, zhi) \
	VADDPS co(DI), zlo, zlo \
	VADDPS co2(DI), zhi, zhi

#define Q8STORE32(co, co2, zlo, zhi) \
	VMOVUPS zlo, co(DI) \
	VMOVUPS zhi, co2(DI)

// The same on the 12×16 tile, row i in Zi (tokens 0–15 only).
#define Q8FIX16(wo, z) \
	VPBROADCASTD wo(R10), Z28 \
	VPMULLD Z24, Z28, Z29 \
	VPSUBD Z29, z, z \
	VCVTDQ2PS z, z \
	VBROADCASTSS wo(SI), Z28 \
	VMULPS Z26, Z28, Z29 \
	VMULPS Z29, z, z

#define Q8BIAS16(wo, z) \
	VBROADCASTSS wo(R12), Z28 \
	VADDPS Z28, z, z

// Q8EPIARGS loads q8TileAVX512's epilogue operands once the K loop is
// done with the registers: DI = c, SI = sw, R10 = wsum, R9 = sx, R8 = zx,
// R12 = bias, DX = flags.
#define Q8EPIARGS \
	MOVQ c+40(FP), DI \
	MOVQ sw+48(FP), SI \
	MOVQ wsum+56(FP), R10 \
	MOVQ sx+64(FP), R9 \
	MOVQ zx+72(FP), R8 \
	MOVQ bias+80(FP), R12 \
	MOVQ flags+88(FP), DX

// func q8TileAVX512(wide int, kq4 int, wq *int8, ldw int, x *uint8, c, sw *float32, wsum *int32, sx *float32, zx *int32, bias *float32, flags int, pf *float32, pfLines int, pfw *int8, pfwLines int)
// Q8STEP32PF also walks a second region a line a step, CX to R12: a part
// of the next W micro-panel (pfw, pfwLines lines). After the K loop the
// epilogue runs on the accumulators in place: all rows' scale, then the
// bias, then c's values, in q8Generic's order.
TEXT ·q8TileAVX512(SB), NOSPLIT, $0-128
	MOVQ kq4+8(FP), AX
	MOVQ wq+16(FP), SI
	MOVQ ldw+24(FP), DX
	MOVQ x+32(FP), BX
	MOVQ pf+96(FP), R11
	MOVQ pfLines+104(FP), R14
	SHLQ $6, R14
	ADDQ R11, R14
	MOVQ pfw+112(FP), CX
	MOVQ pfwLines+120(FP), R12
	SHLQ $6, R12
	ADDQ CX, R12
	TILE12_SETUP
	CMPQ wide+0(FP), $0
	JEQ narrow
	TILE12_ZERO
	TILE12_LOOP(Q8STEP32PF)
	Q8EPIARGS
	VMOVDQU32 (R8), Z24
	VMOVDQU32 64(R8), Z25
	VMOVUPS (R9), Z26
	VMOVUPS 64(R9), Z27
	Q8FIX32(0, Z0, Z1)
	Q8FIX32(4, Z2, Z3)
	Q8FIX32(8, Z4, Z5)
	Q8FIX32(12, Z6, Z7)
	Q8FIX32(16, Z8, Z9)
	Q8FIX32(20, Z10, Z11)
	Q8FIX32(24, Z12, Z13)
	Q8FIX32(28, Z14, Z15)
	Q8FIX32(32, Z16, Z17)
	Q8FIX32(36, Z18, Z19)
	Q8FIX32(40, Z20, Z21)
	Q8FIX32(44, Z22, Z23)
	TESTQ $2, DX
	JEQ nobias32
	Q8BIAS32(0, Z0, Z1)
	Q8BIAS32(4, Z2, Z3)
	Q8BIAS32(8, Z4, Z5)
	Q8BIAS32(12, Z6, Z7)
	Q8BIAS32(16, Z8, Z9)
	Q8BIAS32(20, Z10, Z11)
	Q8BIAS32(24, Z12, Z13)
	Q8BIAS32(28, Z14, Z15)
	Q8BIAS32(32, Z16, Z17)
	Q8BIAS32(36, Z18, Z19)
	Q8BIAS32(40, Z20, Z21)
	Q8BIAS32(44, Z22, Z23)
nobias32:
	TESTQ $1, DX
	JEQ noload32
	Q8LOAD32(0, 64, Z0, Z1)
	Q8LOAD32(128, 192, Z2, Z3)
	Q8LOAD32(256, 320, Z4, Z5)
	Q8LOAD32(384, 448, Z6, Z7)
	Q8LOAD32(512, 576, Z8, Z9)
	Q8LOAD32(640, 704, Z10, Z11)
	Q8LOAD32(768, 832, Z12, Z13)
	Q8LOAD32(896, 960, Z14, Z15)
	Q8LOAD32(1024, 1088, Z16, Z17)
	Q8LOAD32(1152, 1216, Z18, Z19)
	Q8LOAD32(1280, 1344, Z20, Z21)
	Q8LOAD32(1408, 1472, Z22, Z23)
noload32:
	Q8STORE32(0, 64, Z0, Z1)
	Q8STORE32(128, 192, Z2, Z3)
	Q8STORE32(256, 320, Z4, Z5)
	Q8STORE32(384, 448, Z6, Z7)
	Q8STORE32(512, 576, Z8, Z9)
	Q8STORE32(640, 704, Z10, Z11)
	Q8STORE32(768, 832, Z12, Z13)
	Q8STORE32(896, 960, Z14, Z15)
	Q8STORE32(1024, 1088, Z16, Z17)
	Q8STORE32(1152, 1216, Z18, Z19)
	Q8STORE32(1280, 1344, Z20, Z21)
	Q8STORE32(1408, 1472, Z22, Z23)
	VZEROUPPER
	RET

narrow:
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
loop16:
	VMOVDQU32 (BX), Z24
	VPDPBUSD.BCST (SI), Z24, Z0
	VPDPBUSD.BCST (SI)(DX*1), Z24, Z1
	VPDPBUSD.BCST (SI)(DX*2), Z24, Z2
	VPDPBUSD.BCST (SI)(R8*1), Z24, Z3
	VPDPBUSD.BCST (SI)(DX*4), Z24, Z4
	VPDPBUSD.BCST (SI)(R9*1), Z24, Z5
	VPDPBUSD.BCST (DI), Z24, Z6
	VPDPBUSD.BCST (DI)(DX*1), Z24, Z7
	VPDPBUSD.BCST (DI)(DX*2), Z24, Z8
	VPDPBUSD.BCST (DI)(R8*1), Z24, Z9
	VPDPBUSD.BCST (DI)(DX*4), Z24, Z10
	VPDPBUSD.BCST (DI)(R9*1), Z24, Z11
	ADDQ $4, SI
	ADDQ $4, DI
	ADDQ $128, BX
	DECQ AX
	JNZ loop16
	Q8EPIARGS
	VMOVDQU32 (R8), Z24
	VMOVUPS (R9), Z26
	Q8FIX16(0, Z0)
	Q8FIX16(4, Z1)
	Q8FIX16(8, Z2)
	Q8FIX16(12, Z3)
	Q8FIX16(16, Z4)
	Q8FIX16(20, Z5)
	Q8FIX16(24, Z6)
	Q8FIX16(28, Z7)
	Q8FIX16(32, Z8)
	Q8FIX16(36, Z9)
	Q8FIX16(40, Z10)
	Q8FIX16(44, Z11)
	TESTQ $2, DX
	JEQ nobias16
	Q8BIAS16(0, Z0)
	Q8BIAS16(4, Z1)
	Q8BIAS16(8, Z2)
	Q8BIAS16(12, Z3)
	Q8BIAS16(16, Z4)
	Q8BIAS16(20, Z5)
	Q8BIAS16(24, Z6)
	Q8BIAS16(28, Z7)
	Q8BIAS16(32, Z8)
	Q8BIAS16(36, Z9)
	Q8BIAS16(40, Z10)
	Q8BIAS16(44, Z11)
nobias16:
	TESTQ $1, DX
	JEQ noload16
	VADDPS 0(DI), Z0, Z0
	VADDPS 128(DI), Z1, Z1
	VADDPS 256(DI), Z2, Z2
	VADDPS 384(DI), Z3, Z3
	VADDPS 512(DI), Z4, Z4
	VADDPS 640(DI), Z5, Z5
	VADDPS 768(DI), Z6, Z6
	VADDPS 896(DI), Z7, Z7
	VADDPS 1024(DI), Z8, Z8
	VADDPS 1152(DI), Z9, Z9
	VADDPS 1280(DI), Z10, Z10
	VADDPS 1408(DI), Z11, Z11
noload16:
	VMOVUPS Z0, 0(DI)
	VMOVUPS Z1, 128(DI)
	VMOVUPS Z2, 256(DI)
	VMOVUPS Z3, 384(DI)
	VMOVUPS Z4, 512(DI)
	VMOVUPS Z5, 640(DI)
	VMOVUPS Z6, 768(DI)
	VMOVUPS Z7, 896(DI)
	VMOVUPS Z8, 1024(DI)
	VMOVUPS Z9, 1152(DI)
	VMOVUPS Z10, 1280(DI)
	VMOVUPS Z11, 1408(DI)
	VZEROUPPER
	RET

// func q8PanelAVX512(dst *uint8, src *float32, kq4 int, inv *[32]float32, zx *int32)
// Per K step of four rows of src (32 tokens each) and half panel h of 16
// tokens: Z0–Z3 the four rows · inv, rounded (ties to even), + zx,
// clamped to [0, 255] (Z27 = 0, Z26 = 255), packed into the bytes of
// one dword per token by shifts and ORs. Z30/Z31 inv, Z28/Z29 zx.
TEXT ·q8PanelAVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ kq4+16(FP), CX
	MOVQ inv+24(FP), AX
	MOVQ zx+32(FP), BX
	VMOVUPS (AX), Z30
	VMOVUPS 64(AX), Z31
	VMOVDQU32 (BX), Z28
	VMOVDQU32 64(BX), Z29
	VPXORD Z27, Z27, Z27
	MOVL $255, AX
	VPBROADCASTD AX, Z26
q8panel:
	VMULPS 0(SI), Z30, Z0
	VCVTPS2DQ Z0, Z0
	VPADDD Z28, Z0, Z0
	VPMAXSD Z27, Z0, Z0
	VPMINSD Z26, Z0, Z0
	VMULPS 128(SI), Z30, Z1
	VCVTPS2DQ Z1, Z1
	VPADDD Z28, Z1, Z1
	VPMAXSD Z27, Z1, Z1
	VPMINSD Z26, Z1, Z1
	VMULPS 256(SI), Z30, Z2
	VCVTPS2DQ Z2, Z2
	VPADDD Z28, Z2, Z2
	VPMAXSD Z27, Z2, Z2
	VPMINSD Z26, Z2, Z2
	VMULPS 384(SI), Z30, Z3
	VCVTPS2DQ Z3, Z3
	VPADDD Z28, Z3, Z3
	VPMAXSD Z27, Z3, Z3
	VPMINSD Z26, Z3, Z3
	VPSLLD $8, Z1, Z1
	VPSLLD $16, Z2, Z2
	VPSLLD $24, Z3, Z3
	VPORD Z1, Z0, Z0
	VPORD Z3, Z2, Z2
	VPORD Z2, Z0, Z0
	VMOVDQU32 Z0, 0(DI)
	VMULPS 64(SI), Z31, Z0
	VCVTPS2DQ Z0, Z0
	VPADDD Z29, Z0, Z0
	VPMAXSD Z27, Z0, Z0
	VPMINSD Z26, Z0, Z0
	VMULPS 192(SI), Z31, Z1
	VCVTPS2DQ Z1, Z1
	VPADDD Z29, Z1, Z1
	VPMAXSD Z27, Z1, Z1
	VPMINSD Z26, Z1, Z1
	VMULPS 320(SI), Z31, Z2
	VCVTPS2DQ Z2, Z2
	VPADDD Z29, Z2, Z2
	VPMAXSD Z27, Z2, Z2
	VPMINSD Z26, Z2, Z2
	VMULPS 448(SI), Z31, Z3
	VCVTPS2DQ Z3, Z3
	VPADDD Z29, Z3, Z3
	VPMAXSD Z27, Z3, Z3
	VPMINSD Z26, Z3, Z3
	VPSLLD $8, Z1, Z1
	VPSLLD $16, Z2, Z2
	VPSLLD $24, Z3, Z3
	VPORD Z1, Z0, Z0
	VPORD Z3, Z2, Z2
	VPORD Z2, Z0, Z0
	VMOVDQU32 Z0, 64(DI)
	ADDQ $512, SI
	ADDQ $128, DI
	DECQ CX
	JNZ q8panel
	VZEROUPPER
	RET

// func minMaxPanelAVX512(src *float32, k int, lo, hi *[32]float32)
// Z0/Z1 the running minimum of tokens 0–15/16–31 (from 0), Z2/Z3 the
// maximum.
TEXT ·minMaxPanelAVX512(SB), NOSPLIT, $0-32
	MOVQ src+0(FP), SI
	MOVQ k+8(FP), CX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
minmax:
	VMINPS (SI), Z0, Z0
	VMINPS 64(SI), Z1, Z1
	VMAXPS (SI), Z2, Z2
	VMAXPS 64(SI), Z3, Z3
	ADDQ $128, SI
	DECQ CX
	JNZ minmax
	MOVQ lo+16(FP), AX
	MOVQ hi+24(FP), BX
	VMOVUPS Z0, (AX)
	VMOVUPS Z1, 64(AX)
	VMOVUPS Z2, (BX)
	VMOVUPS Z3, 64(BX)
	VZEROUPPER
	RET

// func bf16PanelAVX512(dst, src *float32, pairs int)
// Per pair of rows of src (32 tokens each): each rounded to bf16 (ties to
// even: u + 0x7fff + (u>>16 & 1), low half cleared) and stored in the
// other row of dst. Z29 = 1, Z30 = 0x7fff, Z31 = 0xffff0000.
TEXT ·bf16PanelAVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ pairs+16(FP), CX
	ROUND_BF16_CONSTS
	BF16_HIMASK(Z31)
bf16pair:
	VMOVDQU32 0(SI), Z0
	VMOVDQU32 64(SI), Z1
	VMOVDQU32 128(SI), Z2
	VMOVDQU32 192(SI), Z3
	ROUND_BF16(Z0, Z4)
	VPANDD Z31, Z0, Z0
	ROUND_BF16(Z1, Z5)
	VPANDD Z31, Z1, Z1
	ROUND_BF16(Z2, Z6)
	VPANDD Z31, Z2, Z2
	ROUND_BF16(Z3, Z7)
	VPANDD Z31, Z3, Z3
	VMOVDQU32 Z2, (DI)
	VMOVDQU32 Z3, 64(DI)
	VMOVDQU32 Z0, 128(DI)
	VMOVDQU32 Z1, 192(DI)
	ADDQ $256, SI
	ADDQ $256, DI
	DECQ CX
	JNZ bf16pair
	VZEROUPPER
	RET

// func bf16ExpandAVX512(dst *float32, src *uint16, n16 int)
// 16 bf16 values at a time: zero-extended to dwords, shifted up 16.
TEXT ·bf16ExpandAVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n16+16(FP), CX
bf16exp:
	VPMOVZXWD (SI), Z0
	VPSLLD $16, Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $32, SI
	ADDQ $64, DI
	DECQ CX
	JNZ bf16exp
	VZEROUPPER
	RET

// VDPBF16PS Z17, Z16, Zi (Intel: vdpbf16ps zmmi, zmm16, zmm17) for
// i < 16, which Go's assembler lacks: EVEX 62 P0 7E 40, opcode 52, ModRM,
// with P0 = 0xB2 for i < 8 and 0x32 for i ≥ 8 (the inverted high bit of
// the destination), ModRM = 0xC1 | (i&7)<<3 (register form, rm = Z17).
#define VDPBF16PS_Z17_Z16(p0, modrm) BYTE $0x62; BYTE $p0; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $modrm

// func dpbf16AVX512(acc *[16]float32, a, b *[32]uint16)
// One VDPBF16PS: acc[i] += a[2i+1]·b[2i+1] + a[2i]·b[2i] (see dpbf16Generic).
TEXT ·dpbf16AVX512(SB), NOSPLIT, $0-24
	MOVQ acc+0(FP), AX
	MOVQ a+8(FP), BX
	MOVQ b+16(FP), CX
	VMOVUPS (AX), Z9
	VMOVDQU32 (BX), Z16
	VMOVDQU32 (CX), Z17
	VDPBF16PS_Z17_Z16(0x32, 0xC9)
	VMOVUPS Z9, (AX)
	VZEROUPPER
	RET

// func dotLoopBF16(n int)
// n rounds of 16 independent VDPBF16PS into Z0–Z15: 16·64 = 1024 FLOP per round.
TEXT ·dotLoopBF16(SB), NOSPLIT, $0-8
	MOVQ n+0(FP), CX
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
	TESTQ CX, CX
	JEQ bf16loop_done
bf16loop:
	VDPBF16PS_Z17_Z16(0xB2, 0xC1)
	VDPBF16PS_Z17_Z16(0xB2, 0xC9)
	VDPBF16PS_Z17_Z16(0xB2, 0xD1)
	VDPBF16PS_Z17_Z16(0xB2, 0xD9)
	VDPBF16PS_Z17_Z16(0xB2, 0xE1)
	VDPBF16PS_Z17_Z16(0xB2, 0xE9)
	VDPBF16PS_Z17_Z16(0xB2, 0xF1)
	VDPBF16PS_Z17_Z16(0xB2, 0xF9)
	VDPBF16PS_Z17_Z16(0x32, 0xC1)
	VDPBF16PS_Z17_Z16(0x32, 0xC9)
	VDPBF16PS_Z17_Z16(0x32, 0xD1)
	VDPBF16PS_Z17_Z16(0x32, 0xD9)
	VDPBF16PS_Z17_Z16(0x32, 0xE1)
	VDPBF16PS_Z17_Z16(0x32, 0xE9)
	VDPBF16PS_Z17_Z16(0x32, 0xF1)
	VDPBF16PS_Z17_Z16(0x32, 0xF9)
	DECQ CX
	JNZ bf16loop
bf16loop_done:
	VZEROUPPER
	RET

// func dotLoopVNNI(n int)
// n rounds of 16 independent VPDPBUSD into Z0–Z15: 16·128 = 2048 OP per round.
TEXT ·dotLoopVNNI(SB), NOSPLIT, $0-8
	MOVQ n+0(FP), CX
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
	TESTQ CX, CX
	JEQ vnniloop_done
vnniloop:
	VPDPBUSD Z17, Z16, Z0
	VPDPBUSD Z17, Z16, Z1
	VPDPBUSD Z17, Z16, Z2
	VPDPBUSD Z17, Z16, Z3
	VPDPBUSD Z17, Z16, Z4
	VPDPBUSD Z17, Z16, Z5
	VPDPBUSD Z17, Z16, Z6
	VPDPBUSD Z17, Z16, Z7
	VPDPBUSD Z17, Z16, Z8
	VPDPBUSD Z17, Z16, Z9
	VPDPBUSD Z17, Z16, Z10
	VPDPBUSD Z17, Z16, Z11
	VPDPBUSD Z17, Z16, Z12
	VPDPBUSD Z17, Z16, Z13
	VPDPBUSD Z17, Z16, Z14
	VPDPBUSD Z17, Z16, Z15
	DECQ CX
	JNZ vnniloop
vnniloop_done:
	VZEROUPPER
	RET

// func tileAddAVX512(src, dst *float32, rows int, bias *float32, flags int)
// For rows rows of 32 values: v = src row (+ bias[i] if flags&kBias),
// dst row = dst row + v if flags&kLoad, else v. Z0/Z1 the row, Z2 the
// broadcast bias.
TEXT ·tileAddAVX512(SB), NOSPLIT, $0-40
	MOVQ src+0(FP), SI
	MOVQ dst+8(FP), DI
	MOVQ rows+16(FP), CX
	MOVQ bias+24(FP), BX
	MOVQ flags+32(FP), DX
tileadd:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	TESTQ $2, DX
	JEQ tileadd_nobias
	VBROADCASTSS (BX), Z2
	VADDPS Z2, Z0, Z0
	VADDPS Z2, Z1, Z1
tileadd_nobias:
	TESTQ $1, DX
	JEQ tileadd_noload
	VADDPS (DI), Z0, Z0
	VADDPS 64(DI), Z1, Z1
tileadd_noload:
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	ADDQ $4, BX
	DECQ CX
	JNZ tileadd
	VZEROUPPER
	RET

// func q8EpilogueAVX512(acc *int32, dst *float32, rows int, sw *float32, wsum *int32, sx *float32, zx *int32, bias *float32, flags int, wide int)
// The int8 epilogue (q8Generic) on rows rows of 32 int32 sums, or of
// their first 16 tokens (wide = 0), acc and dst rows 32 values apart:
// acc −= zx·wsum[i] (VPMULLD, exact), to float32, × (sx·sw[i]),
// + bias[i], + dst. Z24/Z25 zx, Z26/Z27 sx, Z28/Z29 temporaries, Z0/Z1
// the row.
TEXT ·q8EpilogueAVX512(SB), NOSPLIT, $0-80
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
	VMOVDQU32 (R8), Z24
	VMOVUPS (R9), Z26
	TESTQ BX, BX
	JEQ q8epi16
	VMOVDQU32 64(R8), Z25
	VMOVUPS 64(R9), Z27
q8epi:
	VMOVDQU32 (SI), Z0
	VMOVDQU32 64(SI), Z1
	VPBROADCASTD (R10), Z28
	VPMULLD Z24, Z28, Z29
	VPSUBD Z29, Z0, Z0
	VPMULLD Z25, Z28, Z29
	VPSUBD Z29, Z1, Z1
	VCVTDQ2PS Z0, Z0
	VCVTDQ2PS Z1, Z1
	VBROADCASTSS (R11), Z28
	VMULPS Z26, Z28, Z29
	VMULPS Z29, Z0, Z0
	VMULPS Z27, Z28, Z29
	VMULPS Z29, Z1, Z1
	TESTQ $2, DX
	JEQ q8epi_nobias
	VBROADCASTSS (R12), Z28
	VADDPS Z28, Z0, Z0
	VADDPS Z28, Z1, Z1
q8epi_nobias:
	TESTQ $1, DX
	JEQ q8epi_noload
	VADDPS (DI), Z0, Z0
	VADDPS 64(DI), Z1, Z1
q8epi_noload:
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	ADDQ $4, R10
	ADDQ $4, R11
	ADDQ $4, R12
	DECQ CX
	JNZ q8epi
	VZEROUPPER
	RET
q8epi16:
	VMOVDQU32 (SI), Z0
	VPBROADCASTD (R10), Z28
	VPMULLD Z24, Z28, Z29
	VPSUBD Z29, Z0, Z0
	VCVTDQ2PS Z0, Z0
	VBROADCASTSS (R11), Z28
	VMULPS Z26, Z28, Z29
	VMULPS Z29, Z0, Z0
	TESTQ $2, DX
	JEQ q8epi16_nobias
	VBROADCASTSS (R12), Z28
	VADDPS Z28, Z0, Z0
q8epi16_nobias:
	TESTQ $1, DX
	JEQ q8epi16_noload
	VADDPS (DI), Z0, Z0
q8epi16_noload:
	VMOVUPS Z0, (DI)
	ADDQ $128, SI
	ADDQ $128, DI
	ADDQ $4, R10
	ADDQ $4, R11
	ADDQ $4, R12
	DECQ CX
	JNZ q8epi16
	VZEROUPPER
	RET

// func bf16PairsAVX512(dst *uint16, src *float32, pairs int, nat int)
// Per pair of rows 2p, 2p+1 of src (32 tokens each), rounded to bf16 as
// bf16PanelAVX512 does: each token's dword = bf16(row 2p) << 16 |
// bf16(row 2p+1), or with nat ≠ 0 bf16(row 2p+1) << 16 | bf16(row 2p).
// SI the rows that go high, R8 the others. Z29 = 1, Z30 = 0x7fff, Z31 =
// 0xffff0000.
TEXT ·bf16PairsAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ pairs+16(FP), CX
	LEAQ 128(SI), R8
	CMPQ nat+24(FP), $0
	JEQ bf16pairs_order
	XCHGQ SI, R8
bf16pairs_order:
	ROUND_BF16_CONSTS
	BF16_HIMASK(Z31)
bf16pairs:
	VMOVDQU32 (SI), Z0
	VMOVDQU32 64(SI), Z1
	VMOVDQU32 (R8), Z2
	VMOVDQU32 64(R8), Z3
	ROUND_BF16(Z0, Z4)
	VPANDD Z31, Z0, Z0
	ROUND_BF16(Z1, Z5)
	VPANDD Z31, Z1, Z1
	ROUND_BF16(Z2, Z6)
	VPSRLD $16, Z2, Z2
	ROUND_BF16(Z3, Z7)
	VPSRLD $16, Z3, Z3
	VPORD Z2, Z0, Z0
	VPORD Z3, Z1, Z1
	VMOVDQU32 Z0, (DI)
	VMOVDQU32 Z1, 64(DI)
	ADDQ $256, SI
	ADDQ $256, R8
	ADDQ $128, DI
	DECQ CX
	JNZ bf16pairs
	VZEROUPPER
	RET
