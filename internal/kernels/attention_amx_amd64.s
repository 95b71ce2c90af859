//go:build amd64 && gc && !purego

#include "textflag.h"
#include "exp_amd64.h"
#include "bf16_amd64.h"

// The vector conversions and the softmax of the bf16 attention
// (attention_lowprec.go); its tile products run on amxKernel
// (lowprec_amx_amd64.s).

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
	ROUND_BF16_CONSTS
	BF16_HIMASK(Z31)
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

// func vRowsAVX512(dst *uint16, ld int, src *float32, back int, mask uint32, dh, nat int)
// Vᵀ rows from a key run, each pair of keys swapped (nat = 0) or in
// order: for each feature f < dh, dst[f·ld + (l^1)] (or dst[f·ld + l])
// = bf16(s[f·32+l]) for the lanes l set in mask, s = src − back lanes
// (dst and s both start at a pair boundary of the keys). Z0/Z1 lanes 0–15/16–31, Z4/Z5 rounding
// scratch, Z28 each dword's rotation (16: its keys swapped, or 0); K1/K2
// the halves of mask for the loads, K3 the store's mask (mask with each
// pair of bits swapped, or mask).
TEXT ·vRowsAVX512(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ ld+8(FP), DX
	SHLQ $1, DX
	MOVQ src+16(FP), SI
	MOVQ back+24(FP), AX
	SHLQ $2, AX
	SUBQ AX, SI // src − back lanes: lane 0 masked off when back = 1
	MOVL mask+32(FP), BX
	MOVQ dh+40(FP), CX
	MOVQ nat+48(FP), R8
	ROUND_BF16_CONSTS
	KMOVW BX, K1
	MOVL BX, AX
	SHRL $16, AX
	KMOVW AX, K2
	MOVL BX, R9
	MOVL BX, AX
	ANDL $0x55555555, AX
	SHLL $1, AX
	SHRL $1, BX
	ANDL $0x55555555, BX
	ORL BX, AX
	MOVL $16, BX
	XORL R10, R10
	TESTQ R8, R8
	CMOVLNE R9, AX
	CMOVLNE R10, BX
	KMOVD AX, K3
	VPBROADCASTD BX, Z28
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
	VPROLVD Z28, Z0, Z0
	VMOVDQU16 Z0, K3, (DI)
	ADDQ $128, SI
	ADDQ DX, DI
	DECQ CX
	JNZ vrow
	VZEROUPPER
	RET

// Zeros for the pairs past a K row's last (kRowsNatAVX512), and the
// rounding constants 1, 0x7fff and the high-half mask 0xffff0000.
DATA kzero<>+0(SB)/8, $0
DATA kzero<>+8(SB)/8, $0
DATA kzero<>+16(SB)/8, $0
DATA kzero<>+24(SB)/8, $0
DATA kzero<>+32(SB)/8, $0
DATA kzero<>+40(SB)/8, $0
DATA kzero<>+48(SB)/8, $0
DATA kzero<>+56(SB)/8, $0
DATA kzero<>+64(SB)/8, $0
DATA kzero<>+72(SB)/8, $0
DATA kzero<>+80(SB)/8, $0
DATA kzero<>+88(SB)/8, $0
DATA kzero<>+96(SB)/8, $0
DATA kzero<>+104(SB)/8, $0
DATA kzero<>+112(SB)/8, $0
DATA kzero<>+120(SB)/8, $0
DATA kzero<>+128(SB)/8, $0
DATA kzero<>+136(SB)/8, $0
DATA kzero<>+144(SB)/8, $0
DATA kzero<>+152(SB)/8, $0
DATA kzero<>+160(SB)/8, $0
DATA kzero<>+168(SB)/8, $0
DATA kzero<>+176(SB)/8, $0
DATA kzero<>+184(SB)/8, $0
DATA kzero<>+192(SB)/8, $0
DATA kzero<>+200(SB)/8, $0
DATA kzero<>+208(SB)/8, $0
DATA kzero<>+216(SB)/8, $0
DATA kzero<>+224(SB)/8, $0
DATA kzero<>+232(SB)/8, $0
DATA kzero<>+240(SB)/8, $0
DATA kzero<>+248(SB)/8, $0
GLOBL kzero<>(SB), RODATA|NOPTR, $256
DATA krc<>+0(SB)/4, $1
DATA krc<>+4(SB)/4, $0x7fff
DATA krc<>+8(SB)/4, $0xffff0000
GLOBL krc<>(SB), RODATA|NOPTR, $12

// KPAIR(off, p, zd) sets zd to the dwords of pair p of a block for the
// 16 keys of the half (K3): bf16(feature 2p) | bf16(feature 2p+1) << 16,
// features off = 256·p bytes from R13, or zero when p ≥ R12 (their
// address is then kzero's).
#define KPAIR(off, p, zd) \
	LEAQ off(R13), AX \
	CMPQ R12, $p \
	CMOVQLE R14, AX \
	VMOVDQU32.Z (AX), K3, zd \
	VMOVDQU32.Z 128(AX), K3, Z16 \
	ROUND_BF16(zd, Z17) \
	ROUND_BF16(Z16, Z18) \
	VPSRLD $16, zd, zd \
	VPANDD Z31, Z16, Z16 \
	VPORD Z16, zd, zd

// KSTORE stores row zr (16 dwords: 32 features) at R11 under K5, the
// block's pairs, unless R8 rows are stored already.
#define KSTORE(zr) \
	DECQ R8 \
	JS khalfdone \
	VMOVDQU32 zr, K5, (R11) \
	ADDQ DX, R11

// func kRowsNatAVX512(dst *uint16, ld int, src *float32, mask uint32, n, pairs int)
// K rows in natural pairs from a run of n keys, lanes 0…n−1 of src (mask
// = 2ⁿ−1): the dword of pair p of key l at dst + 2·ld·l + 4p =
// bf16(src[2p·32+l]) | bf16(src[(2p+1)·32+l]) << 16, p < pairs. Blocks
// of 16 pairs (32 features), each in halves of 16 keys: the pairs'
// dwords Z0–Z15 (lane l = key l, Z16–Z18 the rounding scratch), a 16×16
// transpose of dwords (unpacks of dwords and qwords into Z16–Z31 and
// back, then 128-bit lanes shuffled twice) leaving key l's row of the
// block in Z(l), stored under K5. SI the block's features, DI its first
// row, DX = 2·ld, R9 pairs left, R12 the block's pairs, R13 the half's
// first lane, R14 kzero, R10 the half, R11 the row, R8 rows left to
// store; K1/K2 the key halves of mask, K3 the current one.
TEXT ·kRowsNatAVX512(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ ld+8(FP), DX
	SHLQ $1, DX
	MOVQ src+16(FP), SI
	MOVL mask+24(FP), AX
	MOVQ n+32(FP), BX
	MOVQ pairs+40(FP), R9
	KMOVW AX, K1
	SHRL $16, AX
	KMOVW AX, K2
	LEAQ kzero<>(SB), R14
kblock:
	MOVQ R9, R12
	CMPQ R12, $16
	JLE kblockpairs
	MOVQ $16, R12
kblockpairs:
	MOVQ R12, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K5
	XORQ R10, R10
	MOVQ SI, R13
	KMOVW K1, K3
	MOVQ DI, R11
	MOVQ BX, R8
khalf:
	VPBROADCASTD krc<>+0(SB), Z29
	VPBROADCASTD krc<>+4(SB), Z30
	VPBROADCASTD krc<>+8(SB), Z31
	KPAIR(0, 0, Z0)
	KPAIR(256, 1, Z1)
	KPAIR(512, 2, Z2)
	KPAIR(768, 3, Z3)
	KPAIR(1024, 4, Z4)
	KPAIR(1280, 5, Z5)
	KPAIR(1536, 6, Z6)
	KPAIR(1792, 7, Z7)
	KPAIR(2048, 8, Z8)
	KPAIR(2304, 9, Z9)
	KPAIR(2560, 10, Z10)
	KPAIR(2816, 11, Z11)
	KPAIR(3072, 12, Z12)
	KPAIR(3328, 13, Z13)
	KPAIR(3584, 14, Z14)
	KPAIR(3840, 15, Z15)
	VPUNPCKLDQ Z1, Z0, Z16
	VPUNPCKHDQ Z1, Z0, Z17
	VPUNPCKLDQ Z3, Z2, Z18
	VPUNPCKHDQ Z3, Z2, Z19
	VPUNPCKLDQ Z5, Z4, Z20
	VPUNPCKHDQ Z5, Z4, Z21
	VPUNPCKLDQ Z7, Z6, Z22
	VPUNPCKHDQ Z7, Z6, Z23
	VPUNPCKLDQ Z9, Z8, Z24
	VPUNPCKHDQ Z9, Z8, Z25
	VPUNPCKLDQ Z11, Z10, Z26
	VPUNPCKHDQ Z11, Z10, Z27
	VPUNPCKLDQ Z13, Z12, Z28
	VPUNPCKHDQ Z13, Z12, Z29
	VPUNPCKLDQ Z15, Z14, Z30
	VPUNPCKHDQ Z15, Z14, Z31
	VPUNPCKLQDQ Z18, Z16, Z0
	VPUNPCKHQDQ Z18, Z16, Z1
	VPUNPCKLQDQ Z19, Z17, Z2
	VPUNPCKHQDQ Z19, Z17, Z3
	VPUNPCKLQDQ Z22, Z20, Z4
	VPUNPCKHQDQ Z22, Z20, Z5
	VPUNPCKLQDQ Z23, Z21, Z6
	VPUNPCKHQDQ Z23, Z21, Z7
	VPUNPCKLQDQ Z26, Z24, Z8
	VPUNPCKHQDQ Z26, Z24, Z9
	VPUNPCKLQDQ Z27, Z25, Z10
	VPUNPCKHQDQ Z27, Z25, Z11
	VPUNPCKLQDQ Z30, Z28, Z12
	VPUNPCKHQDQ Z30, Z28, Z13
	VPUNPCKLQDQ Z31, Z29, Z14
	VPUNPCKHQDQ Z31, Z29, Z15
	VSHUFI32X4 $0x88, Z4, Z0, Z16
	VSHUFI32X4 $0xdd, Z4, Z0, Z20
	VSHUFI32X4 $0x88, Z12, Z8, Z24
	VSHUFI32X4 $0xdd, Z12, Z8, Z28
	VSHUFI32X4 $0x88, Z5, Z1, Z17
	VSHUFI32X4 $0xdd, Z5, Z1, Z21
	VSHUFI32X4 $0x88, Z13, Z9, Z25
	VSHUFI32X4 $0xdd, Z13, Z9, Z29
	VSHUFI32X4 $0x88, Z6, Z2, Z18
	VSHUFI32X4 $0xdd, Z6, Z2, Z22
	VSHUFI32X4 $0x88, Z14, Z10, Z26
	VSHUFI32X4 $0xdd, Z14, Z10, Z30
	VSHUFI32X4 $0x88, Z7, Z3, Z19
	VSHUFI32X4 $0xdd, Z7, Z3, Z23
	VSHUFI32X4 $0x88, Z15, Z11, Z27
	VSHUFI32X4 $0xdd, Z15, Z11, Z31
	VSHUFI32X4 $0x88, Z24, Z16, Z0
	VSHUFI32X4 $0xdd, Z24, Z16, Z8
	VSHUFI32X4 $0x88, Z28, Z20, Z4
	VSHUFI32X4 $0xdd, Z28, Z20, Z12
	VSHUFI32X4 $0x88, Z25, Z17, Z1
	VSHUFI32X4 $0xdd, Z25, Z17, Z9
	VSHUFI32X4 $0x88, Z29, Z21, Z5
	VSHUFI32X4 $0xdd, Z29, Z21, Z13
	VSHUFI32X4 $0x88, Z26, Z18, Z2
	VSHUFI32X4 $0xdd, Z26, Z18, Z10
	VSHUFI32X4 $0x88, Z30, Z22, Z6
	VSHUFI32X4 $0xdd, Z30, Z22, Z14
	VSHUFI32X4 $0x88, Z27, Z19, Z3
	VSHUFI32X4 $0xdd, Z27, Z19, Z11
	VSHUFI32X4 $0x88, Z31, Z23, Z7
	VSHUFI32X4 $0xdd, Z31, Z23, Z15
	KSTORE(Z0)
	KSTORE(Z1)
	KSTORE(Z2)
	KSTORE(Z3)
	KSTORE(Z4)
	KSTORE(Z5)
	KSTORE(Z6)
	KSTORE(Z7)
	KSTORE(Z8)
	KSTORE(Z9)
	KSTORE(Z10)
	KSTORE(Z11)
	KSTORE(Z12)
	KSTORE(Z13)
	KSTORE(Z14)
	KSTORE(Z15)
khalfdone:
	TESTQ R10, R10
	JNE knext
	CMPQ BX, $16
	JLE knext
	MOVQ $1, R10
	LEAQ 64(SI), R13
	KMOVW K2, K3
	MOVQ DX, R11
	SHLQ $4, R11
	ADDQ DI, R11
	LEAQ -16(BX), R8
	JMP khalf
knext:
	ADDQ $4096, SI
	ADDQ $64, DI
	SUBQ $16, R9
	JG kblock
	VZEROUPPER
	RET

// The two softmax passes that softmaxPairsAVX512 and softmaxNatAVX512
// share, with s in SI, rows in CX, Z31 = scale and the columns' scaled
// maxima in Z10/Z11 (columns 0–15/16–31); DI and DX walk the rows, Z0–Z3
// hold rows 2p and 2p+1. The labels are those of one function, so each
// macro goes once into a function.

// SMEXP stores in s the exponentials of scale·s less the maxima, two rows
// a step, and adds them into A0–A3 (even row, columns 0–15 and 16–31; odd
// row, the same): EXP01 the exponentials of Z0/Z1, EXP23 of Z2/Z3, with
// each function's scratch registers; a missing last row adds nothing.
#define SMEXP(EXP01, EXP23, A0, A1, A2, A3) \
	MOVQ SI, DI; \
	MOVQ CX, DX; \
sm_exp2:; \
	CMPQ DX, $2; \
	JLT sm_exp1; \
	VMULPS (DI), Z31, Z0; \
	VMULPS 64(DI), Z31, Z1; \
	VMULPS 128(DI), Z31, Z2; \
	VMULPS 192(DI), Z31, Z3; \
	VSUBPS Z10, Z0, Z0; \
	VSUBPS Z11, Z1, Z1; \
	VSUBPS Z10, Z2, Z2; \
	VSUBPS Z11, Z3, Z3; \
	EXP01; \
	EXP23; \
	VMOVUPS Z0, (DI); \
	VMOVUPS Z1, 64(DI); \
	VMOVUPS Z2, 128(DI); \
	VMOVUPS Z3, 192(DI); \
	VADDPS Z0, A0, A0; \
	VADDPS Z1, A1, A1; \
	VADDPS Z2, A2, A2; \
	VADDPS Z3, A3, A3; \
	ADDQ $256, DI; \
	SUBQ $2, DX; \
	JMP sm_exp2; \
sm_exp1:; \
	TESTQ DX, DX; \
	JEQ sm_expdone; \
	VMULPS (DI), Z31, Z0; \
	VMULPS 64(DI), Z31, Z1; \
	VSUBPS Z10, Z0, Z0; \
	VSUBPS Z11, Z1, Z1; \
	EXP01; \
	VMOVUPS Z0, (DI); \
	VMOVUPS Z1, 64(DI); \
	VADDPS Z0, A0, A0; \
	VADDPS Z1, A1, A1; \
sm_expdone:

// SMPACK writes to dst (BX) the exponentials in s times the reciprocal
// sums R0/R1 (columns 0–15/16–31), rounded to bf16 (ROUND_BF16: Z29 = 1,
// Z30 = 0x7fff), two rows to a dword: the even row's rounded float goes
// through EVENOP EVENARG, the odd row's through ODDOP ODDARG, one of them
// VPANDD with 0xffff0000 (the bf16 in the high half) and the other
// VPSRLD $16 (in the low half), as the pair order wants; a missing last
// row leaves its half zero. Jumps to DONE when rows is even.
#define SMPACK(R0, R1, EVENOP, EVENARG, ODDOP, ODDARG, DONE) \
sm_pair:; \
	CMPQ DX, $2; \
	JLT sm_pairtail; \
	VMULPS (DI), R0, Z0; \
	VMULPS 64(DI), R1, Z1; \
	VMULPS 128(DI), R0, Z2; \
	VMULPS 192(DI), R1, Z3; \
	ROUND_BF16(Z0, Z4); \
	ROUND_BF16(Z1, Z5); \
	ROUND_BF16(Z2, Z6); \
	ROUND_BF16(Z3, Z7); \
	EVENOP EVENARG, Z0, Z0; \
	EVENOP EVENARG, Z1, Z1; \
	ODDOP ODDARG, Z2, Z2; \
	ODDOP ODDARG, Z3, Z3; \
	VPORD Z2, Z0, Z0; \
	VPORD Z3, Z1, Z1; \
	VMOVDQU32 Z0, (BX); \
	VMOVDQU32 Z1, 64(BX); \
	ADDQ $256, DI; \
	ADDQ $128, BX; \
	SUBQ $2, DX; \
	JMP sm_pair; \
sm_pairtail:; \
	TESTQ DX, DX; \
	JEQ DONE; \
	VMULPS (DI), R0, Z0; \
	VMULPS 64(DI), R1, Z1; \
	ROUND_BF16(Z0, Z4); \
	ROUND_BF16(Z1, Z5); \
	EVENOP EVENARG, Z0, Z0; \
	EVENOP EVENARG, Z1, Z1; \
	VMOVDQU32 Z0, (BX); \
	VMOVDQU32 Z1, 64(BX)

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

// SMEXP's EXP01 and EXP23 for softmaxPairsAVX512: the exponentials of
// row 2p (Z0/Z1) and of row 2p+1 (Z2/Z3).
#define SMP_EXP01 EXPB(Z0, Z4, Z5); EXPB(Z1, Z6, Z7)
#define SMP_EXP23 EXPB(Z2, Z8, Z9); EXPB(Z3, Z18, Z19)

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
	ROUND_BF16_CONSTS

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
	SMEXP(SMP_EXP01, SMP_EXP23, Z14, Z15, Z16, Z17)
	VADDPS Z16, Z14, Z14
	VADDPS Z17, Z15, Z15
	VDIVPS Z14, Z27, Z14
	VDIVPS Z15, Z27, Z15

	BF16_HIMASK(Z19)
	MOVQ SI, DI
	MOVQ dst+24(FP), BX
	MOVQ CX, DX
	SMPACK(Z14, Z15, VPANDD, Z19, VPSRLD, $16, smp_done)
smp_done:
	VZEROUPPER
	RET

// The exponential of the vector family (vecmath_amd64.s: EXPCONSTS, EXP),
// for softmaxNatAVX512, which must give softmaxCols32AVX512's bits: the
// same constants in Z16–Z27 and the same instructions.
EXPTABLE(attexp<>) // exp_amd64.h; the upper clamp (+4) is not loaded
GLOBL attexp<>(SB), RODATA|NOPTR, $48

// EXPC replaces X (≤ 0 or NaN) by exp(X) as vecmath_amd64.s's EXP
// does; N, P, R clobbered. EXP's upper clamp (VMINPS with Z17) leaves
// such an X as it is and is left out.
#define EXPC(X, N, P, R) \
	VMAXPS X, Z16, X; \
	EXPCORE(X, N, P, R)

// SMEXP's EXP01 and EXP23 for softmaxNatAVX512: the exponentials of
// row 2p (Z0/Z1) and of row 2p+1 (Z2/Z3).
#define SMN_EXP01 EXPC(Z0, Z4, Z8, Z28); EXPC(Z1, Z5, Z9, Z29)
#define SMN_EXP23 EXPC(Z2, Z6, Z14, Z30); EXPC(Z3, Z7, Z15, Z28)

// func softmaxNatAVX512(s *float32, rows int, scale float32, dst *uint16, wide int, m *float32)
// s [rows][32], rows ≥ 1: the softmax of scaleFast(s, scale) then
// softmaxCols32AVX512, rounded to bf16 into dst [ceil(rows/2)][32][2] in
// natural pairs as bf16PairsNat writes them (each token's dword =
// bf16(row 2p) | bf16(row 2p+1) << 16, zero for a missing last row), in
// three passes instead of five: the maxima of the scaled rows; the
// exponentials (of the scaled row less the maximum, ≤ 0) stored in s and
// summed row by row; their products with 1/sum rounded in pairs. Each
// value gets the same operations as on that path, in the same order (the
// maxima, taken even and odd rows apart, may differ in which of +0 and −0
// they keep, and with a NaN in the column in whether and which NaN they
// keep, VMAXPS returning its second operand when one is NaN: exp of a
// difference with ±0 is 1 either way; a maximum that dropped a NaN is
// still the maximum of the other rows, so their differences stay ≤ 0,
// and the NaN row's exponential makes the column's sum, hence all its
// probabilities, NaN on both paths, though not with the same NaN bits). With wide = 0 only
// columns 0–15 (dst's first 16 dwords of each pair, the rest untouched).
// Unless m is nil it holds the columns' maxima of s [32] (taken by the
// tile that wrote s): the maxima of the scaled rows are then m·scale,
// the same values (rounding is monotonic and scale > 0), without the
// first pass.
// Z16 and Z18–Z27 EXPC's constants, Z31 scale, Z10/Z11 the maxima of columns
// 0–15/16–31 (Z12/Z13 the odd rows' until combined), then Z12/Z13 the
// sums and their reciprocals; Z28 0xffff0000, Z29 1, Z30 0x7fff
// (ROUND_BF16) in the last pass.
TEXT ·softmaxNatAVX512(SB), NOSPLIT, $0-48
	MOVQ s+0(FP), SI
	MOVQ rows+8(FP), CX
	VBROADCASTSS scale+16(FP), Z31
	MOVQ dst+24(FP), BX
	LEAQ attexp<>(SB), R11
	VBROADCASTSS 0(R11), Z16
	VBROADCASTSS 8(R11), Z18
	VBROADCASTSS 12(R11), Z19
	VBROADCASTSS 16(R11), Z20
	VBROADCASTSS 20(R11), Z21
	VBROADCASTSS 24(R11), Z22
	VBROADCASTSS 28(R11), Z23
	VBROADCASTSS 32(R11), Z24
	VBROADCASTSS 36(R11), Z25
	VBROADCASTSS 40(R11), Z26
	VBROADCASTSS 44(R11), Z27
	MOVQ m+40(FP), R12
	CMPQ wide+32(FP), $0
	JEQ smn16
	TESTQ R12, R12
	JEQ smn_max
	VMULPS (R12), Z31, Z10
	VMULPS 64(R12), Z31, Z11
	JMP smn_havemax

smn_max:
	VMULPS (SI), Z31, Z10
	VMULPS 64(SI), Z31, Z11
	VMOVAPS Z10, Z12
	VMOVAPS Z11, Z13
	MOVQ SI, DI
	MOVQ CX, DX
smn_max2:
	CMPQ DX, $2
	JLT smn_max1
	VMULPS (DI), Z31, Z0
	VMULPS 64(DI), Z31, Z1
	VMULPS 128(DI), Z31, Z2
	VMULPS 192(DI), Z31, Z3
	VMAXPS Z0, Z10, Z10
	VMAXPS Z1, Z11, Z11
	VMAXPS Z2, Z12, Z12
	VMAXPS Z3, Z13, Z13
	ADDQ $256, DI
	SUBQ $2, DX
	JMP smn_max2
smn_max1:
	TESTQ DX, DX
	JEQ smn_maxdone
	VMULPS (DI), Z31, Z0
	VMULPS 64(DI), Z31, Z1
	VMAXPS Z0, Z10, Z10
	VMAXPS Z1, Z11, Z11
smn_maxdone:
	VMAXPS Z12, Z10, Z10
	VMAXPS Z13, Z11, Z11
smn_havemax:

	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	SMEXP(SMN_EXP01, SMN_EXP23, Z12, Z13, Z12, Z13)
	VDIVPS Z12, Z27, Z12
	VDIVPS Z13, Z27, Z13

	BF16_HIMASK(Z28)
	ROUND_BF16_CONSTS
	MOVQ SI, DI
	MOVQ CX, DX
	SMPACK(Z12, Z13, VPSRLD, $16, VPANDD, Z28, smn_done)
	JMP smn_done

// Columns 0–15 alone: the same steps on the first vector of each row.
smn16:
	TESTQ R12, R12
	JEQ smn16_max
	VMULPS (R12), Z31, Z10
	JMP smn16_havemax
smn16_max:
	VMULPS (SI), Z31, Z10
	VMOVAPS Z10, Z12
	MOVQ SI, DI
	MOVQ CX, DX
smn16_max2:
	CMPQ DX, $2
	JLT smn16_max1
	VMULPS (DI), Z31, Z0
	VMULPS 128(DI), Z31, Z2
	VMAXPS Z0, Z10, Z10
	VMAXPS Z2, Z12, Z12
	ADDQ $256, DI
	SUBQ $2, DX
	JMP smn16_max2
smn16_max1:
	TESTQ DX, DX
	JEQ smn16_maxdone
	VMULPS (DI), Z31, Z0
	VMAXPS Z0, Z10, Z10
smn16_maxdone:
	VMAXPS Z12, Z10, Z10
smn16_havemax:

	VPXORD Z12, Z12, Z12
	MOVQ SI, DI
	MOVQ CX, DX
smn16_exp2:
	CMPQ DX, $2
	JLT smn16_exp1
	VMULPS (DI), Z31, Z0
	VMULPS 128(DI), Z31, Z2
	VSUBPS Z10, Z0, Z0
	VSUBPS Z10, Z2, Z2
	EXPC(Z0, Z4, Z8, Z28)
	EXPC(Z2, Z6, Z14, Z30)
	VMOVUPS Z0, (DI)
	VMOVUPS Z2, 128(DI)
	VADDPS Z0, Z12, Z12
	VADDPS Z2, Z12, Z12
	ADDQ $256, DI
	SUBQ $2, DX
	JMP smn16_exp2
smn16_exp1:
	TESTQ DX, DX
	JEQ smn16_expdone
	VMULPS (DI), Z31, Z0
	VSUBPS Z10, Z0, Z0
	EXPC(Z0, Z4, Z8, Z28)
	VMOVUPS Z0, (DI)
	VADDPS Z0, Z12, Z12
smn16_expdone:
	VDIVPS Z12, Z27, Z12

	BF16_HIMASK(Z28)
	ROUND_BF16_CONSTS
	MOVQ SI, DI
	MOVQ CX, DX
smn16_pair:
	CMPQ DX, $2
	JLT smn16_pairtail
	VMULPS (DI), Z12, Z0
	VMULPS 128(DI), Z12, Z2
	ROUND_BF16(Z0, Z4)
	ROUND_BF16(Z2, Z6)
	VPSRLD $16, Z0, Z0
	VPANDD Z28, Z2, Z2
	VPORD Z2, Z0, Z0
	VMOVDQU32 Z0, (BX)
	ADDQ $256, DI
	ADDQ $128, BX
	SUBQ $2, DX
	JMP smn16_pair
smn16_pairtail:
	TESTQ DX, DX
	JEQ smn_done
	VMULPS (DI), Z12, Z0
	ROUND_BF16(Z0, Z4)
	VPSRLD $16, Z0, Z0
	VMOVDQU32 Z0, (BX)
smn_done:
	VZEROUPPER
	RET
