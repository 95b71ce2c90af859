//go:build amd64 && gc && !purego

package kernels

import "math"

// geluAVX512 replaces each x[i], i < n, by x·Φ(x) with Φ from the erfc
// approximation t·exp(−z²+E(t)), t = 1/(1+z/2), z = |x|/√2:
//
//	for i := range x[:n] { x[i] = x[i] * 0.5 * erfc(-x[i]/√2) }
//
//go:noescape
func geluAVX512(x *float32, n int)

// sigmulAVX512 computes, for i < n,
//
//	x[i] = x[i] / (1 + exp(x[i]·(c1 + c3·x[i]²)))
//
//go:noescape
func sigmulAVX512(x *float32, n int, c1, c3 float32)

// softmaxCols32AVX512 replaces each of the 32 columns of s [rows][32]
// (rows ≥ 1) by its softmax:
//
//	for j < 32 { m := max_i s[i][j]; s[i][j] = exp(s[i][j]−m) / Σ_i exp(s[i][j]−m) }
//
//go:noescape
func softmaxCols32AVX512(s *float32, rows int)

// maxAVX512 returns max(x[0:n]), n ≥ 1.
//
//go:noescape
func maxAVX512(x *float32, n int) float32

// expSubSumAVX512 sets x[i] = exp(x[i] − m) for i < n and returns Σ x[i].
//
//go:noescape
func expSubSumAVX512(x *float32, n int, m float32) float32

// scaleAVX512 sets x[i] *= s for i < n.
//
//go:noescape
func scaleAVX512(x *float32, n int, s float32)

// sumAVX512 returns Σ x[i], i < n.
//
//go:noescape
func sumAVX512(x *float32, n int) float32

// sumSqDevAVX512 returns Σ (x[i] − mean)², i < n.
//
//go:noescape
func sumSqDevAVX512(x *float32, n int, mean float32) float32

// normAffineAVX512 sets y[i] = (x[i] − mean)·inv·gamma[i] + beta[i], i < n.
//
//go:noescape
func normAffineAVX512(x, y, gamma, beta *float32, n int, mean, inv float32)

// geluAVX2 is geluAVX512 for n a multiple of 8.
//
//go:noescape
func geluAVX2(x *float32, n int)

// sigmulAVX2 is sigmulAVX512 for n a multiple of 8.
//
//go:noescape
func sigmulAVX2(x *float32, n int, c1, c3 float32)

// softmaxCols16AVX2 replaces each of the 16 columns starting at s of an
// array [rows][32] (rows ≥ 1) by its softmax over the rows.
//
//go:noescape
func softmaxCols16AVX2(s *float32, rows int)

// The AVX2 row kernels handle n a multiple of 8; see their AVX-512 twins.
//
//go:noescape
func sumAVX2(x *float32, n int) float32

//go:noescape
func sumSqDevAVX2(x *float32, n int, mean float32) float32

//go:noescape
func normAffineAVX2(x, y, gamma, beta *float32, n int, mean, inv float32)

//go:noescape
func maxAVX2(x *float32, n int) float32

//go:noescape
func expSubSumAVX2(x *float32, n int, m float32) float32

//go:noescape
func scaleAVX2(x *float32, n int, s float32)

// The tanh GELU as x·σ(2u): 0.5·x·(1 + tanh(u)) = x / (1 + exp(−2u)),
// u = √(2/π)·(x + 0.044715·x³), so −2u = x·(c1 + c3·x²).
const (
	geluTanhC1 = -2 * 0.7978845608028654
	geluTanhC3 = -2 * 0.7978845608028654 * 0.044715
)

// activateFast applies act to x with the widest vector kernel the flags
// allow and reports whether it did.
func activateFast(act Act, x []float32) bool {
	if len(x) == 0 {
		return false
	}
	if !hasAVX512 {
		if !hasAVX2 || act == ActReLU || act == ActNone {
			return false
		}
		// The last len mod 8 values go through the kernel too, padded
		// to 8: a value's result does not depend on where it lies.
		body := len(x) &^ 7
		var tail [8]float32
		n := copy(tail[:], x[body:])
		for _, s := range [][]float32{x[:body], tail[:(n+7)&^7]} {
			if len(s) == 0 {
				continue
			}
			switch act {
			case ActGELU:
				geluAVX2(&s[0], len(s))
			case ActGELUTanh:
				sigmulAVX2(&s[0], len(s), geluTanhC1, geluTanhC3)
			case ActQuickGELU:
				sigmulAVX2(&s[0], len(s), -1.702, 0)
			case actGELULow:
				geluLowAVX2(&s[0], len(s), &geluLowTab)
			}
		}
		copy(x[body:], tail[:n])
		return true
	}
	switch act {
	case ActGELU:
		geluAVX512(&x[0], len(x))
	case ActGELUTanh:
		sigmulAVX512(&x[0], len(x), geluTanhC1, geluTanhC3)
	case ActQuickGELU:
		sigmulAVX512(&x[0], len(x), -1.702, 0)
	case actGELULow:
		geluLowAVX512(&x[0], len(x), &geluLowTab)
	default:
		return false
	}
	return true
}

