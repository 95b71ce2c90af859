package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// TestAttentionPanels compares AttentionPanels with the float64 reference
// on qkv packed into panels whose padding columns hold NaN, writing into
// out panels full of stale NaN.
func TestAttentionPanels(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	type tc struct{ b, t, h, dh int }
	var cases []tc
	for _, hd := range [][2]int{{2, 17}, {1, 40}, {3, 64}, {12, 64}} {
		for _, b := range []int{1, 2, 3, 8} {
			for _, tt := range []int{1, 5, 31, 32, 33, 64, 197} {
				c := tc{b, tt, hd[0], hd[1]}
				// -short keeps every shape but the 12-head ones
				// past two cases (ViT-B's own: b2 T197, and a
				// mid-panel start with a tail at b3 T33).
				if testing.Short() && c.h == 12 && c != (tc{2, 197, 12, 64}) && c != (tc{3, 33, 12, 64}) {
					continue
				}
				cases = append(cases, c)
			}
		}
	}
	nan := float32(math.NaN())
	wants := make([][]float32, len(cases)) // [b·t, D] per case, for every ISA
	for i, c := range cases {
		wants[i] = attentionRef(c.b, c.t, c.t, c.h, c.dh, attentionInput(uint64(i), c.b*c.t, c.h*c.dh))
	}
	forEachISA(t, func(t *testing.T) {
		var qkv, out, out2 Panels
		for ci, c := range cases {
			d := c.h * c.dh
			m := c.b * c.t
			rows := attentionInput(uint64(ci), m, d) // [b·t, 3D]
			want := wants[ci]

			qkv.Pack(m, 3*d, rows, 3*d)
			if r := m % nr; r > 0 {
				lp := m / nr
				for k := 0; k < 3*d; k++ {
					for l := r; l < nr; l++ {
						qkv.P[(lp*3*d+k)*nr+l] = nan
					}
				}
			}
			out.Reset(m, d)
			for i := range out.P {
				out.P[i] = nan
			}
			unchanged := readOnly(t, map[string][]float32{"qkv panels": qkv.P})
			AttentionPanels(p, c.b, c.t, c.h, c.dh, &qkv, &out)
			checkOutPanels(t, name("AttentionPanels ", c), &out, m, d, want)
			unchanged(name("AttentionPanels ", c))

			// a nil pool runs serially and gives the same result
			AttentionPanels(nil, c.b, c.t, c.h, c.dh, &qkv, &out2)
			unchanged(name("AttentionPanels on a nil pool ", c))
			for i := range out.P {
				if math.Float32bits(out2.P[i]) != math.Float32bits(out.P[i]) {
					t.Fatalf("%+v: nil pool differs at P[%d]", c, i)
				}
			}
		}
	})
}

// checkOutPanels checks that out holds want [m, d] with finite padding.
func checkOutPanels(t *testing.T, what string, out *Panels, m, d int, want []float32) {
	t.Helper()
	if out.M != m || out.K != d || len(out.P) != (m+nr-1)/nr*d*nr {
		t.Fatalf("%s: out is %d×%d with %d panel values", what, out.M, out.K, len(out.P))
	}
	for i := 0; i < m; i++ {
		for k := 0; k < d; k++ {
			// An output is a softmax-weighted mean of values of
			// standard deviation 2 (the test's scale). The float32
			// scores, sums of dh products of that scale, are off by
			// ~1e-6, which moves each weight by as much relative: the
			// error scales with the values, not with the mean, which
			// may cancel to near 0, hence atol. The worst over all
			// cases and ISAs is 1.8e-5.
			if got := out.At(i, k); !closeTo(float64(got), float64(want[i*d+k]), 2e-5, 1e-4) {
				t.Fatalf("%s: out[%d, %d] = %v, want %v", what, i, k, got, want[i*d+k])
			}
		}
	}
	if r := m % nr; r > 0 {
		lp := m / nr
		for k := 0; k < d; k++ {
			for l := r; l < nr; l++ {
				if v := out.P[(lp*d+k)*nr+l]; math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("%s: padding lane %d of feature %d is %v", what, l, k, v)
				}
			}
		}
	}
}

