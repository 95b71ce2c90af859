//go:build amd64 && gc && !purego

#include "textflag.h"

#define K128 planarK<>+0(SB)
#define KCRR planarK<>+32(SB)
#define KCBG planarK<>+64(SB)
#define KCRG planarK<>+96(SB)
#define KCBB planarK<>+128(SB)
#define KHALF planarK<>+160(SB)
#define KRHALF planarK<>+192(SB)

// PACK8 packs the eight int32 lanes of Y to unsigned bytes with
// saturation and stores them at DST (X15 is scratch).
#define PACK8(Y, X, DST) \
	VEXTRACTI128 $1, Y, X15 \
	VPACKSSDW X15, X, X \
	VPACKUSWB X, X, X \
	VMOVQ X, DST

// func yccPlanarAVX2(y, cb, cr, outR, outG, outB *uint8, n int)
//
// Eight pixels a step, in int32 lanes: Y0 y, Y1 cb−128, Y2 cr−128;
// Y3 R = y + (91881·cr' + 2¹⁵) >> 16, Y4 G = y + (−22554·cb' − 46802·cr'
// + 2¹⁵) >> 16, Y5 B = y + (116130·cb' + 2¹⁵) >> 16 (libjpeg's
// ycc_rgb_convert tables, computed), packed with saturation (the clamp).
TEXT ·yccPlanarAVX2(SB), NOSPLIT, $0-56
	MOVQ y+0(FP), SI
	MOVQ cb+8(FP), R8
	MOVQ cr+16(FP), R9
	MOVQ outR+24(FP), R10
	MOVQ outG+32(FP), R11
	MOVQ outB+40(FP), R12
	MOVQ n+48(FP), CX
	XORQ AX, AX
	VMOVDQU K128, Y8
	VMOVDQU KHALF, Y9
	VMOVDQU KCRR, Y10
	VMOVDQU KCBG, Y11
	VMOVDQU KCRG, Y12
	VMOVDQU KCBB, Y13
loop:
	CMPQ AX, CX
	JGE done
	VPMOVZXBD (SI)(AX*1), Y0
	VPMOVZXBD (R8)(AX*1), Y1
	VPMOVZXBD (R9)(AX*1), Y2
	VPSUBD Y8, Y1, Y1
	VPSUBD Y8, Y2, Y2
	VPMULLD Y10, Y2, Y3
	VPADDD Y9, Y3, Y3
	VPSRAD $16, Y3, Y3
	VPADDD Y0, Y3, Y3
	VPMULLD Y11, Y1, Y4
	VPMULLD Y12, Y2, Y5
	VPADDD Y5, Y4, Y4
	VPADDD Y9, Y4, Y4
	VPSRAD $16, Y4, Y4
	VPADDD Y0, Y4, Y4
	VPMULLD Y13, Y1, Y5
	VPADDD Y9, Y5, Y5
	VPSRAD $16, Y5, Y5
	VPADDD Y0, Y5, Y5
	PACK8(Y3, X3, (R10))
	PACK8(Y4, X4, (R11))
	PACK8(Y5, X5, (R12))
	ADDQ $8, AX
	ADDQ $8, R10
	ADDQ $8, R11
	ADDQ $8, R12
	JMP loop
done:
	VZEROUPPER
	RET

// func hresample3AVX2(out *uint8, n int, pix *uint8, ps int, xmin *int32, w *int16, nblk int)
//
// For each output: DX points at sample xmin of plane R, (DX)(R13*1) and
// (DX)(R13*2) at planes G and B. Per block of 16 taps, VPMADDWD multiplies
// 16 zero-extended samples (Y2) by the high (Y0) and low (Y1) weight
// halves into pair sums; Y3/Y4 (R), Y5/Y6 (G), Y7/Y8 (B) accumulate
// high/low. Then acc = high << 11 + low, three horizontal sums with
// VPHADDD, + 2²¹, >> 22, packed with saturation: the three bytes.
TEXT ·hresample3AVX2(SB), NOSPLIT, $0-56
	MOVQ out+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ pix+16(FP), SI
	MOVQ ps+24(FP), R13
	MOVQ xmin+32(FP), R10
	MOVQ w+40(FP), R11
	MOVQ nblk+48(FP), R12
	VMOVDQU KRHALF, X14
outer:
	TESTQ CX, CX
	JZ finish
	MOVLQSX (R10), AX
	LEAQ (SI)(AX*1), DX
	VPXOR Y3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	VPXOR Y8, Y8, Y8
	MOVQ R12, BX
