package kernels

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestLinearToPanelsNormed runs LayerNorm → Linear fused
// (LinearToPanelsNormed) and as two calls
// (LayerNormPanels, LinearToPanels) in every precision, on every path
// and thread count: the same converted activations (int8: quantized
// values, scales and zero points, padding tokens too) and the same
// outputs, bit for bit; with an int8 or bf16 W, h is left alone.
func TestLinearToPanelsNormed(t *testing.T) {
	ran := map[string]bool{} // the bf16 kernels the cases ran on
	forEachLowPath(t, func(t *testing.T) {
		for _, threads := range []int{1, 2, 3} {
			p := NewPool(threads)
			defer p.Close()
			for _, prec := range []Precision{FP32, BF16, Int8} {
				for _, sh := range []struct{ m, k, n int }{{1, 8, 13}, {17, 64, 47}, {70, 37, 40}, {197, 96, 30}} {
					t.Run(fmt.Sprintf("t%d/%v/%dx%dx%d", threads, prec, sh.m, sh.k, sh.n), func(t *testing.T) {
						r := rand.New(rand.NewPCG(uint64(sh.m), uint64(sh.k)))
						x := randVals(r, sh.m*sh.k, 2, 0.3)
						if sh.m == 17 {
							x[3*sh.k+1] = float32(math.NaN())
						}
						w := PackB(randVals(r, sh.n*sh.k, 0.5, 0), sh.n, sh.k, sh.k).Convert(prec)
						ln := Norm{Gamma: randVals(r, sh.k, 0.5, 1), Beta: randVals(r, sh.k, 0.2, 0), Eps: 1e-6}
						bias := randVals(r, sh.n, 0.5, 0)
						var xp Panels
						xp.Pack(sh.m, sh.k, x, sh.k)
						conv := func() []byte {
							g := &p.low
							np := (sh.m + nr - 1) / nr
							var b []byte
							switch {
							case prec == Int8:
								b = append(b, g.xq[:np*g.kp*nr]...)
								b = fmt.Appendf(b, "%v%v", g.zx[:np*nr], bitsOf(g.sx[:np*nr]))
							case prec == BF16 && (g.amx || g.dp):
								b = fmt.Appendf(b, "%v", g.xp[:np*g.kp*nr])
							case prec == BF16:
								b = fmt.Appendf(b, "%v", bitsOf(g.xb[:np*g.kp*nr]))
							}
							return b
						}
						var h, y Panels
						LayerNormPanels(p, &xp, ln.Gamma, ln.Beta, ln.Eps, &h)
						LinearToPanels(p, &h, w, bias, ActGELU, &y)
						want, wantConv := slices.Clone(y.P), conv()
						var h2, y2 Panels
						h2.Pack(1, 1, []float32{42}, 1)
						LinearToPanelsNormed(p, &xp, ln, &h2, w, bias, ActGELU, &y2)
						if i := firstDiff(y2.P, want); i >= 0 {
							t.Fatalf("y[%d] = %g, want %g", i, y2.P[i], want[i])
						}
						if g := &p.low; prec == BF16 {
							switch {
							case g.amx:
								ran["amx"] = true
							case g.dp:
								ran["dpbf16"] = true
							default:
								ran["fma"] = true
							}
						}
						if got := conv(); string(got) != string(wantConv) {
							t.Fatalf("converted activations differ")
						}
						if prec != FP32 && (h2.M != 1 || h2.P[0] != 42) {
							t.Fatalf("h written on the %v route", prec)
						}
						if prec == FP32 && firstDiff(h2.P, h.P) >= 0 {
							t.Fatalf("h is not LN(x) on the %v route", prec)
						}
					})
				}
			}
		}
	})
	if f := flag.Lookup("test.run"); f != nil && strings.Contains(f.Value.String(), "/") {
		return // a subtest filter: not every path ran
	}
	for _, k := range BF16Kernels() {
		if !ran[k] {
			t.Errorf("no bf16 case ran on the %s kernel (ran on %v)", k, ran)
		}
	}
}

