//go:build amd64 && gc && !purego

#include "textflag.h"

// AMX tile kernels of the bf16 and int8 Linear (lowprec_amx.go), written
// by hand; Go's assembler has no AMX, so each instruction is its VEX
// bytes (from GNU as) for the fixed registers below, named in a comment.
//
// Tiles (amxConfig): tmm0–tmm3 the 2×2 output tiles C [16 W rows][16
// tokens] (float32 or int32), tmm4/tmm5 A: W rows r0..r0+15 / +16..+31,
// 64 bytes of K each (32 bf16 or 64 s8), tmm6/tmm7 B: 16 K steps (pairs
// or quads) of tokens 0–15 / 16–31 of a token panel, whose rows of 32
// tokens are 128 bytes apart. Registers: SI, DI the two A row blocks
// (stride DX = W's row stride in bytes), BX, R8 the two B halves (stride
// R9 = 128), R11 the token panel, R13 the A block, CX the K steps left,
// R10 the output [32][32] (stride R9 = 128, a row of 32 values; the four
// C tiles at byte offsets 0, 64, 2048, 2112), AX the panels left, R12 the
// op.

// func amxKernel(op int, cfg *amxConfig, a unsafe.Pointer, lda, astride int, b unsafe.Pointer, bstride int, c unsafe.Pointer, ksteps int, panels int)
// For each of panels steps i a [32][32] output (c + 4096·i) = the 32
// rows from a + i·astride (row stride lda bytes) times the token panel b
// + i·bstride, over ksteps steps of 64 bytes of K: TDPBF16PS (op 0) or
// TDPBSUD (op 1: s8 W × u8 x). The Linear steps over token panels with
// one W block (astride 0), attention over blocks of rows with one panel
// (bstride 0).
TEXT ·amxKernel(SB), NOSPLIT, $0-80
	MOVQ cfg+8(FP), AX
	BYTE $0xc4; BYTE $0xe2; BYTE $0x78; BYTE $0x49; BYTE $0x00	// LDTILECFG (AX)
	MOVQ op+0(FP), R12
	MOVQ lda+24(FP), DX
	MOVQ $128, R9
	MOVQ c+56(FP), R10
	MOVQ b+40(FP), R11
	MOVQ a+16(FP), R13
	MOVQ panels+72(FP), AX
panel:
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xc0	// TILEZERO tmm0
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xc8	// TILEZERO tmm1
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xd0	// TILEZERO tmm2
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xd8	// TILEZERO tmm3
	MOVQ R13, SI
	LEAQ (SI)(DX*8), DI
	LEAQ (DI)(DX*8), DI
	MOVQ R11, BX
	LEAQ 64(R11), R8
	MOVQ ksteps+64(FP), CX
kstep:
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x24; BYTE $0x16	// TILELOADD (SI)(DX*1), tmm4
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x2c; BYTE $0x17	// TILELOADD (DI)(DX*1), tmm5
	BYTE $0xc4; BYTE $0xa2; BYTE $0x7b; BYTE $0x4b; BYTE $0x34; BYTE $0x0b	// TILELOADD (BX)(R9*1), tmm6
	BYTE $0xc4; BYTE $0x82; BYTE $0x7b; BYTE $0x4b; BYTE $0x3c; BYTE $0x08	// TILELOADD (R8)(R9*1), tmm7
	TESTQ R12, R12
	JNE int8step
	BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5c; BYTE $0xc4	// TDPBF16PS tmm0 += tmm4·tmm6
	BYTE $0xc4; BYTE $0xe2; BYTE $0x42; BYTE $0x5c; BYTE $0xcc	// TDPBF16PS tmm1 += tmm4·tmm7
	BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5c; BYTE $0xd5	// TDPBF16PS tmm2 += tmm5·tmm6
	BYTE $0xc4; BYTE $0xe2; BYTE $0x42; BYTE $0x5c; BYTE $0xdd	// TDPBF16PS tmm3 += tmm5·tmm7
	JMP next
