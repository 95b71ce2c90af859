//go:build amd64 && gc && !purego

package kernels

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// dpPath is the VDPBF16PS path of lowPaths, or ok false without
// AVX512_BF16.
func dpPath() (lp lowPath, ok bool) {
	for _, lp := range lowPaths() {
		if lp.dp {
			return lp, true
		}
	}
	return lowPath{}, false
}

// TestBF16DPSubnormal pins down the one case where the VDPBF16PS path
// and the generic bf16 code differ: VDPBF16PS treats a subnormal bf16
// input (|v| < 2⁻¹²⁶) as zero. W with subnormal values gives, on the
// VDPBF16PS path, the generic bits of W with those values zeroed, and
// not the generic bits of W itself (which keeps their products, here
// 2⁻¹⁰ and more, far above float32's rounding of the sums).
func TestBF16DPSubnormal(t *testing.T) {
	lp, ok := dpPath()
	if !ok {
		t.Skip("no AVX512_BF16")
	}
	const m, n, k = 40, 13, 70
	r := rand.New(rand.NewPCG(7, 8))
	x := randVals(r, m*k, 1, 0)
	w := randVals(r, n*k, 0.5, 0)
	wz := slices.Clone(w)
	for j := 0; j < n; j++ {
		l := (j * 5) % k
		w[j*k+l] = float32(math.Ldexp(1+float64(j%3), -130)) // bf16 subnormals
		wz[j*k+l] = 0
		x[(j%m)*k+l] = 0x1p120 // a product of 2⁻¹⁰ or more
	}
	linear := func(lp lowPath, w []float32) []float32 {
		y := make([]float32, m*n)
		onLowPath(lp, func() { Linear(nil, m, x, k, PackB(w, n, k, k).Convert(BF16), nil, ActNone, false, y, n) })
		return y
	}
	gen := lowPath{name: "generic", isa: isaGeneric}
	got := linear(lp, w)
	if i := firstDiff(got, linear(gen, wz)); i >= 0 {
		t.Fatalf("y[%d] = %g, the generic code with subnormal W zeroed gives %g", i, got[i], linear(gen, wz)[i])
	}
	if firstDiff(got, linear(gen, w)) < 0 {
		t.Fatal("VDPBF16PS gives the generic bits with subnormal W: the test does not reach them")
	}
}

// TestSetBF16Kernel checks that SetBF16Kernel reaches each kernel that
// BF16Kernels lists (BF16Kernel and DotPeakName follow) and restores the
// choice.
func TestSetBF16Kernel(t *testing.T) {
	pick := BF16Kernel()
	ks := BF16Kernels()
	if ks[len(ks)-1] != pick {
		t.Fatalf("BF16Kernels() = %v, the last is not BF16Kernel() = %q", ks, pick)
	}
	if hasBF16 && !slices.Contains(ks, "dpbf16") {
		t.Fatalf("BF16Kernels() = %v without dpbf16 on a CPU with AVX512_BF16", ks)
	}
	names := map[string]string{"fma": currentISA().String() + " FMA loop", "dpbf16": "VDPBF16PS loop", "amx": "AMX TDPBF16PS loop"}
	for _, k := range ks {
		restore := SetBF16Kernel(k)
		if got := BF16Kernel(); got != k {
			t.Errorf("SetBF16Kernel(%q): BF16Kernel() = %q", k, got)
		}
		if got := DotPeakName(BF16); got != names[k] {
			t.Errorf("SetBF16Kernel(%q): DotPeakName(BF16) = %q, want %q", k, got, names[k])
		}
		restore()
	}
	if got := BF16Kernel(); got != pick {
		t.Errorf("after restore: BF16Kernel() = %q, want %q", got, pick)
	}
}