// TestAttentionPanelsQueries checks that the query panels of a sequence
// hold each of its tokens once, in floor(t/32) full panels and
// one of t mod 32 queries.
func TestAttentionPanelsQueries(t *testing.T) {
	for tt := 1; tt <= 3*nr+1; tt++ {
		j := attPanelsJob{t: tt}
		nqp := (tt+nr-1)/nr + 1
		for s0 := 0; s0 < 3*nr; s0++ {
			seen := make([]bool, tt) // [t] token s0+i is in a panel
			full, part := 0, 0
			for qp := 0; qp < nqp+2; qp++ {
				a, b := j.queries(s0, qp)
				nq := a.n + b.n
				if nq > 0 && qp >= nqp {
					t.Fatalf("t=%d s0=%d: query panel %d past the %d a task runs", tt, s0, qp, nqp)
				}
				if nq > nr || a.lo < 0 || a.lo+a.n > nr || b.lo < 0 || b.lo+b.n > nr || (a.n == 0 && b.n > 0) {
					t.Fatalf("t=%d s0=%d qp=%d: bad lanes %+v %+v", tt, s0, qp, a, b)
				}
				switch {
				case nq == nr:
					full++
				case nq > 0:
					part++
					if nq != tt%nr {
						t.Fatalf("t=%d s0=%d qp=%d: %d queries in a partial panel", tt, s0, qp, nq)
					}
				}
				for _, ln := range []lanes{a, b} {
					for l := ln.lo; l < ln.lo+ln.n; l++ {
						g := ln.tp*nr + l
						if g < s0 || g >= s0+tt || seen[g-s0] {
							t.Fatalf("t=%d s0=%d qp=%d: token %d is not the sequence's or seen twice", tt, s0, qp, g)
						}
						seen[g-s0] = true
					}
				}
			}
			for i, ok := range seen {
				if !ok {
					t.Fatalf("t=%d s0=%d: token %d in no query panel", tt, s0, s0+i)
				}
			}
			if full != tt/nr || part != min(tt%nr, 1) {
				t.Fatalf("t=%d s0=%d: %d full and %d partial panels", tt, s0, full, part)
			}
		}
	}
}

func TestAttentionPanelsNoAlloc(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	var qkv, out Panels
	for _, c := range [][2]int{{2, 20}, {1, 5}} { // b, t
		qkv.Pack(c[0]*c[1], 3*64, make([]float32, c[0]*c[1]*3*64), 3*64)
		AttentionPanels(p, c[0], c[1], 2, 32, &qkv, &out)
		if n := testing.AllocsPerRun(20, func() { AttentionPanels(p, c[0], c[1], 2, 32, &qkv, &out) }); n != 0 {
			t.Errorf("AttentionPanels (b=%d, t=%d) allocates %v times per call", c[0], c[1], n)
		}
	}
}

// BenchmarkAttentionPanels times AttentionPanels at ViT-B/16's shape (T =
// 197, 12 heads of 64) and reports GFLOP/s (4·B·T²·D: Q·Kᵀ and P·V).
func BenchmarkAttentionPanels(b *testing.B) {
	p := NewPool(runtime.GOMAXPROCS(0))
	defer p.Close()
	for _, s := range vectorISAs() {
		for _, batch := range []int{1, 8} {
			const t, h, dh = 197, 12, 64
			b.Run(fmt.Sprintf("%s/b%d/T%dx%dx%d", s, batch, t, h, dh), func(b *testing.B) {
				defer setISA(s)()
				r := rand.New(rand.NewPCG(1, 1))
				var qkv, out Panels
				qkv.Pack(batch*t, 3*h*dh, randSlice(r, batch*t*3*h*dh), 3*h*dh)
				loopFlops(b, 4*float64(batch)*t*t*h*dh, func() {
					AttentionPanels(p, batch, t, h, dh, &qkv, &out)
				})
			})
		}
	}
}

