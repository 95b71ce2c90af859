//go:build amd64 && gc && !purego

#include "textflag.h"
#include "bf16_amd64.h"

// LNSTATS is passes 1 and 2 of the AVX-512 LayerNorms of a panel: from
// x [d][32] at SI, d in CX, Z8 = eps and Z9 = 1/d, the means of tokens
// 0–15 and 16–31 in Z4/Z5 and 1/√(var+eps) in Z6/Z7, var the mean
// square about the mean (passes 1 and 2 each sum in two partial
// accumulators per 16 lanes, even and odd l). Clobbers AX, DX, Z0–Z3,
// Z10–Z13.
#define LNSTATS \
	VPXORD Z0, Z0, Z0; \
	VPXORD Z1, Z1, Z1; \
	VPXORD Z2, Z2, Z2; \
	VPXORD Z3, Z3, Z3; \
	MOVQ SI, AX; \
	MOVQ CX, DX; \
	SHRQ $1, DX; \
	JZ   lnstats_mean_odd; \
lnstats_mean_loop:; \
	VADDPS 0(AX), Z0, Z0; \
	VADDPS 64(AX), Z1, Z1; \
	VADDPS 128(AX), Z2, Z2; \
	VADDPS 192(AX), Z3, Z3; \
	ADDQ $256, AX; \
	DECQ DX; \
	JNZ  lnstats_mean_loop; \
lnstats_mean_odd:; \
	TESTQ $1, CX; \
	JZ   lnstats_mean_done; \
	VADDPS 0(AX), Z0, Z0; \
	VADDPS 64(AX), Z1, Z1; \
lnstats_mean_done:; \
	VADDPS Z2, Z0, Z0; \
	VADDPS Z3, Z1, Z1; \
	VMULPS Z9, Z0, Z4; \
	VMULPS Z9, Z1, Z5; \
	VPXORD Z0, Z0, Z0; \
	VPXORD Z1, Z1, Z1; \
	VPXORD Z2, Z2, Z2; \
	VPXORD Z3, Z3, Z3; \
	MOVQ SI, AX; \
	MOVQ CX, DX; \
	SHRQ $1, DX; \
	JZ   lnstats_var_odd; \
lnstats_var_loop:; \
	VSUBPS 0(AX), Z4, Z10; \
	VSUBPS 64(AX), Z5, Z11; \
	VSUBPS 128(AX), Z4, Z12; \
	VSUBPS 192(AX), Z5, Z13; \
	VFMADD231PS Z10, Z10, Z0; \
	VFMADD231PS Z11, Z11, Z1; \
	VFMADD231PS Z12, Z12, Z2; \
	VFMADD231PS Z13, Z13, Z3; \
	ADDQ $256, AX; \
	DECQ DX; \
	JNZ  lnstats_var_loop; \
lnstats_var_odd:; \
	TESTQ $1, CX; \
	JZ   lnstats_var_done; \
	VSUBPS 0(AX), Z4, Z10; \
	VSUBPS 64(AX), Z5, Z11; \
	VFMADD231PS Z10, Z10, Z0; \
	VFMADD231PS Z11, Z11, Z1; \
lnstats_var_done:; \
	VADDPS Z2, Z0, Z0; \
	VADDPS Z3, Z1, Z1; \
	VFMADD213PS Z8, Z9, Z0; \
	VFMADD213PS Z8, Z9, Z1; \
	VSQRTPS Z0, Z0; \
	VSQRTPS Z1, Z1; \
	MOVL $0x3f800000, AX; \
	VPBROADCASTD AX, Z2; \
	VDIVPS Z0, Z2, Z6; \
	VDIVPS Z1, Z2, Z7

