//go:build amd64 && gc && !purego

package kernels

import "golang.org/x/sys/cpu"

// int8 on AVX2 without AVX-512 VNNI (Haswell to Zen 3, Alder Lake and
// later client cores): with AVX-VNNI, the VEX-encoded VPDPBUSD on ymm
// registers (q8KernelVNNI256); without it, exact int16 products with
// VPMADDWD on a W micro-panel widened to int16 once per task
// (q8KernelAVX2). Both give q8Generic's int32 sums, hence its bits.

// hasAVXVNNI: the CPU has AVX-VNNI (VEX VPDPBUSD); SetInt8Kernel and
// tests turn it off.
var hasAVXVNNI = cpu.X86.HasAVX2 && cpu.X86.HasAVXVNNI

// q8KernelVNNI256 stores the int32 sums of q8Generic (before its
// epilogue) of 6 W rows (wq [6][ldw] s8) and the first 16·groups tokens
// of the panel x [kq4][32][4] u8, kq4 ≥ 1, to acc [6][32]:
//
//	acc[i·32+j] = Σ_{l < 4·kq4} int32(x[(l/4·32 + j)·4 + l%4]) · int32(wq[i·ldw + l])
//
//go:noescape
func q8KernelVNNI256(groups int, kq4 int, wq *int8, ldw int, x *uint8, acc *int32)

// q8KernelAVX2 is q8KernelVNNI256 for the first 8·groups tokens, on the
// W rows widened to int16 (w16 [6][ldw/2], ldw in bytes; see
// q8WidenAVX2).
//
//go:noescape
func q8KernelAVX2(groups int, kq4 int, w16 *int16, ldw int, x *uint8, acc *int32)

// q8WidenAVX2 writes dst[i] = int16(src[i]) for i < 16·n16.
//
//go:noescape
func q8WidenAVX2(dst *int16, src *int8, n16 int)

// q8EpilogueAVX2 is q8EpilogueAVX512 (q8Generic's epilogue) on 256-bit
// registers.
//
//go:noescape
func q8EpilogueAVX2(acc *int32, dst *float32, rows int, sw *float32, wsum *int32, sx *float32, zx *int32, bias *float32, flags int, wide int)

// q8PanelAVX2 is q8PanelAVX512 on 256-bit registers.
//
//go:noescape
func q8PanelAVX2(dst *uint8, src *float32, kq4 int, inv *[nr]float32, zx *int32)

// minMaxPanelAVX2 is minMaxPanelAVX512 on 256-bit registers.
//
//go:noescape
func minMaxPanelAVX2(src *float32, k int, lo, hi *[nr]float32)

// bf16PanelAVX2 is bf16PanelAVX512 on 256-bit registers.
//
//go:noescape
func bf16PanelAVX2(dst, src *float32, pairs int)

// bf16ExpandAVX2 is bf16ExpandAVX512 on 256-bit registers.
//
//go:noescape
func bf16ExpandAVX2(dst *float32, src *uint16, n16 int)

// dotLoopVNNI256 runs n rounds of 14 independent VEX VPDPBUSD (896 OP).
//
//go:noescape
func dotLoopVNNI256(n int)

// dotLoopMADDWD runs n rounds of 7 independent VPMADDWD + VPADDD (224 OP).
//
//go:noescape
func dotLoopMADDWD(n int)

// q8Widens reports whether the int8 micro-kernel in use reads the W
// micro-panel widened to int16 (q8Widen).
func q8Widens() bool {
	return hasAVX2 && !(hasAVX512 && hasVNNI) && !hasAVXVNNI
}

// q8Widen writes the rows of the W micro-panel wq [12][ldw] s8, K steps
// [0, kq4), to dst [12][4·kq4] as int16.
func q8Widen(dst []int16, wq []int8, ldw, kq4 int) {
	n := 4 * kq4
	_, _ = dst[mrQ*n-1], wq[(mrQ-1)*ldw+n-1]
	for i := range mrQ {
		d, s := dst[i*n:(i+1)*n], wq[i*ldw:i*ldw+n]
		l := 0
		if n16 := n / 16; n16 > 0 {
			q8WidenAVX2(&d[0], &s[0], n16)
			l = 16 * n16
		}
		for ; l < n; l++ {
			d[l] = int16(s[l])
		}
	}
}

// q8AVX2 runs the int8 tile on AVX2: the sums of rows 0–5 and 6–11 by
// the AVX-VNNI or the VPMADDWD kernel (w16 [12][4·kq4], the widened wq,
// for the latter), then the epilogue.
func q8AVX2(w, kq4 int, wq []int8, ldw int, w16 []int16, acc *[mrQ * nr]int32, x []uint8, c, sw []float32, wsum []int32, sx []float32, zx []int32, bp *float32, flags int) {
	const half = mrQ / 2
	if hasAVXVNNI {
		q8KernelVNNI256(w/16, kq4, &wq[0], ldw, &x[0], &acc[0])
		q8KernelVNNI256(w/16, kq4, &wq[half*ldw], ldw, &x[0], &acc[half*nr])
	} else {
		n := 4 * kq4
		_ = w16[mrQ*n-1]
		q8KernelAVX2(w/8, kq4, &w16[0], 2*n, &x[0], &acc[0])
		q8KernelAVX2(w/8, kq4, &w16[half*n], 2*n, &x[0], &acc[half*nr])
	}
	wide := 0
	if w == nr {
		wide = 1
	}
	q8EpilogueAVX2(&acc[0], &c[0], mrQ, &sw[0], &wsum[0], &sx[0], &zx[0], bp, flags, wide)
}
