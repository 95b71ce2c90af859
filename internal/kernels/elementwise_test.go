package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestActivate(t *testing.T) {
	forEachISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		for _, act := range []Act{ActNone, ActGELU, ActGELUTanh, ActQuickGELU, ActReLU} {
			for n := 0; n <= 70; n++ {
				for off := 0; off < 3; off++ {
					src := make([]float32, n)
					for i := range src {
						switch i % 4 {
						case 0:
							src[i] = float32(r.NormFloat64() * 3)
						case 1:
							src[i] = float32(r.Float64()*30 - 15)
						case 2:
							src[i] = float32(r.NormFloat64() * 1e-3)
						default:
							src[i] = float32(r.Float64()*12 - 6)
						}
					}
					x, check := guarded(t, n, off, func(i int) float32 { return src[i] })
					Activate(act, x)
					check(name("Activate ", act, n))
					for i, v := range src {
						want := float64(v)
						switch act {
						case ActGELU:
							want = 0.5 * want * math.Erfc(-want/math.Sqrt2)
						default:
							want = float64(applyAct(act, v))
						}
						// relative 1e-6 (a few float32 ulps on top of the
						// approximation), absolute 1e-10 where GELU underflows
						if !closeTo(float64(x[i]), want, 1e-10, 1e-6) {
							t.Fatalf("%v(%v) = %v, want %v (rel %.2g)", act, v, x[i], want, math.Abs(float64(x[i])-want)/math.Abs(want))
						}
					}
				}
			}
		}
	})
}

func TestGELUEdges(t *testing.T) {
	edge := []float32{0, float32(math.Copysign(0, -1)), 1e-30, -1e-30, 5, -5, 9, -9, 20, -20, 100, -100,
		float32(math.Inf(1)), float32(math.NaN())}
	want := []float64{0, 0, 0.5e-30, -0.5e-30, 5, -5 * 0.5 * math.Erfc(5/math.Sqrt2), 9, 0, 20, 0, 100, 0,
		math.Inf(1), math.NaN()}
	forEachISA(t, func(t *testing.T) {
		// twice, so that every value passes through the vector body and the tail
		x := append(append([]float32(nil), edge...), edge...)
		Activate(ActGELU, x)
		for i, v := range x {
			w := want[i%len(want)]
			switch {
			case math.IsNaN(w):
				if !math.IsNaN(float64(v)) {
					t.Errorf("GELU(NaN) = %v", v)
				}
			case math.IsInf(w, 1):
				if !math.IsInf(float64(v), 1) {
					t.Errorf("GELU(+Inf) = %v", v)
				}
			case !closeTo(float64(v), w, 1e-10, 1e-6):
				t.Errorf("GELU(%v) = %v, want %v", edge[i%len(edge)], v, w)
			}
		}
	})
}

func TestSoftmaxRows(t *testing.T) {
	forEachISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 8))
		for _, n := range []int{1, 2, 15, 16, 17, 33, 197} {
			rows, ld := 3, n+2
			src := randSlice(r, (rows-1)*ld+n)
			for i := range src {
				src[i] *= 8
			}
			x, check := guarded(t, len(src), 1, func(i int) float32 { return src[i] })
			for rr := 0; rr < rows-1; rr++ {
				for j := n; j < ld; j++ {
					x[rr*ld+j] = float32(math.NaN())
				}
			}
			SoftmaxRows(x, rows, n, ld)
			check(name("SoftmaxRows ", n))
			for rr := 0; rr < rows; rr++ {
				want := append([]float32(nil), src[rr*ld:rr*ld+n]...)
				softmaxRowGeneric(want)
				for j := 0; j < n; j++ {
					if !closeTo(float64(x[rr*ld+j]), float64(want[j]), 1e-9, 2e-6) {
						t.Fatalf("n %d row %d col %d: %v, want %v", n, rr, j, x[rr*ld+j], want[j])
					}
				}
				for j := n; j < ld && rr < rows-1; j++ {
					if !math.IsNaN(float64(x[rr*ld+j])) {
						t.Fatalf("n %d: gap overwritten", n)
					}
				}
			}
		}
	})
}

