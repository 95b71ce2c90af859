//go:build amd64 && gc && !purego

#include "textflag.h"

// geluLow (gelulow.go) on AVX-512 and AVX2: the same operations in the
// same order as geluLow1, so the bits are geluLowGeneric's.

// GELULOW512(X) replaces the 16 values in X by geluLow. Needs Z31 = the
// |x| mask, Z30 = 8⁻, Z29 = 2, Z28 = 1, Z21 = 0 and Z22–Z27 the
// coefficients c0–c5; Z16–Z20 and K1 scratch.
#define GELULOW512(X) \
	VPANDD Z31, X, Z16 \
	VMINPS Z30, Z16, Z16 \
	VMULPS Z29, Z16, Z16 \
	VCVTTPS2DQ Z16, Z17 \
	VCVTDQ2PS Z17, Z18 \
	VSUBPS Z18, Z16, Z16 \
	VPERMPS Z27, Z17, Z19 \
	VPERMPS Z26, Z17, Z20 \
	VFMADD213PS Z20, Z16, Z19 \
	VPERMPS Z25, Z17, Z20 \
	VFMADD213PS Z20, Z16, Z19 \
	VPERMPS Z24, Z17, Z20 \
	VFMADD213PS Z20, Z16, Z19 \
	VPERMPS Z23, Z17, Z20 \
	VFMADD213PS Z20, Z16, Z19 \
	VPERMPS Z22, Z17, Z20 \
	VFMADD213PS Z20, Z16, Z19 \
	VCMPPS $0x11, Z21, X, K1 \
	VSUBPS Z19, Z28, K1, Z19 \
	VMULPS Z19, X, X

// func geluLowAVX512(x *float32, n int, tab *[6][16]float32)
TEXT ·geluLowAVX512(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ tab+16(FP), R8
	MOVL $0x7fffffff, AX
	VPBROADCASTD AX, Z31
	MOVL $0x40ffffff, AX // 8⁻
	VPBROADCASTD AX, Z30
	MOVL $0x40000000, AX // 2
	VPBROADCASTD AX, Z29
	MOVL $0x3f800000, AX // 1
	VPBROADCASTD AX, Z28
	VPXORD Z21, Z21, Z21
	VMOVUPS 0(R8), Z22
	VMOVUPS 64(R8), Z23
	VMOVUPS 128(R8), Z24
	VMOVUPS 192(R8), Z25
	VMOVUPS 256(R8), Z26
	VMOVUPS 320(R8), Z27
gl512_loop2:
	CMPQ CX, $32
	JLT gl512_one
	VMOVUPS 0(SI), Z0
	VMOVUPS 64(SI), Z1
	GELULOW512(Z0)
	GELULOW512(Z1)
	VMOVUPS Z0, 0(SI)
	VMOVUPS Z1, 64(SI)
	ADDQ $128, SI
	SUBQ $32, CX
	JMP gl512_loop2
gl512_one:
	CMPQ CX, $16
	JLT gl512_tail
	VMOVUPS 0(SI), Z0
	GELULOW512(Z0)
	VMOVUPS Z0, 0(SI)
	ADDQ $64, SI
	SUBQ $16, CX
gl512_tail:
	TESTQ CX, CX
	JEQ gl512_done
	MOVQ $1, DX
	SHLQ CX, DX
	DECQ DX
	KMOVW DX, K2
	VMOVUPS.Z 0(SI), K2, Z0
	GELULOW512(Z0)
	VMOVUPS Z0, K2, 0(SI)
gl512_done:
	VZEROUPPER
	RET

// GELULOW256(X) is GELULOW512 on the 8 values in X: Y15 = the |x| mask,
// Y14 = 8⁻, Y13 = 2, Y12 = 1, Y11 = 0, the coefficients at R8 ([6][16]:
// each row's entries 0–7 and 8–15 looked up apart, the high half taken
// where bit 3 of the index is set); Y1–Y7 scratch.
#define GELULOW256(X) \
	VANDPS Y15, X, Y1 \
	VMINPS Y14, Y1, Y1 \
	VMULPS Y13, Y1, Y1 \
	VCVTTPS2DQ Y1, Y2 \
	VCVTDQ2PS Y2, Y3 \
	VSUBPS Y3, Y1, Y1 \
	VPSLLD $28, Y2, Y3 \
	VPERMPS 320(R8), Y2, Y4 \
	VPERMPS 352(R8), Y2, Y5 \
	VBLENDVPS Y3, Y5, Y4, Y4 \
	GLCOEF256(256, 288) \
	GLCOEF256(192, 224) \
	GLCOEF256(128, 160) \
	GLCOEF256(64, 96) \
	GLCOEF256(0, 32) \
	VCMPPS $0x11, Y11, X, Y6 \
	VSUBPS Y4, Y12, Y7 \
	VBLENDVPS Y6, Y7, Y4, Y4 \
	VMULPS Y4, X, X

// GLCOEF256(lo, hi): p = p·t + the coefficient at R8+lo (index < 8) or
// R8+hi (index ≥ 8).
#define GLCOEF256(lo, hi) \
	VPERMPS lo(R8), Y2, Y5 \
	VPERMPS hi(R8), Y2, Y6 \
	VBLENDVPS Y3, Y6, Y5, Y5 \
	VFMADD213PS Y5, Y1, Y4

// func geluLowAVX2(x *float32, n int, tab *[6][16]float32)
// n a multiple of 8.
TEXT ·geluLowAVX2(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ tab+16(FP), R8
	MOVL $0x7fffffff, AX
	MOVQ AX, X15
	VPBROADCASTD X15, Y15
	MOVL $0x40ffffff, AX
	MOVQ AX, X14
	VPBROADCASTD X14, Y14
	MOVL $0x40000000, AX
	MOVQ AX, X13
	VPBROADCASTD X13, Y13
	MOVL $0x3f800000, AX
	MOVQ AX, X12
	VPBROADCASTD X12, Y12
	VXORPS Y11, Y11, Y11
gl256_loop:
	CMPQ CX, $8
	JLT gl256_done
	VMOVUPS 0(SI), Y0
	GELULOW256(Y0)
	VMOVUPS Y0, 0(SI)
	ADDQ $32, SI
	SUBQ $8, CX
	JMP gl256_loop
gl256_done:
	VZEROUPPER
	RET
