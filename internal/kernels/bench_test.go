package kernels

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// Blocking sizes can be overridden for sweeps: VIT_KC, VIT_MC, VIT_NC,
// VIT_NCSMALL, VIT_MR,
// VIT_ALIASMR (0: aliased W takes the usual Mr and is copied);
// VIT_COPYW=0 reads aliased W micro-panels in place; VIT_PREFW=0 turns off
// the prefetch of W, VIT_KPF=0 its spreading over the micro-kernel's steps,
// VIT_PFX=0 the prefetch of the next pass's x, VIT_PFC=0 that of the
// tile a kernel adds to; VIT_Q8PFW=0 the int8 tiles'
// prefetch of the next W micro-panel; VIT_DPPFW=0, VIT_DPPFX=0,
// VIT_DPPFC=0 and VIT_DPXMAJOR=0 turn off the VDPBF16PS tile's prefetch
// of W, of x, of the tile added to, and its tasks' order token block by
// token block.
func init() {
	for _, v := range []struct {
		env string
		p   *int
	}{{"VIT_KC", &kcBlock}, {"VIT_MC", &mcBlock}, {"VIT_NC", &ncBlock}, {"VIT_NCSMALL", &ncSmall}, {"VIT_MR", &mr512}, {"VIT_ALIASMR", &aliasedMr512}} {
		if x, err := strconv.Atoi(os.Getenv(v.env)); err == nil && x > 0 {
			*v.p = x
		}
	}
	for _, v := range []struct {
		env string
		p   *bool
	}{{"VIT_PREFW", &prefetchW}, {"VIT_PFX", &prefetchX}, {"VIT_PFC", &prefetchC}, {"VIT_KPF", &prefetchInKernel}, {"VIT_COPYW", &copyAliasedW}, {"VIT_Q8PFW", &q8PrefetchW},
		{"VIT_DPPFW", &dpPrefetchW}, {"VIT_DPPFX", &dpPrefetchX}, {"VIT_DPPFC", &dpPrefetchC}, {"VIT_DPXMAJOR", &dpXMajor}} {
		if os.Getenv(v.env) == "0" {
			*v.p = false
		}
	}
	if os.Getenv("VIT_ALIASMR") == "0" {
		aliasedMr512 = 0 // the usual Mr, copying aliased W
	}
}

// vitShapes are the Linear shapes of ViT-B/16 at batch 1 and 8:
// M = 197·B rows, N×K = qkv 2304×768, out 768×768, fc1 3072×768, fc2 768×3072.
var vitShapes = [][3]int{
	{197, 768, 768}, {197, 2304, 768}, {197, 3072, 768}, {197, 768, 3072},
	{1576, 768, 768}, {1576, 2304, 768}, {1576, 3072, 768}, {1576, 768, 3072},
}

// vectorISAs lists the vector micro-kernel families this CPU can run (the
// ones worth timing).
func vectorISAs() []isa {
	return isas()[1:]
}

