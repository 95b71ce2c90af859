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

// Rounding to bf16 (roundBF16: u + 0x7fff + (u>>16 & 1), ties to even)
// of the 16 floats in Z<r>, with Z29 = 1, Z30 = 0x7fff, Z<t> scratch.
#define ROUND_BF16(r, t) \
	VPSRLD $16, r, t; \
	VPANDD Z29, t, t; \
	VPADDD Z30, r, r; \
	VPADDD t, r, r

// func kRowsAVX512(dst *uint16, idx *[32]int32, src *float32, mask uint32, pairs int)
// K rows from a key run: for each pair p of features, the dword of key l
// at dst + 4·(idx[l] + p) = bf16(src[2p·32+l]) << 16 | bf16(src[(2p+1)·32+l])
// for the lanes l set in mask. Z0–Z3 the two feature rows (keys 0–15,
// 16–31), Z4/Z5 rounding scratch, Z6/Z7 the dword indices, Z31 =
// 0xffff0000; K1/K2 the halves of mask, K3/K4 their copies for the
// scatters (which clear them).
TEXT ·kRowsAVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ idx+8(FP), AX
	MOVQ src+16(FP), SI
	MOVL mask+24(FP), BX
	MOVQ pairs+32(FP), CX
	VMOVDQU32 (AX), Z6
	VMOVDQU32 64(AX), Z7
	MOVL $1, AX
	VPBROADCASTD AX, Z29
	MOVL $0x7fff, AX
	VPBROADCASTD AX, Z30
	MOVL $0xffff0000, AX
	VPBROADCASTD AX, Z31
	KMOVW BX, K1
	SHRL $16, BX
	KMOVW BX, K2
krow:
	VMOVDQU32.Z (SI), K1, Z0
	VMOVDQU32.Z 64(SI), K2, Z1
	VMOVDQU32.Z 128(SI), K1, Z2
	VMOVDQU32.Z 192(SI), K2, Z3
	ROUND_BF16(Z0, Z4)
	ROUND_BF16(Z1, Z5)
	ROUND_BF16(Z2, Z4)
	ROUND_BF16(Z3, Z5)
	VPANDD Z31, Z0, Z0
	VPANDD Z31, Z1, Z1
	VPSRLD $16, Z2, Z2
	VPSRLD $16, Z3, Z3
	VPORD Z2, Z0, Z0
	VPORD Z3, Z1, Z1
	KMOVW K1, K3
	KMOVW K2, K4
	VPSCATTERDD Z0, K3, (DI)(Z6*4)
	VPSCATTERDD Z1, K4, (DI)(Z7*4)
	ADDQ $256, SI
	ADDQ $4, DI
	DECQ CX
	JNZ krow
	VZEROUPPER
	RET

// func vRowsAVX512(dst *uint16, ld int, src *float32, mask uint32, dh int)
// Vᵀ rows from a key run, each pair of keys swapped: for each feature f
// < dh, dst[f·ld + (l^1)] = bf16(src[f·32+l]) for the lanes l set in mask
// (dst and src both start at a pair boundary of the keys). Z0/Z1 lanes
// 0–15/16–31, Z4/Z5 rounding scratch; K1/K2 the halves of mask for the
// loads, K3 = mask with each pair of bits swapped for the store.
TEXT ·vRowsAVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ ld+8(FP), DX
	SHLQ $1, DX
	MOVQ src+16(FP), SI
	MOVL mask+24(FP), BX
	MOVQ dh+32(FP), CX
	MOVL $1, AX
	VPBROADCASTD AX, Z29
	MOVL $0x7fff, AX
	VPBROADCASTD AX, Z30
	KMOVW BX, K1
	MOVL BX, AX
	SHRL $16, AX
	KMOVW AX, K2
	MOVL BX, AX
	ANDL $0x55555555, AX
	SHLL $1, AX
	SHRL $1, BX
	ANDL $0x55555555, BX
	ORL BX, AX
	KMOVD AX, K3
vrow:
	VMOVDQU32.Z (SI), K1, Z0
	VMOVDQU32.Z 64(SI), K2, Z1
	ROUND_BF16(Z0, Z4)
	ROUND_BF16(Z1, Z5)
	VPSRLD $16, Z0, Z0
	VPSRLD $16, Z1, Z1
	VPMOVDW Z0, Y0
	VPMOVDW Z1, Y1
	VINSERTI64X4 $1, Y1, Z0, Z0
	VPROLD $16, Z0, Z0
	VMOVDQU16 Z0, K3, (DI)
	ADDQ $128, SI
	ADDQ DX, DI
	DECQ CX
	JNZ vrow
	VZEROUPPER
	RET