// BenchmarkBF16DPKernel times the VDPBF16PS tile alone on cache-resident
// operands (K = 768: W 18 KiB in L1, 4 token panels 192 KiB in L2)
// against the single-thread VDPBF16PS peak measured in the same run
// (%peak), the fraction that projects the kernel to CPUs where the
// instruction is faster.
func BenchmarkBF16DPKernel(b *testing.B) {
	if !hasBF16 {
		b.Skip("no AVX512_BF16")
	}
	const kp2, panels = 384, 4
	r := rand.New(rand.NewPCG(1, 1))
	w := make([]uint16, mrDP*2*kp2) // [12][768]
	x := make([]uint16, panels*kp2*nr*2)
	for i := range w {
		w[i] = bf16Bits(r.Float32()*2 - 1)
	}
	for i := range x {
		x[i] = bf16Bits(r.Float32()*2 - 1)
	}
	acc := make([]float32, mrDP*nr) // [12][32]
	peak := DotInstrPeak(nil, BF16, 20*time.Millisecond)
	flop := 2 * float64(mrDP*nr*2*kp2) * panels
	t0 := time.Now()
	for b.Loop() {
		for j := range panels {
			bf16dpKernelAVX512(kp2, &w[0], 4*kp2, &x[j*kp2*nr*2], &acc[0], 1, &zeroBias[0], 0)
		}
	}
	g := flop * float64(b.N) / time.Since(t0).Seconds() / 1e9
	peak = max(peak, DotInstrPeak(nil, BF16, 20*time.Millisecond))
	b.ReportMetric(g, "GFLOP/s")
	b.ReportMetric(peak, "peak-GFLOP/s")
	b.ReportMetric(100*g/peak, "%peak")
}

// TestCPUVendor checks CPUID's vendor string against Linux's vendor_id
// and the VDPBF16PS path's selection by it: on with AVX512_BF16 on AMD
// alone.
func TestCPUVendor(t *testing.T) {
	_, b, c, d := cpuid(0, 0)
	var v [12]byte
	binary.LittleEndian.PutUint32(v[0:], b)
	binary.LittleEndian.PutUint32(v[4:], d)
	binary.LittleEndian.PutUint32(v[8:], c)
	vendor := string(v[:])
	if want := vendor == "AuthenticAMD" && hasBF16; hasDPBF16 != want || isAMD() != (vendor == "AuthenticAMD") {
		t.Errorf("vendor %q, AVX512_BF16 %v: hasDPBF16 = %v, isAMD() = %v", vendor, hasBF16, hasDPBF16, isAMD())
	}
	info, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip("no /proc/cpuinfo")
	}
	for _, line := range strings.Split(string(info), "\n") {
		if k, val, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "vendor_id" {
			if strings.TrimSpace(val) != vendor {
				t.Errorf("CPUID vendor %q, /proc/cpuinfo %q", vendor, strings.TrimSpace(val))
			}
			return
		}
	}
	t.Skip("no vendor_id in /proc/cpuinfo")
}

// TestLinearBF16KBlocks runs bf16 Linear with K in three blocks (lowKc)
// through each entry point (rows, rows added to, panels, panels added
// to) on every path but AMX, each path on fresh buffers, and requires
// the generic path's bits from each: the earlier blocks' sums, the
// residual and the bias are added in one order on all of them. (Rows out
// once lost a task's first tile's earlier blocks when the worker's tile
// buffer grew to the task after it.)
func TestLinearBF16KBlocks(t *testing.T) {
	const m, n, k = 37, 25, 2*lowKc + 52
	r := rand.New(rand.NewPCG(9, 10))
	x := randVals(r, m*k, 1, 0.3)
	w := PackB(randVals(r, n*k, 0.5, 0), n, k, k).Convert(BF16)
	bias, res := randVals(r, n, 1, 0), randVals(r, m*n, 2, 0)
	run := func(p *Pool, form int) []float32 {
		out := slices.Clone(res)
		var xp, yp Panels
		xp.Pack(m, k, x, k)
		switch form {
		case 0, 1:
			Linear(p, m, x, k, w, bias, ActNone, form == 1, out, n)
		case 2:
			LinearToPanels(p, &xp, w, bias, ActNone, &yp)
			yp.Unpack(out, n)
		case 3:
			yp.Pack(m, n, res, n)
			LinearPanelsAdd(p, &xp, w, bias, &yp)
			yp.Unpack(out, n)
		}
		return out
	}
	var want [4][]float32
	for _, lp := range lowPaths() {
		if lp.amx {
			continue
		}
		for form := range want {
			var got []float32
			p := NewPool(1)
			onLowPath(lp, func() { got = run(p, form) })
			p.Close()
			if want[form] == nil {
				want[form] = got
			} else if i := firstDiff(got, want[form]); i >= 0 {
				t.Errorf("%s, form %d: y[%d] = %g, the generic path gives %g", lp.name, form, i, got[i], want[form][i])
			}
		}
	}
}