// softmaxRowFast replaces x (len ≥ 1) by its softmax if a vector kernel
// is available.
func softmaxRowFast(x []float32) bool {
	if len(x) == 0 {
		return false
	}
	if !hasAVX512 {
		body := len(x) &^ 7
		if !hasAVX2 || body == 0 {
			return false
		}
		m := maxAVX2(&x[0], body)
		for _, v := range x[body:] {
			m = max(m, v)
		}
		s := float64(expSubSumAVX2(&x[0], body, m))
		for i, v := range x[body:] {
			e := math.Exp(float64(v - m))
			x[body+i] = float32(e)
			s += e
		}
		inv := float32(1 / s)
		scaleAVX2(&x[0], body, inv)
		for i := body; i < len(x); i++ {
			x[i] *= inv
		}
		return true
	}
	m := maxAVX512(&x[0], len(x))
	s := expSubSumAVX512(&x[0], len(x), m)
	scaleAVX512(&x[0], len(x), 1/s)
	return true
}

// softmaxCols32 replaces each of the 32 columns of s [rows][32] by its
// softmax over the rows.
func softmaxCols32(s []float32, rows int) {
	if rows <= 0 {
		return
	}
	if hasAVX512 {
		_ = s[rows*nr-1]
		softmaxCols32AVX512(&s[0], rows)
		return
	}
	if hasAVX2 {
		_ = s[rows*nr-1]
		softmaxCols16AVX2(&s[0], rows)
		softmaxCols16AVX2(&s[16], rows)
		return
	}
	softmaxCols32Generic(s, rows)
}

// scaleFast sets x[i] *= s.
func scaleFast(x []float32, s float32) {
	if hasAVX512 && len(x) > 0 {
		scaleAVX512(&x[0], len(x), s)
		return
	}
	for i := range x {
		x[i] *= s
	}
}

// softmaxColsN replaces at least the first w ≤ 32 columns of s [rows][32]
// by their softmax over the rows; the other columns may be replaced too.
func softmaxColsN(s []float32, rows, w int) {
	if rows <= 0 {
		return
	}
	if !hasAVX512 && hasAVX2 && w <= 16 {
		_ = s[rows*nr-1]
		softmaxCols16AVX2(&s[0], rows)
		return
	}
	softmaxCols32(s, rows)
}

// layerNormRowFast normalizes one row if a vector kernel is available.
func layerNormRowFast(x, y, gamma, beta []float32, eps float32) bool {
	d := len(x)
	if d == 0 {
		return false
	}
	if !hasAVX512 {
		body := d &^ 7
		if !hasAVX2 || body == 0 {
			return false
		}
		_, _, _ = y[d-1], gamma[d-1], beta[d-1]
		sum := sumAVX2(&x[0], body)
		for _, v := range x[body:] {
			sum += v
		}
		mean := sum / float32(d)
		vs := sumSqDevAVX2(&x[0], body, mean)
		for _, v := range x[body:] {
			vs += (v - mean) * (v - mean)
		}
		inv := float32(1 / math.Sqrt(float64(vs/float32(d))+float64(eps)))
		normAffineAVX2(&x[0], &y[0], &gamma[0], &beta[0], body, mean, inv)
		for i := body; i < d; i++ {
			y[i] = (x[i]-mean)*inv*gamma[i] + beta[i]
		}
		return true
	}
	_, _, _ = y[d-1], gamma[d-1], beta[d-1]
	mean := sumAVX512(&x[0], d) / float32(d)
	vs := sumSqDevAVX512(&x[0], d, mean) / float32(d)
	inv := float32(1 / math.Sqrt(float64(vs)+float64(eps)))
	normAffineAVX512(&x[0], &y[0], &gamma[0], &beta[0], d, mean, inv)
	return true
}

// fmaLoopAVX512 runs n rounds of 16 independent zmm FMAs (512 flops).
//
//go:noescape
func fmaLoopAVX512(n int)

// fmaLoopAVX2 runs n rounds of 12 independent ymm FMAs (192 flops).
//
//go:noescape
func fmaLoopAVX2(n int)

// fmaRounds runs about n rounds of the widest FMA loop and returns the
// flops done, 0 without a vector FMA.
func fmaRounds(n int) float64 {
	switch {
	case hasAVX512:
		fmaLoopAVX512(n)
		return 512 * float64(n)
	case hasAVX2:
		fmaLoopAVX2(n * 8 / 3)
		return 192 * float64(n*8/3)
	}
	return 0
}

