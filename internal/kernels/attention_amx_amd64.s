//go:build amd64 && gc && !purego

#include "textflag.h"

// The vector conversions and the softmax of the bf16 attention
// (attention_lowprec.go); its tile products run on amxKernel
// (lowprec_amx_amd64.s).

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

// Constants of softmaxPairsAVX512: log2(e), ln 2, the Taylor coefficients
// 1/120, 1/24, 1/6, 1/2, 1 of exp on [−ln2/2, ln2/2], and the clamp −87.3
// below which exp would be denormal.
DATA smpc<>+0(SB)/4, $0x3fb8aa3b
DATA smpc<>+4(SB)/4, $0x3f317218
DATA smpc<>+8(SB)/4, $0x3c088889
DATA smpc<>+12(SB)/4, $0x3d2aaaab
DATA smpc<>+16(SB)/4, $0x3e2aaaab
DATA smpc<>+20(SB)/4, $0x3f000000
DATA smpc<>+24(SB)/4, $0x3f800000
DATA smpc<>+28(SB)/4, $0xc2ae999a
GLOBL smpc<>(SB), RODATA|NOPTR, $32

// EXPB replaces X (≤ 0) by exp(X) to about 2⁻¹⁸ relative: n = round(X·
// log2 e), r = X − n·ln 2, the degree-5 Taylor polynomial of e^r times 2ⁿ
// (VSCALEFPS); N, P clobbered.
#define EXPB(X, N, P) \
	VMAXPS X, Z28, X; \
	VMULPS Z20, X, N; \
	VRNDSCALEPS $0, N, N; \
	VFNMADD231PS Z21, N, X; \
	VMOVAPS Z22, P; \
	VFMADD213PS Z23, X, P; \
	VFMADD213PS Z24, X, P; \
	VFMADD213PS Z25, X, P; \
	VFMADD213PS Z26, X, P; \
	VFMADD213PS Z27, X, P; \
	VSCALEFPS N, P, X

// func softmaxPairsAVX512(s *float32, rows int, scale float32, dst *uint16)
// s [rows][32], rows ≥ 1: each column's softmax of scale·s over the rows,
// rounded to bf16 into dst [ceil(rows/2)][32][2] in the pairs of
// bf16Pairs (each token's dword = bf16(row 2p) << 16 | bf16(row 2p+1),
// zero for a missing last row); s is left holding the exponentials.
// Rows go two a step, each into its own maxima and sums (Z10–Z13, Z14–
// Z17: even and odd rows, columns 0–15 and 16–31), combined at the end,
// so each column's sums run in an order fixed by rows. Z20–Z28 EXPB's
// constants, Z29 = 1, Z30 = 0x7fff (ROUND_BF16), Z31 = scale, Z19 =
// 0xffff0000 in the last pass.
TEXT ·softmaxPairsAVX512(SB), NOSPLIT, $0-32
	MOVQ s+0(FP), SI
	MOVQ rows+8(FP), CX
	VBROADCASTSS scale+16(FP), Z31
	LEAQ smpc<>(SB), AX
	VBROADCASTSS 0(AX), Z20
	VBROADCASTSS 4(AX), Z21
	VBROADCASTSS 8(AX), Z22
	VBROADCASTSS 12(AX), Z23
	VBROADCASTSS 16(AX), Z24
	VBROADCASTSS 20(AX), Z25
	VBROADCASTSS 24(AX), Z26
	VBROADCASTSS 24(AX), Z27
	VBROADCASTSS 28(AX), Z28
	MOVL $1, AX
	VPBROADCASTD AX, Z29
	MOVL $0x7fff, AX
	VPBROADCASTD AX, Z30

	VMOVUPS (SI), Z10
	VMOVUPS 64(SI), Z11
	VMOVAPS Z10, Z12
	VMOVAPS Z11, Z13
	MOVQ SI, DI
	MOVQ CX, DX