// TestBF16PairOrder checks that a bf16 form gives the generic bits on
// every path whichever path it was made on: the VDPBF16PS path reads its
// pairs in order, the others swapped, and a call on the other kind turns
// the whole form over in place (pairOrder), row views included (a view
// runs first on alternate paths, and the test fails unless views turn
// forms over both ways); rows set after a turn are stored in the order
// of the moment, and checked after the last too. K reaches rows 4 KiB
// apart, which blockDP copies or reads in place by the caches (dpCopiesW;
// both run), and the odd and short rows it reads in place.
func TestBF16PairOrder(t *testing.T) {
	dp, ok := dpPath()
	if !ok {
		t.Skip("no AVX512_BF16")
	}
	gen := lowPath{name: "generic", isa: isaGeneric}
	paths := lowPaths()
	const m, n = 40, 25
	defer func(v int) { aliasedMr512 = v }(aliasedMr512)
	// K = 2048: rows 4 KiB apart, copied (aliasedMr512 0) and in place (12).
	for _, c := range []struct{ k, inPlace int }{{33, -1}, {768, -1}, {2048, 0}, {2048, mrDP}, {2050, -1}} {
		k := c.k
		aliasedMr512 = c.inPlace
		if dpCopiesW(k) != (c.inPlace == 0) {
			t.Fatalf("k %d, aliasedMr512 %d: dpCopiesW %v", k, c.inPlace, dpCopiesW(k))
		}
		viewFlips := map[bool]bool{} // pairs in order before → a row view's call turned the form over
		r := rand.New(rand.NewPCG(uint64(k), 9))
		x := randVals(r, m*k, 1, 0)
		w := randVals(r, n*k, 0.5, 0)
		bias := randVals(r, n, 1, 0)
		linear := func(lp lowPath, wb *PackedB, rows int) []float32 {
			y := make([]float32, m*rows)
			onLowPath(lp, func() { Linear(nil, m, x, k, wb, bias[n-rows:], ActNone, false, y, rows) })
			return y
		}
		var want []float32
		onLowPath(gen, func() { want = linear(gen, PackB(w, n, k, k).Convert(BF16), n) })
		for _, made := range []lowPath{gen, dp} {
			var wb *PackedB
			onLowPath(made, func() { wb = PackB(w, n, k, k).Convert(BF16) })
			if nat := wb.lp.ord.nat.Load(); nat != made.dp {
				t.Fatalf("k %d made on %s: pairs in order %v", k, made.name, nat)
			}
			view := wb.RowRange(n-13, n) // the last 13 rows, the bias's last 13
			whole := func(lp lowPath) {
				if i := firstDiff(linear(lp, wb, n), want); i >= 0 {
					t.Fatalf("k %d made on %s, run on %s: y[%d] differs from the generic bits", k, made.name, lp.name, i)
				}
			}
			part := func(lp lowPath) {
				got := linear(lp, view, 13)
				for i := range m {
					if j := firstDiff(got[i*13:(i+1)*13], want[i*n+n-13:(i+1)*n]); j >= 0 {
						t.Fatalf("k %d made on %s, row view run on %s: y[%d, %d] differs", k, made.name, lp.name, i, j)
					}
				}
			}
			var last lowPath
			for i, lp := range append(append([]lowPath{dp}, paths...), dp) {
				if lp.amx && !amxFits(BF16, wb.lp.kp) {
					continue
				}
				// The view first on alternate paths (shifted by one for
				// the form made in order), so that views turn the form
				// over both ways.
				if viewFirst := (i%2 == 1) != made.dp; viewFirst {
					nat := wb.lp.ord.nat.Load()
					part(lp)
					viewFlips[nat] = viewFlips[nat] || wb.lp.ord.nat.Load() != nat
					whole(lp)
				} else {
					whole(lp)
					part(lp)
				}
				wb.SetRows(3, w[3*k:], 5, k) // the same values again, in the present order
				last = lp
			}
			whole(last) // the last rows set
			part(last)
		}
		for _, from := range []bool{false, true} {
			if !viewFlips[from] {
				t.Fatalf("k %d: no row view turned a form over from pairs in order %v", k, from)
			}
		}
	}
}

