package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"
)

// lowPath is one way the low-precision Linear can run on this CPU.
type lowPath struct {
	name    string
	isa     isa
	vnni    bool // AVX512_VNNI
	amx     bool
	avxvnni bool // AVX-VNNI (VEX VPDPBUSD on ymm)
	dp      bool // bf16 on the VDPBF16PS tile
}

// lowPaths lists the paths this CPU can take: the generic code, AVX2
// (int8 on VPMADDWD), AVX2 with AVX-VNNI, AVX-512 without VNNI (int8 on
// VPMADDWD) and with it, VDPBF16PS for bf16 (whatever the vendor), and
// AMX.
func lowPaths() []lowPath {
	ps := []lowPath{{name: "generic", isa: isaGeneric}}
	if hasAVX2 {
		ps = append(ps, lowPath{name: "avx2", isa: isaAVX2})
	}
	if hasAVX2 && hasAVXVNNI {
		ps = append(ps, lowPath{name: "avx2vnni", isa: isaAVX2, avxvnni: true})
	}
	if hasAVX512 {
		ps = append(ps, lowPath{name: "avx512", isa: isaAVX512})
	}
	if hasAVX512 && hasVNNI {
		ps = append(ps, lowPath{name: "avx512vnni", isa: isaAVX512, vnni: true, avxvnni: hasAVXVNNI})
	}
	if hasAVX512 && hasBF16 {
		ps = append(ps, lowPath{name: "avx512bf16", isa: isaAVX512, vnni: hasVNNI, avxvnni: hasAVXVNNI, dp: true})
	}
	if hasAVX512 && hasVNNI && amxFits(BF16, 32) {
		ps = append(ps, lowPath{name: "amx", isa: isaAVX512, vnni: true, amx: true, avxvnni: hasAVXVNNI})
	}
	return ps
}

// forEachLowPath runs fn once per path (onLowPath).
func forEachLowPath(t *testing.T, fn func(t *testing.T)) {
	for _, lp := range lowPaths() {
		t.Run(lp.name, func(t *testing.T) { onLowPath(lp, func() { fn(t) }) })
	}
}

// onLowPath runs fn with the CPU flags of path lp, then restores them.
func onLowPath(lp lowPath, fn func()) {
	v, a, av, d := hasVNNI, hasAMX, hasAVXVNNI, hasDPBF16
	defer setISA(lp.isa)()
	defer func() { hasVNNI, hasAMX, hasAVXVNNI, hasDPBF16 = v, a, av, d }()
	hasVNNI, hasAMX, hasAVXVNNI, hasDPBF16 = lp.vnni, lp.amx, lp.avxvnni, lp.dp
	fn()
}

// linearRef is act(x·Wᵀ + bias) in float64 for x [m, k], w [n, k], and
// Σ_l |x[i,l]|·|w[j,l]| (sabs) and Σ_l |w[j,l]| (wabs), the scales of
// the error bounds.
func linearRef(m, n, k int, x, w, bias []float32) (y, sabs, wabs []float64) {
	y, sabs, wabs = make([]float64, m*n), make([]float64, m*n), make([]float64, n)
	for j := 0; j < n; j++ {
		for l := 0; l < k; l++ {
			wabs[j] += math.Abs(float64(w[j*k+l]))
		}
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, a float64
			for l := 0; l < k; l++ {
				p := float64(x[i*k+l]) * float64(w[j*k+l])
				s += p
				a += math.Abs(p)
			}
			if bias != nil {
				s += float64(bias[j])
			}
			y[i*n+j], sabs[i*n+j] = s, a
		}
	}
	return y, sabs, wabs
}