// attentionInput returns the rows qkv [m, 3D] of the attention tests,
// standard normal values times 2, the same for the same seed: the tests
// compute their float64 references once per case and remake the input
// for each ISA.
func attentionInput(seed uint64, m, d int) []float32 {
	rows := randSlice(rand.New(rand.NewPCG(seed, uint64(m*d))), m*3*d)
	for i := range rows {
		rows[i] *= 2
	}
	return rows
}

// attentionRef is the reference attention, in float64, of the first nq
// queries of each sequence of qkv [b·t, 3D] (q | k | v): out [b·nq, D].
func attentionRef(b, t, nq, h, dh int, qkv []float32) []float32 {
	return attentionBiasRef(b, t, nq, h, dh, qkv, nil)
}

// attentionBiasRef is attentionRef with bias [h, t, t] (nil: none) added
// to the scaled scores.
func attentionBiasRef(b, t, nq, h, dh int, qkv, bias []float32) []float32 {
	d := h * dh
	out := make([]float32, b*nq*d)
	s := make([]float64, t)
	scale := 1 / math.Sqrt(float64(dh))
	for bi := 0; bi < b; bi++ {
		for hd := 0; hd < h; hd++ {
			base := bi * t * 3 * d
			for i := 0; i < nq; i++ {
				for j := 0; j < t; j++ {
					var acc float64
					for e := 0; e < dh; e++ {
						acc += float64(qkv[base+i*3*d+hd*dh+e]) * float64(qkv[base+j*3*d+d+hd*dh+e])
					}
					s[j] = acc * scale
					if bias != nil {
						s[j] += float64(bias[(hd*t+i)*t+j])
					}
				}
				Softmax64(s)
				for e := 0; e < dh; e++ {
					var acc float64
					for j := 0; j < t; j++ {
						acc += s[j] * float64(qkv[base+j*3*d+2*d+hd*dh+e])
					}
					out[(bi*nq+i)*d+hd*dh+e] = float32(acc)
				}
			}
		}
	}
	return out
}

// TestHeadLines checks that the n parts of a head's lines (headLines),
// taken a few at a time (lineQueue.next), are every cache line of the
// head's q, k and v blocks once, in order, whatever the part count and
// step, and that runs stay within one block.
func TestHeadLines(t *testing.T) {
	for _, c := range []struct{ b, t, h, dh int }{{1, 1, 1, 1}, {2, 5, 2, 3}, {3, 40, 3, 16}, {8, 197, 12, 64}} {
		d := c.h * c.dh
		j := &attPanelsJob{t: c.t, h: c.h, dh: c.dh, qkv: &Panels{P: make([]float32, ((c.b*c.t+nr-1)/nr)*3*d*nr)}}
		for bh := 0; bh < c.b*c.h; bh++ {
			s0, hd := bh/c.h*c.t, bh%c.h
			var want []int // the offsets of the head's lines, in order
			for kp := s0 / nr; kp*nr < s0+c.t; kp++ {
				for q := 0; q < 3; q++ {
					for l := 0; l < c.dh*nr/16; l++ {
						want = append(want, (kp*3*d+q*d+hd*c.dh)*nr+16*l)
					}
				}
			}
			for _, n := range []int{1, 3, 8} {
				for _, step := range []int{1, 5, 17, 1000} {
					var got []int
					for i := 0; i < n; i++ {
						q := j.headLines(bh, i, n)
						for q.n > 0 {
							off, k := q.next(step)
							if k < 1 || k > step || off/(c.dh*nr) != (off+16*k-1)/(c.dh*nr) {
								t.Fatalf("%+v head %d part %d/%d step %d: run of %d lines at %d", c, bh, i, n, step, k, off)
							}
							for l := 0; l < k; l++ {
								got = append(got, off+16*l)
							}
						}
						q.ask(step) // nothing left: a no-op
					}
					if !slices.Equal(got, want) {
						t.Fatalf("%+v head %d in %d parts, step %d: lines %v, want %v", c, bh, n, step, got, want)
					}
				}
			}
		}
	}
}
