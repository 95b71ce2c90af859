package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// linOperands are the operands of one Linear case and the oracle's
// product, made once per case and shared by every way of feeding Linear
// (and, in TestLinearBlocks, by every ISA).
type linOperands struct {
	offA, offW, lda, ldw int
	aAll, wAll           []float32 // a [m, lda] at aAll[offA:], w [n, ldw] at wAll[offW:]
	bias                 []float32 // [n], nil without bias
	prod                 []float32 // a·wᵀ [m, n], from gonum's blas32
}

// linearOperands makes the operands of tc from a seed of its own, so that
// a case has the same operands on every ISA, and their product.
func linearOperands(tc linCase) *linOperands {
	m, n, k := tc.m, tc.n, tc.k
	r := rand.New(rand.NewPCG(uint64(m)<<32|uint64(n), uint64(k)))
	o := &linOperands{offA: r.IntN(4), offW: r.IntN(4), lda: k + r.IntN(3), ldw: k + r.IntN(3)}
	if k > 0 && k%1024 == 0 {
		o.ldw = k // W rows 4 KiB apart: AVX-512 reads them in place (aliasedMr512 rows), AVX2 copies them to a padded stride
	}
	o.aAll = randSlice(r, o.offA+m*o.lda+1)
	o.wAll = randSlice(r, o.offW+n*o.ldw+1)
	if tc.bias {
		o.bias = randSlice(r, n)
	}
	o.prod = make([]float32, m*n)
	if m > 0 && n > 0 && k > 0 {
		blas32.Gemm(blas.NoTrans, blas.Trans, 1,
			blas32.General{Rows: m, Cols: k, Stride: o.lda, Data: o.aAll[o.offA:]},
			blas32.General{Rows: n, Cols: k, Stride: o.ldw, Data: o.wAll[o.offW:]},
			0, blas32.General{Rows: m, Cols: n, Stride: n, Data: o.prod})
	}
	return o
}

// linearWant computes act(prod + bias) (+ c0) from the product prod
// [m, n], in float64 for the epilogue.
func linearWant(m, n int, prod, bias []float32, act Act, accumulate bool, c0 []float32, ldc int) []float32 {
	y := append([]float32(nil), prod...)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			v := y[i*n+j]
			if bias != nil {
				v += bias[j]
			}
			v = applyAct(act, v)
			if accumulate {
				v += c0[i*ldc+j]
			}
			y[i*n+j] = v
		}
	}
	return y
}

type linCase struct {
	m, n, k    int
	act        Act
	accumulate bool
	bias       bool
}

// How checkLinear feeds Linear: x in rows, x in token panels (linearPanels
// into rows), or both x and y in token panels (LinearToPanels, or
// LinearPanelsAdd adding into y).
type via int

const (
	viaRows via = iota
	viaPanels
	viaToPanels
	viaAddPanels
)

func (v via) String() string { return [...]string{"rows", "panels", "to-panels", "add-panels"}[v] }

// checkLinear checks tc every way Linear can be fed, on the operands o
// (nil: make them).
func checkLinear(t *testing.T, r *rand.Rand, p *Pool, tc linCase, o *linOperands) {
	t.Helper()
	if o == nil {
		o = linearOperands(tc)
	}
	for v := range via(4) {
		checkLinearVia(t, r, p, tc, o, v)
	}
}