// lowBound is the largest |got − want| the format allows for output
// (i, j) of a Linear over k values (before the activation):
//
// bf16: each operand rounded with relative error ≤ 2⁻⁸ (8 significant
// bits, ties to even), so a product is off by ≤ (2·2⁻⁸ + 2⁻¹⁶)·|x||w|;
// the float32 sum of k exact products adds ≤ k·2⁻²⁴·Σ|x||w| (and the bias,
// one more rounding of the result): (2⁻⁷ + 2⁻¹⁶ + (k+2)·2⁻²⁴)·Σ|x||w|.
//
// int8: x is off by ≤ sx/2 (sx = its token's range / 255), w by ≤ sw/2
// (sw = max|w row| / 127), so the exact sum is off by ≤ Σ_l (|w|·sx/2 +
// |x|·sw/2 + sx·sw/4); the epilogue's float32 steps add a few roundings
// of the result: 4·2⁻²⁴·(Σ|x||w| + |bias|) covers them.
func lowBound(p Precision, k int, sabs, wabsJ, xabsI, sx, sw, bias float64) float64 {
	const u = 1.0 / (1 << 24)
	if p == BF16 {
		return (1.0/128+1.0/(1<<16)+float64(k+2)*u)*sabs + 2*u*math.Abs(bias)
	}
	return wabsJ*sx/2 + xabsI*sw/2 + float64(k)*sx*sw/4 + 4*u*(sabs+math.Abs(bias))
}

func randVals(r *rand.Rand, n int, scale float32, off float32) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = (r.Float32()*2-1)*scale + off
	}
	return v
}

// TestLinearLowPrecision runs bf16 and int8 Linear on every path and
// shape class (tails of the 12-row tile and the 32-token panel, K not a
// multiple of 2 or 4, rows and panels in and out, bias, activation, fused
// residual) against the float64 product of the float32 operands, within
// the bounds of lowBound, and requires every path to give the generic
// path's bits.
func TestLinearLowPrecision(t *testing.T) {
	ms := []int{1, 5, 17, 32, 33, 70}
	ns := []int{1, 11, 12, 13, 25, 40}
	ks := []int{1, 3, 4, 7, 16, 33, 64, 100, 192, 300, 768} // multiples of 64 reach the AMX kernels
	if testing.Short() {
		ms, ns, ks = []int{1, 17, 33}, []int{1, 13, 25, 40}, []int{3, 4, 33, 64, 300}
	}
	for _, prec := range []Precision{BF16, Int8} {
		for _, m := range ms {
			for _, n := range ns {
				for _, k := range ks {
					name := fmt.Sprintf("%v/%dx%dx%d", prec, m, n, k)
					r := rand.New(rand.NewPCG(uint64(m*1000+n), uint64(k)))
					x := randVals(r, m*k, 1, 0.3) // skewed: a nonzero zero point
					w := randVals(r, n*k, 0.5, 0)
					bias := randVals(r, n, 1, 0)
					if n == 11 {
						bias = nil
					}
					want, sabs, wabs := linearRef(m, n, k, x, w, bias)
					xabs, sx := make([]float64, m), make([]float64, m)
					for i := 0; i < m; i++ {
						lo, hi := 0.0, 0.0
						for _, v := range x[i*k : (i+1)*k] {
							xabs[i] += math.Abs(float64(v))
							lo, hi = min(lo, float64(v)), max(hi, float64(v))
						}
						sx[i] = (hi - lo) / 255
					}
					wq := PackB(w, n, k, k).Convert(prec)
					var first []float32
					forEachLowPath(t, func(t *testing.T) {
						got := make([]float32, m*n)
						Linear(nil, m, x, k, wq, bias, ActNone, false, got, n)
						for i := 0; i < m; i++ {
							for j := 0; j < n; j++ {
								var b, swj float64
								if bias != nil {
									b = float64(bias[j])
								}
								if prec == Int8 {
									swj = float64(wq.lp.sw[j])
								}
								tol := lowBound(prec, k, sabs[i*n+j], wabs[j], xabs[i], sx[i], swj, b)
								if d := math.Abs(float64(got[i*n+j]) - want[i*n+j]); !(d <= tol) {
									t.Fatalf("%s: y[%d,%d] = %g, want %g ± %.3g (off by %.3g)", name, i, j, got[i*n+j], want[i*n+j], tol, d)
								}
							}
						}
						// Every path gives the generic bits, except bf16 on
						// AMX: TDPBF16PS sums a tile step's 32 products in
						// its own order (within the bound above).
						amxBF16 := prec == BF16 && hasAMX && amxFits(BF16, wq.lp.kp)
						if first == nil {
							first = got
						} else if i := firstDiff(got, first); i >= 0 && !amxBF16 {
							t.Fatalf("%s: y[%d] = %g, the generic path gives %g", name, i, got[i], first[i])
						}
						checkLowVariants(t, name, m, n, k, x, wq, bias, got)
					})
				}
			}
		}
	}
}