// TestDPRows checks dpRows, the attention's VDPBF16PS products, against
// VDPBF16PS's arithmetic in Go (each pair's product at 2p+1 added first,
// then 2p, each sum rounded): every row count to 3 tiles and more
// (12-row tiles and the 4- and 8-row short ones), odd and one-pair K, a
// row stride past the row, both widths (tokens 16–31 zero when not
// wide), no write past the rows (or past 12 of them, below 12), and the
// columns' maxima merged into a vector.
func TestDPRows(t *testing.T) {
	if !hasBF16 || !hasAVX512 {
		t.Skip("no AVX512_BF16")
	}
	r := rand.New(rand.NewPCG(3, 4))
	for _, kp2 := range []int{1, 3, 32, 99} {
		for rows := 1; rows <= 3*mrDP+5; rows++ {
			for _, wide := range []bool{true, false} {
				lda := 2*kp2 + 6
				n := max(rows, mrDP)
				a := make([]uint16, n*lda)    // [n][lda], pairs in order
				b := make([]uint16, kp2*nr*2) // [kp2][32][2]
				for i := range a {
					a[i] = bf16Bits(r.Float32()*2 - 1)
				}
				for i := range b {
					b[i] = bf16Bits(r.Float32()*2 - 1)
				}
				c := make([]float32, (n+1)*nr) // [n+1][32], a guard row
				for i := range c {
					c[i] = float32(math.NaN())
				}
				var mx, mx0 []float32            // [32] maxima merged into, on odd row counts
				if rows%2 == 1 && rows >= mrDP { // below 12 rows the softmax takes its own
					mx = make([]float32, nr)
					for j := range mx {
						mx[j] = float32(math.Inf(-1))
						if j%3 == 0 {
							mx[j] = 0.25
						}
					}
					mx0 = slices.Clone(mx)
				}
				dpRows(a, lda, b, kp2, c, rows, wide, mx, nil, 0)
				f := func(v uint16) float32 { return math.Float32frombits(uint32(v) << 16) }
				for j := range mx {
					want := mx0[j]
					for i := range rows {
						want = max(want, c[i*nr+j])
					}
					if mx[j] != want {
						t.Fatalf("kp2 %d rows %d wide %v: column %d's maximum %v, want %v", kp2, rows, wide, j, mx[j], want)
					}
				}
				for i := range n + 1 {
					for j := range nr {
						got := c[i*nr+j]
						var want float32
						switch {
						case i >= rows && (rows >= mrDP || i >= mrDP):
							if got == got {
								t.Fatalf("kp2 %d rows %d wide %v: c[%d][%d] = %v written past the rows", kp2, rows, wide, i, j, got)
							}
							continue
						case i >= rows:
							continue
						case wide || j < 16:
							for p := range kp2 {
								want += f(b[(p*nr+j)*2+1]) * f(a[i*lda+2*p+1])
								want += f(b[(p*nr+j)*2]) * f(a[i*lda+2*p])
							}
						}
						if math.Float32bits(got) != math.Float32bits(want) {
							t.Fatalf("kp2 %d rows %d wide %v: c[%d][%d] = %v, want %v", kp2, rows, wide, i, j, got, want)
						}
					}
				}
			}
		}
	}
}