// loopFlops runs op in b.Loop and reports GFLOP/s over the whole run and,
// as best-GFLOP/s, of the fastest single op: the machine is shared, and
// the best op is the one least disturbed by other processes.
func loopFlops(b *testing.B, flopPerOp float64, op func()) {
	best := time.Duration(1 << 62)
	for b.Loop() {
		t0 := time.Now()
		op()
		best = min(best, time.Since(t0))
	}
	b.ReportMetric(flopPerOp*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	b.ReportMetric(flopPerOp/best.Seconds()/1e9, "best-GFLOP/s")
}

// BenchmarkSgemm times Linear (no bias, no activation) on the ViT shapes
// with every ISA the CPU has and reports GFLOP/s (2·M·N·K per op).
func BenchmarkSgemm(b *testing.B) {
	p := NewPool(runtime.GOMAXPROCS(0))
	defer p.Close()
	for _, s := range vectorISAs() {
		for _, sh := range vitShapes {
			m, n, k := sh[0], sh[1], sh[2]
			b.Run(fmt.Sprintf("%s/%dx%dx%d", s, m, n, k), func(b *testing.B) {
				defer setISA(s)()
				r := rand.New(rand.NewPCG(1, 1))
				a := randSlice(r, m*k)
				w := PackB(randSlice(r, n*k), n, k, k)
				c := make([]float32, m*n)
				Linear(p, m, a, k, w, nil, ActNone, false, c, n) // sizes the pool's buffers
				loopFlops(b, 2*float64(m)*float64(n)*float64(k), func() {
					Linear(p, m, a, k, w, nil, ActNone, false, c, n)
				})
			})
		}
	}
}

// BenchmarkSgemmLayers times the Linear calls of ViT-B/16's 12 encoder
// blocks (q|k|v, projection, fc1, fc2, on token panels as the forward
// runs them), each block with its own W: 340 MB in all, ten times the L3,
// so at batch 1 every W row comes from memory as in the forward, where
// BenchmarkSgemm's one W stays in cache. Reports GFLOP/s per batch.
func BenchmarkSgemmLayers(b *testing.B) {
	const blocks, d, hidden = 12, 768, 3072
	p := NewPool(runtime.GOMAXPROCS(0))
	defer p.Close()
	r := rand.New(rand.NewPCG(1, 1))
	fill := func(n int) []float32 { return randSlice(r, n) }
	type block struct{ qkv, out, fc1, fc2 *PackedB }
	ws := make([]block, blocks)
	for i := range ws {
		ws[i] = block{
			qkv: PackB(fill(3*d*d), 3*d, d, d), out: PackB(fill(d*d), d, d, d),
			fc1: PackB(fill(hidden*d), hidden, d, d), fc2: PackB(fill(d*hidden), d, hidden, hidden),
		}
	}
	for _, batch := range []int{1, 8} {
		b.Run(fmt.Sprintf("b%d", batch), func(b *testing.B) {
			m := 197 * batch
			var x, qkv, h, res Panels
			x.Pack(m, d, fill(m*d), d)
			res.Pack(m, d, fill(m*d), d)
			h.Pack(m, hidden, fill(m*hidden), hidden)
			flops := 2 * float64(m) * blocks * (3*d*d + d*d + 2*hidden*d)
			loopFlops(b, flops, func() {
				for _, w := range ws {
					LinearToPanels(p, &x, w.qkv, nil, ActNone, &qkv)
					LinearPanelsAdd(p, &x, w.out, nil, &res)
					LinearToPanels(p, &x, w.fc1, nil, ActNone, &h)
					LinearPanelsAdd(p, &h, w.fc2, nil, &res)
				}
			})
		})
	}
}

// BenchmarkLowLayers runs the Linear calls of ViT-B's 12 blocks with
// their own W (as BenchmarkSgemmLayers) in bf16 and int8 on the CPU's
// kernels (named in the run: BF16Kernel, Int8Kernel), with what
// surrounds them in a forward pass but attention: LayerNorm into qkv,
// the output projection added to the residual stream, and the MLP
// branch (LayerNorm, fc1 with GELU, fc2 added). It reports ms/image and,
// as best-ms/image, the fastest single op's. Each run makes its own
// weights, one block's float32 W at a time, so a -bench that selects one
// run converts only its precision.
func BenchmarkLowLayers(b *testing.B) {
	const blocks, d, hidden = 12, 768, 3072
	p := NewPool(runtime.GOMAXPROCS(0))
	defer p.Close()
	type block struct {
		qkv, out, fc1, fc2 *PackedB  // [3D, D], [D, D], [hidden, D], [D, hidden]
		g1, b1, g2, b2     []float32 // [D] LayerNorms
		bq, bo, bf1, bf2   []float32 // [3D], [D], [hidden], [D] biases
	}
	for _, prec := range []Precision{BF16, Int8} {
		kernel := BF16Kernel()
		if prec == Int8 {
			kernel = Int8Kernel()
		}
		b.Run(prec.String()+"-"+kernel, func(b *testing.B) { // weights only for the runs -bench selects
			r := rand.New(rand.NewPCG(1, 1))
			fill := func(n int) []float32 { return randSlice(r, n) }
			small := func(n int) []float32 { // a trained model's scale: standard deviation 0.02
				v := randSlice(r, n)
				for i := range v {
					v[i] *= 0.02
				}
				return v
			}
			low := func(n, k int) *PackedB { return PackB(small(n*k), n, k, k).Convert(prec) } // [n, k]
			ws := make([]block, blocks)
			for i := range ws {
				ws[i] = block{
					qkv: low(3*d, d), out: low(d, d), fc1: low(hidden, d), fc2: low(d, hidden),
					g1: fill(d), b1: small(d), g2: fill(d), b2: small(d),
					bq: small(3 * d), bo: small(d), bf1: small(hidden), bf2: small(d),
				}
			}
			for _, batch := range []int{1, 8} {
				b.Run(fmt.Sprintf("b%d", batch), func(b *testing.B) {
					m := 197 * batch
					var x, h, qkv, u Panels // [m, D], [m, D], [m, 3D], [m, hidden]
					x.Pack(m, d, fill(m*d), d)
					best := time.Duration(1 << 62)
					for b.Loop() {
						t0 := time.Now()
						for _, w := range ws {
							LayerNormPanels(p, &x, w.g1, w.b1, 1e-6, &h)
							LinearToPanels(p, &h, w.qkv, w.bq, ActNone, &qkv)
							LinearPanelsAdd(p, &h, w.out, w.bo, &x) // h stands in for attention's output
							LayerNormPanels(p, &x, w.g2, w.b2, 1e-6, &h)
							LinearToPanels(p, &h, w.fc1, w.bf1, ActGELU, &u)
							LinearPanelsAdd(p, &u, w.fc2, w.bf2, &x)
						}
						best = min(best, time.Since(t0))
					}
					b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N)/float64(batch), "ms/image")
					b.ReportMetric(best.Seconds()*1e3/float64(batch), "best-ms/image")
				})
			}
		})
	}
}