func checkLinearVia(t *testing.T, r *rand.Rand, p *Pool, tc linCase, o *linOperands, v via) {
	t.Helper()
	switch v {
	case viaToPanels:
		tc.accumulate = false
	case viaAddPanels:
		tc.accumulate, tc.act = true, ActNone
	}
	m, n, k := tc.m, tc.n, tc.k
	aAll, wAll, bias := o.aAll, o.wAll, o.bias
	a, lda := aAll[o.offA:], o.lda
	w, ldw := wAll[o.offW:], o.ldw
	offC, ldc := r.IntN(4), n+r.IntN(3)
	cn := 0
	if m > 0 {
		cn = (m-1)*ldc + n
	}
	c0 := randSlice(r, cn)
	want := linearWant(m, n, o.prod, bias, tc.act, tc.accumulate, c0, ldc)
	c, check := guarded(t, cn, offC, func(i int) float32 { return c0[i] })
	// gaps between rows are guards too
	for i := 0; i < m-1; i++ {
		for j := n; j < ldc; j++ {
			c[i*ldc+j] = float32(math.NaN())
		}
	}
	in := map[string][]float32{"a": aAll, "W": wAll, "bias": bias} // inputs Linear must not write
	pw := PackB(w, n, k, ldw)
	if n >= 3 && r.IntN(2) == 0 {
		// W as three separately stored row blocks (q, k, v)
		n1 := 1 + r.IntN(n-2)
		n2 := 1 + r.IntN(n-n1-1)
		var parts []*PackedB
		for _, rr := range [][2]int{{0, n1}, {n1, n1 + n2}, {n1 + n2, n}} {
			blk := append([]float32(nil), w[rr[0]*ldw:(rr[1]-1)*ldw+k]...)
			in[name("W rows ", rr[0], "-", rr[1])] = blk
			parts = append(parts, PackB(blk, rr[1]-rr[0], k, ldw))
		}
		pw = StackB(parts...)
	}
	var xp, yp Panels
	if v != viaRows {
		xp.Pack(m, k, a, lda)
		junkPadding(r, &xp)
		in["x panels"] = xp.P
	}
	unchanged := readOnly(t, in)
	switch v {
	case viaRows:
		Linear(p, m, a, lda, pw, bias, tc.act, tc.accumulate, c, ldc)
	case viaPanels:
		linearPanels(p, &xp, pw, bias, tc.act, tc.accumulate, c, ldc, nil)
	case viaToPanels:
		checkY := guardPanels(t, r, &yp, m, n)
		LinearToPanels(p, &xp, pw, bias, tc.act, &yp)
		checkY(name(tc, " via ", v))
		unpanel(t, tc, v, &yp, c, ldc)
	case viaAddPanels:
		checkY := guardPanels(t, r, &yp, m, n)
		yp.Pack(m, n, c0, ldc)
		junkPadding(r, &yp)
		LinearPanelsAdd(p, &xp, pw, bias, &yp)
		checkY(name(tc, " via ", v))
		unpanel(t, tc, v, &yp, c, ldc)
	}
	check(name(tc, " via ", v))
	unchanged(name(tc, " via ", v))

	// The product's rounding scales with the row norms, not |want|: atol
	// grows with √k too. The worst case of the tests uses half of it.
	atol := 5e-6 * math.Sqrt(float64(k)+1)
	rtol := 2e-6 * math.Sqrt(float64(k)+1)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			got := c[i*ldc+j]
			wv := want[i*n+j]
			if !closeTo(float64(got), float64(wv), atol, rtol) {
				t.Fatalf("%+v via %v: c[%d,%d] = %v, want %v", tc, v, i, j, got, wv)
			}
		}
		for j := n; j < ldc && i < m-1; j++ {
			if !math.IsNaN(float64(c[i*ldc+j])) {
				t.Fatalf("%+v via %v: gap c[%d,%d] overwritten", tc, v, i, j)
			}
		}
	}
}

func TestLinearSizes(t *testing.T) {
	p := NewPool(3)
	defer p.Close()
	forEachISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		// m counts tokens, whose tile is a 32-token panel: every kernel
		// width of the last panel (8, 16, 32), alone and after a full
		// panel. n counts W rows, whose tile is Mr: every row count of the
		// last micro-panel.
		ms := []int{0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40, 41, 63, 64, 65}
		var ns []int
		for n := 0; n <= 2*currentISA().mr()+1; n++ {
			ns = append(ns, n)
		}
		ks := []int{0, 1, 2, 3, 7, 16, 17}
		if !testing.Short() { // every m to 2·32+1, more k
			ms = ms[:0]
			for m := 0; m <= 2*nr+1; m++ {
				ms = append(ms, m)
			}
			ks = []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33}
		}
		for _, m := range ms {
			for _, n := range ns {
				for _, k := range ks {
					act := Act(r.IntN(5))
					checkLinear(t, r, p, linCase{m, n, k, act, r.IntN(2) == 0, r.IntN(2) == 0}, nil)
				}
			}
		}
	})
}

func TestLinearBlocks(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	ops := map[linCase]*linOperands{} // the same case on every ISA: one product
	forEachISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		mr := currentISA().mr()
		cases := []linCase{
			{mcBlock + 1, ncBlock + 1, kcBlock + 1, ActGELU, false, true},
			{mcBlock + mr + 1, 2*ncBlock + 33, 2*kcBlock + 3, ActNone, true, true},
			{2*mcBlock + 3, 97, kcBlock - 1, ActQuickGELU, true, true},
			{197, 96, 2*kcBlock + 1, ActReLU, true, false},
			{5, 3*ncBlock + 1, 2 * kcBlock, ActGELUTanh, false, true},
			{ncBlock + 2*nr + 5, mcBlock + mr + 1, kcBlock + 7, ActGELU, false, true},
			{2*mr + 3, 70, 1024, ActGELU, true, true},
			{197, 3*mcBlock + 5, 1024, ActNone, true, true},
		}
		if testing.Short() {
			cases = append(cases[:3], cases[len(cases)-3:]...)
		}
		// aliased W: this CPU's choice, copied, and 8 rows in place (Zen 4's)
		defer func(v int) { aliasedMr512 = v }(aliasedMr512)
		for _, amr := range []int{-1, 0, 8} {
			aliasedMr512 = amr
			for _, tc := range cases {
				if ops[tc] == nil {
					ops[tc] = linearOperands(tc)
				}
				checkLinear(t, r, p, tc, ops[tc])
			}
		}
	})
}

