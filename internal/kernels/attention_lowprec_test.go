package kernels

import (
	"fmt"
	"github.com/vitgo/vit/internal/rusage"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// attentionBF16Bound returns the reference attention (float64) of qkv
// [b·t, 3D] rows with bias [h, t, t] (nil: none) and, per output, the
// largest error bf16 attention may make:
//
// q and k are each rounded with relative error ≤ u = 2⁻⁸ (8 significant
// bits, ties to even), so a score moves by ≤ es = (2u + u² + (dh+3)·
// 2⁻²⁴)·Σ_f |q_f k_f|/√dh, the last term the float32 sums of the tiles
// and the scaling. A softmax weight p_j then moves by ≤ p_j·(e^{2es} − 1)
// (its score up, the others down). v and p are rounded too (u each), the
// exponential is good to 2⁻¹⁸ and the float32 sums add a few 2⁻²⁴, so an
// output is off by ≤ (e^{2·max es} − 1 + 2u + u² + 2⁻¹⁶)·Σ_j p_j |v_j| +
// 1e-6.
//
// Scores off by a wrong scale or a lost key move the weights far past it.
func attentionBF16Bound(b, t, h, dh int, qkv, bias []float32) (want, bound []float64) {
	const u = 1.0 / 256
	d := h * dh
	want, bound = make([]float64, b*t*d), make([]float64, b*t*d)
	s := make([]float64, t)
	scale := 1 / math.Sqrt(float64(dh))
	for bi := 0; bi < b; bi++ {
		base := bi * t * 3 * d
		for hd := 0; hd < h; hd++ {
			for i := 0; i < t; i++ {
				var es float64
				for j := 0; j < t; j++ {
					var acc, abs float64
					for e := 0; e < dh; e++ {
						p := float64(qkv[base+i*3*d+hd*dh+e]) * float64(qkv[base+j*3*d+d+hd*dh+e])
						acc += p
						abs += math.Abs(p)
					}
					s[j] = acc * scale
					if bias != nil {
						s[j] += float64(bias[(hd*t+i)*t+j])
					}
					es = max(es, (2*u+u*u+float64(dh+3)/(1<<24))*abs*scale)
				}
				Softmax64(s)
				rel := math.Expm1(2*es) + 2*u + u*u + 1.0/(1<<16)
				for e := 0; e < dh; e++ {
					var acc, abs float64
					for j := 0; j < t; j++ {
						v := float64(qkv[base+j*3*d+2*d+hd*dh+e])
						acc += s[j] * v
						abs += s[j] * math.Abs(v)
					}
					o := (bi*t+i)*d + hd*dh + e
					want[o], bound[o] = acc, rel*abs+1e-6
				}
			}
		}
	}
	return want, bound
}

// TestAttentionPanelsBF16 runs AttentionPanelsAt and AttentionPanelsBiasAt
// in bf16 and int8 on every ISA, on each bf16 attention kernel the CPU
// has (AMX, VDPBF16PS, the float32 kernels): within attentionBF16Bound of
// the float64 reference, and without AMX the same bits on every kernel of
// one ISA. Shapes cover dh and t below, at and past the 12 of a VDPBF16PS
// tile and the 32 of an AMX step, sequences starting mid-panel, stale
// NaN in the padding lanes of qkv, and heads enough (b·h ≥ 16 per
// worker) for workers to claim their next head ahead.
func TestAttentionPanelsBF16(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	type tc struct{ b, t, h, dh int }
	cases := []tc{{1, 1, 1, 64}, {2, 5, 2, 17}, {3, 31, 1, 40}, {1, 32, 3, 64}, {2, 33, 2, 64},
		{3, 64, 1, 32}, {2, 70, 2, 96}, {1, 197, 2, 64}, {3, 197, 1, 64}, {2, 11, 1, 11}, {4, 12, 2, 12},
		{2, 25, 1, 25}, {5, 13, 2, 13}, {4, 21, 8, 16}}
	for ci, c := range cases {
		d, m := c.h*c.dh, c.b*c.t
		rows := attentionInput(uint64(ci), m, d) // [b·t, 3D]
		var bias []float32                       // [h, t, t] on odd cases
		if ci%2 == 1 {
			r := rand.New(rand.NewPCG(uint64(ci), 9))
			bias = make([]float32, c.h*c.t*c.t)
			for i := range bias {
				bias[i] = float32(r.NormFloat64())
			}
		}
		want, bound := attentionBF16Bound(c.b, c.t, c.h, c.dh, rows, bias)
		forEachISA(t, func(t *testing.T) {
			var first []float32 // the first non-AMX kernel's outputs
			for _, k := range BF16Kernels() {
				got := func() []float32 { // the kernel restored however the case ends
					defer SetBF16Kernel(k)()
					return attentionBF16Case(t, p, c.b, c.t, c.h, c.dh, rows, bias, want, bound)
				}()
				if k == "amx" {
					continue
				}
				if first == nil {
					first = got
				} else if i := firstDiff(got, first); i >= 0 {
					t.Fatalf("case %d: bf16 kernel %s: panel value %d = %v, kernel %s %v", ci, k, i, got[i], BF16Kernels()[0], first[i])
				}
			}
		})
	}
}

// TestAttentionPanelsBF16NonFinite runs bf16 and int8 attention with NaN
// and ±Inf among the keys (two NaNs of other payloads and signs in one
// feature, so that a maximum merging their bits would show) on every ISA
// and non-AMX bf16 kernel, with fewer keys than a VDPBF16PS tile's 12,
// exactly 12 and more: every output NaN where the first kernel's is, the
// others the same bits. (NaN payloads may differ between kernels.)
func TestAttentionPanelsBF16NonFinite(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	nan1, nan2 := math.Float32frombits(0x7fc10000), math.Float32frombits(0xffd20000)
	inf := float32(math.Inf(1))
	for _, tt := range []int{2, 5, 11, 12, 20, 40} {
		const b, h, dh = 2, 2, 16
		d, m := h*dh, b*tt
		rows := attentionInput(uint64(tt), m, d) // [b·t, 3D]
		// image 0: NaN keys in head 0, feature 3; image 1: +Inf and −Inf keys in head 1
		rows[0*3*d+d+3], rows[(tt-1)*3*d+d+3] = nan1, nan2
		rows[(tt+tt/2)*3*d+d+dh+5], rows[(tt+0)*3*d+d+dh+7] = inf, -inf
		var qkv, out Panels
		qkv.Pack(m, 3*d, rows, 3*d)
		forEachISA(t, func(t *testing.T) {
			var first []float32 // [2][m/32 panels][D][32] the first kernel's bf16 and int8 outputs
			for _, k := range BF16Kernels() {
				if k == "amx" {
					continue
				}
				var got []float32
				func() {
					defer SetBF16Kernel(k)()
					for _, prec := range []Precision{BF16, Int8} {
						out.Reset(m, d)
						AttentionPanelsAt(p, prec, b, tt, h, dh, &qkv, &out)
						got = append(got, out.P...)
					}
				}()
				if first == nil {
					first = got
					if !slices.ContainsFunc(got, func(v float32) bool { return v != v }) {
						t.Fatalf("t %d: kernel %s: no NaN output from NaN keys", tt, k)
					}
					continue
				}
				for i, v := range got {
					if w := first[i]; (v != v) != (w != w) || v == v && math.Float32bits(v) != math.Float32bits(w) {
						t.Fatalf("t %d: kernel %s: output value %d = %v, kernel %s %v", tt, k, i, v, BF16Kernels()[0], w)
					}
				}
			}
		})
	}
}

// attentionBF16Case is one case of TestAttentionPanelsBF16 on the current
// kernel family and bf16 kernel: qkv rows [b·t, 3D] packed with NaN in the
// padding lanes, bias [h, t, t] or nil, the reference and its bound. It
// returns the output panels, bf16's then int8's.
func attentionBF16Case(t *testing.T, p *Pool, b, tt, h, dh int, rows, bias []float32, want, bound []float64) []float32 {
	t.Helper()
	nan := float32(math.NaN())
	c := fmt.Sprintf("b %d t %d h %d dh %d", b, tt, h, dh)
	d, m := h*dh, b*tt
	var qkv, out Panels
	var got []float32
	qkv.Pack(m, 3*d, rows, 3*d)
	if r := m % nr; r > 0 {
		for k := 0; k < 3*d; k++ {
			for l := r; l < nr; l++ {
				qkv.P[(m/nr*3*d+k)*nr+l] = nan
			}
		}
	}
	for _, prec := range []Precision{BF16, Int8} {
		out.Reset(m, d)
		for i := range out.P {
			out.P[i] = nan
		}
		if bias != nil {
			AttentionPanelsBiasAt(p, prec, b, tt, h, dh, &qkv, bias, &out)
		} else {
			AttentionPanelsAt(p, prec, b, tt, h, dh, &qkv, &out)
		}
		got = append(got, out.P...)
		for i := 0; i < m; i++ {
			for k := 0; k < d; k++ {
				got, w := float64(out.At(i, k)), want[i*d+k]
				if !(math.Abs(got-w) <= bound[i*d+k]) {
					t.Fatalf("%v %s: out[%d, %d] = %v, want %v ± %.3g", prec, c, i, k, got, w, bound[i*d+k])
				}
			}
		}
		if r := m % nr; r > 0 {
			for k := 0; k < d; k++ {
				for l := r; l < nr; l++ {
					if v := out.P[(m/nr*d+k)*nr+l]; v != 0 {
						t.Fatalf("%v %s: padding lane %d of feature %d is %v", prec, c, l, k, v)
					}
				}
			}
		}
	}
	return got
}

// TestKVRowsBF16 compares the K-row and Vᵀ conversions of every kernel
// family with the loop, in both pair orders (each pair of the summed
// index swapped for AMX, in order for VDPBF16PS), on runs of every length,
// at even and odd first keys and first lanes, for odd and even dh below,
// at and past a block of 32 features, and checks they write nothing else.
func TestKVRowsBF16(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const ld = 96
	for _, nat := range []bool{false, true} {
		x := 1 // value i of a pair sequence at i^x
		if nat {
			x = 0
		}
		for _, dh := range []int{1, 2, 3, 17, 31, 32, 33, 64, 65, 80} {
			src := randSlice(r, dh*nr+nr) // [dh][32] plus a row: runs start at lanes 0…31
			for n := 1; n <= nr; n++ {
				for _, k0 := range []int{0, 1, 2, 33, ld - n} {
					l0 := (k0 * 7) % (nr - n + 1) // the run's first lane
					run := src[l0 : l0+(dh-1)*nr+n]
					var want [2][]uint16
					forEachISA(t, func(t *testing.T) {
						kr, vt := make([]uint16, n*ld), make([]uint16, dh*ld)
						for i := range kr {
							kr[i] = 0xdead
						}
						for i := range vt {
							vt[i] = 0xdead
						}
						kRowsBF16(kr, ld, run, dh, nat)
						vRowsBF16(vt, ld, k0, run, dh, nat)
						for l := 0; l < n; l++ {
							for f := 0; f < dh; f++ {
								v := math.Float32bits(roundBF16(src[l0+f*nr+l])) >> 16
								if kr[l*ld+f^x] != uint16(v) || vt[f*ld+(k0+l)^x] != uint16(v) {
									t.Fatalf("nat %v dh %d n %d k0 %d: key %d feature %d: K row %#x, Vᵀ %#x, want %#x",
										nat, dh, n, k0, l, f, kr[l*ld+f^x], vt[f*ld+(k0+l)^x], v)
								}
							}
						}
						if want[0] == nil {
							want = [2][]uint16{kr, vt}
						} else if firstDiff16(kr, want[0]) >= 0 || firstDiff16(vt, want[1]) >= 0 {
							t.Fatalf("nat %v dh %d n %d k0 %d: writes outside the run differ from the generic code's", nat, dh, n, k0)
						}
					})
				}
			}
		}
	}
}

func firstDiff16(a, b []uint16) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// TestAttentionPanelsAtAllocs checks that a bf16 attention call allocates
// nothing once its buffers have grown.
func TestAttentionPanelsAtAllocs(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	const b, tt, h, dh = 2, 70, 2, 64
	var qkv, out Panels
	qkv.Pack(b*tt, 3*h*dh, attentionInput(1, b*tt, h*dh), 3*h*dh)
	AttentionPanelsAt(p, BF16, b, tt, h, dh, &qkv, &out)
	if n := testing.AllocsPerRun(20, func() { AttentionPanelsAt(p, BF16, b, tt, h, dh, &qkv, &out) }); n != 0 {
		t.Errorf("AttentionPanelsAt allocates %v times per call", n)
	}
}

// BenchmarkAttentionPanelsBF16 is BenchmarkAttentionPanels in bf16 on
// each vector family and bf16 kernel, GFLOP/s of the same count, and
// the CPU time per call (cpu-ms/op; with -test.cpu 1, one thread's).
func BenchmarkAttentionPanelsBF16(b *testing.B) {
	p := NewPool(runtime.GOMAXPROCS(0))
	defer p.Close()
	for _, s := range vectorISAs() {
		restoreISA := setISA(s)
		for _, k := range BF16Kernels() {
			for _, batch := range []int{1, 8} {
				const t, h, dh = 197, 12, 64
				b.Run(fmt.Sprintf("%s/%s/b%d/T%dx%dx%d", s, k, batch, t, h, dh), func(b *testing.B) {
					defer SetBF16Kernel(k)()
					r := rand.New(rand.NewPCG(1, 1))
					var qkv, out Panels
					qkv.Pack(batch*t, 3*h*dh, randSlice(r, batch*t*3*h*dh), 3*h*dh)
					c0 := rusage.CPUTime()
					loopFlops(b, 4*float64(batch)*t*t*h*dh, func() {
						AttentionPanelsAt(p, BF16, batch, t, h, dh, &qkv, &out)
					})
					// the process's CPU time: what a call costs when other
					// jobs share the cores
					b.ReportMetric(float64(rusage.CPUTime()-c0)/1e6/float64(b.N), "cpu-ms/op")
				})
			}
		}
		restoreISA()
	}
}

// BenchmarkAMXBlocksBF16 times the attention's tile products alone at
// ViT-B/16's shapes (scores: 7 blocks of 2 steps; P·V: 2 blocks of 7).
func BenchmarkAMXBlocksBF16(b *testing.B) {
	if !attentionAMX(currentISA()) {
		b.Skip("no AMX")
	}
	for _, c := range [][2]int{{2, 7}, {7, 2}} {
		ksteps, n := c[0], c[1]
		b.Run(fmt.Sprintf("k%dx%d", ksteps, n), func(b *testing.B) {
			a := make([]uint16, n*amxRows*32*ksteps) // [n·32][32·ksteps]
			bb := make([]uint16, ksteps*16*nr*2)     // [16·ksteps][32][2]
			c := make([]float32, n*amxRows*nr)       // [n·32][32]
			loopFlops(b, float64(n)*amxRows*nr*32*float64(ksteps)*2, func() {
				amxBlocksBF16(a, 32*ksteps, bb, c, ksteps, n)
			})
		})
	}
}

// TestSoftmaxPairs checks softmaxPairs on every kernel family against the
// float64 softmax: each probability within bf16's rounding (2⁻⁸) plus the
// exponential's 2⁻¹⁶ of the exact one, for odd and even row counts, a
// scale, and scores spread far enough that some exponentials underflow.
func TestSoftmaxPairs(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, rows := range []int{1, 2, 3, 4, 5, 32, 197} {
		for _, spread := range []float64{1, 30} {
			src := make([]float32, rows*nr) // [rows][32]
			for i := range src {
				src[i] = float32(r.NormFloat64() * spread)
			}
			const scale = 0.37
			forEachISA(t, func(t *testing.T) {
				s := append([]float32(nil), src...)
				dst := make([]uint16, (rows+1)/2*2*nr)
				for i := range dst {
					dst[i] = 0xdead
				}
				softmaxPairs(s, rows, scale, dst)
				for c := 0; c < nr; c++ {
					col := make([]float64, rows)
					for i := range col {
						col[i] = float64(src[i*nr+c] * scale)
					}
					Softmax64(col)
					for i := 0; i < (rows+1)&^1; i++ {
						got := float64(math.Float32frombits(uint32(dst[(i/2*nr+c)*2+1-i%2]) << 16))
						want := 0.0
						if i < rows {
							want = col[i]
						}
						if !(math.Abs(got-want) <= (1.0/256+1.0/(1<<16))*want+1e-30) {
							t.Fatalf("rows %d spread %v: column %d row %d = %v, want %v", rows, spread, c, i, got, want)
						}
					}
				}
			})
		}
	}
}

// BenchmarkHeadBF16 times the conversion of every head's K and V to bf16
// rows (headBF16) for ViT-B/16's attention at batch 8, one thread, in
// both pair orders: "swapped" as AMX reads them (K rows by scatters),
// "nat" as the VDPBF16PS tile reads them (K rows by transposes in
// registers); ns per head.
func BenchmarkHeadBF16(b *testing.B) {
	const batch, t, h, dh = 8, 197, 12, 64
	var qkv Panels
	qkv.Pack(batch*t, 3*h*dh, attentionInput(1, batch*t, h*dh), 3*h*dh)
	for _, nat := range []bool{false, true} {
		name := "swapped"
		if nat {
			name = "nat"
		}
		b.Run(name, func(b *testing.B) {
			j := &attPanelsJob{isa: currentISA(), t: t, h: h, dh: dh, qkv: &qkv, bf: attDP}
			j.growBF16(1)
			s := &j.amx[0]
			for b.Loop() {
				for bh := range batch * h {
					j.headBF16(s, bh/h*t, bh%h, nat, true)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch*h), "ns/head")
		})
	}
}

// TestSoftmaxNat checks softmaxNat, attDP's softmax, on every kernel
// family against the steps it replaces (softmaxBF16, then bf16PairsNat):
// the same bits, for odd and even row counts, scales 1 and 1/8, scores
// spread far enough that exponentials underflow, ties and signed zeros,
// with wide false in the first 16 columns (the others left as they were
// or the same bits), and with the maxima given (as dpRows takes them) or found; nothing written
// past dst. With NaN, +Inf and an all −Inf column among the scores
// (maxima found), NaN where the steps give NaN and the same bits elsewhere.
func TestSoftmaxNat(t *testing.T) {
	const guard = 2 * nr // values of got past dst, which must stay 0xdead
	rng := rand.New(rand.NewPCG(9, 10))
	for _, rows := range []int{1, 2, 3, 4, 5, 12, 31, 32, 33, 197} {
		for _, spread := range []float64{1, 30, -1} { // −1: 1 with non-finite scores
			src := make([]float32, rows*nr) // [rows][32]
			for i := range src {
				src[i] = float32(rng.NormFloat64() * math.Abs(spread))
				switch rng.IntN(16) {
				case 0:
					src[i] = 0
				case 1:
					src[i] = float32(math.Copysign(0, -1))
				case 2:
					src[i] = src[(i+nr)%len(src)]
				}
			}
			if spread < 0 {
				src[3] = float32(math.NaN())              // column 3
				src[rows/2*nr+5] = float32(math.Inf(1))   // column 5
				src[(rows-1)*nr+20] = float32(math.NaN()) // column 20
				for k := range rows {
					src[k*nr+7] = float32(math.Inf(-1)) // column 7, all −Inf
				}
			}
			for _, scale := range []float32{1, 0.125} {
				for _, wide := range []bool{true, false} {
					forEachISA(t, func(t *testing.T) {
						want := make([]uint16, (rows+1)/2*2*nr) // [ceil(rows/2)][32][2]
						s := append([]float32(nil), src...)
						softmaxBF16(s, scale, nr)
						bf16PairsNat(want, s, rows)
						got := make([]uint16, len(want)+guard) // [ceil(rows/2)][32][2] and the guard
						for i := range got {
							got[i] = 0xdead
						}
						var mx []float32 // [32] the columns' maxima, as dpRows takes them, on odd finite cases
						if spread > 0 && (rows+int(spread))%2 == 1 {
							mx = make([]float32, nr)
							for c := range mx {
								mx[c] = float32(math.Inf(-1))
								for k := range rows {
									mx[c] = max(mx[c], src[k*nr+c])
								}
							}
						}
						softmaxNat(append([]float32(nil), src...), rows, scale, got[:len(want)], wide, mx)
						nan := func(v uint16) bool { return v&0x7f80 == 0x7f80 && v&0x7f != 0 }
						for i, g := range got {
							w := uint16(0xdead)
							if i < len(want) {
								w = want[i]
								if c := i / 2 % nr; !wide && c >= 16 && g == 0xdead { // may be left as it was
									continue
								}
							}
							if g != w && !(spread < 0 && nan(g) && nan(w)) {
								t.Fatalf("rows %d spread %v scale %v wide %v maxima given %v: value %d (row %d column %d) = %#04x, want %#04x",
									rows, spread, scale, wide, mx != nil, i, i/(2*nr)*2+i%2, i/2%nr, g, w)
							}
						}
					})
				}
			}
		}
	}
}
