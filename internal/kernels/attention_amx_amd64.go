//go:build amd64 && gc && !purego

package kernels

import "unsafe"

// attentionAMX reports whether attention in bf16 runs on AMX with the
// vector family s (the softmax and conversions want AVX-512).
func attentionAMX(s isa) bool {
	return s == isaAVX512 && amxUsable()
}

// amxBlocksBF16 computes n blocks of 32 rows: block i of c [n·32][32]
// (float32, rows 32 apart) is rows i·32 … i·32+31 of a (bf16, lda apart,
// 32·ksteps values each) times b [16·ksteps][32][2] (bf16 pairs), with
// TDPBF16PS in steps of 32 values of the summed index:
//
//	c[r][q] = Σ_s Σ_p a[r][32s+2p]·b[16s+p][q][0] + a[r][32s+2p+1]·b[16s+p][q][1]
func amxBlocksBF16(a []uint16, lda int, b []uint16, c []float32, ksteps, n int) {
	if ksteps <= 0 || n <= 0 {
		return
	}
	_, _, _ = a[(n*amxRows-1)*lda+32*ksteps-1], b[ksteps*16*nr*2-1], c[n*amxRows*nr-1]
	amxBlocksBF16Asm(&amxCfg, unsafe.Pointer(&a[0]), 2*lda, unsafe.Pointer(&b[0]), unsafe.Pointer(&c[0]), ksteps, n)
}

// amxBlocksBF16Asm is amxBlocksBF16 with lda in bytes (attention_amx_amd64.s).
//
//go:noescape
func amxBlocksBF16Asm(cfg *amxConfig, a unsafe.Pointer, lda int, b, c unsafe.Pointer, ksteps, n int)
