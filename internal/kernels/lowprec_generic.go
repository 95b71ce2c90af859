package kernels

import "math"

// q8Generic is the int8 micro-kernel every assembly version must match:
// for W rows i < 12 (wq [12][ldw] s8) and the first w ∈ {16, 32} tokens
// j of the panel x [kq4][32][4] u8,
//
//	acc := Σ_{l < 4·kq4} int32(x[(l/4·32 + j)·4 + l%4]) · int32(wq[i·ldw + l])
//	v := float32(acc − zx[j]·wsum[i]) · (sx[j]·sw[i])
//	if flags&kBias != 0 { v += bias[i] }
//	if flags&kLoad != 0 { v = c[i·32+j] + v }
//	c[i·32+j] = v
func q8Generic(w, kq4 int, wq []int8, ldw int, x []uint8, c, sw []float32, wsum []int32, sx []float32, zx []int32, bias []float32, flags int) {
	var acc [mrQ][nr]int32
	for q := 0; q < kq4; q++ {
		xq := x[q*nr*4 : q*nr*4+w*4]
		for i := range mrQ {
			wr := wq[i*ldw+4*q : i*ldw+4*q+4]
			w0, w1, w2, w3 := int32(wr[0]), int32(wr[1]), int32(wr[2]), int32(wr[3])
			a := &acc[i]
			for j := 0; j < w; j++ {
				xj := xq[4*j : 4*j+4]
				a[j] += int32(xj[0])*w0 + int32(xj[1])*w1 + int32(xj[2])*w2 + int32(xj[3])*w3
			}
		}
	}
	for i := range mrQ {
		ci := c[i*nr : i*nr+w]
		for j := range ci {
			v := float32(float32(acc[i][j]-zx[j]*wsum[i]) * float32(sx[j]*sw[i]))
			if flags&kBias != 0 {
				v += bias[i]
			}
			if flags&kLoad != 0 {
				v = ci[j] + v
			}
			ci[j] = v
		}
	}
}

// q8Kernel runs the int8 micro-kernel (q8Generic) on 32 tokens (wide) or
// 16, with the fastest code the CPU has; w16 [12][4·kq4] holds wq
// widened to int16 (q8Widen) when q8Widens, else it is unused; acc
// [12][32] is scratch for the int32 sums of the AVX2 kernels (the
// caller's, so not zeroed on every call: they store every sum they read
// back; the AVX-512 tile keeps its sums in registers);
// pf and pfw, if not empty, are regions the AVX-512 kernel prefetches
// as it runs, a line (64 bytes) a step from their start: the next tile
// it will write (into L1, for writing), and a share of the next W
// micro-panel it will read (into L2).
func q8Kernel(wide bool, kq4 int, wq []int8, ldw int, w16 []int16, acc *[mrQ * nr]int32, x []uint8, c, sw []float32, wsum []int32, sx []float32, zx []int32, bias []float32, flags int, pf []float32, pfw []int8) {
	w := 16
	if wide {
		w = nr
	}
	_, _ = wq[(mrQ-1)*ldw+4*kq4-1], x[kq4*nr*4-1]
	_, _, _, _, _ = c[(mrQ-1)*nr+w-1], sw[mrQ-1], wsum[mrQ-1], sx[w-1], zx[w-1]
	if flags&kBias != 0 {
		_ = bias[mrQ-1]
	}
	if kq4 == 0 || !q8Fast(w, kq4, wq, ldw, w16, acc, x, c, sw, wsum, sx, zx, bias, flags, pf, pfw) {
		q8Generic(w, kq4, wq, ldw, x, c, sw, wsum, sx, zx, bias, flags)
	}
}

// dpbf16Generic is VDPBF16PS on one register: for each float32 lane i,
// the products of the bf16 pairs, exact, added odd element first, each
// addition rounded (ties to even); VDPBF16PS also flushes subnormal
// inputs and results to zero, which this does not model.
//
//	acc[i] = (acc[i] + a[2i+1]·b[2i+1]) + a[2i]·b[2i]
func dpbf16Generic(acc *[16]float32, a, b *[32]uint16) {
	f := func(u uint16) float32 { return math.Float32frombits(uint32(u) << 16) }
	for i := range acc {
		acc[i] += float32(f(a[2*i+1]) * f(b[2*i+1]))
		acc[i] += float32(f(a[2*i]) * f(b[2*i]))
	}
}

// swapPairsGeneric writes src[:len(dst)] to dst (len(dst) even) with
// each pair's two values swapped; dst may be src:
//
//	dst[2i], dst[2i+1] = src[2i+1], src[2i]
func swapPairsGeneric(dst, src []uint16) {
	_ = src[:len(dst)]
	for i := 0; i < len(dst); i += 2 {
		dst[i], dst[i+1] = src[i+1], src[i]
	}
}
