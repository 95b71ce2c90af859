package kernels

import "math"

// The GELU of the bf16 and int8 paths.
//
// fc1's output there is rounded to bf16 (8 significant bits) or quantized
// to 8 bits right after its activation and then summed by fc2, so what
// counts is GELU's error against the values it is summed with, not its
// relative error on tiny outputs: the exact-erf GELU of the float32 path
// (relative error about 5e-7 down to −10, 0.4 ns a value on AVX-512) is
// more than fc2 can tell apart. geluLow computes the function from a
// piecewise polynomial, twice as fast (BenchmarkGELU: 0.19 against 0.41 ns
// a value on AVX-512, 0.51 against 0.91 on AVX2):
//
//	a = min(|x|, 8⁻)                 (8⁻ the float32 below 8; NaN gives 8⁻)
//	i = ⌊2a⌋, t = 2a − i              (16 intervals of width ½ over [0, 8))
//	p = c5[i]·t⁵ + … + c0[i]          (Horner, one fused multiply-add a step)
//	Φ = p if x ≥ 0, else 1 − p        (Φ(−x) = 1 − Φ(x))
//	gelu(x) = x·Φ
//
// Each interval's coefficients are a least-squares fit of Φ(i/2 + t/2)
// in t on [0, 1] (degree 5, float64, scripts/gelu_fit.go) rounded to
// float32. Over every float32 (TestGELULowAccuracy) |gelu − gelu exact| ≤
// 1.1e-7·max(1, |x|): for x ≥ −3 about a float32 rounding of the result.
// The error is absolute, not relative: for x < 0, 1 − p cancels, so below
// about −4 the small outputs (|gelu| < 1.3e-4) are off by up to 2.3e-7,
// several times their size far out (−3.3e-7 for −1.0e-7 at x = −5.4999995),
// and below −5.5 they are −0. Rounded to bf16 they then differ from
// the exact GELU's rounding for most x below −5; in fc2's sums, against
// weights and other terms 10⁴ times larger, that is far below bf16's own
// rounding. Φ(8⁻) rounds to 1, so gelu(x) = x from 8 on.
//
// It is the activation actGELULow: the assembly (geluLowAVX512,
// geluLowAVX2, vecmath_amd64.s) runs geluLow1's operations in the same
// order, so every path gives the same bits (TestGELULowPaths).

// geluLowTab holds the coefficients c0…c5 [6][16], one row per power of t,
// one column per interval.
var geluLowTab = func() (t [6][16]float32) {
	for d := range geluLowBits {
		for i, b := range geluLowBits[d] {
			t[d][i] = math.Float32frombits(b)
		}
	}
	return t
}()

// geluLowBits are geluLowTab's float32 values as bits (scripts/gelu_fit.go).
var geluLowBits = [6][16]uint32{
	{ // c0
		0x3f000000, 0x3f3103af, 0x3f57625f, 0x3f6ee5b9,
		0x3f7a2d0c, 0x3f7e690b, 0x3f7fa788, 0x3f7ff0c1,
		0x3f7ffded, 0x3f7fffc7, 0x3f7ffffb, 0x3f800000,
		0x3f800000, 0x3f800000, 0x3f800000, 0x3f800000,
	},
	{ // c1
		0x3e4c41ea, 0x3e344178, 0x3df7c6f7, 0x3d84a09f,
		0x3cdd26d2, 0x3c0f97df, 0x3b113755, 0x39e4ba9a,
		0x388c4662, 0x3705fad3, 0x35474bc9, 0x3366c5d2,
		0x3151ad92, 0x2f0710cd, 0xad402148, 0x2c9347ae,
	},
	{ // c2
		0x3733fdea, 0xbcb418b0, 0xbcf7bcc4, 0xbcc700fb,
		0xbc5d41bf, 0xbbb38684, 0xbad9ae13, 0xb9c7b43f,
		0xb88ba8d5, 0xb7159e67, 0xb576655f, 0xb39c0541,
		0xb19e96e1, 0xaf150f5c, 0x2f02fae1, 0xae007ae1,
	},
	{ // c3
		0xbc08e0fe, 0xbbb7058f, 0xb7c3937a, 0x3b5f3582,
		0x3b5f0fcd, 0x3afbf67c, 0x3a40556b, 0x395264fb,
		0x382979fd, 0x36cc25f6, 0x3539bef5, 0x337f55e1,
		0x3196919a, 0x2b428f5e, 0xafc16b85, 0x2ea3851f,
	},
	{ // c4
		0x389c1e64, 0x3abab7c1, 0x3aabfb17, 0x39a6d78f,
		0xb9b1fa3e, 0xb9c89539, 0xb9501f54, 0xb88a1302,
		0xb77f80c4, 0xb62b314d, 0xb4a9d064, 0xb2f8cf33,
		0xb12ec666, 0x2eee3d71, 0x2fe1147b, 0xaead70a4,
	},
	{ // c5
		0x39891ddc, 0xb666b14a, 0xb9414959, 0xb90c981a,
		0xb7808d7e, 0x381094a1, 0x37e27c63, 0x37350014,
		0x363c194e, 0x3508e9dc, 0x3390e2cd, 0x31dd4148,
		0x3038eb85, 0xae7e147b, 0xaf35999a, 0x2e028f5c,
	},
}

// geluLowMax is 8⁻, the largest float32 below 8: |x| is clamped to it, so
// that the interval index ⌊2a⌋ stays below 16.
const geluLowMax = float32(7.9999995)

// lowAct is the activation a bf16 or int8 Linear call applies for act:
// GELU as geluLow (actGELULow), every other as it is.
func lowAct(act Act) Act {
	if act == ActGELU {
		return actGELULow
	}
	return act
}

// geluLow1 is geluLow of one value.
func geluLow1(x float32) float32 {
	a := math.Float32frombits(math.Float32bits(x) &^ (1 << 31))
	if !(a < geluLowMax) { // VMINPS: a NaN gives the second operand
		a = geluLowMax
	}
	v := a * 2
	i := int32(v)
	t := v - float32(i)
	c := &geluLowTab
	p := c[5][i]
	for d := 4; d >= 0; d-- {
		p = fma32(p, t, c[d][i])
	}
	if x < 0 {
		p = 1 - p
	}
	return x * p
}

// fma32 returns a·b + c rounded once to float32, as VFMADD…PS does.
// a·b is exact in float64; the sum, rounded to float64, rounds to the
// right float32 unless it fell exactly halfway between two float32 values
// (or on the overflow threshold, halfway between MaxFloat32 and 2¹²⁸)
// while the exact sum did not: then the error of the float64 sum (TwoSum)
// says which way.
func fma32(a, b, c float32) float32 {
	p := float64(a) * float64(b)
	s := p + float64(c)
	r := float32(s)
	z := s - p
	e := (p - (s - z)) + (float64(c) - z) // the float64 sum's error
	if e == 0 || float64(r) == s || math.IsNaN(s) {
		return r
	}
	if math.IsInf(float64(r), 0) {
		if math.Abs(s) == 0x1p128-0x1p103 && (e > 0) != (s > 0) { // just below the threshold
			return float32(math.Copysign(math.MaxFloat32, s))
		}
		return r
	}
	o := math.Nextafter32(r, float32(math.Inf(-1))) // the float32 on s's other side
	if float64(r) < s {
		o = math.Nextafter32(r, float32(math.Inf(1)))
	}
	if float64(r)+float64(o) == 2*s && (float64(o) > s) == (e > 0) {
		return o
	}
	return r
}