// TestMicroKernels compares every register-tile kernel of every ISA, for
// every row count it has, A packed and in rows, every width (8, 16, 32
// columns; below 32 only with A in rows), with and without bias, load and
// the prefetch of C, against sgemmGeneric, and checks that columns past the width are not
// written.
func TestMicroKernels(t *testing.T) {
	forEachISA(t, func(t *testing.T) {
		s := currentISA()
		maxMr := map[isa]int{isaGeneric: mrMax, isaAVX2: 6, isaAVX512: 14}[s]
		r := rand.New(rand.NewPCG(15, 16))
		for mr := 1; mr <= maxMr; mr++ {
			for _, kc := range []int{1, 2, 5, 17, 64} {
				for _, rows := range []bool{false, true} {
					for _, w := range []int{8, 16, nr} {
						if w < nr && !rows {
							continue
						}
						for flags := 0; flags < 8; flags++ { // kLoad, kBias, kPrefetchC
							lda := mr + r.IntN(3)
							if rows {
								lda = kc + r.IntN(3)
							}
							alen := (kc-1)*lda + mr
							if rows {
								alen = (mr-1)*lda + kc
							}
							a := randSlice(r, alen)
							b := randSlice(r, (kc-1)*nr+w)
							bias := randSlice(r, mr)
							ldc := nr + r.IntN(5)
							c0 := randSlice(r, (mr-1)*ldc+w)
							want := append([]float32(nil), c0...)
							sgemmGeneric(mr, w, kc, a, lda, rows, b, want, ldc, bias, flags)
							c, check := guarded(t, len(c0), 1+r.IntN(3), func(i int) float32 { return c0[i] })
							for i := 0; i < mr-1; i++ { // columns past w are guards too
								for j := w; j < ldc; j++ {
									c[i*ldc+j] = float32(math.NaN())
								}
							}
							unchanged := readOnly(t, map[string][]float32{"a": a, "b": b, "bias": bias})
							microKernel(s, mr, w, kc, a, lda, rows, b, c, ldc, bias, flags)
							what := name("micro-kernel mr ", mr, " w ", w, " kc ", kc, " rows ", rows, " flags ", flags)
							check(what)
							unchanged(what)
							for i := range c {
								if i%ldc >= w {
									if !math.IsNaN(float64(c[i])) {
										t.Fatalf("%s: c[%d] past the width overwritten", what, i)
									}
									continue
								}
								if !closeTo(float64(c[i]), float64(want[i]), 1e-5, 1e-5) {
									t.Fatalf("%s: c[%d] = %v, want %v", what, i, c[i], want[i])
								}
							}
						}
					}
				}
			}
		}
	})
}