inner:
	VMOVDQU (R11), Y0
	VMOVDQU 32(R11), Y1
	VPMOVZXBW (DX), Y2
	VPMADDWD Y0, Y2, Y9
	VPADDD Y9, Y3, Y3
	VPMADDWD Y1, Y2, Y9
	VPADDD Y9, Y4, Y4
	VPMOVZXBW (DX)(R13*1), Y2
	VPMADDWD Y0, Y2, Y9
	VPADDD Y9, Y5, Y5
	VPMADDWD Y1, Y2, Y9
	VPADDD Y9, Y6, Y6
	VPMOVZXBW (DX)(R13*2), Y2
	VPMADDWD Y0, Y2, Y9
	VPADDD Y9, Y7, Y7
	VPMADDWD Y1, Y2, Y9
	VPADDD Y9, Y8, Y8
	ADDQ $64, R11
	ADDQ $16, DX
	DECQ BX
	JNZ inner
	VPSLLD $11, Y3, Y3
	VPADDD Y4, Y3, Y3
	VPSLLD $11, Y5, Y5
	VPADDD Y6, Y5, Y5
	VPSLLD $11, Y7, Y7
	VPADDD Y8, Y7, Y7
	VPHADDD Y5, Y3, Y3
	VPHADDD Y7, Y7, Y7
	VPHADDD Y7, Y3, Y3
	VEXTRACTI128 $1, Y3, X4
	VPADDD X4, X3, X3
	VPADDD X14, X3, X3
	VPSRAD $22, X3, X3
	VPACKSSDW X3, X3, X3
	VPACKUSWB X3, X3, X3
	VMOVD X3, AX
	MOVW AX, (DI)
	SHRL $16, AX
	MOVB AX, 2(DI)
	ADDQ $3, DI
	ADDQ $4, R10
	DECQ CX
	JMP outer
finish:
	VZEROUPPER
	RET

DATA planarK<>+0(SB)/4, $0x80
DATA planarK<>+4(SB)/4, $0x80
DATA planarK<>+8(SB)/4, $0x80
DATA planarK<>+12(SB)/4, $0x80
DATA planarK<>+16(SB)/4, $0x80
DATA planarK<>+20(SB)/4, $0x80
DATA planarK<>+24(SB)/4, $0x80
DATA planarK<>+28(SB)/4, $0x80
DATA planarK<>+32(SB)/4, $0x166e9
DATA planarK<>+36(SB)/4, $0x166e9
DATA planarK<>+40(SB)/4, $0x166e9
DATA planarK<>+44(SB)/4, $0x166e9
DATA planarK<>+48(SB)/4, $0x166e9
DATA planarK<>+52(SB)/4, $0x166e9
DATA planarK<>+56(SB)/4, $0x166e9
DATA planarK<>+60(SB)/4, $0x166e9
DATA planarK<>+64(SB)/4, $0xffffa7e6
DATA planarK<>+68(SB)/4, $0xffffa7e6
DATA planarK<>+72(SB)/4, $0xffffa7e6
DATA planarK<>+76(SB)/4, $0xffffa7e6
DATA planarK<>+80(SB)/4, $0xffffa7e6
DATA planarK<>+84(SB)/4, $0xffffa7e6
DATA planarK<>+88(SB)/4, $0xffffa7e6
DATA planarK<>+92(SB)/4, $0xffffa7e6
DATA planarK<>+96(SB)/4, $0xffff492e
DATA planarK<>+100(SB)/4, $0xffff492e
DATA planarK<>+104(SB)/4, $0xffff492e
DATA planarK<>+108(SB)/4, $0xffff492e
DATA planarK<>+112(SB)/4, $0xffff492e
DATA planarK<>+116(SB)/4, $0xffff492e
DATA planarK<>+120(SB)/4, $0xffff492e
DATA planarK<>+124(SB)/4, $0xffff492e
DATA planarK<>+128(SB)/4, $0x1c5a2
DATA planarK<>+132(SB)/4, $0x1c5a2
DATA planarK<>+136(SB)/4, $0x1c5a2
DATA planarK<>+140(SB)/4, $0x1c5a2
DATA planarK<>+144(SB)/4, $0x1c5a2
DATA planarK<>+148(SB)/4, $0x1c5a2
DATA planarK<>+152(SB)/4, $0x1c5a2
DATA planarK<>+156(SB)/4, $0x1c5a2
DATA planarK<>+160(SB)/4, $0x8000
DATA planarK<>+164(SB)/4, $0x8000
DATA planarK<>+168(SB)/4, $0x8000
DATA planarK<>+172(SB)/4, $0x8000
DATA planarK<>+176(SB)/4, $0x8000
DATA planarK<>+180(SB)/4, $0x8000
DATA planarK<>+184(SB)/4, $0x8000
DATA planarK<>+188(SB)/4, $0x8000
DATA planarK<>+192(SB)/4, $0x200000
DATA planarK<>+196(SB)/4, $0x200000
DATA planarK<>+200(SB)/4, $0x200000
DATA planarK<>+204(SB)/4, $0x200000
DATA planarK<>+208(SB)/4, $0x200000
DATA planarK<>+212(SB)/4, $0x200000
DATA planarK<>+216(SB)/4, $0x200000
DATA planarK<>+220(SB)/4, $0x200000
GLOBL planarK<>(SB), RODATA|NOPTR, $224

// func accRowAVX2(a *int32, h *uint8, n int, kv int32)
//
// Eight samples a step: zero-extended to int32 lanes, times kv (the low
// 32 bits, as Go's int32 product), added to a.
TEXT ·accRowAVX2(SB), NOSPLIT, $0-28
	MOVQ a+0(FP), DI
	MOVQ h+8(FP), SI
	MOVQ n+16(FP), CX
	MOVL kv+24(FP), AX
	VMOVD AX, X0
	VPBROADCASTD X0, Y0
accloop:
	SUBQ $8, CX
	JL accdone
	VPMOVZXBD (SI), Y1
	VPMULLD Y0, Y1, Y1
	VPADDD (DI), Y1, Y1
	VMOVDQU Y1, (DI)
	ADDQ $8, SI
	ADDQ $32, DI
	JMP accloop
accdone:
	VZEROUPPER
	RET
