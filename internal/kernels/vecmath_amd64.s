//go:build amd64 && gc && !purego

#include "textflag.h"
#include "exp_amd64.h"

// Vector math for the elementwise kernels: exp, exact-erf GELU, the low
// precisions' GELU (geluLow), x·σ(·), column and row softmax, and the
// reductions of LayerNorm. AVX-512 only; callers pass any n, tails run
// under the mask K2.
//
// Register plan shared by the routines:
//   Z16..Z27  exp constants (clamps, log2 e, ln 2 split, Cephes expf
//             polynomial c5..c0, 1.0), loaded once per call by EXPCONSTS
//   Z28..Z31  per-routine constants
//   Z0..Z15   data and temporaries; K2 the tail mask; R11 the constant table.
// geluAVX512 has its own plan (two pipeline stages of four chains each in
// Z0..Z27, see GELUA and GELUB).
//
// exp(x): x clamped to [-87.34, 88.38], n = round(x·log2 e),
// r = x − n·ln2 (two-part ln 2), p = 1 + r + r²·P5(r) (Cephes expf,
// ≈1 ulp), result = p·2ⁿ by VSCALEFPS.

EXPTABLE(vmc<>) // +0 to +44: exp_amd64.h
DATA vmc<>+48(SB)/4, $0xbf000000  // -0.5
DATA vmc<>+52(SB)/4, $0x40000000  // 2
DATA vmc<>+56(SB)/4, $0x3f3504f3  // 1/√2
DATA vmc<>+60(SB)/4, $0x7fffffff  // |x| mask
// erfc(z) ≈ t·exp(−z² + E(t)), t = 1/(1 + z/2), fractional error < 1.2e-7
// (Numerical Recipes erfcc). The GELU kernels evaluate E in u = t/2: the
// coefficient e_k of t^k is stored as e_k·2^k (exact), highest power first,
// so that each Horner step in u is the step in t scaled by a power of 2
// and rounds alike.
DATA vmc<>+64(SB)/4, $0x42aef945 // 87.4868546 = e9·2^9 (the coefficient of t^9 in E, times 2^9)
DATA vmc<>+68(SB)/4, $0xc3527892 // -210.470978 = e8·2^8
DATA vmc<>+72(SB)/4, $0x433e87b0 // 190.530029 = e7·2^7
DATA vmc<>+76(SB)/4, $0xc2914e5d // -72.6530533 = e6·2^6
DATA vmc<>+80(SB)/4, $0x410ec7cc // 8.92377853 = e5·2^5
DATA vmc<>+84(SB)/4, $0xc03ec24c // -2.98060894 = e4·2^4
DATA vmc<>+88(SB)/4, $0x3f4636c9 // 0.774273455 = e3·2^3
DATA vmc<>+92(SB)/4, $0x3fbf88fb // 1.49636781 = e2·2^2
DATA vmc<>+96(SB)/4, $0x400000c7 // 2.00004745 = e1·2^1
DATA vmc<>+100(SB)/4, $0xbfa1fc4e // -1.26551223 = e0
DATA vmc<>+104(SB)/4, $0x41800000 // 16: |x| clamp of GELU (erfc(16/√2) < 1e-56)
DATA vmc<>+108(SB)/4, $0x40ffffff // 8⁻ = 7.9999995: |x| clamp of geluLow
GLOBL vmc<>(SB), RODATA|NOPTR, $112

#define EXPCONSTS \
	LEAQ vmc<>(SB), R11; \
	VBROADCASTSS 0(R11), Z16; \
	VBROADCASTSS 4(R11), Z17; \
	VBROADCASTSS 8(R11), Z18; \
	VBROADCASTSS 12(R11), Z19; \
	VBROADCASTSS 16(R11), Z20; \
	VBROADCASTSS 20(R11), Z21; \
	VBROADCASTSS 24(R11), Z22; \
	VBROADCASTSS 28(R11), Z23; \
	VBROADCASTSS 32(R11), Z24; \
	VBROADCASTSS 36(R11), Z25; \
	VBROADCASTSS 40(R11), Z26; \
	VBROADCASTSS 44(R11), Z27

// EXP replaces X by exp(X); N, P, R are clobbered. NaN stays NaN.
#define EXP(X, N, P, R) \
	VMAXPS X, Z16, X; \
	VMINPS X, Z17, X; \
	EXPCORE(X, N, P, R)

// TAILMASK sets K2 to the low CX bits.
#define TAILMASK \
	MOVL $1, AX; \
	SHLL CX, AX; \
	DECL AX; \
	KMOVW AX, K2

// HSUM reduces Z to its lane sum in the low lane of X (Y and X name the
// same register as Z; T is a temporary register number's Y/X views).
#define HSUM(Z, Y, X, TY, TX) \
	VEXTRACTF64X4 $1, Z, TY; \
	VADDPS TY, Y, Y; \
	VEXTRACTF128 $1, Y, TX; \
	VADDPS TX, X, X; \
	VHADDPS X, X, X; \
	VHADDPS X, X, X

// GELUCONSTS loads Z28 = 1, Z29 = 0, Z30 = 2, Z31 = the |x| mask and R11 =
// the table.
#define GELUCONSTS \
	LEAQ vmc<>(SB), R11; \
	VBROADCASTSS 44(R11), Z28; \
	VPXORD Z29, Z29, Z29; \
	VBROADCASTSS 52(R11), Z30; \
	VBROADCASTSS 60(R11), Z31

// GELUA and GELUB replace the 64 values at X by x·Φ(x), Φ(x) =
// erfc(−x/√2)/2, in two stages that geluAVX512 software-pipelines: the
// loop runs GELUB on one block of 64 values while GELUA starts the next,
// so that the long dependent chain of each value (≈130 cycles: VDIVPS,
// two Horner chains, exp) overlaps with independent work in program order
// rather than only as far as the out-of-order window reaches. Each stage
// works on four independent chains, chain i on the 16 values at 64i(X),
// interleaved instruction by instruction, and is cut into four steps that
// the loop interleaves. GELUA passes a, u and E to GELUB through the
// 768-byte buffer at BUF, [3][4][16]float32: a at 0, u at 256,
// E at 512, chain i at +64i. Every value goes through these operations:
//   a = min(|x|, 16): Φ(−16) underflows to 0, so x·Φ(x) is −0 for
//       x < −14.5 (NaN at −Inf, +Inf at +Inf), as in PyTorch
//   u = 1/(2 + a/√2) = t/2 (VDIVPS: exactly half the correctly rounded
//       t = 1/(1 + z/2))
//   E = E(t) = Σ e_k·2^k·u^k by Horner with the scaled coefficients
//   h = −a²/2 rounded, eh = its rounding error (exact, by an FMA)
//   s = h + E, w = its TwoSum error plus eh
//   exp(s + w), w entering after the range reduction, so that the
//       argument's rounding (up to 5e-7 relative to the result at
//       |x| ≈ 4) does not reach the result; EXP without its clamps:
//       s ≤ max E(t) ≈ 3e-8, and from s ≥ −129.3 VSCALEFPS returns the
//       correctly rounded subnormal or 0 (n·ln2 high stays exact for
//       |n| < 512)
//   Φ(−|x|) = u·exp(·), replaced by 1 − Φ(−|x|) where x ≮ 0 (the masks
//       K1, K3, K6, K7), times x (read again from X), stored at X.
// Registers: GELUA chain i has Z(i) (a, then 2 + a/√2, then u) and Z(4+i)
// (E). GELUB chain i has Zb..Zb+4, b = 8+5i: Zb = a, then the TwoSum
// error w, then x; Zb+1 = −a/2, then eh, then n = round(s·log2 e);
// Zb+2 = h, then E, then the exp polynomial p; Zb+3 = s, then the reduced
// argument, then exp, Φ and the result; Zb+4 = s − h, then E − (s − h),
// then r². The steps: GELUA1 a, GELUA2 u, GELUA3 and GELUA4 the two
// halves of E's Horner chain; GELUB1 h, eh and the TwoSum, GELUB2 the
// range reduction, GELUB3 the polynomial, GELUB4 the rest. Needs
// GELUCONSTS; the other constants are embedded broadcasts.

#define GELUA1(X, BUF) \
	VPANDD 0(X), Z31, Z0; \
	VPANDD 64(X), Z31, Z1; \
	VPANDD 128(X), Z31, Z2; \
	VPANDD 192(X), Z31, Z3; \
	VMINPS.BCST 104(R11), Z0, Z0; \
	VMINPS.BCST 104(R11), Z1, Z1; \
	VMINPS.BCST 104(R11), Z2, Z2; \
	VMINPS.BCST 104(R11), Z3, Z3; \
	VMOVUPS Z0, 0(BUF); \
	VMOVUPS Z1, 64(BUF); \
	VMOVUPS Z2, 128(BUF); \
	VMOVUPS Z3, 192(BUF)

