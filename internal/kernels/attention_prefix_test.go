package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAttentionPrefix compares AttentionPrefix with the float64 reference
// at the rows of the first pre tokens of each sequence, with k | v packed
// into panels whose padding columns hold NaN, on two workers and serially.
// The reference is computed once per case, for those rows only.
func TestAttentionPrefix(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	type tc struct{ b, t, pre, h, dh int }
	var cases []tc
	for _, hd := range [][2]int{{2, 17}, {1, 40}, {3, 64}, {12, 64}} {
		for _, b := range []int{1, 2, 3, 8} {
			for _, tt := range []int{1, 2, 5, 31, 32, 33, 197} {
				for _, pre := range []int{1, 2} {
					c := tc{b, tt, pre, hd[0], hd[1]}
					// ViT-B's heads only at its own shapes and one
					// mid-panel start; -short keeps b2 T197 and the
					// mid-panel start of those.
					if pre > tt || c.h == 12 && c != (tc{1, 197, 1, 12, 64}) && c != (tc{2, 197, 2, 12, 64}) && c != (tc{3, 33, 1, 12, 64}) {
						continue
					}
					if testing.Short() && c == (tc{1, 197, 1, 12, 64}) {
						continue
					}
					cases = append(cases, c)
				}
			}
		}
	}
	nan := float32(math.NaN())
	pools := []*Pool{p, nil}               // half the shapes, both prefixes of each, run serially
	wants := make([][]float32, len(cases)) // [b·pre, D] per case, for every ISA
	for i, c := range cases {
		wants[i] = attentionRef(c.b, c.t, c.pre, c.h, c.dh, attentionInput(uint64(i), c.b*c.t, c.h*c.dh))
	}
	forEachISA(t, func(t *testing.T) {
		var kv Panels
		for ci, c := range cases {
			d := c.h * c.dh
			m := c.b * c.t
			rows := attentionInput(uint64(ci), m, d) // [b·t, 3D] q | k | v
			want := wants[ci]                        // [b·pre, D]

			q := make([]float32, c.b*c.pre*d) // [b·pre, D]
			for bi := 0; bi < c.b; bi++ {
				for i := 0; i < c.pre; i++ {
					copy(q[(bi*c.pre+i)*d:(bi*c.pre+i+1)*d], rows[(bi*c.t+i)*3*d:])
				}
			}
			kv.Pack(m, 2*d, rows[d:], 3*d)
			if r := m % nr; r > 0 {
				lp := m / nr
				for k := 0; k < 2*d; k++ {
					for l := r; l < nr; l++ {
						kv.P[(lp*2*d+k)*nr+l] = nan
					}
				}
			}
			out := make([]float32, c.b*c.pre*d+1) // [b·pre, D] and a guard
			for i := range out {
				out[i] = nan
			}
			unchanged := readOnly(t, map[string][]float32{"q": q, "kv panels": kv.P})
			AttentionPrefix(pools[(c.b+c.t)%2], c.b, c.t, c.pre, c.h, c.dh, q, &kv, out)
			unchanged(name("AttentionPrefix ", c))
			for bi := 0; bi < c.b; bi++ {
				for i := 0; i < c.pre; i++ {
					for k := 0; k < d; k++ {
						got, w := out[(bi*c.pre+i)*d+k], want[(bi*c.pre+i)*d+k]
						// atol as in checkOutPanels: outputs are weighted
						// means of values of standard deviation 2.
						if !closeTo(float64(got), float64(w), 2e-5, 1e-4) {
							t.Fatalf("%+v: out[%d, %d, %d] = %v, want %v", c, bi, i, k, got, w)
						}
					}
				}
			}
			if g := out[len(out)-1]; !math.IsNaN(float64(g)) {
				t.Fatalf("%+v: wrote past out: %v", c, g)
			}
		}
	})
	var kv Panels
	kv.Reset(3*5, 2*4)
	q, out := make([]float32, 3*4), make([]float32, 3*4) // [b·pre, D]
	if allocs := testing.AllocsPerRun(3, func() { AttentionPrefix(p, 3, 5, 1, 2, 2, q, &kv, out) }); allocs != 0 {
		t.Errorf("AttentionPrefix allocates %v times per call", allocs)
	}
}

// TestRowRange checks that RowRange views the right rows of a stacked
// operand: Linear through the view equals Linear through the rows copied.
func TestRowRange(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	const k, m = 20, 3
	q, kk, v := randSlice(r, 7*k), randSlice(r, 7*k), randSlice(r, 7*k) // [7, k] each
	all := append(append(append([]float32{}, q...), kk...), v...)       // [21, k]
	w := StackB(PackB(q, 7, k, k), PackB(kk, 7, k, k), PackB(v, 7, k, k))
	a := randSlice(r, m*k) // [m, k]
	for _, rr := range [][2]int{{0, 21}, {0, 7}, {7, 21}, {3, 12}, {6, 8}, {20, 21}, {5, 5}} {
		lo, hi := rr[0], rr[1]
		view := w.RowRange(lo, hi)
		if view.N != hi-lo || view.K != k {
			t.Fatalf("RowRange(%d, %d) is %d×%d", lo, hi, view.N, view.K)
		}
		got := make([]float32, m*(hi-lo))
		want := make([]float32, m*(hi-lo))
		unchanged := readOnly(t, map[string][]float32{"a": a, "q": q, "k": kk, "v": v})
		Linear(nil, m, a, k, view, nil, ActNone, false, got, hi-lo)
		unchanged(name("Linear through RowRange(", lo, ", ", hi, ")"))
		Linear(nil, m, a, k, PackB(all[lo*k:], hi-lo, k, k), nil, ActNone, false, want, hi-lo)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("RowRange(%d, %d): y[%d] = %v, want %v", lo, hi, i, got[i], want[i])
			}
		}
	}
	for _, rr := range [][2]int{{-1, 3}, {4, 22}, {5, 4}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("RowRange(%d, %d) did not panic", rr[0], rr[1])
				}
			}()
			w.RowRange(rr[0], rr[1])
		}()
	}
}