// checkLowVariants checks that the other entry points (panels in and
// out, the fused residual, the activation) and other batch compositions
// give the same bits as the plain row call y.
func checkLowVariants(t *testing.T, name string, m, n, k int, x []float32, w *PackedB, bias, y []float32) {
	t.Helper()
	var xp, yp Panels
	xp.Pack(m, k, x, k)
	LinearToPanels(nil, &xp, w, bias, ActNone, &yp)
	got := make([]float32, m*n)
	yp.Unpack(got, n)
	if i := firstDiff(got, y); i >= 0 {
		t.Fatalf("%s: LinearToPanels y[%d] = %g, Linear gives %g", name, i, got[i], y[i])
	}
	// residual: into rows and into panels
	res := make([]float32, m*n)
	for i := range res {
		res[i] = float32(i%7) - 3
	}
	want := make([]float32, m*n)
	for i := range want {
		want[i] = res[i] + y[i]
	}
	copy(got, res)
	Linear(nil, m, x, k, w, bias, ActNone, true, got, n)
	if i := firstDiff(got, want); i >= 0 {
		t.Fatalf("%s: Linear accumulate y[%d] = %g, want %g", name, i, got[i], want[i])
	}
	yp.Pack(m, n, res, n)
	LinearPanelsAdd(nil, &xp, w, bias, &yp)
	yp.Unpack(got, n)
	if i := firstDiff(got, want); i >= 0 {
		t.Fatalf("%s: LinearPanelsAdd y[%d] = %g, want %g", name, i, got[i], want[i])
	}
	// activation: the low precisions' GELU (geluLow) on the same sums
	copy(want, y)
	Activate(actGELULow, want)
	Linear(nil, m, x, k, w, bias, ActGELU, false, got, n)
	if i := firstDiff(got, want); i >= 0 {
		t.Fatalf("%s: Linear GELU y[%d] = %g, want %g", name, i, got[i], want[i])
	}
	// batch invariance: each row alone, on two threads
	p := NewPool(2)
	defer p.Close()
	for i := 0; i < m; i += max(1, m/3) {
		Linear(p, 1, x[i*k:], k, w, bias, ActNone, false, got[:n], n)
		if j := firstDiff(got[:n], y[i*n:(i+1)*n]); j >= 0 {
			t.Fatalf("%s: row %d alone: y[%d] = %g, in the batch %g", name, i, j, got[j], y[i*n+j])
		}
	}
}

// BenchmarkLinearLow times LinearToPanels on bf16 and int8 weights of the
// ViT-B/16 shapes, beside float32 (the same call), in GFLOP/s (2·M·N·K
// per op; for int8 these are integer operations); bf16 on each kernel
// (BF16Kernels: bf16-fma, bf16-dpbf16, bf16-amx).
func BenchmarkLinearLow(b *testing.B) {
	p := NewPool(runtime.GOMAXPROCS(0))
	defer p.Close()
	type run struct {
		prec   Precision
		name   string
		kernel string // bf16: SetBF16Kernel's name
	}
	runs := []run{{FP32, "fp32", ""}}
	for _, k := range BF16Kernels() {
		runs = append(runs, run{BF16, "bf16-" + k, k})
	}
	runs = append(runs, run{Int8, "int8", ""})
	for _, rn := range runs {
		prec := rn.prec
		for _, sh := range vitShapes {
			m, n, k := sh[0], sh[1], sh[2]
			b.Run(fmt.Sprintf("%s/%dx%dx%d", rn.name, m, n, k), func(b *testing.B) {
				if rn.kernel != "" {
					defer SetBF16Kernel(rn.kernel)()
				}
				r := rand.New(rand.NewPCG(1, 1))
				var x, y Panels
				x.Pack(m, k, randSlice(r, m*k), k)
				w := PackB(randSlice(r, n*k), n, k, k).Convert(prec)
				LinearToPanels(p, &x, w, nil, ActNone, &y)
				loopFlops(b, 2*float64(m)*float64(n)*float64(k), func() {
					LinearToPanels(p, &x, w, nil, ActNone, &y)
				})
			})
		}
	}
}