#define GELUA2(X, BUF) \
	VMULPS.BCST 56(R11), Z0, Z0; \
	VMULPS.BCST 56(R11), Z1, Z1; \
	VMULPS.BCST 56(R11), Z2, Z2; \
	VMULPS.BCST 56(R11), Z3, Z3; \
	VADDPS Z30, Z0, Z0; \
	VADDPS Z30, Z1, Z1; \
	VADDPS Z30, Z2, Z2; \
	VADDPS Z30, Z3, Z3; \
	VDIVPS Z0, Z28, Z0; \
	VDIVPS Z1, Z28, Z1; \
	VDIVPS Z2, Z28, Z2; \
	VDIVPS Z3, Z28, Z3; \
	VMOVUPS Z0, 256(BUF); \
	VMOVUPS Z1, 320(BUF); \
	VMOVUPS Z2, 384(BUF); \
	VMOVUPS Z3, 448(BUF)

#define GELUA3(X, BUF) \
	VBROADCASTSS 64(R11), Z4; \
	VBROADCASTSS 64(R11), Z5; \
	VBROADCASTSS 64(R11), Z6; \
	VBROADCASTSS 64(R11), Z7; \
	VFMADD213PS.BCST 68(R11), Z0, Z4; \
	VFMADD213PS.BCST 68(R11), Z1, Z5; \
	VFMADD213PS.BCST 68(R11), Z2, Z6; \
	VFMADD213PS.BCST 68(R11), Z3, Z7; \
	VFMADD213PS.BCST 72(R11), Z0, Z4; \
	VFMADD213PS.BCST 72(R11), Z1, Z5; \
	VFMADD213PS.BCST 72(R11), Z2, Z6; \
	VFMADD213PS.BCST 72(R11), Z3, Z7; \
	VFMADD213PS.BCST 76(R11), Z0, Z4; \
	VFMADD213PS.BCST 76(R11), Z1, Z5; \
	VFMADD213PS.BCST 76(R11), Z2, Z6; \
	VFMADD213PS.BCST 76(R11), Z3, Z7; \
	VFMADD213PS.BCST 80(R11), Z0, Z4; \
	VFMADD213PS.BCST 80(R11), Z1, Z5; \
	VFMADD213PS.BCST 80(R11), Z2, Z6; \
	VFMADD213PS.BCST 80(R11), Z3, Z7

#define GELUA4(X, BUF) \
	VFMADD213PS.BCST 84(R11), Z0, Z4; \
	VFMADD213PS.BCST 84(R11), Z1, Z5; \
	VFMADD213PS.BCST 84(R11), Z2, Z6; \
	VFMADD213PS.BCST 84(R11), Z3, Z7; \
	VFMADD213PS.BCST 88(R11), Z0, Z4; \
	VFMADD213PS.BCST 88(R11), Z1, Z5; \
	VFMADD213PS.BCST 88(R11), Z2, Z6; \
	VFMADD213PS.BCST 88(R11), Z3, Z7; \
	VFMADD213PS.BCST 92(R11), Z0, Z4; \
	VFMADD213PS.BCST 92(R11), Z1, Z5; \
	VFMADD213PS.BCST 92(R11), Z2, Z6; \
	VFMADD213PS.BCST 92(R11), Z3, Z7; \
	VFMADD213PS.BCST 96(R11), Z0, Z4; \
	VFMADD213PS.BCST 96(R11), Z1, Z5; \
	VFMADD213PS.BCST 96(R11), Z2, Z6; \
	VFMADD213PS.BCST 96(R11), Z3, Z7; \
	VFMADD213PS.BCST 100(R11), Z0, Z4; \
	VFMADD213PS.BCST 100(R11), Z1, Z5; \
	VFMADD213PS.BCST 100(R11), Z2, Z6; \
	VFMADD213PS.BCST 100(R11), Z3, Z7; \
	VMOVUPS Z4, 512(BUF); \
	VMOVUPS Z5, 576(BUF); \
	VMOVUPS Z6, 640(BUF); \
	VMOVUPS Z7, 704(BUF)

#define GELUB1(X, BUF) \
	VMOVUPS 0(BUF), Z8; \
	VMOVUPS 64(BUF), Z13; \
	VMOVUPS 128(BUF), Z18; \
	VMOVUPS 192(BUF), Z23; \
	VMULPS.BCST 48(R11), Z8, Z9; \
	VMULPS.BCST 48(R11), Z13, Z14; \
	VMULPS.BCST 48(R11), Z18, Z19; \
	VMULPS.BCST 48(R11), Z23, Z24; \
	VMULPS Z8, Z9, Z10; \
	VMULPS Z13, Z14, Z15; \
	VMULPS Z18, Z19, Z20; \
	VMULPS Z23, Z24, Z25; \
	VFMSUB213PS Z10, Z8, Z9; \
	VFMSUB213PS Z15, Z13, Z14; \
	VFMSUB213PS Z20, Z18, Z19; \
	VFMSUB213PS Z25, Z23, Z24; \
	VADDPS 512(BUF), Z10, Z11; \
	VADDPS 576(BUF), Z15, Z16; \
	VADDPS 640(BUF), Z20, Z21; \
	VADDPS 704(BUF), Z25, Z26; \
	VSUBPS Z10, Z11, Z12; \
	VSUBPS Z15, Z16, Z17; \
	VSUBPS Z20, Z21, Z22; \
	VSUBPS Z25, Z26, Z27; \
	VSUBPS Z12, Z11, Z8; \
	VSUBPS Z17, Z16, Z13; \
	VSUBPS Z22, Z21, Z18; \
	VSUBPS Z27, Z26, Z23; \
	VSUBPS Z8, Z10, Z8; \
	VSUBPS Z13, Z15, Z13; \
	VSUBPS Z18, Z20, Z18; \
	VSUBPS Z23, Z25, Z23; \
	VMOVUPS 512(BUF), Z10; \
	VMOVUPS 576(BUF), Z15; \
	VMOVUPS 640(BUF), Z20; \
	VMOVUPS 704(BUF), Z25; \
	VSUBPS Z12, Z10, Z12; \
	VSUBPS Z17, Z15, Z17; \
	VSUBPS Z22, Z20, Z22; \
	VSUBPS Z27, Z25, Z27; \
	VADDPS Z12, Z8, Z8; \
	VADDPS Z17, Z13, Z13; \
	VADDPS Z22, Z18, Z18; \
	VADDPS Z27, Z23, Z23; \
	VADDPS Z9, Z8, Z8; \
	VADDPS Z14, Z13, Z13; \
	VADDPS Z19, Z18, Z18; \
	VADDPS Z24, Z23, Z23

#define GELUB2(X, BUF) \
	VMULPS.BCST 8(R11), Z11, Z9; \
	VMULPS.BCST 8(R11), Z16, Z14; \
	VMULPS.BCST 8(R11), Z21, Z19; \
	VMULPS.BCST 8(R11), Z26, Z24; \
	VRNDSCALEPS $0, Z9, Z9; \
	VRNDSCALEPS $0, Z14, Z14; \
	VRNDSCALEPS $0, Z19, Z19; \
	VRNDSCALEPS $0, Z24, Z24; \
	VFNMADD231PS.BCST 12(R11), Z9, Z11; \
	VFNMADD231PS.BCST 12(R11), Z14, Z16; \
	VFNMADD231PS.BCST 12(R11), Z19, Z21; \
	VFNMADD231PS.BCST 12(R11), Z24, Z26; \
	VFNMADD231PS.BCST 16(R11), Z9, Z11; \
	VFNMADD231PS.BCST 16(R11), Z14, Z16; \
	VFNMADD231PS.BCST 16(R11), Z19, Z21; \
	VFNMADD231PS.BCST 16(R11), Z24, Z26; \
	VADDPS Z8, Z11, Z11; \
	VADDPS Z13, Z16, Z16; \
	VADDPS Z18, Z21, Z21; \
	VADDPS Z23, Z26, Z26