// BenchmarkMicroKernel times the register tile alone on L1/L2-resident
// operands (Kc = 256), with A in rows as Linear reads W: the ceiling for
// Linear.
func BenchmarkMicroKernel(b *testing.B) {
	for _, s := range vectorISAs() {
		b.Run(s.String(), func(b *testing.B) {
			defer setISA(s)()
			mr, kc := s.mr(), 256
			r := rand.New(rand.NewPCG(1, 1))
			const panels = 8
			a := randSlice(r, mr*kc) // [Mr][Kc]
			bp := randSlice(r, panels*kc*nr)
			c := make([]float32, panels*mr*nr)
			loopFlops(b, 2*float64(mr*nr*kc)*panels, func() {
				for j := 0; j < panels; j++ {
					microKernel(s, mr, nr, kc, a, kc, true, bp[j*kc*nr:], c[j*mr*nr:], nr, nil, kLoad)
				}
			})
		})
	}
}

// BenchmarkPackX times packing the activations of one ViT-B/16 fc2 call
// at batch 1 (x [197, 3072]) into token panels.
func BenchmarkPackX(b *testing.B) {
	const m, k = 197, 3072
	x := randSlice(rand.New(rand.NewPCG(1, 1)), m*k)
	dst := make([]float32, (m+nr-1)/nr*k*nr)
	b.SetBytes(m * k * 4)
	for b.Loop() {
		packBT(dst, x, m, k, k)
	}
}

// BenchmarkPoolFor times an empty For over all workers: the cost of handing
// out and collecting one call.
func BenchmarkPoolFor(b *testing.B) {
	p := NewPool(runtime.GOMAXPROCS(0))
	defer p.Close()
	fn := func(lo, hi int) {}
	for b.Loop() {
		p.For(p.Threads(), fn)
	}
}

// BenchmarkFMAPeak reports the FMA ceiling of the pool (FMAPeak over
// 50 ms per op), to read the GFLOP/s of the other benchmarks against.
func BenchmarkFMAPeak(b *testing.B) {
	p := NewPool(runtime.GOMAXPROCS(0))
	defer p.Close()
	var g float64
	for b.Loop() {
		g = max(g, FMAPeak(p, 50*time.Millisecond))
	}
	b.ReportMetric(g, "best-GFLOP/s")
}