// TestMicroKernelWidths checks that the 8- and 16-column micro-kernels
// give the bits of the full-width one on their columns, for every row
// count, flag and a K long enough for every loop of each kernel (the
// 8-column AVX-512 kernel interleaves A 16 steps at a time, and falls back
// to sgemmRows8 for other K and for a b too short to read 16 values of
// its last row): a token's output must not depend on the panel it falls
// in.
func TestMicroKernelWidths(t *testing.T) {
	forEachISA(t, func(t *testing.T) {
		s := currentISA()
		maxMr := map[isa]int{isaGeneric: mrMax, isaAVX2: 6, isaAVX512: 14}[s]
		r := rand.New(rand.NewPCG(19, 20))
		for mr := 1; mr <= maxMr; mr++ {
			for _, kc := range []int{1, 5, 16, 48, 200, 768} {
				for flags := 0; flags < 8; flags++ { // kLoad, kBias, kPrefetchC
					lda := kc + r.IntN(3)
					// a, b and bias end where an unmapped page begins: a
					// read past them faults
					a := atPageEnd(t, randSlice(r, (mr-1)*lda+kc))
					b := atPageEnd(t, randSlice(r, kc*nr)) // a panel: rows of 32 values
					bias := atPageEnd(t, randSlice(r, mr))
					ldc := nr + r.IntN(5)
					c0 := randSlice(r, (mr-1)*ldc+nr)
					want := append([]float32(nil), c0...)
					microKernel(s, mr, nr, kc, a, lda, true, b, want, ldc, bias, flags)
					short := atPageEnd(t, b[:(kc-1)*nr+8]) // b cut after its 8 columns: not a panel
					for _, tc := range []struct {
						w  int
						bw []float32
					}{{8, b}, {16, b}, {8, short}} {
						w, bw := tc.w, tc.bw
						c, check := guarded(t, len(c0), 1+r.IntN(3), func(i int) float32 { return c0[i] })
						unchanged := readOnly(t, map[string][]float32{"a": a, "b": b, "bias": bias})
						microKernel(s, mr, w, kc, a, lda, true, bw, c, ldc, bias, flags)
						what := name("micro-kernel mr ", mr, " w ", w, " kc ", kc, " flags ", flags, " b ", len(bw))
						check(what)
						unchanged(what)
						for i := range c {
							wi := want[i]
							if i%ldc >= w {
								wi = c0[i] // past the width: untouched
							}
							if math.Float32bits(c[i]) != math.Float32bits(wi) {
								t.Fatalf("%s: c[%d] = %v, want %v", what, i, c[i], wi)
							}
						}
					}
				}
			}
		}
	})
}

// TestMicroKernelPf checks that the prefetching micro-kernels give the
// bits of the plain ones without any prefetch (the prefetches change no
// arithmetic) for every row count, with and without bias, load and the
// prefetch of C, prefetch steps within and across segments.
func TestMicroKernelPf(t *testing.T) {
	forEachISA(t, func(t *testing.T) {
		s := currentISA()
		if !hasKernelPf(s) {
			t.Skip("no prefetching micro-kernels on " + s.String())
		}
		r := rand.New(rand.NewPCG(17, 18))
		for mr := 1; mr <= mrMax; mr++ {
			for _, kc := range []int{1, 2, 5, 17, 64} {
				for flags := 0; flags < 8; flags++ { // kLoad, kBias, kPrefetchC
					for _, step := range []int{4, 64} {
						lda := kc + r.IntN(3)
						a := randSlice(r, (mr-1)*lda+kc)
						b := randSlice(r, kc*nr)
						bias := randSlice(r, mr)
						pf := randSlice(r, kc*(step+64)/4+1) // segments of 64 bytes, 64 apart
						c0 := randSlice(r, mr*nr)
						want := append([]float32(nil), c0...)
						microKernel(s, mr, nr, kc, a, lda, true, b, want, nr, bias, flags&^kPrefetchC)
						c, check := guarded(t, len(c0), 1+r.IntN(3), func(i int) float32 { return c0[i] })
						unchanged := readOnly(t, map[string][]float32{"a": a, "b": b, "bias": bias, "pf": pf})
						microKernelPf(s, mr, kc, a, lda, b, c, bias, flags, pf, step, 32, 64, 64)
						what := name("prefetching micro-kernel mr ", mr, " kc ", kc, " flags ", flags, " step ", step)
						check(what)
						unchanged(what)
						for i := range c {
							if math.Float32bits(c[i]) != math.Float32bits(want[i]) {
								t.Fatalf("%s: c[%d] = %v, want %v", what, i, c[i], want[i])
							}
						}
					}
				}
			}
		}
	})
}

// TestPackX checks the packing of activations into token panels against
// the plain definition.
func TestPackX(t *testing.T) {
	forEachISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(17, 18))
		for _, c := range [][3]int{{301, 900, 903}, {64, 1, 1}, {33, 5, 7}, {96, 17, 17}, {1, 3, 3}} {
			n, k, ldb := c[0], c[1], c[2]
			b := randSlice(r, (n-1)*ldb+k)
			np := (n + nr - 1) / nr
			got := randSlice(r, np*k*nr) // stale values must be overwritten
			unchanged := readOnly(t, map[string][]float32{"b": b})
			packBT(got, b, n, k, ldb)
			unchanged(name("packBT n ", n, " k ", k, " ldb ", ldb))
			want := make([]float32, np*k*nr)
			for j := 0; j < n; j++ {
				for l := 0; l < k; l++ {
					want[j/nr*k*nr+l*nr+j%nr] = b[j*ldb+l]
				}
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("n %d k %d ldb %d: packed[%d] = %v, want %v", n, k, ldb, i, got[i], want[i])
				}
			}
		}
	})
}