smp_max2:
	CMPQ DX, $2
	JLT smp_max1
	VMAXPS (DI), Z10, Z10
	VMAXPS 64(DI), Z11, Z11
	VMAXPS 128(DI), Z12, Z12
	VMAXPS 192(DI), Z13, Z13
	ADDQ $256, DI
	SUBQ $2, DX
	JMP smp_max2
smp_max1:
	TESTQ DX, DX
	JEQ smp_maxdone
	VMAXPS (DI), Z10, Z10
	VMAXPS 64(DI), Z11, Z11
smp_maxdone:
	VMAXPS Z12, Z10, Z10
	VMAXPS Z13, Z11, Z11
	VMULPS Z31, Z10, Z10
	VMULPS Z31, Z11, Z11

	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	MOVQ SI, DI
	MOVQ CX, DX
smp_exp2:
	CMPQ DX, $2
	JLT smp_exp1
	VMULPS (DI), Z31, Z0
	VMULPS 64(DI), Z31, Z1
	VMULPS 128(DI), Z31, Z2
	VMULPS 192(DI), Z31, Z3
	VSUBPS Z10, Z0, Z0
	VSUBPS Z11, Z1, Z1
	VSUBPS Z10, Z2, Z2
	VSUBPS Z11, Z3, Z3
	EXPB(Z0, Z4, Z5)
	EXPB(Z1, Z6, Z7)
	EXPB(Z2, Z8, Z9)
	EXPB(Z3, Z18, Z19)
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	VADDPS Z0, Z14, Z14
	VADDPS Z1, Z15, Z15
	VADDPS Z2, Z16, Z16
	VADDPS Z3, Z17, Z17
	ADDQ $256, DI
	SUBQ $2, DX
	JMP smp_exp2
smp_exp1:
	TESTQ DX, DX
	JEQ smp_expdone
	VMULPS (DI), Z31, Z0
	VMULPS 64(DI), Z31, Z1
	VSUBPS Z10, Z0, Z0
	VSUBPS Z11, Z1, Z1
	EXPB(Z0, Z4, Z5)
	EXPB(Z1, Z6, Z7)
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VADDPS Z0, Z14, Z14
	VADDPS Z1, Z15, Z15
smp_expdone:
	VADDPS Z16, Z14, Z14
	VADDPS Z17, Z15, Z15
	VDIVPS Z14, Z27, Z14
	VDIVPS Z15, Z27, Z15

	MOVL $0xffff0000, AX
	VPBROADCASTD AX, Z19
	MOVQ SI, DI
	MOVQ dst+24(FP), BX
	MOVQ CX, DX
smp_pair:
	CMPQ DX, $2
	JLT smp_pairtail
	VMULPS (DI), Z14, Z0
	VMULPS 64(DI), Z15, Z1
	VMULPS 128(DI), Z14, Z2
	VMULPS 192(DI), Z15, Z3
	ROUND_BF16(Z0, Z4)
	ROUND_BF16(Z1, Z5)
	ROUND_BF16(Z2, Z6)
	ROUND_BF16(Z3, Z7)
	VPANDD Z19, Z0, Z0
	VPANDD Z19, Z1, Z1
	VPSRLD $16, Z2, Z2
	VPSRLD $16, Z3, Z3
	VPORD Z2, Z0, Z0
	VPORD Z3, Z1, Z1
	VMOVDQU32 Z0, (BX)
	VMOVDQU32 Z1, 64(BX)
	ADDQ $256, DI
	ADDQ $128, BX
	SUBQ $2, DX
	JMP smp_pair
smp_pairtail:
	TESTQ DX, DX
	JEQ smp_done
	VMULPS (DI), Z14, Z0
	VMULPS 64(DI), Z15, Z1
	ROUND_BF16(Z0, Z4)
	ROUND_BF16(Z1, Z5)
	VPANDD Z19, Z0, Z0
	VPANDD Z19, Z1, Z1
	VMOVDQU32 Z0, (BX)
	VMOVDQU32 Z1, 64(BX)
smp_done:
	VZEROUPPER
	RET
