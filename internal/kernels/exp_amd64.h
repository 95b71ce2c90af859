// The float32 exponential of the AVX-512 vector code (vecmath_amd64.s,
// attention_amx_amd64.s), one definition so that every softmax gives the
// same bits: x clamped to [-87.34, 88.38], n = round(x·log2 e),
// r = x − n·ln2 (two-part ln 2), p = 1 + r + r²·P5(r) (Cephes expf,
// ≈1 ulp), result = p·2ⁿ by VSCALEFPS.

// EXPTABLE(T) lays out the constants at T (48 bytes, GLOBL by the file):
// the clamps, log2 e, ln 2 in two parts, c5..c0 and 1, the order in which
// EXPCORE wants them in Z16–Z27.
#define EXPTABLE(T) \
	DATA T+0(SB)/4, $0xc2aeac4f;  /* -87.33654  lower clamp */ \
	DATA T+4(SB)/4, $0x42b0c0a5;  /* 88.37626   upper clamp */ \
	DATA T+8(SB)/4, $0x3fb8aa3b;  /* log2 e */ \
	DATA T+12(SB)/4, $0x3f318000; /* ln 2 high part 0.693359375 */ \
	DATA T+16(SB)/4, $0xb95e8083; /* ln 2 low part -2.12194440e-4 */ \
	DATA T+20(SB)/4, $0x39506967; /* c5 1.9875691500e-4 */ \
	DATA T+24(SB)/4, $0x3ab743ce; /* c4 1.3981999507e-3 */ \
	DATA T+28(SB)/4, $0x3c088908; /* c3 8.3334519073e-3 */ \
	DATA T+32(SB)/4, $0x3d2aa9c1; /* c2 4.1665795894e-2 */ \
	DATA T+36(SB)/4, $0x3e2aaaaa; /* c1 1.6666665459e-1 */ \
	DATA T+40(SB)/4, $0x3f000000; /* c0 5.0000001201e-1 */ \
	DATA T+44(SB)/4, $0x3f800000  /* 1 */

// EXPCORE replaces X, already clamped (Z16 lower, Z17 upper), by exp(X):
// the range reduction and the polynomial, with EXPTABLE's constants from
// log2 e on in Z18–Z27; N, P, R clobbered. NaN stays NaN.
#define EXPCORE(X, N, P, R) \
	VMULPS Z18, X, N; \
	VRNDSCALEPS $0, N, N; \
	VFNMADD231PS Z19, N, X; \
	VFNMADD231PS Z20, N, X; \
	VMOVAPS Z21, P; \
	VFMADD213PS Z22, X, P; \
	VFMADD213PS Z23, X, P; \
	VFMADD213PS Z24, X, P; \
	VFMADD213PS Z25, X, P; \
	VFMADD213PS Z26, X, P; \
	VMULPS X, X, R; \
	VFMADD213PS X, R, P; \
	VADDPS Z27, P, P; \
	VSCALEFPS N, P, X
