// The rounding of float32 to bf16, and its constants, shared by the AVX-512
// conversions (lowprec_amd64.s, lnpanel_amd64.s, attention_amx_amd64.s).

// The constants of ROUND_BF16, which needs them: Z29 = 1, Z30 = 0x7fff
// in every dword. Clobbers AX.
#define ROUND_BF16_CONSTS \
	MOVL $1, AX; \
	VPBROADCASTD AX, Z29; \
	MOVL $0x7fff, AX; \
	VPBROADCASTD AX, Z30

// The mask of the bf16 in the high half of a dword: z = 0xffff0000 in
// every dword. Clobbers AX.
#define BF16_HIMASK(z) \
	MOVL $0xffff0000, AX; \
	VPBROADCASTD AX, z

// Rounding to bf16 (roundBF16: u + 0x7fff + (u>>16 & 1), ties to even)
// of the 16 floats in Z<r>, with Z29 = 1, Z30 = 0x7fff (ROUND_BF16_CONSTS),
// Z<t> scratch.
#define ROUND_BF16(r, t) \
	VPSRLD $16, r, t; \
	VPANDD Z29, t, t; \
	VPADDD Z30, r, r; \
	VPADDD t, r, r