#define GELUB3(X, BUF) \
	VBROADCASTSS 20(R11), Z10; \
	VBROADCASTSS 20(R11), Z15; \
	VBROADCASTSS 20(R11), Z20; \
	VBROADCASTSS 20(R11), Z25; \
	VFMADD213PS.BCST 24(R11), Z11, Z10; \
	VFMADD213PS.BCST 24(R11), Z16, Z15; \
	VFMADD213PS.BCST 24(R11), Z21, Z20; \
	VFMADD213PS.BCST 24(R11), Z26, Z25; \
	VFMADD213PS.BCST 28(R11), Z11, Z10; \
	VFMADD213PS.BCST 28(R11), Z16, Z15; \
	VFMADD213PS.BCST 28(R11), Z21, Z20; \
	VFMADD213PS.BCST 28(R11), Z26, Z25; \
	VFMADD213PS.BCST 32(R11), Z11, Z10; \
	VFMADD213PS.BCST 32(R11), Z16, Z15; \
	VFMADD213PS.BCST 32(R11), Z21, Z20; \
	VFMADD213PS.BCST 32(R11), Z26, Z25; \
	VFMADD213PS.BCST 36(R11), Z11, Z10; \
	VFMADD213PS.BCST 36(R11), Z16, Z15; \
	VFMADD213PS.BCST 36(R11), Z21, Z20; \
	VFMADD213PS.BCST 36(R11), Z26, Z25; \
	VFMADD213PS.BCST 40(R11), Z11, Z10; \
	VFMADD213PS.BCST 40(R11), Z16, Z15; \
	VFMADD213PS.BCST 40(R11), Z21, Z20; \
	VFMADD213PS.BCST 40(R11), Z26, Z25; \
	VMULPS Z11, Z11, Z12; \
	VMULPS Z16, Z16, Z17; \
	VMULPS Z21, Z21, Z22; \
	VMULPS Z26, Z26, Z27; \
	VFMADD213PS Z11, Z12, Z10; \
	VFMADD213PS Z16, Z17, Z15; \
	VFMADD213PS Z21, Z22, Z20; \
	VFMADD213PS Z26, Z27, Z25; \
	VADDPS Z28, Z10, Z10; \
	VADDPS Z28, Z15, Z15; \
	VADDPS Z28, Z20, Z20; \
	VADDPS Z28, Z25, Z25

#define GELUB4(X, BUF) \
	VSCALEFPS Z9, Z10, Z11; \
	VSCALEFPS Z14, Z15, Z16; \
	VSCALEFPS Z19, Z20, Z21; \
	VSCALEFPS Z24, Z25, Z26; \
	VMULPS 256(BUF), Z11, Z11; \
	VMULPS 320(BUF), Z16, Z16; \
	VMULPS 384(BUF), Z21, Z21; \
	VMULPS 448(BUF), Z26, Z26; \
	VMOVUPS 0(X), Z8; \
	VMOVUPS 64(X), Z13; \
	VMOVUPS 128(X), Z18; \
	VMOVUPS 192(X), Z23; \
	VCMPPS $5, Z29, Z8, K1; \
	VCMPPS $5, Z29, Z13, K3; \
	VCMPPS $5, Z29, Z18, K6; \
	VCMPPS $5, Z29, Z23, K7; \
	VSUBPS Z11, Z28, K1, Z11; \
	VSUBPS Z16, Z28, K3, Z16; \
	VSUBPS Z21, Z28, K6, Z21; \
	VSUBPS Z26, Z28, K7, Z26; \
	VMULPS Z8, Z11, Z11; \
	VMULPS Z13, Z16, Z16; \
	VMULPS Z18, Z21, Z21; \
	VMULPS Z23, Z26, Z26; \
	VMOVUPS Z11, 0(X); \
	VMOVUPS Z16, 64(X); \
	VMOVUPS Z21, 128(X); \
	VMOVUPS Z26, 192(X)

#define GELUA(X, BUF) \
	GELUA1(X, BUF); \
	GELUA2(X, BUF); \
	GELUA3(X, BUF); \
	GELUA4(X, BUF)

#define GELUB(X, BUF) \
	GELUB1(X, BUF); \
	GELUB2(X, BUF); \
	GELUB3(X, BUF); \
	GELUB4(X, BUF)

// func geluAVX512(x *float32, n int)
// Blocks of 64 values in place, software-pipelined: GELUA on block 0, then
// for each next block GELUA on it (DI, buffer R8) interleaved with GELUB
// on the one before (SI, buffer R9), the two buffers swapped each time,
// then GELUB on the last block. The last 1..63 values are copied (masked,
// zero filled) to the 256-byte frame buffer at 0(SP), run there through
// GELUA and GELUB and copied back under the same masks (K2). The stage
// buffers are 64-byte aligned above it.
TEXT ·geluAVX512(SB), $1856-16
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	GELUCONSTS
	LEAQ 319(SP), R8
	ANDQ $-64, R8
	LEAQ 768(R8), R9
	CMPQ CX, $64
	JLT gelu_tail
	GELUA(SI, R8)
	XCHGQ R8, R9
	SUBQ $64, CX
gelu_loop:
	CMPQ CX, $64
	JLT gelu_last
	LEAQ 256(SI), DI
	GELUA1(DI, R8)
	GELUA2(DI, R8)
	GELUB1(SI, R9)
	GELUB2(SI, R9)
	GELUA3(DI, R8)
	GELUB3(SI, R9)
	GELUA4(DI, R8)
	GELUB4(SI, R9)
	XCHGQ R8, R9
	MOVQ DI, SI
	SUBQ $64, CX
	JMP gelu_loop
gelu_last:
	GELUB(SI, R9)
	ADDQ $256, SI
gelu_tail:
	TESTQ CX, CX
	JEQ gelu_done
	MOVQ $1, DX
	SHLQ CX, DX
	DECQ DX
	MOVQ DX, AX
	KMOVW AX, K2
	VMOVUPS.Z 0(SI), K2, Z0
	SHRQ $16, AX
	KMOVW AX, K2
	VMOVUPS.Z 64(SI), K2, Z1
	SHRQ $16, AX
	KMOVW AX, K2
	VMOVUPS.Z 128(SI), K2, Z2
	SHRQ $16, AX
	KMOVW AX, K2
	VMOVUPS.Z 192(SI), K2, Z3
	VMOVUPS Z0, 0(SP)
	VMOVUPS Z1, 64(SP)
	VMOVUPS Z2, 128(SP)
	VMOVUPS Z3, 192(SP)
	MOVQ SI, DI
	MOVQ SP, SI
	GELUA(SI, R8)
	GELUB(SI, R8)
	VMOVUPS 0(SP), Z0
	VMOVUPS 64(SP), Z1
	VMOVUPS 128(SP), Z2
	VMOVUPS 192(SP), Z3
	MOVQ DX, AX
	KMOVW AX, K2
	VMOVUPS Z0, K2, 0(DI)
	SHRQ $16, AX
	KMOVW AX, K2
	VMOVUPS Z1, K2, 64(DI)
	SHRQ $16, AX
	KMOVW AX, K2
	VMOVUPS Z2, K2, 128(DI)
	SHRQ $16, AX
	KMOVW AX, K2
	VMOVUPS Z3, K2, 192(DI)
gelu_done:
	VZEROUPPER
	RET

// SIGMUL3 replaces Z0, Z5 and Z10 by x / (1 + exp(x·(Z28 + Z29·x²))) (EXP
// inline), as three independent chains interleaved instruction by
// instruction; chain i works in Z(5i+1)..Z(5i+4).
#define SIGMUL3 \
	VMULPS Z0, Z0, Z1; \
	VMULPS Z5, Z5, Z6; \
	VMULPS Z10, Z10, Z11; \
	VFMADD213PS Z28, Z29, Z1; \
	VFMADD213PS Z28, Z29, Z6; \
	VFMADD213PS Z28, Z29, Z11; \
	VMULPS Z0, Z1, Z1; \
	VMULPS Z5, Z6, Z6; \
	VMULPS Z10, Z11, Z11; \
	VMAXPS Z1, Z16, Z1; \
	VMAXPS Z6, Z16, Z6; \
	VMAXPS Z11, Z16, Z11; \
	VMINPS Z1, Z17, Z1; \
	VMINPS Z6, Z17, Z6; \
	VMINPS Z11, Z17, Z11; \
	VMULPS Z18, Z1, Z2; \
	VMULPS Z18, Z6, Z7; \
	VMULPS Z18, Z11, Z12; \
	VRNDSCALEPS $0, Z2, Z2; \
	VRNDSCALEPS $0, Z7, Z7; \
	VRNDSCALEPS $0, Z12, Z12; \
	VFNMADD231PS Z19, Z2, Z1; \
	VFNMADD231PS Z19, Z7, Z6; \
	VFNMADD231PS Z19, Z12, Z11; \
	VFNMADD231PS Z20, Z2, Z1; \
	VFNMADD231PS Z20, Z7, Z6; \
	VFNMADD231PS Z20, Z12, Z11; \
	VMOVAPS Z21, Z3; \
	VMOVAPS Z21, Z8; \
	VMOVAPS Z21, Z13; \
	VFMADD213PS Z22, Z1, Z3; \
	VFMADD213PS Z22, Z6, Z8; \
	VFMADD213PS Z22, Z11, Z13; \
	VFMADD213PS Z23, Z1, Z3; \
	VFMADD213PS Z23, Z6, Z8; \
	VFMADD213PS Z23, Z11, Z13; \
	VFMADD213PS Z24, Z1, Z3; \
	VFMADD213PS Z24, Z6, Z8; \
	VFMADD213PS Z24, Z11, Z13; \
	VFMADD213PS Z25, Z1, Z3; \
	VFMADD213PS Z25, Z6, Z8; \
	VFMADD213PS Z25, Z11, Z13; \
	VFMADD213PS Z26, Z1, Z3; \
	VFMADD213PS Z26, Z6, Z8; \
	VFMADD213PS Z26, Z11, Z13; \
	VMULPS Z1, Z1, Z4; \
	VMULPS Z6, Z6, Z9; \
	VMULPS Z11, Z11, Z14; \
	VFMADD213PS Z1, Z4, Z3; \
	VFMADD213PS Z6, Z9, Z8; \
	VFMADD213PS Z11, Z14, Z13; \
	VADDPS Z27, Z3, Z3; \
	VADDPS Z27, Z8, Z8; \
	VADDPS Z27, Z13, Z13; \
	VSCALEFPS Z2, Z3, Z1; \
	VSCALEFPS Z7, Z8, Z6; \
	VSCALEFPS Z12, Z13, Z11; \
	VADDPS Z27, Z1, Z1; \
	VADDPS Z27, Z6, Z6; \
	VADDPS Z27, Z11, Z11; \
	VDIVPS Z1, Z0, Z0; \
	VDIVPS Z6, Z5, Z5; \
	VDIVPS Z11, Z10, Z10