func TestAliased(t *testing.T) {
	for _, c := range []struct {
		lda  int
		want bool
	}{{768, false}, {3072, true}, {1024, true}, {3088, false}, {2304, false}, {4096, true}, {197, false}} {
		if got := aliased(c.lda, 12); got != c.want {
			t.Errorf("aliased(%d, 12) = %v, want %v", c.lda, got, c.want)
		}
	}
}

// TestAliasedInPlace checks the rows of an aliased W read in place per CPU:
// Zen 4's 8 (8 ways), a Xeon's 12 (12 ways, 2 MiB L2), and a copy on Zen 5
// (12 ways, 1 MiB L2).
func TestAliasedInPlace(t *testing.T) {
	for _, c := range []struct {
		ways, l2, want int
	}{{8, 1 << 20, 8}, {12, 2 << 20, 12}, {12, 1 << 20, 0}, {16, 1 << 20, 0}, {4, 1 << 20, 4}} {
		if got := aliasedInPlace(12, cacheGeom{l1Ways: c.ways, l2Bytes: c.l2}); got != c.want {
			t.Errorf("aliasedInPlace(12, %d ways, %d KiB L2) = %d, want %d", c.ways, c.l2>>10, got, c.want)
		}
	}
}

// TestPanelsPack checks Panels.Pack and At against the
// definition of the layout.
func TestPanelsPack(t *testing.T) {
	forEachISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(19, 20))
		for _, c := range [][3]int{{197, 70, 73}, {32, 16, 16}, {40, 33, 35}, {8, 5, 5}, {9, 3, 4}, {1, 1, 1}, {0, 4, 4}} {
			m, k, lda := c[0], c[1], c[2]
			a := randSlice(r, max(0, (m-1)*lda+k))
			var x Panels
			unchanged := readOnly(t, map[string][]float32{"a": a})
			x.Pack(m, k, a, lda)
			unchanged(name("Pack m ", m, " k ", k))
			if len(x.P) != (m+nr-1)/nr*k*nr {
				t.Fatalf("m %d k %d: %d packed values, want %d", m, k, len(x.P), (m+nr-1)/nr*k*nr)
			}
			for i := 0; i < (m+nr-1)/nr*nr; i++ {
				for l := 0; l < k; l++ {
					var want float32
					if i < m {
						want = a[i*lda+l]
					}
					if got := x.At(i, l); got != want {
						t.Fatalf("m %d k %d: x[%d,%d] = %v, want %v", m, k, i, l, got, want)
					}
				}
			}
		}
	})
}

// guardPanels gives y the buffer of m×k values, stale (finite), between
// NaN guards, which y.Reset keeps (it reuses a buffer that is large
// enough), and returns a func that fails t if a kernel wrote past it.
func guardPanels(t *testing.T, r *rand.Rand, y *Panels, m, k int) func(what string) {
	var checkP func(string)
	y.P, checkP = guarded(t, (m+nr-1)/nr*k*nr, 1+r.IntN(3), func(int) float32 { return float32(r.NormFloat64()) })
	p0 := y.P
	return func(what string) {
		t.Helper()
		if !sameBuffer(y.P, p0) {
			t.Fatalf("%s: y's buffer was reallocated, the guards are not checked", what)
		}
		checkP(what + ": panels")
	}
}

// sameBuffer reports whether a and b start at the same element (or are
// both empty), as the same buffer sliced twice does.
func sameBuffer(a, b []float32) bool {
	if cap(a) == 0 || cap(b) == 0 {
		return cap(a) == cap(b)
	}
	return &a[:1][0] == &b[:1][0]
}

// unpanel copies y (m×n in token panels) into c (leading dimension ldc).
func unpanel(t *testing.T, tc linCase, v via, y *Panels, c []float32, ldc int) {
	t.Helper()
	m, n := tc.m, tc.n
	if y.M != m || y.K != n {
		t.Fatalf("%+v via %v: y is %d×%d, want %d×%d", tc, v, y.M, y.K, m, n)
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			c[i*ldc+j] = y.At(i, j)
		}
	}
}

// junkPadding fills the padding columns of x (tokens M to the end of the
// last panel) with finite values that must never reach a real token: a
// zero-padded x would hide a kernel that mixes lanes.
func junkPadding(r *rand.Rand, x *Panels) {
	for i := x.M; i < (x.M+nr-1)/nr*nr; i++ {
		for l := 0; l < x.K; l++ {
			x.P[(i/nr*x.K+l)*nr+i%nr] = float32(r.NormFloat64()*4 + 3)
		}
	}
}
