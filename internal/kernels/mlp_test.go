package kernels

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestMLPPanelsAdd runs MLPPanelsAdd against its two calls (fc1 into u,
// then fc2 added to y) in every precision, on every path and thread
// count, with and without the LayerNorm, on shapes whose F is odd, not a
// multiple of a tile's rows, past one K block of fc2 or of fc1 (lowKc),
// GELU and no activation, y apart from x or x itself: the same y, bit
// for bit, a NaN token included. Each case runs the MLP twice on other
// values with a Linear between them, so a converted input left
// over from the call before, or a buffer fc2 handed back to the Pool and
// fc1 then overwrote, would show. Where fc1 hands its output to fc2
// converted (bf16 tiles; int8 token panels, here from one panel per
// worker on), u must be left alone.
func TestMLPPanelsAdd(t *testing.T) {
	fused := map[bf16Form]bool{} // the forms the fused cases ran in
	fusedQ8 := false
	defer func(n int) { mlpQ8Panels = n }(mlpQ8Panels)
	mlpQ8Panels = 1 // every shape's int8 MLP by token panels where the tile allows
	forEachLowPath(t, func(t *testing.T) {
		for _, threads := range []int{1, 2, 3} {
			p := NewPool(threads)
			defer p.Close()
			for _, prec := range []Precision{FP32, BF16, Int8} {
				for _, sh := range []struct{ m, k, f, d int }{{1, 8, 13, 5}, {40, 16, 12, 8}, {17, 64, 48, 64}, {70, 37, 1100, 24}, {197, 96, 30, 31}, {33, 1100, 27, 1100}} {
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
								act := []Act{ActGELU, ActNone}[round]
								x := randVals(r, sh.m*sh.k, 2, 0.3)
								if sh.m == 17 {
									x[3*sh.k+1] = float32(math.NaN())
								}
								y0 := randVals(r, sh.m*sh.d, 1, 0)
								for _, inPlace := range []bool{false, true} { // y is x: the residual stream
									if inPlace && sh.d != sh.k {
										continue
									}
									var xp, h, u, y, o Panels
									xp.Pack(sh.m, sh.k, x, sh.k)
									y.Pack(sh.m, sh.d, y0, sh.d)
									yp := &y
									if inPlace {
										yp = &xp
									}
									if ln.Gamma != nil {
										LinearToPanelsNormed(p, &xp, ln, &h, w1, b1, act, &u)
									} else {
										LinearToPanels(p, &xp, w1, b1, act, &u)
									}
									LinearPanelsAdd(p, &u, w2, b2, yp)
									want := slices.Clone(yp.P)

									var x2, h2, u2, y2 Panels
									x2.Pack(sh.m, sh.k, x, sh.k)
									u2.Pack(1, 1, []float32{42}, 1)
									y2.Pack(sh.m, sh.d, y0, sh.d)
									yp2 := &y2
									if inPlace {
										yp2 = &x2
									}
									MLPPanelsAdd(p, &x2, ln, &h2, w1, b1, act, &u2, w2, b2, yp2)
									if i := firstDiff(yp2.P, want); i >= 0 {
										t.Fatalf("round %d, y is x %v: y[%d] = %g, want %g", round, inPlace, i, yp2.P[i], want[i])
									}
									if mlpFuses(p, &x2, w1, w2, yp2) {
										if prec == Int8 {
											fusedQ8 = true
										} else {
											fused[p.lowIn.form] = true
										}
										if u2.M != 1 || u2.P[0] != 42 {
											t.Fatalf("u written on the fused route")
										}
									} else if prec == BF16 {
										t.Fatalf("bf16 MLP not fused")
									}
									LinearToPanels(p, &xp, other, nil, ActNone, &o) // between two MLPs
								}
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
	if !fusedQ8 {
		t.Errorf("int8 MLP never ran by token panels")
	}
}

// TestMLPPanelsAddAllocs checks that MLPPanelsAdd, alternating with
// another Linear of its precision as in a forward pass, allocates
// nothing once its buffers have grown, in bf16 and in int8 (its token
// panels handed to fc2: mlpQ8Panels 1).
func TestMLPPanelsAddAllocs(t *testing.T) {
	const m, d, f = 70, 64, 96
	defer func(n int) { mlpQ8Panels = n }(mlpQ8Panels)
	mlpQ8Panels = 1
	for _, prec := range []Precision{BF16, Int8} {
		r := rand.New(rand.NewPCG(5, 6))
		p := NewPool(2)
		defer p.Close()
		w1 := PackB(randVals(r, f*d, 0.5, 0), f, d, d).Convert(prec)
		w2 := PackB(randVals(r, d*f, 0.5, 0), d, f, f).Convert(prec)
		wq := PackB(randVals(r, 3*d*d, 0.5, 0), 3*d, d, d).Convert(prec)
		ln := Norm{Gamma: randVals(r, d, 0.5, 1), Beta: randVals(r, d, 0.2, 0), Eps: 1e-6}
		var x, h, u, qkv Panels
		x.Pack(m, d, randVals(r, m*d, 1, 0), d)
		step := func() {
			LinearToPanelsNormed(p, &x, ln, &h, wq, nil, ActNone, &qkv)
			MLPPanelsAdd(p, &x, ln, &h, w1, nil, ActGELU, &u, w2, nil, &x)
		}
		step()
		if !mlpFuses(p, &x, w1, w2, &x) {
			t.Errorf("%v: the MLP did not fuse", prec)
		}
		if n := testing.AllocsPerRun(20, step); n != 0 {
			t.Errorf("%v: %v allocations per step", prec, n)
		}
	}
}

// BenchmarkMLPPanelsAdd times ViT-B/16's MLP branch (LayerNorm, fc1 with
// GELU, fc2 added to the residual stream; D = 768, F = 3072) in bf16 and
// int8 on the CPU's kernels, as MLPPanelsAdd (fused: fc1's output handed
// to fc2 converted, where mlpFuses) and as its two calls, in GFLOP/s of
// the two products.
func BenchmarkMLPPanelsAdd(b *testing.B) {
	const d, f = 768, 3072
	r := rand.New(rand.NewPCG(1, 1))
	p := NewPool(runtime.GOMAXPROCS(0))
	defer p.Close()
	small := func(n int) []float32 { return randVals(r, n, 0.02, 0) }
	w1f, w2f := PackB(small(f*d), f, d, d), PackB(small(d*f), d, f, f) // [F, D], [D, F]
	b1, b2 := small(f), small(d)
	ln := Norm{Gamma: randVals(r, d, 0.5, 1), Beta: small(d), Eps: 1e-6}
	for _, prec := range []Precision{BF16, Int8} {
		w1, w2 := w1f.Convert(prec), w2f.Convert(prec)
		for _, batch := range []int{1, 8} {
			m := 197 * batch
			var x, h, u Panels // [m, D], [m, D], [m, F]
			x.Pack(m, d, randVals(r, m*d, 1, 0), d)
			for _, fused := range []bool{true, false} {
				b.Run(fmt.Sprintf("%v/b%d/fused=%v", prec, batch, fused), func(b *testing.B) {
					loopFlops(b, 4*float64(m*d*f), func() {
						if fused {
							MLPPanelsAdd(p, &x, ln, &h, w1, b1, ActGELU, &u, w2, b2, &x)
						} else {
							LinearToPanelsNormed(p, &x, ln, &h, w1, b1, ActGELU, &u)
							LinearPanelsAdd(p, &u, w2, b2, &x)
						}
					})
				})
			}
		}
	}
}