// TestQ8Kernel compares the int8 tile of every path with q8Generic, bit
// for bit, on random and extreme operands (every x 255 and every w ±127:
// the largest sums, which a saturating instruction would clip), K steps
// from 1 to 2·192+1, 16 and 32 tokens, with and without bias and load, a
// row stride longer than K, and the stored tile's neighbours untouched.
// Each path keeps one sums buffer, as a worker does, poisoned before
// each call; every 16-token call also runs once more right after a
// 32-token call on other tokens, so a kernel that read or added to sums
// it had not stored in this call would be caught.
func TestQ8Kernel(t *testing.T) {
	const poison = 0x5a5a5a5a
	r := rand.New(rand.NewPCG(7, 8))
	ro := rand.New(rand.NewPCG(9, 10)) // the 32-token calls' tokens, apart from r's operands
	paths := lowPaths()
	accs := make([][mrQ * nr]int32, len(paths)) // [paths][12][32] each path's sums
	for _, kq4 := range []int{1, 2, 3, 5, 192, 385} {
		ldw := 4*kq4 + 8
		for _, fill := range []string{"random", "max", "min"} {
			wq := make([]int8, mrQ*ldw)        // [12][ldw] s8
			x := make([]uint8, kq4*4*nr)       // [kq4][32][4] u8
			other := make([]uint8, len(x))     // [kq4][32][4] u8, the 32-token call's tokens
			scratch := make([]float32, mrQ*nr) // [12][32] the 32-token call's tile
			for i := range other {
				other[i] = uint8(ro.IntN(256))
			}
			for i := range wq {
				switch fill {
				case "random":
					wq[i] = int8(r.IntN(255) - 127)
				case "max":
					wq[i] = 127
				default:
					wq[i] = -127
				}
			}
			for i := range x {
				x[i] = 255
				if fill == "random" {
					x[i] = uint8(r.IntN(256))
				}
			}
			sw, sx := randVals(r, mrQ, 1e-3, 2e-3), randVals(r, nr, 1e-2, 2e-2)
			wsum, zx := make([]int32, mrQ), make([]int32, nr)
			for i := range wsum {
				wsum[i] = int32(r.IntN(20001) - 10000)
			}
			for i := range zx {
				zx[i] = int32(r.IntN(256))
			}
			bias := randVals(r, mrQ, 1, 0)
			c0 := randVals(r, mrQ*nr+2, 1, 0) // the tile between two guards
			for _, w := range []int{16, nr} {
				for flags := 0; flags < 4; flags++ {
					want := slices.Clone(c0)
					q8Generic(w, kq4, wq, ldw, x, want[1:], sw, wsum, sx, zx, bias, flags)
					w16 := make([]int16, mrQ*4*kq4) // [12][4·kq4]
					for p, lp := range paths {
						acc := &accs[p]
						t.Run(lp.name, func(t *testing.T) {
							onLowPath(lp, func() {
								if q8Widens() {
									q8Widen(w16, wq, ldw, kq4)
								}
								priors := []string{"poison"} // what the sums buffer holds before the call
								if w == 16 {
									priors = append(priors, "32 tokens")
								}
								for _, prior := range priors {
									for i := range acc {
										acc[i] = poison
									}
									if prior == "32 tokens" {
										q8Kernel(true, kq4, wq, ldw, w16, acc, other, scratch, sw, wsum, sx, zx, bias, 0, nil, nil)
									}
									got := slices.Clone(c0)
									q8Kernel(w == nr, kq4, wq, ldw, w16, acc, x, got[1:], sw, wsum, sx, zx, bias, flags, scratch, wq[:len(wq)/2])
									if i := firstDiff(got, want); i >= 0 {
										t.Fatalf("kq4 %d %s w %d flags %d after %s: c[%d] = %g, q8Generic gives %g", kq4, fill, w, flags, prior, i-1, got[i], want[i])
									}
								}
							})
						})
					}
				}
			}
		}
	}
}

