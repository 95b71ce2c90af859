package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The tests here hold the kernels to batch invariance: a token's output
// (a sequence's, for attention) is the same bits whatever else is in the
// call, whichever lane, panel, micro-tile width or task computes it, and
// on any number of threads. Each compares a call on many tokens with the
// same tokens computed one call each, serially, on every ISA.

// firstDiff returns the first index of got where want (at least as long)
// differs in bits, or −1.
func firstDiff(got, want []float32) int {
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			return i
		}
	}
	return -1
}

// starts returns the first tokens (or sequences) to try for a run of m of
// total: the start, one and three past it, and the last run, so that the
// run begins at different lanes and ends in panels of different widths.
func starts(m, total int) []int {
	s := []int{0}
	for _, s0 := range []int{1, 3, total - m} {
		if s0 > 0 && s0+m <= total && s0 != s[len(s)-1] {
			s = append(s, s0)
		}
	}
	return s
}

// TestLinearBatchInvariant runs Linear (bias and GELU, stored or added
// to C), LinearToPanels and LinearPanelsAdd on runs of m tokens from
// every start and checks each token's output against the token alone, for
// a W read in place and one whose stride aliases (the AVX-512 8-row tile
// or the copied micro-panels), K in two Kc blocks, on 1–3 threads. The
// blocks are of 550 and of 544 values: only a multiple of 16 runs the
// 8-column AVX-512 kernel in its two-rows-a-vector form.
func TestLinearBatchInvariant(t *testing.T) {
	for _, k := range []int{1100, 1088} {
		testLinearBatchInvariant(t, k)
	}
}

func testLinearBatchInvariant(t *testing.T, k int) {
	const n, total = 50, 110 // 50 W rows leave a short micro-panel on every ISA
	r := rand.New(rand.NewPCG(31, 32))
	x := randSlice(r, total*k)  // [total, K] the tokens
	c0 := randSlice(r, total*n) // [total, N] what the accumulating forms add to
	bias := randSlice(r, n)     // [N]
	wv := randSlice(r, n*2048)  // [N, 2048]: W [N, K] at two strides
	ws := map[string]*PackedB{"w": PackB(wv, n, k, k), "aliased w": PackB(wv, n, k, 2048)}
	if !aliased(2048, 12) || aliased(k, 12) {
		t.Fatal("the strides do not make one aliased and one plain W")
	}
	pools := []*Pool{nil, NewPool(2), NewPool(3)}
	defer pools[1].Close()
	defer pools[2].Close()
	var xp, yp Panels
	// run computes tokens s0 … s0+m−1 by one of the forms into out [m, N].
	run := func(form int, p *Pool, w *PackedB, s0, m int, out []float32) {
		a, c := x[s0*k:], c0[s0*n:]
		switch form {
		case 0, 1: // rows, stored or added
			copy(out, c[:m*n])
			Linear(p, m, a, k, w, bias, ActGELU, form == 1, out, n)
		case 2: // panels to panels
			xp.Pack(m, k, a, k)
			LinearToPanels(p, &xp, w, bias, ActGELU, &yp)
			yp.Unpack(out, n)
		case 3: // panels added to panels
			xp.Pack(m, k, a, k)
			yp.Pack(m, n, c, n)
			LinearPanelsAdd(p, &xp, w, bias, &yp)
			yp.Unpack(out, n)
		}
	}
	forms := []string{"Linear", "Linear accumulate", "LinearToPanels", "LinearPanelsAdd"}
	forEachISA(t, func(t *testing.T) {
		for wn, w := range ws {
			for form, fn := range forms {
				want := make([]float32, total*n) // [total, N] each token alone
				for i := 0; i < total; i++ {
					run(form, nil, w, i, 1, want[i*n:(i+1)*n])
				}
				got := make([]float32, total*n) // [m, N]
				for _, m := range []int{2, 5, 9, 17, 31, 33, 40, 70, total} {
					for _, s0 := range starts(m, total) {
						p := pools[(m+s0)%len(pools)]
						run(form, p, w, s0, m, got[:m*n])
						if i := firstDiff(got[:m*n], want[s0*n:(s0+m)*n]); i >= 0 {
							t.Fatalf("%s, %s, K %d, tokens %d…%d on %d threads: token %d output %d = %v, alone %v",
								fn, wn, k, s0, s0+m-1, p.workers(), s0+i/n, i%n, got[i], want[s0*n+i])
						}
					}
				}
			}
		}
	})
}

// TestAttentionBatchInvariant runs AttentionPanels and AttentionPrefix on
// b = 1…9 consecutive sequences from several starts, so that a sequence
// begins at different lanes of a panel and its queries are grouped into
// panels of different widths, and checks each sequence's outputs against
// the sequence alone, in float32 and in bf16 on each bf16 kernel.
func TestAttentionBatchInvariant(t *testing.T) {
	pools := []*Pool{nil, NewPool(2), NewPool(3)}
	defer pools[1].Close()
	defer pools[2].Close()
	forEachISA(t, func(t *testing.T) {
		attentionInvariant(t, FP32, pools)
		for _, k := range BF16Kernels() {
			t.Run(k, func(t *testing.T) {
				defer SetBF16Kernel(k)()
				attentionInvariant(t, BF16, pools)
			})
		}
	})
}