// BenchmarkDPRows times dpRows at the attention's shapes for ViT-B/16
// (scores: 197 key rows × 32 feature pairs; P·V: 64 feature rows × 99
// key pairs), operands in cache, GFLOP/s of the rows asked for.
func BenchmarkDPRows(b *testing.B) {
	if !hasBF16 || !hasAVX512 {
		b.Skip("no AVX512_BF16")
	}
	for _, c := range [][2]int{{197, 32}, {64, 99}} {
		rows, kp2 := c[0], c[1]
		b.Run(fmt.Sprintf("%dx%d", rows, 2*kp2), func(b *testing.B) {
			a := make([]uint16, max(rows, mrDP)*2*kp2) // [rows][2·kp2]
			x := make([]uint16, kp2*nr*2)              // [kp2][32][2]
			out := make([]float32, max(rows, mrDP)*nr) // [rows][32]
			var mx []float32                           // [32] the scores' maxima, as the attention takes them
			if kp2 == 32 {
				mx = make([]float32, nr)
			}
			loopFlops(b, 2*float64(rows*nr*2*kp2), func() {
				dpRows(a, 2*kp2, x, kp2, out, rows, true, mx, nil, 0)
			})
		})
	}
}

// TestBF16DPPrefetch runs blockDP with and without each of its
// prefetches (the next W micro-panel, the next token panel in a pass's
// first micro-panel, the tile added to) and both task orders, on shapes
// whose tasks hold several micro-panels and token panels (a narrow last
// one), with K in one block and in three, and K = 2048 (W copied per
// micro-panel: dpCopiesW, where the ways are few), on one and two
// workers, and requires the generic path's bits from each: prefetching
// and the order of tasks change no sum.
func TestBF16DPPrefetch(t *testing.T) {
	dp, ok := dpPath()
	if !ok {
		t.Skip("no AVX512_BF16")
	}
	defer func(w, x, c, o bool) {
		dpPrefetchW, dpPrefetchX, dpPrefetchC, dpXMajor = w, x, c, o
	}(dpPrefetchW, dpPrefetchX, dpPrefetchC, dpXMajor)
	gen := lowPath{name: "generic", isa: isaGeneric}
	const n = 16*mrDP + 7 // 17 micro-panels, the last of 7 rows
	defer func(a int) { aliasedMr512 = a }(aliasedMr512)
	for _, c := range []struct{ m, k int }{{100, 768}, {300, 768}, {100, 2*lowKc + 52}, {300, 2048}} {
		aliasedMr512 = -1 // the caches'
		if c.k == 2048 {
			aliasedMr512 = 0 // as few L1 ways as Zen 4's: W copied (dpCopiesW)
		}
		r := rand.New(rand.NewPCG(uint64(c.m), uint64(c.k)))
		x := randVals(r, c.m*c.k, 1, 0.3)
		w := PackB(randVals(r, n*c.k, 0.5, 0), n, c.k, c.k).Convert(BF16)
		bias, res := randVals(r, n, 1, 0), randVals(r, c.m*n, 2, 0)
		run := func(p *Pool, add bool) []float32 {
			var xp, yp Panels
			xp.Pack(c.m, c.k, x, c.k)
			out := make([]float32, c.m*n)
			if add {
				yp.Pack(c.m, n, res, n)
				LinearPanelsAdd(p, &xp, w, bias, &yp)
			} else {
				LinearToPanels(p, &xp, w, bias, ActNone, &yp)
			}
			yp.Unpack(out, n)
			return out
		}
		for _, add := range []bool{false, true} {
			var want []float32
			onLowPath(gen, func() { want = run(nil, add) })
			for v := range 16 {
				dpPrefetchW, dpPrefetchX, dpPrefetchC, dpXMajor = v&1 != 0, v&2 != 0, v&4 != 0, v&8 != 0
				for _, threads := range []int{1, 2} {
					p := NewPool(threads)
					var got []float32
					onLowPath(dp, func() { got = run(p, add) })
					p.Close()
					if i := firstDiff(got, want); i >= 0 {
						t.Errorf("m %d, k %d, add %v, prefetch W %v, x %v, c %v, x-major %v, %d workers: y[%d] = %g, the generic path gives %g",
							c.m, c.k, add, dpPrefetchW, dpPrefetchX, dpPrefetchC, dpXMajor, threads, i, got[i], want[i])
					}
				}
			}
		}
	}
}