func TestSoftmaxCols32(t *testing.T) {
	forEachISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(9, 10))
		for _, rows := range []int{1, 2, 7, 64, 197} {
			src := randSlice(r, rows*nr)
			for i := range src {
				src[i] *= 6
			}
			x, check := guarded(t, len(src), 2, func(i int) float32 { return src[i] })
			softmaxCols32(x, rows)
			check(name("softmaxCols32 ", rows))
			want := append([]float32(nil), src...)
			softmaxCols32Generic(want, rows)
			for i := range want {
				if !closeTo(float64(x[i]), float64(want[i]), 1e-9, 2e-6) {
					t.Fatalf("rows %d: s[%d] = %v, want %v", rows, i, x[i], want[i])
				}
			}
		}
	})
}

func TestLayerNorm(t *testing.T) {
	forEachISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 12))
		for _, d := range []int{1, 3, 16, 17, 31, 64, 192, 768, 1000} {
			rows, ldx, ldy := 3, d+1, d+3
			src := randSlice(r, (rows-1)*ldx+d)
			for i := range src {
				src[i] = src[i]*3 + 5
			}
			gamma, beta := randSlice(r, d), randSlice(r, d)
			y, check := guarded(t, (rows-1)*ldy+d, 3, func(int) float32 { return float32(math.NaN()) })
			unchanged := readOnly(t, map[string][]float32{"x": src, "gamma": gamma, "beta": beta})
			LayerNorm(rows, d, src, ldx, gamma, beta, 1e-6, y, ldy)
			check(name("LayerNorm ", d))
			unchanged(name("LayerNorm ", d))
			want := make([]float32, d)
			for rr := 0; rr < rows; rr++ {
				layerNormRowGeneric(src[rr*ldx:rr*ldx+d], want, gamma, beta, 1e-6)
				for j := 0; j < d; j++ {
					if !closeTo(float64(y[rr*ldy+j]), float64(want[j]), 1e-5, 1e-5) {
						t.Fatalf("d %d row %d col %d: %v, want %v", d, rr, j, y[rr*ldy+j], want[j])
					}
				}
			}
			// in place
			x := append([]float32(nil), src...)
			LayerNorm(rows, d, x, ldx, gamma, beta, 1e-6, x, ldx)
			unchanged(name("in-place LayerNorm ", d)) // gamma and beta
			for rr := 0; rr < rows; rr++ {
				for j := 0; j < d; j++ {
					if x[rr*ldx+j] != y[rr*ldy+j] {
						t.Fatalf("d %d: in-place LayerNorm differs at %d,%d", d, rr, j)
					}
				}
			}
		}
	})
}

// TestGELUAccuracy sweeps [-10, 10]: the exact-erf GELU must stay within
// 1e-6 relative error of the float64 math.Erfc reference.
func TestGELUAccuracy(t *testing.T) {
	n := 1 << 20
	if testing.Short() {
		n = 1 << 17
	}
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(-10 + 20*float64(i)/float64(n))
	}
	forEachISA(t, func(t *testing.T) {
		y := append([]float32(nil), x...)
		Activate(ActGELU, y)
		worst, wx := 0.0, float32(0)
		for i, v := range x {
			w := 0.5 * float64(v) * math.Erfc(-float64(v)/math.Sqrt2)
			if w == 0 {
				continue
			}
			if e := math.Abs(float64(y[i])-w) / math.Abs(w); e > worst {
				worst, wx = e, v
			}
		}
		if worst > 1e-6 {
			t.Errorf("GELU max relative error %.3g at x = %v, want ≤ 1e-6", worst, wx)
		}
		t.Logf("GELU max relative error %.3g at x = %v", worst, wx)
	})
}