// func sigmulAVX512(x *float32, n int, c1, c3 float32)
// 3 vectors (48 values) per iteration; the last 1..47 values run
// through the same code under the masks K2, K4, K5.
TEXT ·sigmulAVX512(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	EXPCONSTS
	VBROADCASTSS c1+16(FP), Z28
	VBROADCASTSS c3+20(FP), Z29
sigmul_loop:
	CMPQ CX, $48
	JLT sigmul_tail
	VMOVUPS 0(SI), Z0
	VMOVUPS 64(SI), Z5
	VMOVUPS 128(SI), Z10
	SIGMUL3
	VMOVUPS Z0, 0(SI)
	VMOVUPS Z5, 64(SI)
	VMOVUPS Z10, 128(SI)
	ADDQ $192, SI
	SUBQ $48, CX
	JMP sigmul_loop
sigmul_tail:
	TESTQ CX, CX
	JEQ sigmul_done
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	KMOVW AX, K2
	SHRQ $16, AX
	KMOVW AX, K4
	SHRQ $16, AX
	KMOVW AX, K5
	VMOVUPS.Z 0(SI), K2, Z0
	VMOVUPS.Z 64(SI), K4, Z5
	VMOVUPS.Z 128(SI), K5, Z10
	SIGMUL3
	VMOVUPS Z0, K2, 0(SI)
	VMOVUPS Z5, K4, 64(SI)
	VMOVUPS Z10, K5, 128(SI)
sigmul_done:
	VZEROUPPER
	RET

// func softmaxCols32AVX512(s *float32, rows int)
// s [rows][32], rows ≥ 1: each of the 32 columns is replaced by its softmax.
TEXT ·softmaxCols32AVX512(SB), NOSPLIT, $0-16
	MOVQ s+0(FP), SI
	MOVQ rows+8(FP), CX
	EXPCONSTS
	VMOVUPS (SI), Z10
	VMOVUPS 64(SI), Z11
	MOVQ SI, DI
	MOVQ CX, DX
smc_max:
	VMAXPS (DI), Z10, Z10
	VMAXPS 64(DI), Z11, Z11
	ADDQ $128, DI
	DECQ DX
	JNZ smc_max
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	MOVQ SI, DI
	MOVQ CX, DX
smc_exp:
	VMOVUPS (DI), Z0
	VMOVUPS 64(DI), Z1
	VSUBPS Z10, Z0, Z0
	VSUBPS Z11, Z1, Z1
	EXP(Z0, Z2, Z3, Z4)
	EXP(Z1, Z5, Z6, Z7)
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VADDPS Z0, Z12, Z12
	VADDPS Z1, Z13, Z13
	ADDQ $128, DI
	DECQ DX
	JNZ smc_exp
	VDIVPS Z12, Z27, Z12
	VDIVPS Z13, Z27, Z13
	MOVQ SI, DI
	MOVQ CX, DX
smc_scale:
	VMULPS (DI), Z12, Z0
	VMULPS 64(DI), Z13, Z1
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	ADDQ $128, DI
	DECQ DX
	JNZ smc_scale
	VZEROUPPER
	RET

// func maxAVX512(x *float32, n int) float32   (n ≥ 1)
TEXT ·maxAVX512(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS (SI), Z0
max_loop:
	CMPQ CX, $16
	JLT max_tail
	VMAXPS (SI), Z0, Z0
	ADDQ $64, SI
	SUBQ $16, CX
	JMP max_loop
max_tail:
	TESTQ CX, CX
	JEQ max_done
	TAILMASK
	VMAXPS (SI), Z0, K2, Z0
max_done:
	VEXTRACTF64X4 $1, Z0, Y1
	VMAXPS Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0x4e, X0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0xb1, X0, X1
	VMAXPS X1, X0, X0
	MOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// func expSubSumAVX512(x *float32, n int, m float32) float32
// x[i] = exp(x[i] − m); returns the sum of the new values.
TEXT ·expSubSumAVX512(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	EXPCONSTS
	VBROADCASTSS m+16(FP), Z28
	VPXORD Z10, Z10, Z10
ess_loop:
	CMPQ CX, $16
	JLT ess_tail
	VMOVUPS (SI), Z0
	VSUBPS Z28, Z0, Z0
	EXP(Z0, Z2, Z3, Z4)
	VMOVUPS Z0, (SI)
	VADDPS Z0, Z10, Z10
	ADDQ $64, SI
	SUBQ $16, CX
	JMP ess_loop
ess_tail:
	TESTQ CX, CX
	JEQ ess_done
	TAILMASK
	VMOVUPS.Z (SI), K2, Z0
	VSUBPS Z28, Z0, Z0
	EXP(Z0, Z2, Z3, Z4)
	VMOVUPS Z0, K2, (SI)
	VADDPS Z0, Z10, K2, Z10
ess_done:
	HSUM(Z10, Y10, X10, Y11, X11)
	MOVSS X10, ret+24(FP)
	VZEROUPPER
	RET

// func scaleAVX512(x *float32, n int, s float32)   x[i] *= s
TEXT ·scaleAVX512(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS s+16(FP), Z1
scale_loop:
	CMPQ CX, $16
	JLT scale_tail
	VMULPS (SI), Z1, Z0
	VMOVUPS Z0, (SI)
	ADDQ $64, SI
	SUBQ $16, CX
	JMP scale_loop
scale_tail:
	TESTQ CX, CX
	JEQ scale_done
	TAILMASK
	VMULPS.Z (SI), Z1, K2, Z0
	VMOVUPS Z0, K2, (SI)
scale_done:
	VZEROUPPER
	RET

// func sumAVX512(x *float32, n int) float32
TEXT ·sumAVX512(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
sum_loop2:
	CMPQ CX, $32
	JLT sum_loop
	VADDPS (SI), Z0, Z0
	VADDPS 64(SI), Z1, Z1
	ADDQ $128, SI
	SUBQ $32, CX
	JMP sum_loop2
sum_loop:
	CMPQ CX, $16
	JLT sum_tail
	VADDPS (SI), Z0, Z0
	ADDQ $64, SI
	SUBQ $16, CX
	JMP sum_loop
sum_tail:
	TESTQ CX, CX
	JEQ sum_done
	TAILMASK
	VADDPS (SI), Z1, K2, Z1
sum_done:
	VADDPS Z1, Z0, Z0
	HSUM(Z0, Y0, X0, Y1, X1)
	MOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// func sumSqDevAVX512(x *float32, n int, mean float32) float32
// Σ (x[i] − mean)².
TEXT ·sumSqDevAVX512(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS mean+16(FP), Z2
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
ssd_loop:
	CMPQ CX, $16
	JLT ssd_tail
	VMOVUPS (SI), Z3
	VSUBPS Z2, Z3, Z3
	VFMADD231PS Z3, Z3, Z0
	ADDQ $64, SI
	SUBQ $16, CX
	JMP ssd_loop
ssd_tail:
	TESTQ CX, CX
	JEQ ssd_done
	TAILMASK
	VMOVUPS.Z (SI), K2, Z3
	VSUBPS.Z Z2, Z3, K2, Z3
	VFMADD231PS Z3, Z3, Z1
ssd_done:
	VADDPS Z1, Z0, Z0
	HSUM(Z0, Y0, X0, Y1, X1)
	MOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func normAffineAVX512(x, y, gamma, beta *float32, n int, mean, inv float32)
// y[i] = (x[i] − mean)·inv·gamma[i] + beta[i].
TEXT ·normAffineAVX512(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ gamma+16(FP), R8
	MOVQ beta+24(FP), R9
	MOVQ n+32(FP), CX
	VBROADCASTSS mean+40(FP), Z2
	VBROADCASTSS inv+44(FP), Z3
	XORQ BX, BX
na_loop:
	CMPQ CX, $16
	JLT na_tail
	VMOVUPS (SI)(BX*1), Z0
	VSUBPS Z2, Z0, Z0
	VMULPS Z3, Z0, Z0
	VMOVUPS (R9)(BX*1), Z1
	VFMADD231PS (R8)(BX*1), Z0, Z1
	VMOVUPS Z1, (DI)(BX*1)
	ADDQ $64, BX
	SUBQ $16, CX
	JMP na_loop
na_tail:
	TESTQ CX, CX
	JEQ na_done
	TAILMASK
	VMOVUPS.Z (SI)(BX*1), K2, Z0
	VSUBPS Z2, Z0, Z0
	VMULPS Z3, Z0, Z0
	VMOVUPS.Z (R9)(BX*1), K2, Z1
	VMOVUPS.Z (R8)(BX*1), K2, Z4
	VFMADD231PS Z4, Z0, Z1
	VMOVUPS Z1, K2, (DI)(BX*1)
na_done:
	VZEROUPPER
	RET

// AVX2 versions: 8 lanes, constants replicated 8× in vmc8<> (32 bytes
// each) because AVX2 has no embedded broadcast; n must be a multiple of
// 8 (callers finish tails in Go), except softmaxCols16AVX2.

// DATA8 fills the 32 bytes of vmc8<> at off with eight copies of the
// 4-byte value v.
#define DATA8(off, v) \
	DATA vmc8<>+(off+0)(SB)/4, v; \
	DATA vmc8<>+(off+4)(SB)/4, v; \
	DATA vmc8<>+(off+8)(SB)/4, v; \
	DATA vmc8<>+(off+12)(SB)/4, v; \
	DATA vmc8<>+(off+16)(SB)/4, v; \
	DATA vmc8<>+(off+20)(SB)/4, v; \
	DATA vmc8<>+(off+24)(SB)/4, v; \
	DATA vmc8<>+(off+28)(SB)/4, v

DATA8(0, $0xc2aeac4f)     // lo
DATA8(32, $0x42b0c0a5)    // hi
DATA8(64, $0x3fb8aa3b)    // log2e
DATA8(96, $0x3f318000)    // ln2hi
DATA8(128, $0xb95e8083)   // ln2lo
DATA8(160, $0x39506967)   // c5
DATA8(192, $0x3ab743ce)   // c4
DATA8(224, $0x3c088908)   // c3
DATA8(256, $0x3d2aa9c1)   // c2
DATA8(288, $0x3e2aaaaa)   // c1
DATA8(320, $0x3f000000)   // c0
DATA8(352, $0x3f800000)   // one
DATA8(384, $0x40000000)   // two
DATA8(416, $0x3f3504f3)   // rsqrt2
DATA8(448, $0x42aef945)   // e9·2^9
DATA8(480, $0xc3527892)   // e8·2^8
DATA8(512, $0x433e87b0)   // e7·2^7
DATA8(544, $0xc2914e5d)   // e6·2^6
DATA8(576, $0x410ec7cc)   // e5·2^5
DATA8(608, $0xc03ec24c)   // e4·2^4
DATA8(640, $0x3f4636c9)   // e3·2^3
DATA8(672, $0x3fbf88fb)   // e2·2^2
DATA8(704, $0x400000c7)   // e1·2^1
DATA8(736, $0xbfa1fc4e)   // e0
DATA8(768, $0x7fffffff)   // absmask
DATA8(800, $0x0000007f)   // bias127
DATA8(832, $0x41800000)   // clamp16
DATA8(864, $0xbf000000)   // mhalf
DATA8(896, $0x00000000)   // zero
DATA8(928, $0x40ffffff)   // 8⁻: |x| clamp of geluLow
GLOBL vmc8<>(SB), RODATA|NOPTR, $960

// Y10..Y15 hold lo clamp, hi clamp, log2 e, ln2 high, ln2 low, 1.
#define EXPCONSTS8 \
	LEAQ vmc8<>(SB), R12; \
	VMOVUPS 0(R12), Y10; \
	VMOVUPS 32(R12), Y11; \
	VMOVUPS 64(R12), Y12; \
	VMOVUPS 96(R12), Y13; \
	VMOVUPS 128(R12), Y14; \
	VMOVUPS 352(R12), Y15

// EXPLO8 replaces X by exp(X + L) (L = Y15·0 for plain exp is not needed:
// EXP8 below omits it); N, P, R clobbered. 2ⁿ is built in the exponent
// field, valid because X is clamped to [−87.34, 88.38].
#define EXPLO8(X, L, N, P, R) \
	VMAXPS X, Y10, X; \
	VMINPS X, Y11, X; \
	VMULPS Y12, X, N; \
	VROUNDPS $0, N, N; \
	VFNMADD231PS Y13, N, X; \
	VFNMADD231PS Y14, N, X; \
	VADDPS L, X, X; \
	EXPTAIL8(X, N, P, R)

#define EXP8(X, N, P, R) \
	VMAXPS X, Y10, X; \
	VMINPS X, Y11, X; \
	VMULPS Y12, X, N; \
	VROUNDPS $0, N, N; \
	VFNMADD231PS Y13, N, X; \
	VFNMADD231PS Y14, N, X; \
	EXPTAIL8(X, N, P, R)

#define EXPTAIL8(X, N, P, R) \
	VMOVUPS 160(R12), P; \
	VFMADD213PS 192(R12), X, P; \
	VFMADD213PS 224(R12), X, P; \
	VFMADD213PS 256(R12), X, P; \
	VFMADD213PS 288(R12), X, P; \
	VFMADD213PS 320(R12), X, P; \
	VMULPS X, X, R; \
	VFMADD213PS X, R, P; \
	VADDPS Y15, P, P; \
	VCVTPS2DQ N, N; \
	VPADDD 800(R12), N, N; \
	VPSLLD $23, N, N; \
	VMULPS N, P, X

// GELU8X1 replaces the 8 values at SI by x·Φ(x) with AVX2 and FMA, in
// Y0..Y6, by the operations of GELUA and GELUB but for 2ⁿ and hence the
// underflow. x is read from memory where needed. With Yb = Y0:
//   Yb = a = min(|x|, 16),  Yb+2 = u = 1/(2 + a/√2) = t/2 (VDIVPS: exactly
//        half the correctly rounded t)
//   Yb+3 = E(t) = Σ e_k·2^k·u^k (Horner, highest power first, coefficients
//        scaled as in vmc<>)
//   Yb+4 = h = −a²/2 rounded, Yb+1 = its rounding error (exact, by an FMA)
//   Yb = s = h + E, Yb+6 = its TwoSum error plus h's error (Yb+5 scratch)
//   Yb = exp(s + Yb+6), Yb+6 entering after the range reduction (Yb+1 =
//        n, Yb+3 = p, Yb+4 = r²); 2ⁿ is built in the exponent field, the
//        biased exponent raised to at least 0, so that 2ⁿ = 0 for n < −126
//        and Φ underflows to 0 for x < −13.2: x·Φ(x) is −0 there (NaN at
//        −Inf), as in PyTorch; s ≤ max E(t) ≈ 3e-8 needs no upper clamp
//   Yb = u·exp(·) = Φ(−|x|), Yb+3 = 1 − Yb, selected by the sign of x
//        (reloaded into Yb+1), times x, stored back.
// Needs R12 = vmc8<>, Y14 = 1, Y15 = the |x| mask.
#define GELU8X1 \
	VANDPS 0(SI), Y15, Y0; \
	VMINPS 832(R12), Y0, Y0; \
	VMULPS 416(R12), Y0, Y1; \
	VADDPS 384(R12), Y1, Y1; \
	VDIVPS Y1, Y14, Y2; \
	VMOVUPS 448(R12), Y3; \
	VFMADD213PS 480(R12), Y2, Y3; \
	VFMADD213PS 512(R12), Y2, Y3; \
	VFMADD213PS 544(R12), Y2, Y3; \
	VFMADD213PS 576(R12), Y2, Y3; \
	VFMADD213PS 608(R12), Y2, Y3; \
	VFMADD213PS 640(R12), Y2, Y3; \
	VFMADD213PS 672(R12), Y2, Y3; \
	VFMADD213PS 704(R12), Y2, Y3; \
	VFMADD213PS 736(R12), Y2, Y3; \
	VMULPS 864(R12), Y0, Y1; \
	VMULPS Y0, Y1, Y4; \
	VFMSUB213PS Y4, Y0, Y1; \
	VADDPS Y3, Y4, Y0; \
	VSUBPS Y4, Y0, Y5; \
	VSUBPS Y5, Y0, Y6; \
	VSUBPS Y6, Y4, Y6; \
	VSUBPS Y5, Y3, Y5; \
	VADDPS Y5, Y6, Y6; \
	VADDPS Y1, Y6, Y6; \
	VMULPS 64(R12), Y0, Y1; \
	VROUNDPS $0, Y1, Y1; \
	VFNMADD231PS 96(R12), Y1, Y0; \
	VFNMADD231PS 128(R12), Y1, Y0; \
	VADDPS Y6, Y0, Y0; \
	VMOVUPS 160(R12), Y3; \
	VFMADD213PS 192(R12), Y0, Y3; \
	VFMADD213PS 224(R12), Y0, Y3; \
	VFMADD213PS 256(R12), Y0, Y3; \
	VFMADD213PS 288(R12), Y0, Y3; \
	VFMADD213PS 320(R12), Y0, Y3; \
	VMULPS Y0, Y0, Y4; \
	VFMADD213PS Y0, Y4, Y3; \
	VADDPS Y14, Y3, Y3; \
	VCVTPS2DQ Y1, Y1; \
	VPADDD 800(R12), Y1, Y1; \
	VPMAXSD 896(R12), Y1, Y1; \
	VPSLLD $23, Y1, Y1; \
	VMULPS Y1, Y3, Y0; \
	VMULPS Y2, Y0, Y0; \
	VSUBPS Y0, Y14, Y3; \
	VMOVUPS 0(SI), Y1; \
	VBLENDVPS Y1, Y0, Y3, Y3; \
	VMULPS Y3, Y1, Y1; \
	VMOVUPS Y1, 0(SI)

// GELU8A and GELU8B split the same operations into the two stages that
// geluAVX2 software-pipelines, as GELUA and GELUB do for AVX-512, on the
// 16 values at X in two chains (chain i on the 8 values at 32i(X)),
// interleaved instruction by instruction. GELU8A passes a, u and E to
// GELU8B through the 192-byte buffer at BUF, [3][2][8]float32: a at 0,
// u at 64, E at 128, chain i at +32i. Registers: GELU8A chain i has Y(i)
// (a, then 2 + a/√2, then u) and Y(2+i) (E); GELU8B chain i has
// Yb..Yb+4, b = 4+5i, in the roles of Zb..Zb+4 in GELUB, Yb+1 ending as
// 2ⁿ. The steps GELU8A1..4 and GELU8B1..4 are those of GELUA and GELUB.
// Needs R12 = vmc8<>, Y14 = 1, Y15 = the |x| mask.

#define GELU8A1(X, BUF) \
	VANDPS 0(X), Y15, Y0; \
	VANDPS 32(X), Y15, Y1; \
	VMINPS 832(R12), Y0, Y0; \
	VMINPS 832(R12), Y1, Y1; \
	VMOVUPS Y0, 0(BUF); \
	VMOVUPS Y1, 32(BUF)

#define GELU8A2(X, BUF) \
	VMULPS 416(R12), Y0, Y0; \
	VMULPS 416(R12), Y1, Y1; \
	VADDPS 384(R12), Y0, Y0; \
	VADDPS 384(R12), Y1, Y1; \
	VDIVPS Y0, Y14, Y0; \
	VDIVPS Y1, Y14, Y1; \
	VMOVUPS Y0, 64(BUF); \
	VMOVUPS Y1, 96(BUF)

#define GELU8A3(X, BUF) \
	VMOVUPS 448(R12), Y2; \
	VMOVUPS 448(R12), Y3; \
	VFMADD213PS 480(R12), Y0, Y2; \
	VFMADD213PS 480(R12), Y1, Y3; \
	VFMADD213PS 512(R12), Y0, Y2; \
	VFMADD213PS 512(R12), Y1, Y3; \
	VFMADD213PS 544(R12), Y0, Y2; \
	VFMADD213PS 544(R12), Y1, Y3; \
	VFMADD213PS 576(R12), Y0, Y2; \
	VFMADD213PS 576(R12), Y1, Y3

#define GELU8A4(X, BUF) \
	VFMADD213PS 608(R12), Y0, Y2; \
	VFMADD213PS 608(R12), Y1, Y3; \
	VFMADD213PS 640(R12), Y0, Y2; \
	VFMADD213PS 640(R12), Y1, Y3; \
	VFMADD213PS 672(R12), Y0, Y2; \
	VFMADD213PS 672(R12), Y1, Y3; \
	VFMADD213PS 704(R12), Y0, Y2; \
	VFMADD213PS 704(R12), Y1, Y3; \
	VFMADD213PS 736(R12), Y0, Y2; \
	VFMADD213PS 736(R12), Y1, Y3; \
	VMOVUPS Y2, 128(BUF); \
	VMOVUPS Y3, 160(BUF)

#define GELU8B1(X, BUF) \
	VMOVUPS 0(BUF), Y4; \
	VMOVUPS 32(BUF), Y9; \
	VMULPS 864(R12), Y4, Y5; \
	VMULPS 864(R12), Y9, Y10; \
	VMULPS Y4, Y5, Y6; \
	VMULPS Y9, Y10, Y11; \
	VFMSUB213PS Y6, Y4, Y5; \
	VFMSUB213PS Y11, Y9, Y10; \
	VADDPS 128(BUF), Y6, Y7; \
	VADDPS 160(BUF), Y11, Y12; \
	VSUBPS Y6, Y7, Y8; \
	VSUBPS Y11, Y12, Y13; \
	VSUBPS Y8, Y7, Y4; \
	VSUBPS Y13, Y12, Y9; \
	VSUBPS Y4, Y6, Y4; \
	VSUBPS Y9, Y11, Y9; \
	VMOVUPS 128(BUF), Y6; \
	VMOVUPS 160(BUF), Y11; \
	VSUBPS Y8, Y6, Y8; \
	VSUBPS Y13, Y11, Y13; \
	VADDPS Y8, Y4, Y4; \
	VADDPS Y13, Y9, Y9; \
	VADDPS Y5, Y4, Y4; \
	VADDPS Y10, Y9, Y9

#define GELU8B2(X, BUF) \
	VMULPS 64(R12), Y7, Y5; \
	VMULPS 64(R12), Y12, Y10; \
	VROUNDPS $0, Y5, Y5; \
	VROUNDPS $0, Y10, Y10; \
	VFNMADD231PS 96(R12), Y5, Y7; \
	VFNMADD231PS 96(R12), Y10, Y12; \
	VFNMADD231PS 128(R12), Y5, Y7; \
	VFNMADD231PS 128(R12), Y10, Y12; \
	VADDPS Y4, Y7, Y7; \
	VADDPS Y9, Y12, Y12

#define GELU8B3(X, BUF) \
	VMOVUPS 160(R12), Y6; \
	VMOVUPS 160(R12), Y11; \
	VFMADD213PS 192(R12), Y7, Y6; \
	VFMADD213PS 192(R12), Y12, Y11; \
	VFMADD213PS 224(R12), Y7, Y6; \
	VFMADD213PS 224(R12), Y12, Y11; \
	VFMADD213PS 256(R12), Y7, Y6; \
	VFMADD213PS 256(R12), Y12, Y11; \
	VFMADD213PS 288(R12), Y7, Y6; \
	VFMADD213PS 288(R12), Y12, Y11; \
	VFMADD213PS 320(R12), Y7, Y6; \
	VFMADD213PS 320(R12), Y12, Y11; \
	VMULPS Y7, Y7, Y8; \
	VMULPS Y12, Y12, Y13; \
	VFMADD213PS Y7, Y8, Y6; \
	VFMADD213PS Y12, Y13, Y11; \
	VADDPS Y14, Y6, Y6; \
	VADDPS Y14, Y11, Y11

#define GELU8B4(X, BUF) \
	VCVTPS2DQ Y5, Y5; \
	VCVTPS2DQ Y10, Y10; \
	VPADDD 800(R12), Y5, Y5; \
	VPADDD 800(R12), Y10, Y10; \
	VPMAXSD 896(R12), Y5, Y5; \
	VPMAXSD 896(R12), Y10, Y10; \
	VPSLLD $23, Y5, Y5; \
	VPSLLD $23, Y10, Y10; \
	VMULPS Y5, Y6, Y7; \
	VMULPS Y10, Y11, Y12; \
	VMULPS 64(BUF), Y7, Y7; \
	VMULPS 96(BUF), Y12, Y12; \
	VSUBPS Y7, Y14, Y6; \
	VSUBPS Y12, Y14, Y11; \
	VMOVUPS 0(X), Y4; \
	VMOVUPS 32(X), Y9; \
	VBLENDVPS Y4, Y7, Y6, Y6; \
	VBLENDVPS Y9, Y12, Y11, Y11; \
	VMULPS Y6, Y4, Y4; \
	VMULPS Y11, Y9, Y9; \
	VMOVUPS Y4, 0(X); \
	VMOVUPS Y9, 32(X)

#define GELU8A(X, BUF) \
	GELU8A1(X, BUF); \
	GELU8A2(X, BUF); \
	GELU8A3(X, BUF); \
	GELU8A4(X, BUF)

#define GELU8B(X, BUF) \
	GELU8B1(X, BUF); \
	GELU8B2(X, BUF); \
	GELU8B3(X, BUF); \
	GELU8B4(X, BUF)

// func geluAVX2(x *float32, n int)
// Blocks of two vectors (16 values) software-pipelined as in geluAVX512:
// GELU8A on block 0, then GELU8A on each next block (DI, buffer R8)
// interleaved with GELU8B on the one before (SI, buffer R9), then GELU8B
// on the last block; then GELU8X1 on the last vector if n/8 is odd. The
// stage buffers are 32-byte aligned in the frame.
TEXT ·geluAVX2(SB), NOSPLIT, $416-16
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	JEQ gelu8_done
	LEAQ vmc8<>(SB), R12
	VMOVUPS 352(R12), Y14
	VMOVUPS 768(R12), Y15
	LEAQ 31(SP), R8
	ANDQ $-32, R8
	LEAQ 192(R8), R9
	CMPQ CX, $2
	JLT gelu8_last
	GELU8A(SI, R8)
	XCHGQ R8, R9
	SUBQ $2, CX
gelu8_loop:
	CMPQ CX, $2
	JLT gelu8_end
	LEAQ 64(SI), DI
	GELU8A1(DI, R8)
	GELU8A2(DI, R8)
	GELU8B1(SI, R9)
	GELU8B2(SI, R9)
	GELU8A3(DI, R8)
	GELU8B3(SI, R9)
	GELU8A4(DI, R8)
	GELU8B4(SI, R9)
	XCHGQ R8, R9
	MOVQ DI, SI
	SUBQ $2, CX
	JMP gelu8_loop
gelu8_end:
	GELU8B(SI, R9)
	ADDQ $64, SI
gelu8_last:
	TESTQ CX, CX
	JEQ gelu8_done
	GELU8X1
gelu8_done:
	VZEROUPPER
	RET

// SIGMUL8X2 replaces the 16 values at SI by x / (1 + exp(x·(c1 + c3·x²)))
// as two chains interleaved instruction by instruction (chain i on the 8
// values at 32i(SI), in Y(5i)..Y(5i+4)); SIGMUL8X1 is one chain. EXP8
// inline with its clamps from memory. Needs R12 = vmc8<>, Y10 = c1,
// Y11 = c3, Y12 log2 e, Y13/Y14 ln 2 high/low, Y15 = 1.
#define SIGMUL8X2 \
	VMOVUPS 0(SI), Y0; \
	VMOVUPS 32(SI), Y5; \
	VMULPS Y0, Y0, Y1; \
	VMULPS Y5, Y5, Y6; \
	VFMADD213PS Y10, Y11, Y1; \
	VFMADD213PS Y10, Y11, Y6; \
	VMULPS Y0, Y1, Y1; \
	VMULPS Y5, Y6, Y6; \
	VMAXPS 0(R12), Y1, Y1; \
	VMAXPS 0(R12), Y6, Y6; \
	VMINPS 32(R12), Y1, Y1; \
	VMINPS 32(R12), Y6, Y6; \
	VMULPS Y12, Y1, Y2; \
	VMULPS Y12, Y6, Y7; \
	VROUNDPS $0, Y2, Y2; \
	VROUNDPS $0, Y7, Y7; \
	VFNMADD231PS Y13, Y2, Y1; \
	VFNMADD231PS Y13, Y7, Y6; \
	VFNMADD231PS Y14, Y2, Y1; \
	VFNMADD231PS Y14, Y7, Y6; \
	VMOVUPS 160(R12), Y3; \
	VMOVUPS 160(R12), Y8; \
	VFMADD213PS 192(R12), Y1, Y3; \
	VFMADD213PS 192(R12), Y6, Y8; \
	VFMADD213PS 224(R12), Y1, Y3; \
	VFMADD213PS 224(R12), Y6, Y8; \
	VFMADD213PS 256(R12), Y1, Y3; \
	VFMADD213PS 256(R12), Y6, Y8; \
	VFMADD213PS 288(R12), Y1, Y3; \
	VFMADD213PS 288(R12), Y6, Y8; \
	VFMADD213PS 320(R12), Y1, Y3; \
	VFMADD213PS 320(R12), Y6, Y8; \
	VMULPS Y1, Y1, Y4; \
	VMULPS Y6, Y6, Y9; \
	VFMADD213PS Y1, Y4, Y3; \
	VFMADD213PS Y6, Y9, Y8; \
	VADDPS Y15, Y3, Y3; \
	VADDPS Y15, Y8, Y8; \
	VCVTPS2DQ Y2, Y2; \
	VCVTPS2DQ Y7, Y7; \
	VPADDD 800(R12), Y2, Y2; \
	VPADDD 800(R12), Y7, Y7; \
	VPSLLD $23, Y2, Y2; \
	VPSLLD $23, Y7, Y7; \
	VMULPS Y2, Y3, Y1; \
	VMULPS Y7, Y8, Y6; \
	VADDPS Y15, Y1, Y1; \
	VADDPS Y15, Y6, Y6; \
	VDIVPS Y1, Y0, Y0; \
	VDIVPS Y6, Y5, Y5; \
	VMOVUPS Y0, 0(SI); \
	VMOVUPS Y5, 32(SI)

#define SIGMUL8X1 \
	VMOVUPS 0(SI), Y0; \
	VMULPS Y0, Y0, Y1; \
	VFMADD213PS Y10, Y11, Y1; \
	VMULPS Y0, Y1, Y1; \
	VMAXPS 0(R12), Y1, Y1; \
	VMINPS 32(R12), Y1, Y1; \
	VMULPS Y12, Y1, Y2; \
	VROUNDPS $0, Y2, Y2; \
	VFNMADD231PS Y13, Y2, Y1; \
	VFNMADD231PS Y14, Y2, Y1; \
	VMOVUPS 160(R12), Y3; \
	VFMADD213PS 192(R12), Y1, Y3; \
	VFMADD213PS 224(R12), Y1, Y3; \
	VFMADD213PS 256(R12), Y1, Y3; \
	VFMADD213PS 288(R12), Y1, Y3; \
	VFMADD213PS 320(R12), Y1, Y3; \
	VMULPS Y1, Y1, Y4; \
	VFMADD213PS Y1, Y4, Y3; \
	VADDPS Y15, Y3, Y3; \
	VCVTPS2DQ Y2, Y2; \
	VPADDD 800(R12), Y2, Y2; \
	VPSLLD $23, Y2, Y2; \
	VMULPS Y2, Y3, Y1; \
	VADDPS Y15, Y1, Y1; \
	VDIVPS Y1, Y0, Y0; \
	VMOVUPS Y0, 0(SI)

// func sigmulAVX2(x *float32, n int, c1, c3 float32)
// Two vectors (16 values) per iteration, then one if n/8 is odd.
TEXT ·sigmulAVX2(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	JEQ sigmul8_done
	EXPCONSTS8
	VBROADCASTSS c1+16(FP), Y10
	VBROADCASTSS c3+20(FP), Y11
sigmul8_loop:
	CMPQ CX, $2
	JLT sigmul8_last
	SIGMUL8X2
	ADDQ $64, SI
	SUBQ $2, CX
	JMP sigmul8_loop
sigmul8_last:
	TESTQ CX, CX
	JEQ sigmul8_done
	SIGMUL8X1
sigmul8_done:
	VZEROUPPER
	RET

// func softmaxCols16AVX2(s *float32, rows int)
// The 16 columns starting at s of a [rows][32] array (rows ≥ 1): softmax
// down each column.
TEXT ·softmaxCols16AVX2(SB), NOSPLIT, $0-16
	MOVQ s+0(FP), SI
	MOVQ rows+8(FP), CX
	EXPCONSTS8
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	MOVQ SI, DI
	MOVQ CX, DX
smc8_max:
	VMAXPS (DI), Y0, Y0
	VMAXPS 32(DI), Y1, Y1
	ADDQ $128, DI
	DECQ DX
	JNZ smc8_max
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ SI, DI
	MOVQ CX, DX
smc8_exp:
	VMOVUPS (DI), Y4
	VSUBPS Y0, Y4, Y4
	EXP8(Y4, Y5, Y6, Y7)
	VMOVUPS Y4, (DI)
	VADDPS Y4, Y2, Y2
	VMOVUPS 32(DI), Y4
	VSUBPS Y1, Y4, Y4
	EXP8(Y4, Y5, Y6, Y7)
	VMOVUPS Y4, 32(DI)
	VADDPS Y4, Y3, Y3
	ADDQ $128, DI
	DECQ DX
	JNZ smc8_exp
	VDIVPS Y2, Y15, Y2
	VDIVPS Y3, Y15, Y3
	MOVQ SI, DI
	MOVQ CX, DX
smc8_scale:
	VMULPS (DI), Y2, Y4
	VMULPS 32(DI), Y3, Y5
	VMOVUPS Y4, (DI)
	VMOVUPS Y5, 32(DI)
	ADDQ $128, DI
	DECQ DX
	JNZ smc8_scale
	VZEROUPPER
	RET

// HSUM8 reduces Y to its lane sum in the low lane of X (T a temporary).
#define HSUM8(Y, X, TX) \
	VEXTRACTF128 $1, Y, TX; \
	VADDPS TX, X, X; \
	VHADDPS X, X, X; \
	VHADDPS X, X, X

// func sumAVX2(x *float32, n int) float32   (n a multiple of 8)
TEXT ·sumAVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	VXORPS Y0, Y0, Y0
	TESTQ CX, CX
	JEQ sum8_done
sum8_loop:
	VADDPS (SI), Y0, Y0
	ADDQ $32, SI
	DECQ CX
	JNZ sum8_loop
sum8_done:
	HSUM8(Y0, X0, X1)
	MOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// func sumSqDevAVX2(x *float32, n int, mean float32) float32   (n a multiple of 8)
TEXT ·sumSqDevAVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	VBROADCASTSS mean+16(FP), Y2
	VXORPS Y0, Y0, Y0
	TESTQ CX, CX
	JEQ ssd8_done
ssd8_loop:
	VMOVUPS (SI), Y3
	VSUBPS Y2, Y3, Y3
	VFMADD231PS Y3, Y3, Y0
	ADDQ $32, SI
	DECQ CX
	JNZ ssd8_loop
ssd8_done:
	HSUM8(Y0, X0, X1)
	MOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func normAffineAVX2(x, y, gamma, beta *float32, n int, mean, inv float32)   (n a multiple of 8)
TEXT ·normAffineAVX2(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ gamma+16(FP), R8
	MOVQ beta+24(FP), R9
	MOVQ n+32(FP), CX
	SHRQ $3, CX
	VBROADCASTSS mean+40(FP), Y2
	VBROADCASTSS inv+44(FP), Y3
	XORQ BX, BX
	TESTQ CX, CX
	JEQ na8_done
na8_loop:
	VMOVUPS (SI)(BX*1), Y0
	VSUBPS Y2, Y0, Y0
	VMULPS Y3, Y0, Y0
	VMOVUPS (R9)(BX*1), Y1
	VFMADD231PS (R8)(BX*1), Y0, Y1
	VMOVUPS Y1, (DI)(BX*1)
	ADDQ $32, BX
	DECQ CX
	JNZ na8_loop
na8_done:
	VZEROUPPER
	RET

// func maxAVX2(x *float32, n int) float32   (n a positive multiple of 8)
TEXT ·maxAVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	VMOVUPS (SI), Y0
max8_loop:
	VMAXPS (SI), Y0, Y0
	ADDQ $32, SI
	DECQ CX
	JNZ max8_loop
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0x4e, X0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0xb1, X0, X1
	VMAXPS X1, X0, X0
	MOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// func expSubSumAVX2(x *float32, n int, m float32) float32   (n a multiple of 8)
TEXT ·expSubSumAVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	VXORPS Y9, Y9, Y9
	TESTQ CX, CX
	JEQ ess8_done
	EXPCONSTS8
	VBROADCASTSS m+16(FP), Y8
ess8_loop:
	VMOVUPS (SI), Y0
	VSUBPS Y8, Y0, Y0
	EXP8(Y0, Y1, Y2, Y3)
	VMOVUPS Y0, (SI)
	VADDPS Y0, Y9, Y9
	ADDQ $32, SI
	DECQ CX
	JNZ ess8_loop
ess8_done:
	HSUM8(Y9, X9, X1)
	MOVSS X9, ret+24(FP)
	VZEROUPPER
	RET

// func scaleAVX2(x *float32, n int, s float32)   (n a multiple of 8)
TEXT ·scaleAVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	VBROADCASTSS s+16(FP), Y1
	TESTQ CX, CX
	JEQ scale8_done
scale8_loop:
	VMULPS (SI), Y1, Y0
	VMOVUPS Y0, (SI)
	ADDQ $32, SI
	DECQ CX
	JNZ scale8_loop
scale8_done:
	VZEROUPPER
	RET

// func fmaLoopAVX512(n int)
// n rounds of 16 independent zmm FMAs (enough to cover the FMA latency on
// two pipes): 16·16·2 = 512 flops per round.
TEXT ·fmaLoopAVX512(SB), NOSPLIT, $0-8
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
	JEQ fma512_done
fma512_loop:
	VFMADD231PS Z16, Z17, Z0
	VFMADD231PS Z16, Z17, Z1
	VFMADD231PS Z16, Z17, Z2
	VFMADD231PS Z16, Z17, Z3
	VFMADD231PS Z16, Z17, Z4
	VFMADD231PS Z16, Z17, Z5
	VFMADD231PS Z16, Z17, Z6
	VFMADD231PS Z16, Z17, Z7
	VFMADD231PS Z16, Z17, Z8
	VFMADD231PS Z16, Z17, Z9
	VFMADD231PS Z16, Z17, Z10
	VFMADD231PS Z16, Z17, Z11
	VFMADD231PS Z16, Z17, Z12
	VFMADD231PS Z16, Z17, Z13
	VFMADD231PS Z16, Z17, Z14
	VFMADD231PS Z16, Z17, Z15
	DECQ CX
	JNZ fma512_loop
fma512_done:
	VZEROUPPER
	RET

// func fmaLoopAVX2(n int)
// n rounds of 12 independent ymm FMAs: 12·8·2 = 192 flops per round.
TEXT ·fmaLoopAVX2(SB), NOSPLIT, $0-8
	MOVQ n+0(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	TESTQ CX, CX
	JEQ fma2_done
fma2_loop:
	VFMADD231PS Y12, Y13, Y0
	VFMADD231PS Y12, Y13, Y1
	VFMADD231PS Y12, Y13, Y2
	VFMADD231PS Y12, Y13, Y3
	VFMADD231PS Y12, Y13, Y4
	VFMADD231PS Y12, Y13, Y5
	VFMADD231PS Y12, Y13, Y6
	VFMADD231PS Y12, Y13, Y7
	VFMADD231PS Y12, Y13, Y8
	VFMADD231PS Y12, Y13, Y9
	VFMADD231PS Y12, Y13, Y10
	VFMADD231PS Y12, Y13, Y11
	DECQ CX
	JNZ fma2_loop
fma2_done:
	VZEROUPPER
	RET

// geluLow (gelulow.go), the activation actGELULow, on AVX-512 and AVX2:
// geluLow1's operations in the same order, so the same bits.

// GELULOW512(X) replaces the 16 values in X by geluLow. Needs GELUCONSTS
// (Z28 = 1, Z29 = 0, Z30 = 2, Z31 = the |x| mask), Z21 = 8⁻ and Z22–Z27
// the coefficients c0–c5; Z16–Z20 and K1 scratch.
#define GELULOW512(X) \
	VPANDD Z31, X, Z16 \
	VMINPS Z21, Z16, Z16 \
	VMULPS Z30, Z16, Z16 \
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
	VCMPPS $0x11, Z29, X, K1 \
	VSUBPS Z19, Z28, K1, Z19 \
	VMULPS Z19, X, X

// func geluLowAVX512(x *float32, n int, tab *[6][16]float32)
TEXT ·geluLowAVX512(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ tab+16(FP), R8
	GELUCONSTS
	VBROADCASTSS 108(R11), Z21
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
	LEAQ vmc8<>(SB), R12
	VMOVUPS 768(R12), Y15
	VMOVUPS 928(R12), Y14
	VMOVUPS 384(R12), Y13
	VMOVUPS 352(R12), Y12
	VMOVUPS 896(R12), Y11
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