int8step:
	BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5e; BYTE $0xc4	// TDPBSUD tmm0 += tmm4·tmm6
	BYTE $0xc4; BYTE $0xe2; BYTE $0x42; BYTE $0x5e; BYTE $0xcc	// TDPBSUD tmm1 += tmm4·tmm7
	BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5e; BYTE $0xd5	// TDPBSUD tmm2 += tmm5·tmm6
	BYTE $0xc4; BYTE $0xe2; BYTE $0x42; BYTE $0x5e; BYTE $0xdd	// TDPBSUD tmm3 += tmm5·tmm7
next:
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $2048, BX
	ADDQ $2048, R8
	DECQ CX
	JNZ kstep
	BYTE $0xc4; BYTE $0x82; BYTE $0x7a; BYTE $0x4b; BYTE $0x04; BYTE $0x0a	// TILESTORED tmm0, (R10)(R9*1)
	BYTE $0xc4; BYTE $0x82; BYTE $0x7a; BYTE $0x4b; BYTE $0x4c; BYTE $0x0a; BYTE $0x40	// TILESTORED tmm1, 64(R10)(R9*1)
	BYTE $0xc4; BYTE $0x82; BYTE $0x7a; BYTE $0x4b; BYTE $0x94; BYTE $0x0a; BYTE $0x00; BYTE $0x08; BYTE $0x00; BYTE $0x00	// TILESTORED tmm2, 2048(R10)(R9*1)
	BYTE $0xc4; BYTE $0x82; BYTE $0x7a; BYTE $0x4b; BYTE $0x9c; BYTE $0x0a; BYTE $0x40; BYTE $0x08; BYTE $0x00; BYTE $0x00	// TILESTORED tmm3, 2112(R10)(R9*1)
	ADDQ $4096, R10
	ADDQ astride+32(FP), R13
	ADDQ bstride+48(FP), R11
	DECQ AX
	JNZ panel
	BYTE $0xc4; BYTE $0xe2; BYTE $0x78; BYTE $0x49; BYTE $0xc0	// TILERELEASE
	RET

// func amxPeakLoop(op int, cfg *amxConfig, n int)
// n rounds of 4 independent tile products into tmm0–tmm3 (tmm4–tmm7
// zero): TDPBF16PS (op 0, 32 768 FLOP a round) or TDPBSUD (op 1, 131 072
// operations).
TEXT ·amxPeakLoop(SB), NOSPLIT, $0-24
	MOVQ cfg+8(FP), AX
	BYTE $0xc4; BYTE $0xe2; BYTE $0x78; BYTE $0x49; BYTE $0x00	// LDTILECFG (AX)
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xc0	// TILEZERO tmm0
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xc8	// TILEZERO tmm1
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xd0	// TILEZERO tmm2
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xd8	// TILEZERO tmm3
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xe0	// TILEZERO tmm4
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xe8	// TILEZERO tmm5
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xf0	// TILEZERO tmm6
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xf8	// TILEZERO tmm7
	MOVQ n+16(FP), CX
	TESTQ CX, CX
	JEQ amxpeak_done
	CMPQ op+0(FP), $0
	JNE amxpeak_int8
amxpeak_bf16:
	BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5c; BYTE $0xc4	// TDPBF16PS
	BYTE $0xc4; BYTE $0xe2; BYTE $0x42; BYTE $0x5c; BYTE $0xcc	// TDPBF16PS
	BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5c; BYTE $0xd5	// TDPBF16PS
	BYTE $0xc4; BYTE $0xe2; BYTE $0x42; BYTE $0x5c; BYTE $0xdd	// TDPBF16PS
	DECQ CX
	JNZ amxpeak_bf16
	JMP amxpeak_done
amxpeak_int8:
	BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5e; BYTE $0xc4	// TDPBSUD
	BYTE $0xc4; BYTE $0xe2; BYTE $0x42; BYTE $0x5e; BYTE $0xcc	// TDPBSUD
	BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5e; BYTE $0xd5	// TDPBSUD
	BYTE $0xc4; BYTE $0xe2; BYTE $0x42; BYTE $0x5e; BYTE $0xdd	// TDPBSUD
	DECQ CX
	JNZ amxpeak_int8
amxpeak_done:
	BYTE $0xc4; BYTE $0xe2; BYTE $0x78; BYTE $0x49; BYTE $0xc0	// TILERELEASE
	RET
