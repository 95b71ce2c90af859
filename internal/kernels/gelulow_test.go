package kernels

import (
	"math"
	"slices"
	"testing"
)

// geluLowSpecial are the 2^16-value chunks of float32 bit patterns (by
// their high 16 bits) that the short runs take besides every 61st: ±0 and
// the subnormals, the values just below ±8 (the |x| clamp) and from ±8
// on, ±Inf and the NaNs.
var geluLowSpecial = []int{0x0000, 0x8000, 0x40ff, 0xc0ff, 0x4100, 0xc100, 0x7f80, 0xff80, 0x7fc0, 0xffc0}

// geluLowChunks calls f with every chunk of 2^16 float32 bit patterns (by
// their high 16 bits), or under -short with every 61st and those of
// geluLowSpecial, in place.
func geluLowChunks(t *testing.T, f func(c int, x []float32)) {
	x := make([]float32, 1<<16) // [2^16] bit patterns
	for c := range 1 << 16 {
		if testing.Short() && c%61 != 0 && !slices.Contains(geluLowSpecial, c) {
			continue
		}
		for i := range x {
			x[i] = math.Float32frombits(uint32(c)<<16 | uint32(i))
		}
		f(c, x)
	}
}

// TestGELULowAccuracy holds geluLow to the bound gelulow.go states,
// |geluLow(x) − x·Φ(x)| ≤ 1.1e-7·max(1, |x|) for finite x, on every float32
// (under -short about 1/61 of them), and to the exact special values: ±0,
// +Inf, NaN in, NaN out.
func TestGELULowAccuracy(t *testing.T) {
	worst, at := 0.0, float32(0)
	y := make([]float32, 1<<16)
	geluLowChunks(t, func(c int, x []float32) {
		copy(y, x)
		Activate(actGELULow, y)
		for i, v := range x {
			g := y[i]
			switch {
			case math.IsNaN(float64(v)):
				if !math.IsNaN(float64(g)) {
					t.Fatalf("geluLow(%v) = %v, want NaN", v, g)
				}
				continue
			case math.IsInf(float64(v), 0):
				if v > 0 && g != v {
					t.Fatalf("geluLow(+Inf) = %v", g)
				}
				continue
			}
			want := 0.5 * float64(v) * math.Erfc(-float64(v)/math.Sqrt2)
			e := math.Abs(float64(g)-want) / max(1, math.Abs(float64(v)))
			if e > worst {
				worst, at = e, v
			}
		}
	})
	t.Logf("largest error %.3g·max(1, |x|) at x = %v", worst, at)
	if worst > 1.1e-7 {
		t.Errorf("geluLow's error reaches %.3g·max(1, |x|) at x = %v, want ≤ 1.1e-7", worst, at)
	}
	for _, v := range []float32{0, float32(math.Copysign(0, -1))} {
		y := []float32{v}
		Activate(actGELULow, y)
		if math.Float32bits(y[0]) != math.Float32bits(v) {
			t.Errorf("geluLow(%v) = %v", v, y[0])
		}
	}
}

// TestGELULowPaths checks that every vector kernel of geluLow gives the
// bits of geluLow1 on every float32 (under -short about 1/61), in
// runs of 1 to 300 values so that every tail path runs.
func TestGELULowPaths(t *testing.T) {
	want := make([]float32, 1<<16)
	got := make([]float32, 1<<16)
	for _, s := range vectorISAs() {
		t.Run(s.String(), func(t *testing.T) {
			defer setISA(s)()
			bad := 0
			geluLowChunks(t, func(c int, x []float32) {
				for i, v := range x {
					want[i] = geluLow1(v)
				}
				copy(got, x)
				for i, j := 0, 0; i < len(got); j++ {
					n := min(len(got)-i, 1+(7*c+13*j)%300)
					Activate(actGELULow, got[i:i+n])
					i += n
				}
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						if bad++; bad <= 5 {
							t.Errorf("geluLow(%v [%#08x]) = %v [%#08x], generic %v [%#08x]", x[i], math.Float32bits(x[i]),
								got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
						}
					}
				}
			})
			if bad > 0 {
				t.Errorf("%d values differ", bad)
			}
		})
	}
}

// TestFMA32 checks fma32 on sums that round once to float32 and on ones
// that land exactly halfway between two float32 values once rounded to
// float64, below halfway exactly: (1+2⁻²³)·(2⁻²⁴−2⁻⁴⁷) + (1+2⁻²³) =
// 1 + 2⁻²³ + 2⁻²⁴ − 2⁻⁷⁰, where the float64 FMA converted rounds twice,
// to 1 + 2⁻²²; and 2¹⁰³(1+2⁻²³)·(1−2⁻²³) + MaxFloat32 = 2¹²⁸ − 2¹⁰³ − 2⁵⁷,
// just below the overflow threshold, which the float64 sum rounds onto
// (+Inf once converted).
func TestFMA32(t *testing.T) {
	cases := [][4]float32{
		{1 + 0x1p-23, 0x1p-24 - 0x1p-47, 1 + 0x1p-23, 1 + 0x1p-23},
		{0x1p103 * (1 + 0x1p-23), 1 - 0x1p-23, math.MaxFloat32, math.MaxFloat32},
		{-0x1p103 * (1 + 0x1p-23), 1 - 0x1p-23, -math.MaxFloat32, -math.MaxFloat32},
		{0x1p103, 1, math.MaxFloat32, float32(math.Inf(1))}, // exactly the threshold: ties to even, 2¹²⁸
		{3, 5, 7, 22},
		{-0.5, 4, 2, 0},
	}
	for _, c := range cases[:2] {
		if twice := float32(math.FMA(float64(c[0]), float64(c[1]), float64(c[2]))); twice == c[3] {
			t.Fatalf("fma32(%v, %v, %v): the case does not round twice through float64 (%v)", c[0], c[1], c[2], twice)
		}
	}
	for _, c := range cases {
		if got := fma32(c[0], c[1], c[2]); got != c[3] {
			t.Errorf("fma32(%v, %v, %v) = %v, want %v", c[0], c[1], c[2], got, c[3])
		}
	}
}
