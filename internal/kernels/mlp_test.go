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

// TestMLPPanelsAdd runs MLPPanelsAdd against its two calls (fc1 into u,
// then fc2 added to y) in every precision, on every path and thread
// count, with and without the LayerNorm, on shapes whose F is odd, not a
// multiple of a tile's rows, or past one K block of fc2 (lowKc): the
// same y, bit for bit, a NaN token included. Each case runs the MLP twice
// on other values with a Linear between them, so a converted input left
// over from the call before, or a buffer fc2 handed back to the Pool and
// fc1 then overwrote, would show. Where fc1 hands its tiles to fc2 in
// bf16, u must be left alone.
func TestMLPPanelsAdd(t *testing.T) {
	fused := map[bf16Form]bool{} // the forms the fused cases ran in
	forEachLowPath(t, func(t *testing.T) {
		for _, threads := range []int{1, 2, 3} {
			p := NewPool(threads)
			defer p.Close()
			for _, prec := range []Precision{FP32, BF16, Int8} {
				for _, sh := range []struct{ m, k, f, d int }{{1, 8, 13, 5}, {17, 64, 48, 40}, {70, 37, 1100, 24}, {197, 96, 30, 31}} {
					for _, norm := range []bool{false, true} {
						t.Run(fmt.Sprintf("t%d/%v/%dx%dx%dx%d/ln=%v", threads, prec, sh.m, sh.k, sh.f, sh.d, norm), func(t *testing.T) {
							r := rand.New(rand.NewPCG(uint64(sh.m), uint64(sh.f)))
							w1 := PackB(randVals(r, sh.f*sh.k, 0.5, 0), sh.f, sh.k, sh.k).Convert(prec)
							w2 := PackB(randVals(r, sh.d*sh.f, 0.3, 0), sh.d, sh.f, sh.f).Convert(prec)
							other := PackB(randVals(r, 7*sh.k, 0.5, 0), 7, sh.k, sh.k).Convert(prec)
							b1, b2 := randVals(r, sh.f, 0.5, 0), randVals(r, sh.d, 0.5, 0)
							var ln Norm
							if norm {
								ln = Norm{Gamma: randVals(r, sh.k, 0.5, 1), Beta: randVals(r, sh.k, 0.2, 0), Eps: 1e-6}
							}
							for round := range 2 {
								x := randVals(r, sh.m*sh.k, 2, 0.3)
								if sh.m == 17 {
									x[3*sh.k+1] = float32(math.NaN())
								}
								y0 := randVals(r, sh.m*sh.d, 1, 0)
								var xp, h, u, y, o Panels
								xp.Pack(sh.m, sh.k, x, sh.k)
								y.Pack(sh.m, sh.d, y0, sh.d)
								if ln.Gamma != nil {
									LinearToPanelsNormed(p, &xp, ln, &h, w1, b1, ActGELU, &u)
								} else {
									LinearToPanels(p, &xp, w1, b1, ActGELU, &u)
								}
								LinearPanelsAdd(p, &u, w2, b2, &y)
								want := slices.Clone(y.P)

								var h2, u2, y2 Panels
								u2.Pack(1, 1, []float32{42}, 1)
								y2.Pack(sh.m, sh.d, y0, sh.d)
								MLPPanelsAdd(p, &xp, ln, &h2, w1, b1, ActGELU, &u2, w2, b2, &y2)
								if i := firstDiff(y2.P, want); i >= 0 {
									t.Fatalf("round %d: y[%d] = %g, want %g", round, i, y2.P[i], want[i])
								}
								if f := mlpFuses(&xp, w1, w2, &y2); f {
									fused[p.lowIn.form] = true
									if u2.M != 1 || u2.P[0] != 42 {
										t.Fatalf("u written on the fused route")
									}
								} else if prec == BF16 {
									t.Fatalf("bf16 MLP not fused")
								}
								LinearToPanels(p, &xp, other, nil, ActNone, &o) // between two MLPs
							}
						})
					}
				}
			}
		}
	})
	if f := flag.Lookup("test.run"); f != nil && strings.Contains(f.Value.String(), "/") {
		return // a subtest filter: not every path ran
	}
	if !fused[rowsSwapped] || hasDPBF16 && !fused[pairsNat] || amxUsable() && !fused[pairsSwapped] {
		t.Errorf("fused MLP ran in forms %v only", fused)
	}
}
