// The rounding of float32 to bf16 shared by the AVX-512 conversions
// (lowprec_amd64.s, lnpanel_amd64.s, attention_amx_amd64.s).

// Rounding to bf16 (roundBF16: u + 0x7fff + (u>>16 & 1), ties to even)
// of the 16 floats in Z<r>, with Z29 = 1, Z30 = 0x7fff, Z<t> scratch.
#define ROUND_BF16(r, t) \
	VPSRLD $16, r, t; \
	VPANDD Z29, t, t; \
	VPADDD Z30, r, r; \
	VPADDD t, r, r
