//go:build amd64 && gc && !purego

#include "textflag.h"

// The bf16 tile products of attention (attention_lowprec.go), written by
// hand as lowprec_amx_amd64.s is, with its tile plan and the very
// instruction bytes of its registers: tmm0–tmm3 the 2×2 output tiles C
// [16 rows][16 columns] float32, tmm4/tmm5 A rows 0–15 / 16–31 of a
// block, 32 bf16 of the summed index each, tmm6/tmm7 B: 16 pairs of the
// summed index of columns 0–15 / 16–31, rows of 32 columns 128 bytes
// apart. Registers: SI, DI the two A row halves (stride DX = lda bytes),
// BX, R8 the two B halves (stride R9 = 128), CX the steps left, R10 the
// output block (stride R9: a row of 32 float32; the four C tiles at byte
// offsets 0, 64, 2048, 2112), R12 the block's first A row, R13 the blocks
// left.

// func amxBlocksBF16Asm(cfg *amxConfig, a unsafe.Pointer, lda int, b, c unsafe.Pointer, ksteps, n int)
// n blocks: C block i (c + 4096·i) = A rows 32i … 32i+31 (a, rows lda
// bytes apart) times B (b), over ksteps steps of 64 bytes of A rows and
// 2048 bytes of B.
TEXT ·amxBlocksBF16Asm(SB), NOSPLIT, $0-56
	MOVQ cfg+0(FP), AX
	BYTE $0xc4; BYTE $0xe2; BYTE $0x78; BYTE $0x49; BYTE $0x00	// LDTILECFG (AX)
	MOVQ a+8(FP), R12
	MOVQ lda+16(FP), DX
	MOVQ c+32(FP), R10
	MOVQ n+48(FP), R13
	MOVQ $128, R9
block:
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xc0	// TILEZERO tmm0
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xc8	// TILEZERO tmm1
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xd0	// TILEZERO tmm2
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xd8	// TILEZERO tmm3
	MOVQ R12, SI
	LEAQ (SI)(DX*8), DI
	LEAQ (DI)(DX*8), DI
	MOVQ b+24(FP), BX
	LEAQ 64(BX), R8
	MOVQ ksteps+40(FP), CX
kstep:
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x24; BYTE $0x16	// TILELOADD (SI)(DX*1), tmm4
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x2c; BYTE $0x17	// TILELOADD (DI)(DX*1), tmm5
	BYTE $0xc4; BYTE $0xa2; BYTE $0x7b; BYTE $0x4b; BYTE $0x34; BYTE $0x0b	// TILELOADD (BX)(R9*1), tmm6
	BYTE $0xc4; BYTE $0x82; BYTE $0x7b; BYTE $0x4b; BYTE $0x3c; BYTE $0x08	// TILELOADD (R8)(R9*1), tmm7
	BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5c; BYTE $0xc4	// TDPBF16PS tmm0 += tmm4·tmm6
	BYTE $0xc4; BYTE $0xe2; BYTE $0x42; BYTE $0x5c; BYTE $0xcc	// TDPBF16PS tmm1 += tmm4·tmm7
	BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5c; BYTE $0xd5	// TDPBF16PS tmm2 += tmm5·tmm6
	BYTE $0xc4; BYTE $0xe2; BYTE $0x42; BYTE $0x5c; BYTE $0xdd	// TDPBF16PS tmm3 += tmm5·tmm7
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
	MOVQ DX, AX
	SHLQ $5, AX
	ADDQ AX, R12
	DECQ R13
	JNZ block
	BYTE $0xc4; BYTE $0xe2; BYTE $0x78; BYTE $0x49; BYTE $0xc0	// TILERELEASE
	RET