// attentionInvariant is TestAttentionBatchInvariant in precision prec.
func attentionInvariant(t *testing.T, prec Precision, pools []*Pool) {
	const h, dh, nseq, pre = 2, 40, 12, 2
	const d = h * dh
	var qkv, kv, out Panels
	// attend runs both kernels on sequences s0 … s0+b−1 of qkv rows
	// [nseq·tt, 3D] into full [b·tt, D] and prefix [b·pre, D].
	attend := func(p *Pool, rows []float32, tt, s0, b int, full, prefix []float32) {
		a := rows[s0*tt*3*d:]
		qkv.Pack(b*tt, 3*d, a, 3*d)
		AttentionPanelsAt(p, prec, b, tt, h, dh, &qkv, &out)
		out.Unpack(full, d)
		q := make([]float32, b*pre*d) // [b·pre, D]
		for bi := 0; bi < b; bi++ {
			for i := 0; i < pre; i++ {
				copy(q[(bi*pre+i)*d:(bi*pre+i+1)*d], a[(bi*tt+i)*3*d:])
			}
		}
		kv.Pack(b*tt, 2*d, a[d:], 3*d)
		AttentionPrefix(p, b, tt, pre, h, dh, q, &kv, prefix)
	}
	for _, tt := range []int{5, 37, 70} {
		rows := attentionInput(uint64(tt), nseq*tt, d) // [nseq·tt, 3D]
		wantFull := make([]float32, nseq*tt*d)         // [nseq·tt, D]
		wantPre := make([]float32, nseq*pre*d)         // [nseq·pre, D]
		for s := 0; s < nseq; s++ {
			attend(nil, rows, tt, s, 1, wantFull[s*tt*d:], wantPre[s*pre*d:])
		}
		full := make([]float32, nseq*tt*d) // [b·tt, D]
		prefix := make([]float32, nseq*pre*d)
		for b := 1; b <= 9; b++ {
			for _, s0 := range starts(b, nseq) {
				p := pools[(b+s0)%len(pools)]
				attend(p, rows, tt, s0, b, full, prefix)
				if i := firstDiff(full[:b*tt*d], wantFull[s0*tt*d:]); i >= 0 {
					t.Fatalf("AttentionPanelsAt %v t %d, sequences %d…%d on %d threads: token %d output %d = %v, alone %v",
						prec, tt, s0, s0+b-1, p.workers(), i/d, i%d, full[i], wantFull[s0*tt*d+i])
				}
				if i := firstDiff(prefix[:b*pre*d], wantPre[s0*pre*d:]); i >= 0 {
					t.Fatalf("AttentionPrefix t %d, sequences %d…%d on %d threads: row %d output %d = %v, alone %v",
						tt, s0, s0+b-1, p.workers(), i/d, i%d, prefix[i], wantPre[s0*pre*d+i])
				}
			}
		}
	}
}

// TestLayerNormBatchInvariant checks LayerNormPanels on runs of tokens
// from every start against each token alone, and the same of Activate on
// runs of values (the vector kernels and their tails).
func TestLayerNormBatchInvariant(t *testing.T) {
	const d, total = 100, 80
	r := rand.New(rand.NewPCG(33, 34))
	x := randSlice(r, total*d) // [total, D]
	gamma, beta := randSlice(r, d), randSlice(r, d)
	pools := []*Pool{nil, NewPool(2)}
	defer pools[1].Close()
	forEachISA(t, func(t *testing.T) {
		var xp Panels
		norm := func(p *Pool, s0, m int, out []float32) {
			xp.Pack(m, d, x[s0*d:], d)
			LayerNormPanels(p, &xp, gamma, beta, 1e-6, &xp)
			xp.Unpack(out, d)
		}
		want := make([]float32, total*d) // [total, D] each token alone
		for i := 0; i < total; i++ {
			norm(nil, i, 1, want[i*d:])
		}
		got := make([]float32, total*d)
		for _, m := range []int{2, 7, 31, 33, total} {
			for _, s0 := range starts(m, total) {
				p := pools[(m+s0)%len(pools)]
				norm(p, s0, m, got)
				if i := firstDiff(got[:m*d], want[s0*d:]); i >= 0 {
					t.Fatalf("LayerNormPanels tokens %d…%d: token %d feature %d = %v, alone %v", s0, s0+m-1, s0+i/d, i%d, got[i], want[s0*d+i])
				}
			}
		}
		for _, act := range []Act{ActGELU, ActGELUTanh, ActQuickGELU} {
			want := make([]float32, 70)
			for i := range want {
				want[i] = x[i]
				Activate(act, want[i:i+1])
			}
			for _, m := range []int{3, 8, 13, 16, 21, 70} {
				for _, s0 := range starts(m, 70) {
					got := append([]float32(nil), x[s0:s0+m]...)
					Activate(act, got)
					if i := firstDiff(got, want[s0:]); i >= 0 {
						t.Fatalf("Activate %d on values %d…%d: value %d = %v, alone %v", act, s0, s0+m-1, s0+i, got[i], want[s0+i])
					}
				}
			}
		}
	})
}