// BenchmarkQ8Kernel times the int8 register tile alone on cache-resident
// operands (K = 768) on every path (the W micro-panel widened once per op
// where the path does that, as blockQ8 does per task), in GOP/s and as
// a percentage of the path's instruction peak on one core
// (DotInstrPeak: VPDPBUSD zmm or ymm, VPMADDWD+VPADDD; the best of five
// short runs before the timed loop, as the machine is shared).
func BenchmarkQ8Kernel(b *testing.B) {
	const kq4, panels = 192, 8
	r := rand.New(rand.NewPCG(1, 1))
	wq := make([]int8, mrQ*kq4*4)
	x := make([]uint8, panels*kq4*4*nr)
	for i := range wq {
		wq[i] = int8(r.IntN(255) - 127)
	}
	for i := range x {
		x[i] = uint8(r.IntN(256))
	}
	c := make([]float32, panels*mrQ*nr)
	w16 := make([]int16, mrQ*kq4*4)
	var acc [mrQ * nr]int32 // [12][32]
	sw, sx := make([]float32, mrQ), make([]float32, nr)
	ws, zx := make([]int32, mrQ), make([]int32, nr)
	for _, lp := range lowPaths() {
		if lp.amx {
			continue // AMX does not use this tile
		}
		b.Run(lp.name, func(b *testing.B) {
			onLowPath(lp, func() {
				var pk float64
				for range 5 {
					pk = max(pk, DotInstrPeak(nil, Int8, 20*time.Millisecond))
				}
				ops := 2 * float64(mrQ*nr*kq4*4) * panels
				loopFlops(b, ops, func() {
					if q8Widens() {
						q8Widen(w16, wq, kq4*4, kq4)
					}
					for j := 0; j < panels; j++ {
						q8Kernel(true, kq4, wq, kq4*4, w16, &acc, x[j*kq4*4*nr:], c[j*mrQ*nr:], sw, ws, sx, zx, nil, 0, nil, nil)
					}
				})
				if pk > 0 {
					b.ReportMetric(ops*float64(b.N)/b.Elapsed().Seconds()/1e9/pk*100, "%peak")
				}
			})
		})
	}
}