// TestKnownValues checks Activate, SoftmaxRows, the column softmax and
// LayerNorm on every ISA against values from PyTorch (float64: F.gelu,
// F.gelu(approximate="tanh"), x·sigmoid(1.702x), F.relu, torch.softmax,
// F.layer_norm with eps 1e-5). The other tests compare the vector paths
// with the generic ones; this one pins the generic ones too.
func TestKnownValues(t *testing.T) {
	x := []float32{-3, -1, -0.25, 0.5, 1, 2.5}
	acts := map[Act][]float64{
		ActNone:      {-3, -1, -0.25, 0.5, 1, 2.5},
		ActGELU:      {-0.004049694095, -0.1586552539, -0.1003234186, 0.3457312306, 0.8413447461, 2.484475837},
		ActGELUTanh:  {-0.003637392082, -0.1588080094, -0.1003246493, 0.3457140098, 0.8411919906, 2.484915734},
		ActQuickGELU: {-0.01807130971, -0.1542042341, -0.0988003501, 0.3503884366, 0.8457957659, 2.465013835},
		ActReLU:      {0, 0, 0, 0.5, 1, 2.5},
	}
	softmax := []float64{0.00280554313, 0.02073031557, 0.04388607841, 0.09290682873, 0.1531774647, 0.6864937694}
	gamma := []float32{1, 2, 0.5, -1, 1.5, 0.25}
	beta := []float32{0, 0.5, -1, 2, 0, 0.125}
	layerNorm := []float64{-1.729647701, -0.6206168201, -1.060903088, 1.683303942, 0.9135463207, 0.4965088371}
	expect := func(what string, got []float32, want []float64) {
		t.Helper()
		for i, w := range want {
			if !closeTo(float64(got[i]), w, 1e-7, 1e-6) {
				t.Errorf("%s: [%d] = %v, want %v", what, i, got[i], w)
			}
		}
	}
	forEachISA(t, func(t *testing.T) {
		for act, want := range acts {
			// 24 values: a full vector body and a tail on every ISA
			y := make([]float32, 4*len(x))
			for i := range y {
				y[i] = x[i%len(x)]
			}
			Activate(act, y)
			for i := 0; i < len(y); i += len(x) {
				expect(name("Activate ", act), y[i:], want)
			}
		}
		s := append([]float32(nil), x...)
		SoftmaxRows(s, 1, len(s), len(s))
		expect("SoftmaxRows", s, softmax)
		// column j holds x + j/8: the same softmax in every column
		cols := make([]float32, len(x)*nr)
		for i := range cols {
			cols[i] = x[i/nr] + float32(i%nr)/8
		}
		softmaxCols32(cols, len(x))
		for j := 0; j < nr; j++ {
			col := make([]float32, len(x))
			for i := range col {
				col[i] = cols[i*nr+j]
			}
			expect(name("softmaxCols32 column ", j), col, softmax)
		}
		y := make([]float32, len(x))
		unchanged := readOnly(t, map[string][]float32{"x": x, "gamma": gamma, "beta": beta})
		LayerNorm(1, len(x), x, len(x), gamma, beta, 1e-5, y, len(x))
		unchanged("LayerNorm")
		expect("LayerNorm", y, layerNorm)
	})
}

// TestLayerNormPanels checks LayerNormPanels, in and out of place, against
// LayerNorm on the same rows: every token of every panel, and padding
// that must not reach real tokens.
func TestLayerNormPanels(t *testing.T) {
	p := NewPool(3)
	defer p.Close()
	forEachISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(21, 22))
		for _, c := range [][2]int{{197, 64}, {1, 768}, {33, 17}, {64, 40}, {100, 3}, {40, 1}, {0, 8}} {
			m, d := c[0], c[1]
			x := randSlice(r, m*d)
			for i := range x { // an offset, as in a residual stream
				x[i] += 3
			}
			gamma, beta := randSlice(r, d), randSlice(r, d)
			want := make([]float32, m*d)
			LayerNorm(m, d, x, d, gamma, beta, 1e-6, want, d)
			for _, inPlace := range []bool{false, true} {
				var xp, y Panels
				xp.Pack(m, d, x, d)
				for i := m; i < (m+nr-1)/nr*nr; i++ { // padding: huge but finite
					for l := 0; l < d; l++ {
						xp.P[(i/nr*d+l)*nr+i%nr] = 1e30
					}
				}
				dst := &y
				if inPlace {
					dst = &xp
				} else {
					y.Reset(m, d)
					for i := range y.P { // stale values
						y.P[i] = float32(math.NaN())
					}
				}
				in := map[string][]float32{"gamma": gamma, "beta": beta}
				if !inPlace {
					in["x panels"] = xp.P
				}
				unchanged := readOnly(t, in)
				LayerNormPanels(p, &xp, gamma, beta, 1e-6, dst)
				unchanged(name("LayerNormPanels m ", m, " d ", d, " in place ", inPlace))
				if dst.M != m || dst.K != d {
					t.Fatalf("m %d d %d: y is %d×%d", m, d, dst.M, dst.K)
				}
				for i := 0; i < m; i++ {
					for j := 0; j < d; j++ {
						if got, w := dst.At(i, j), want[i*d+j]; !closeTo(float64(got), float64(w), 1e-5, 1e-5) {
							t.Fatalf("m %d d %d in place %v: y[%d,%d] = %v, want %v", m, d, inPlace, i, j, got, w)
						}
					}
				}
			}
		}
	})
}