// prefetchRows asks for the first lines cache lines of rows rows of floats
// ld apart, from p, to be brought into L2 (PREFETCHT1).
//
//go:noescape
func prefetchRows(p *float32, rows, ld, lines int)

// prefetchLines asks for the first n cache lines (16 floats each) of a
// to be brought into L2 (none for n ≤ 0).
func prefetchLines(a []float32, n int) {
	if n <= 0 {
		return
	}
	_ = a[16*n-1]
	prefetchRows(&a[0], 1, 0, n)
}

// prefetchPanel prefetches part i of n of the mr×kb micro-panel a (rows
// lda apart) into L2: the columns [i·kb/n, (i+1)·kb/n) rounded out to
// cache lines.
func prefetchPanel(a []float32, mr, lda, kb, i, n int) {
	c0, c1 := i*kb/n&^15, min(kb, ((i+1)*kb/n+15)&^15)
	if c1 <= c0 {
		return
	}
	_ = a[(mr-1)*lda+c1-1]
	prefetchRows(&a[c0], mr, lda, (c1-c0+15)/16)
}

// lnPanelAVX512 is lnPanelGeneric in float32 (lnpanel_amd64.s).
//
//go:noescape
func lnPanelAVX512(x, y, gamma, beta *float32, d int, invD, eps float32)

// lnPanelAVX2 is lnPanelAVX512 with AVX2+FMA.
//
//go:noescape
func lnPanelAVX2(x, y, gamma, beta *float32, d int, invD, eps float32)

// lnMinMaxPanelAVX512 is lnPanelAVX512 followed by minMaxPanelAVX512 on
// y, in one pass over y (lnpanel_amd64.s).
//
//go:noescape
func lnMinMaxPanelAVX512(x, y, gamma, beta *float32, d int, invD, eps float32, lo, hi *[nr]float32)

// lnBF16PairsAVX512 is lnPanelAVX512 then bf16PairsAVX512 (nat ≠ 0:
// pairs in order) with an odd d's last row paired with zero, the
// normed values rounded as they leave the registers (lnpanel_amd64.s).
//
//go:noescape
func lnBF16PairsAVX512(x *float32, dst *uint16, gamma, beta *float32, d int, invD, eps float32, nat int)

// lnBF16PairsFast runs lnBF16PairsAVX512 when the CPU has AVX-512.
func lnBF16PairsFast(dst []uint16, x, gamma, beta []float32, eps float32, nat bool) bool {
	d := len(gamma)
	if !hasAVX512 || d == 0 {
		return false
	}
	_, _, _, _ = x[d*nr-1], dst[(d+1)&^1*nr-1], beta[d-1], gamma[d-1]
	n := 0
	if nat {
		n = 1
	}
	lnBF16PairsAVX512(&x[0], &dst[0], &gamma[0], &beta[0], d, 1/float32(d), eps, n)
	return true
}

// lnMinMaxPanelFast runs lnMinMaxPanelAVX512 when the CPU has AVX-512.
func lnMinMaxPanelFast(x, y, gamma, beta []float32, eps float32, lo, hi *[nr]float32) bool {
	d := len(gamma)
	if !hasAVX512 || d == 0 {
		return false
	}
	_, _, _, _ = x[d*nr-1], y[d*nr-1], beta[d-1], gamma[d-1]
	lnMinMaxPanelAVX512(&x[0], &y[0], &gamma[0], &beta[0], d, 1/float32(d), eps, lo, hi)
	return true
}

// lnPanelFast runs lnPanelAVX512 or lnPanelAVX2 when the CPU has them.
func lnPanelFast(x, y, gamma, beta []float32, eps float32) bool {
	d := len(gamma)
	if !hasAVX2 || d == 0 {
		return false
	}
	_, _, _, _ = x[d*nr-1], y[d*nr-1], beta[d-1], gamma[d-1]
	if hasAVX512 {
		lnPanelAVX512(&x[0], &y[0], &gamma[0], &beta[0], d, 1/float32(d), eps)
	} else {
		lnPanelAVX2(&x[0], &y[0], &gamma[0], &beta[0], d, 1/float32(d), eps)
	}
	return true
}

// geluLowAVX512 replaces each x[i], i < n, by geluLow (gelulow.go) with
// the coefficients tab.
//
//go:noescape
func geluLowAVX512(x *float32, n int, tab *[6][16]float32)

// geluLowAVX2 is geluLowAVX512 for n a multiple of 8.
//
//go:noescape
func geluLowAVX2(x *float32, n int, tab *[6][16]float32)