// TestDPBF16 checks the hand-encoded VDPBF16PS against its definition
// (dpbf16Generic) on normal values, and that the bf16 Linear's pair order
// is VDPBF16PS's: a Linear over one pair of K equals one VDPBF16PS.
func TestDPBF16(t *testing.T) {
	if !hasBF16 {
		t.Skip("no AVX512_BF16")
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 100 {
		var acc, want [16]float32
		var a, b [32]uint16
		for i := range acc {
			acc[i] = (r.Float32()*2 - 1) * 1e3
		}
		for i := range a {
			a[i] = bf16Bits((r.Float32()*2 - 1) * float32(r.IntN(200)))
			b[i] = bf16Bits((r.Float32()*2 - 1) * float32(r.IntN(200)))
		}
		want = acc
		dpbf16Generic(&want, &a, &b)
		dpbf16AVX512(&acc, &a, &b)
		if i := firstDiff(acc[:], want[:]); i >= 0 {
			t.Fatalf("VDPBF16PS lane %d = %g, want %g", i, acc[i], want[i])
		}
	}
	// 16 tokens × K = 6 against one W row: three VDPBF16PS in K order.
	const k = 6
	x, w := randVals(r, 16*k, 10, 0), randVals(r, k, 10, 0)
	var acc [16]float32
	for q := range k / 2 {
		var a, b [32]uint16
		for i := range 16 {
			a[2*i], a[2*i+1] = bf16Bits(x[i*k+2*q]), bf16Bits(x[i*k+2*q+1])
			b[2*i], b[2*i+1] = bf16Bits(w[2*q]), bf16Bits(w[2*q+1])
		}
		dpbf16AVX512(&acc, &a, &b)
	}
	forEachLowPath(t, func(t *testing.T) {
		y := make([]float32, 16)
		Linear(nil, 16, x, k, PackB(w, 1, k, k).Convert(BF16), nil, ActNone, false, y, 1)
		if i := firstDiff(y, acc[:]); i >= 0 {
			t.Fatalf("bf16 Linear token %d = %g, VDPBF16PS gives %g", i, y[i], acc[i])
		}
	})
}

// TestDotPeak checks that the VDPBF16PS, VPDPBUSD and AMX loops run
// where the CPU has them.
func TestDotPeak(t *testing.T) {
	for _, p := range []Precision{BF16, Int8} {
		if g := amxRounds(p, 10); (g > 0) != amxUsable() {
			t.Errorf("amxRounds(%v) = %g with AMX usable: %v", p, g, amxUsable())
		}
	}
	g := DotInstrPeak(nil, BF16, 5*time.Millisecond)
	if (g > 0) != hasBF16 {
		t.Errorf("DotInstrPeak(bf16) = %g with VDPBF16PS present: %v", g, hasBF16)
	}
	// int8: VPDPBUSD zmm or ymm, or VPMADDWD, on every vector path
	for _, lp := range lowPaths() {
		onLowPath(lp, func() {
			g := DotInstrPeak(nil, Int8, 5*time.Millisecond)
			if (g > 0) != (lp.isa != isaGeneric) {
				t.Errorf("%s: DotInstrPeak(int8) = %g", lp.name, g)
			}
		})
	}
}

// TestBF16Conversions compares bf16Panel and bf16Expand on every path
// with their definitions (roundBF16 into the other row of each pair; the
// bf16 bits shifted up), on random values, ties of both parities, the
// largest finite values, infinities and NaNs (NaN stays NaN), for K odd
// and even and lengths past a vector's.
func TestBF16Conversions(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	special := []uint32{0x3f808000, 0x3f818000, 0x7f7fffff, 0xff7f8000, 0x7f800000, 0xff800000, 0x7fc00001, 0xffff0001, 0x00008000, 0x80018000}
	for _, k := range []int{1, 2, 5, 8, 19} {
		src := randVals(r, k*nr, 3, 0)
		for i, u := range special {
			src[(i*7)%len(src)] = math.Float32frombits(u)
		}
		want := make([]float32, (k+1)&^1*nr)
		for l := 0; l < k; l++ {
			for i := range nr {
				want[(l^1)*nr+i] = roundBF16(src[l*nr+i])
			}
		}
		bits := make([]uint16, k*nr+3)
		for i := range bits {
			bits[i] = uint16(r.Uint32())
		}
		forEachLowPath(t, func(t *testing.T) {
			got := make([]float32, len(want))
			bf16Panel(got, src, k)
			for i := range want {
				if got[i] != want[i] && !(got[i] != got[i] && want[i] != want[i]) {
					t.Fatalf("k %d: bf16Panel[%d] = %#x, want %#x", k, i, math.Float32bits(got[i]), math.Float32bits(want[i]))
				}
			}
			exp := make([]float32, len(bits))
			bf16Expand(exp, bits)
			for i, b := range bits {
				if math.Float32bits(exp[i]) != uint32(b)<<16 {
					t.Fatalf("bf16Expand[%d] = %#x, want %#x", i, math.Float32bits(exp[i]), uint32(b)<<16)
				}
			}
		})
	}
}

// TestMinMaxPanel compares the vector min/max of a token panel with the
// loop, for row counts even and odd.
func TestMinMaxPanel(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, k := range []int{1, 2, 3, 8, 33} {
		src := randVals(r, k*nr, 3, 0.5)
		var lo, hi, wlo, whi [nr]float32
		minMaxPanel(src, k, &lo, &hi)
		for l := 0; l < k; l++ {
			for i, v := range src[l*nr : l*nr+nr] {
				wlo[i], whi[i] = min(wlo[i], v), max(whi[i], v)
			}
		}
		if lo != wlo || hi != whi {
			t.Errorf("k %d: min %v max %v, want %v %v", k, lo, hi, wlo, whi)
		}
	}
}

// TestInt8Kernels checks that each int8 kernel can be chosen, is then
// the one Int8Kernel names, and gives the same bits as the others (K =
// 320 a whole number of AMX steps, 300 not: AMX's fallback tile).
func TestInt8Kernels(t *testing.T) {
	const m, n = 40, 25
	for _, k := range []int{300, 320} {
		r := rand.New(rand.NewPCG(9, uint64(k)))
		x, w := randVals(r, m*k, 1, 0.3), PackB(randVals(r, n*k, 0.5, 0), n, k, k).Convert(Int8)
		var first []float32
		for _, name := range Int8Kernels() {
			func() {
				defer SetInt8Kernel(name)()
				if got := Int8Kernel(); got != name {
					t.Fatalf("SetInt8Kernel(%q): Int8Kernel() = %q", name, got)
				}
				y := make([]float32, m*n)
				Linear(nil, m, x, k, w, nil, ActNone, false, y, n)
				if first == nil {
					first = y
				} else if i := firstDiff(y, first); i >= 0 {
					t.Fatalf("K %d %s: y[%d] = %g, %s gives %g", k, name, i, y[i], Int8Kernels()[0], first[i])
				}
			}()
		}
	}
	ks := Int8Kernels()
	if pick := Int8Kernel(); ks[len(ks)-1] != pick {
		t.Errorf("Int8Kernels() = %v after the restores, want %q last", ks, pick)
	}
}
