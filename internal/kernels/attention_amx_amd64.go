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
// TDPBF16PS in steps of 32 values of the summed index (amxKernel):
//
//	c[r][q] = Σ_s Σ_p a[r][32s+2p]·b[16s+p][q][0] + a[r][32s+2p+1]·b[16s+p][q][1]
func amxBlocksBF16(a []uint16, lda int, b []uint16, c []float32, ksteps, n int) {
	if ksteps <= 0 || n <= 0 {
		return
	}
	_, _, _ = a[(n*amxRows-1)*lda+32*ksteps-1], b[ksteps*16*nr*2-1], c[n*amxRows*nr-1]
	amxKernel(0, &amxCfg, unsafe.Pointer(&a[0]), 2*lda, 2*lda*amxRows, unsafe.Pointer(&b[0]), 0, unsafe.Pointer(&c[0]), ksteps, n)
}

// kRowsAVX512 is kRowsBF16 for pairs ≥ 1 pairs of features of the keys
// in mask, key l's row at dword idx[l] of dst:
//
//	dst[2·idx[l] + 2p + 1 − r] = bf16(src[(2p+r)·32 + l])   r ∈ {0, 1}
//
//go:noescape
func kRowsAVX512(dst *uint16, idx *[nr]int32, src *float32, mask uint32, pairs int)

// kRowsNatAVX512 is kRowsBF16 in natural pairs for pairs ≥ 1 pairs of
// features of the n keys in mask = 2ⁿ−1 (lanes 0…n−1 of src):
//
//	dst[l·ld + 2p + r] = bf16(src[(2p+r)·32 + l])   r ∈ {0, 1}, p < pairs
//
//go:noescape
func kRowsNatAVX512(dst *uint16, ld int, src *float32, mask uint32, n, pairs int)

// vRowsAVX512 is vRowsBF16 for dh ≥ 1 features of the keys in mask, dst
// starting at a pair boundary of the keys and s = src − back (back 0 or 1
// lanes: the vector's lane 0 is the key before an odd run, not in mask)
// too, nat 0 or 1:
//
//	dst[f·ld + (l^(1−nat))] = bf16(s[f·32 + l])
//
// The step back is taken in the assembly: a Go pointer before src's first
// element would point outside its allocation.
//
//go:noescape
func vRowsAVX512(dst *uint16, ld int, src *float32, back int, mask uint32, dh, nat int)

// kRowsFast is kRowsBF16 with AVX-512 (false: not done).
func kRowsFast(dst []uint16, ld int, src []float32, dh int, nat bool) bool {
	n := len(dst) / ld
	if !hasAVX512 || dh < 2 || n == 0 || n > nr || ld%2 != 0 {
		return false
	}
	_, _ = dst[(n-1)*ld+dh-1], src[(dh-1)*nr+n-1]
	x := 1 // the feature of a pair's first value: f^x
	if nat {
		x = 0
		kRowsNatAVX512(&dst[0], ld, &src[0], uint32(1<<n-1), n, dh/2)
	} else {
		var idx [nr]int32 // [32] the dword of each key's row
		for l := range idx {
			idx[l] = int32(l * ld / 2)
		}
		kRowsAVX512(&dst[0], &idx, &src[0], uint32(1<<n-1), dh/2)
	}
	if dh%2 == 1 {
		f := dh - 1
		for l, v := range src[f*nr : f*nr+n] {
			dst[l*ld+(f^x)] = bf16Hi(v)
		}
	}
	return true
}

// vRowsFast is vRowsBF16 with AVX-512 (false: not done).
func vRowsFast(dst []uint16, ld, k0 int, src []float32, dh int, nat bool) bool {
	n := (len(src)-1)%nr + 1
	if !hasAVX512 || dh == 0 || ld%2 != 0 {
		return false
	}
	_, _ = dst[(dh-1)*ld+((k0+n-1)|1)], src[(dh-1)*nr+n-1]
	odd, x, xn := k0&1, 1, 0 // x: the key of a pair's first value, k^x
	if nat {
		x, xn = 0, 1
	}
	if n+odd > nr { // 33 lanes: the last key alone
		n--
		for f := 0; f < dh; f++ {
			dst[f*ld+((k0+n)^x)] = bf16Hi(src[f*nr+n])
		}
	}
	// With k0 odd, lane 0 of the vector is the key before the run (not
	// loaded, not stored), so that pairs of keys stay pairs of lanes.
	vRowsAVX512(&dst[k0&^1], ld, &src[0], odd, uint32(1<<n-1)<<odd, dh, xn)
	return true
}

// softmaxPairsAVX512 is softmaxPairs for rows ≥ 1 (its exponential a
// degree-5 polynomial, about 2⁻¹⁸ relative; s left holding the
// exponentials).
//
//go:noescape
func softmaxPairsAVX512(s *float32, rows int, scale float32, dst *uint16)

// softmaxNatAVX512 is softmaxNat for rows ≥ 1, wide 0 or 1, m nil or
// the columns' maxima [32] (s left holding the exponentials).
//
//go:noescape
func softmaxNatAVX512(s *float32, rows int, scale float32, dst *uint16, wide int, m *float32)

// softmaxNatFast is softmaxNat with AVX-512 (false: not done).
func softmaxNatFast(s []float32, rows int, scale float32, dst []uint16, wide bool, mx []float32) bool {
	if !hasAVX512 || rows == 0 {
		return false
	}
	_, _ = s[rows*nr-1], dst[(rows+1)/2*2*nr-1]
	w := 0
	if wide {
		w = 1
	}
	var m *float32
	if mx != nil {
		_ = mx[nr-1]
		m = &mx[0]
	}
	softmaxNatAVX512(&s[0], rows, scale, &dst[0], w, m)
	return true
}

func softmaxPairsFast(s []float32, rows int, scale float32, dst []uint16) bool {
	if !hasAVX512 || rows == 0 {
		return false
	}
	_, _ = s[rows*nr-1], dst[(rows+1)/2*2*nr-1]
	softmaxPairsAVX512(&s[0], rows, scale, &dst[0])
	return true
}