// awkward returns a value meant to catch an order-dependent min/max
// fold: ±0, NaN, ±Inf, and a few values repeated with both signs.
func awkward(r *rand.Rand) float32 {
	switch r.IntN(10) {
	case 0:
		return float32(math.Copysign(0, -1))
	case 1:
		return 0
	case 2:
		return float32(math.NaN())
	case 3:
		return float32(math.Inf(1 - 2*r.IntN(2)))
	}
	return float32(r.IntN(5)-2) * 0.25
}

// bitsOf returns the bits of v.
func bitsOf(v []float32) []uint32 {
	b := make([]uint32, len(v))
	for i, f := range v {
		b[i] = math.Float32bits(f)
	}
	return b
}

// awkwardLN returns a LayerNorm case: d features (1–50), a panel x
// [d][32], and gains and shifts from awkward; with ties, a quarter of the
// features get gain 0 and a shift from bf16Ties (outputs halfway between
// two bf16 values).
func awkwardLN(r *rand.Rand, ties bool) (d int, x, gamma, beta []float32) {
	d = 1 + r.IntN(50)
	x = randVals(r, d*nr, 2, 0)
	gamma, beta = make([]float32, d), make([]float32, d)
	for l := range d {
		gamma[l], beta[l] = awkward(r), awkward(r)
		if ties && r.IntN(4) == 0 {
			gamma[l], beta[l] = 0, bf16Ties[r.IntN(len(bf16Ties))]
		}
	}
	return d, x, gamma, beta
}

// TestLnMinMaxPanel compares the LayerNorm that folds its outputs'
// ranges as it stores them with lnPanel then minMaxPanel, bit for bit,
// with gains and shifts that make outputs of −0, +0, NaN and ties.
func TestLnMinMaxPanel(t *testing.T) {
	forEachISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for trial := range 200 {
			d, x, gamma, beta := awkwardLN(r, false)
			y, want := make([]float32, d*nr), make([]float32, d*nr)
			var lo, hi, wlo, whi [nr]float32
			lnMinMaxPanel(x, y, gamma, beta, 1e-5, &lo, &hi)
			lnPanel(x, want, gamma, beta, 1e-5)
			minMaxPanel(want, d, &wlo, &whi)
			if i := firstDiff(y, want); i >= 0 {
				t.Fatalf("trial %d: y[%d] = %g, want %g", trial, i, y[i], want[i])
			}
			if firstDiff(lo[:], wlo[:]) >= 0 || firstDiff(hi[:], whi[:]) >= 0 {
				t.Fatalf("trial %d, d %d: ranges %v %v, want %v %v", trial, d, lo, hi, wlo, whi)
			}
		}
	})
}

// bf16Ties are float32 values halfway between two bf16 values: rounding
// to nearest even takes the even one (0x3f80, 0x3f82, 0xbf82, 0x0002).
var bf16Ties = []float32{
	math.Float32frombits(0x3f808000), math.Float32frombits(0x3f818000),
	math.Float32frombits(0xbf818000), math.Float32frombits(0x00018000),
}

// TestLnBF16Pairs compares the LayerNorm that rounds its outputs to bf16
// pairs as it stores them with lnPanel then bf16Pairs or bf16PairsNat,
// bit for bit, odd and even d, with gains and shifts that make outputs
// of −0, +0, NaN, ±Inf and exact ties of the rounding.
func TestLnBF16Pairs(t *testing.T) {
	forEachISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		for trial := range 200 {
			d, x, gamma, beta := awkwardLN(r, true)
			nat := trial%2 == 1
			y := make([]float32, d*nr)
			got, want := make([]uint16, (d+1)&^1*nr), make([]uint16, (d+1)&^1*nr)
			for i := range got {
				got[i] = 0xdead
			}
			if !lnBF16PairsFast(got, x, gamma, beta, 1e-5, nat) {
				if hasAVX512 {
					t.Fatal("lnBF16PairsFast declined on AVX-512")
				}
				return
			}
			lnPanel(x, y, gamma, beta, 1e-5)
			bf16PairsIn(want, y, d, nat)
			if j := firstDiff16(got, want); j >= 0 {
				t.Fatalf("trial %d, d %d, nat %v: dst[%d] = %#04x, want %#04x", trial, d, nat, j, got[j], want[j])
			}
		}
	})
}