// func lnPanelAVX512(x, y, gamma, beta *float32, d int, invD, eps float32)
// LayerNorm of the 32 tokens of one panel x [d][32] over their d features,
// into y [d][32] (may be x): per lane j,
//
//	mean = Σ x[l][j] / d,  var = Σ (x[l][j] − mean)² / d
//	y[l][j] = (x[l][j] − mean) · 1/√(var + eps) · gamma[l] + beta[l]
//
// Sums run in two partial accumulators per 16 lanes (even and odd l).
// Z0..Z3 partial sums, Z4/Z5 mean, Z6/Z7 1/√(var+eps), Z8 eps, Z9 1/d.
TEXT ·lnPanelAVX512(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ gamma+16(FP), R8
	MOVQ beta+24(FP), R9
	MOVQ d+32(FP), CX
	VBROADCASTSS invD+40(FP), Z9
	VBROADCASTSS eps+44(FP), Z8

	LNSTATS // passes 1 and 2: Z4/Z5 mean, Z6/Z7 1/√(var+eps)

	// pass 3: normalize and scale
	MOVQ SI, AX
norm_loop:
	VMOVUPS 0(AX), Z10
	VMOVUPS 64(AX), Z11
	VSUBPS Z4, Z10, Z10
	VSUBPS Z5, Z11, Z11
	VMULPS Z6, Z10, Z10
	VMULPS Z7, Z11, Z11
	VBROADCASTSS (R8), Z12
	VBROADCASTSS (R9), Z13
	VFMADD213PS Z13, Z12, Z10
	VFMADD213PS Z13, Z12, Z11
	VMOVUPS Z10, 0(DI)
	VMOVUPS Z11, 64(DI)
	ADDQ $128, AX
	ADDQ $128, DI
	ADDQ $4, R8
	ADDQ $4, R9
	DECQ CX
	JNZ  norm_loop
	VZEROUPPER
	RET

// lnPanelAVX512 that also folds each y[l][j], as it is stored, into
// lo[j] = min(0, …) and hi[j] = max(0, …) in minMaxPanelAVX512's order
// (VMINPS/VMAXPS, the new value second): Z14/Z15 the running minimum of
// tokens 0–15/16–31, Z16/Z17 the maximum.
TEXT ·lnMinMaxPanelAVX512(SB), NOSPLIT, $0-64
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ gamma+16(FP), R8
	MOVQ beta+24(FP), R9
	MOVQ d+32(FP), CX
	VBROADCASTSS invD+40(FP), Z9
	VBROADCASTSS eps+44(FP), Z8

	LNSTATS // passes 1 and 2: Z4/Z5 mean, Z6/Z7 1/√(var+eps)

	// pass 3: normalize and scale, fold into the ranges
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	MOVQ SI, AX
mm_norm_loop:
	VMOVUPS 0(AX), Z10
	VMOVUPS 64(AX), Z11
	VSUBPS Z4, Z10, Z10
	VSUBPS Z5, Z11, Z11
	VMULPS Z6, Z10, Z10
	VMULPS Z7, Z11, Z11
	VBROADCASTSS (R8), Z12
	VBROADCASTSS (R9), Z13
	VFMADD213PS Z13, Z12, Z10
	VFMADD213PS Z13, Z12, Z11
	VMOVUPS Z10, 0(DI)
	VMOVUPS Z11, 64(DI)
	VMINPS Z10, Z14, Z14
	VMINPS Z11, Z15, Z15
	VMAXPS Z10, Z16, Z16
	VMAXPS Z11, Z17, Z17
	ADDQ $128, AX
	ADDQ $128, DI
	ADDQ $4, R8
	ADDQ $4, R9
	DECQ CX
	JNZ  mm_norm_loop
	MOVQ lo+48(FP), AX
	MOVQ hi+56(FP), BX
	VMOVUPS Z14, (AX)
	VMOVUPS Z15, 64(AX)
	VMOVUPS Z16, (BX)
	VMOVUPS Z17, 64(BX)
	VZEROUPPER
	RET

// func lnPanelAVX2(x, y, gamma, beta *float32, d int, invD, eps float32)
// lnPanelAVX512 with ymm registers: four per 32-lane row, one partial sum
// per 8 lanes. Y0..Y3 sums, Y4..Y7 means, Y8..Y11 1/√(var+eps),
// Y12/Y13 eps and 1/d, Y14/Y15 temporaries.
TEXT ·lnPanelAVX2(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ gamma+16(FP), R8
	MOVQ beta+24(FP), R9
	MOVQ d+32(FP), CX
	VBROADCASTSS invD+40(FP), Y13
	VBROADCASTSS eps+44(FP), Y12

	// pass 1: mean
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ SI, AX
	MOVQ CX, DX
mean2_loop:
	VADDPS 0(AX), Y0, Y0
	VADDPS 32(AX), Y1, Y1
	VADDPS 64(AX), Y2, Y2
	VADDPS 96(AX), Y3, Y3
	ADDQ $128, AX
	DECQ DX
	JNZ  mean2_loop
	VMULPS Y13, Y0, Y4
	VMULPS Y13, Y1, Y5
	VMULPS Y13, Y2, Y6
	VMULPS Y13, Y3, Y7

	// pass 2: variance about the mean
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ SI, AX
	MOVQ CX, DX
var2_loop:
	VSUBPS 0(AX), Y4, Y14
	VFMADD231PS Y14, Y14, Y0
	VSUBPS 32(AX), Y5, Y15
	VFMADD231PS Y15, Y15, Y1
	VSUBPS 64(AX), Y6, Y14
	VFMADD231PS Y14, Y14, Y2
	VSUBPS 96(AX), Y7, Y15
	VFMADD231PS Y15, Y15, Y3
	ADDQ $128, AX
	DECQ DX
	JNZ  var2_loop
	VFMADD213PS Y12, Y13, Y0 // var + eps
	VFMADD213PS Y12, Y13, Y1
	VFMADD213PS Y12, Y13, Y2
	VFMADD213PS Y12, Y13, Y3
	VSQRTPS Y0, Y0
	VSQRTPS Y1, Y1
	VSQRTPS Y2, Y2
	VSQRTPS Y3, Y3
	MOVL $0x3f800000, AX
	MOVL AX, X14
	VBROADCASTSS X14, Y14
	VDIVPS Y0, Y14, Y8
	VDIVPS Y1, Y14, Y9
	VDIVPS Y2, Y14, Y10
	VDIVPS Y3, Y14, Y11

	// pass 3: normalize and scale
	MOVQ SI, AX
norm2_loop:
	VBROADCASTSS (R8), Y12
	VBROADCASTSS (R9), Y13
	VMOVUPS 0(AX), Y0
	VMOVUPS 32(AX), Y1
	VMOVUPS 64(AX), Y2
	VMOVUPS 96(AX), Y3
	VSUBPS Y4, Y0, Y0
	VSUBPS Y5, Y1, Y1
	VSUBPS Y6, Y2, Y2
	VSUBPS Y7, Y3, Y3
	VMULPS Y8, Y0, Y0
	VMULPS Y9, Y1, Y1
	VMULPS Y10, Y2, Y2
	VMULPS Y11, Y3, Y3
	VFMADD213PS Y13, Y12, Y0
	VFMADD213PS Y13, Y12, Y1
	VFMADD213PS Y13, Y12, Y2
	VFMADD213PS Y13, Y12, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, AX
	ADDQ $128, DI
	ADDQ $4, R8
	ADDQ $4, R9
	DECQ CX
	JNZ  norm2_loop
	VZEROUPPER
	RET

// func lnBF16PairsAVX512(x *float32, dst *uint16, gamma, beta *float32, d int, invD, eps float32, nat int)
// lnPanelAVX512's LayerNorm of the panel x [d][32], its values rounded
// to bf16 as they leave pass 3 and stored as bf16PairsAVX512 stores
// them: per pair of rows 2p, 2p+1, each token's dword = bf16(row 2p) <<
// 16 | bf16(row 2p+1), or with nat ≠ 0 the other way round; an odd d's
// last row pairs with zero. dst [(d+1)/2][32][2]. Passes 1 and 2 are
// lnPanelAVX512's (same registers). Pass 3: R10/R12 the byte offsets of
// the row that goes high in x and in gamma, beta, R11/R13 of the other;
// Z10/Z11 the high row, Z12/Z13 the low one; Z29 = 1, Z30 = 0x7fff,
// Z31 = 0xffff0000.
TEXT ·lnBF16PairsAVX512(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), SI
	MOVQ dst+8(FP), DI
	MOVQ gamma+16(FP), R8
	MOVQ beta+24(FP), R9
	MOVQ d+32(FP), CX
	VBROADCASTSS invD+40(FP), Z9
	VBROADCASTSS eps+44(FP), Z8

	LNSTATS // passes 1 and 2: Z4/Z5 mean, Z6/Z7 1/√(var+eps)

	// pass 3: normalize, scale, round to bf16 and pair
	ROUND_BF16_CONSTS
	BF16_HIMASK(Z31)
	XORQ R10, R10
	MOVQ $128, R11
	XORQ R12, R12
	MOVQ $4, R13
	MOVQ nat+48(FP), BX
	CMPQ BX, $0
	JEQ  lb_order
	XCHGQ R10, R11
	XCHGQ R12, R13
lb_order:
	MOVQ SI, AX
	MOVQ CX, DX
	SHRQ $1, DX
	JZ   lb_odd
lb_norm_loop:
	VMOVUPS 0(AX)(R10*1), Z10
	VMOVUPS 64(AX)(R10*1), Z11
	VMOVUPS 0(AX)(R11*1), Z12
	VMOVUPS 64(AX)(R11*1), Z13
	VSUBPS Z4, Z10, Z10
	VSUBPS Z5, Z11, Z11
	VSUBPS Z4, Z12, Z12
	VSUBPS Z5, Z13, Z13
	VMULPS Z6, Z10, Z10
	VMULPS Z7, Z11, Z11
	VMULPS Z6, Z12, Z12
	VMULPS Z7, Z13, Z13
	VBROADCASTSS (R8)(R12*1), Z14
	VBROADCASTSS (R9)(R12*1), Z15
	VBROADCASTSS (R8)(R13*1), Z16
	VBROADCASTSS (R9)(R13*1), Z17
	VFMADD213PS Z15, Z14, Z10
	VFMADD213PS Z15, Z14, Z11
	VFMADD213PS Z17, Z16, Z12
	VFMADD213PS Z17, Z16, Z13
	ROUND_BF16(Z10, Z0)
	VPANDD Z31, Z10, Z10
	ROUND_BF16(Z11, Z1)
	VPANDD Z31, Z11, Z11
	ROUND_BF16(Z12, Z2)
	VPSRLD $16, Z12, Z12
	ROUND_BF16(Z13, Z3)
	VPSRLD $16, Z13, Z13
	VPORD Z12, Z10, Z10
	VPORD Z13, Z11, Z11
	VMOVDQU32 Z10, 0(DI)
	VMOVDQU32 Z11, 64(DI)
	ADDQ $256, AX
	ADDQ $128, DI
	ADDQ $8, R8
	ADDQ $8, R9
	DECQ DX
	JNZ  lb_norm_loop
lb_odd:
	TESTQ $1, CX
	JZ   lb_done
	VMOVUPS 0(AX), Z10
	VMOVUPS 64(AX), Z11
	VSUBPS Z4, Z10, Z10
	VSUBPS Z5, Z11, Z11
	VMULPS Z6, Z10, Z10
	VMULPS Z7, Z11, Z11
	VBROADCASTSS (R8), Z14
	VBROADCASTSS (R9), Z15
	VFMADD213PS Z15, Z14, Z10
	VFMADD213PS Z15, Z14, Z11
	ROUND_BF16(Z10, Z0)
	ROUND_BF16(Z11, Z1)
	CMPQ BX, $0
	JNE  lb_odd_nat
	VPANDD Z31, Z10, Z10 // the row goes high, zero low
	VPANDD Z31, Z11, Z11
	JMP  lb_odd_store
lb_odd_nat:
	VPSRLD $16, Z10, Z10 // the row goes low, zero high
	VPSRLD $16, Z11, Z11
lb_odd_store:
	VMOVDQU32 Z10, 0(DI)
	VMOVDQU32 Z11, 64(DI)
lb_done:
	VZEROUPPER
	RET
