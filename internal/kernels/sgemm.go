package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Packed, cache-blocked SGEMM behind Linear.
//
// C [M, N] = A [M, K] · Wᵀ with W [N, K] packed once by PackB into panels of
// nr = 32 columns of C: panel jp holds W[jp·32 .. jp·32+31][0..K-1] stored
// K-major ([K][32]), zero padded past N. A is not packed: the micro-kernel
// broadcasts A(i, l) straight from Mr rows of A (Mr depends on the ISA),
// which walks Mr sequential streams; a packed copy of A cost 4–7% of the
// time at M = 197 and bought nothing measurable.
//
// C is cut into tasks: balanced M blocks of at most Mc rows × N blocks of
// at most Nc columns (narrowed until there are 4 tasks per worker). Workers
// take tasks in order from an atomic counter, so one slowed by other
// processes on its core takes fewer. One task (Goto/BLIS order inside):
//
//	for pc in K, step Kc                  // Mc×Kc of A and Kc×Nc of B stay in L2
//	  for jr in the task's panels         // Kc×32 of B
//	    for ir in the task's micro-panels // Mr×Kc of A
//	      micro-kernel Mr×32, load C unless pc is the first block;
//	      after the last K block: bias in the kernel
//	then the activation over the task's block of C, still in L2.

const (
	nr    = 32 // columns of a packed panel and of a micro-tile
	mrMax = 14 // largest Mr of any micro-kernel
)

// Blocking sizes, variables so benchmarks can sweep them (VIT_KC, VIT_MC,
// VIT_NC). Zen 4 (this project's reference machine) has 32 KiB L1d and
// 1 MiB L2 per core. A Kc×32 B micro-panel (48 KiB at Kc = 384) streams
// from L2 at 128 bytes per 24 FMA cycles, far below L2 bandwidth, so Kc is
// sized for L2, not L1: an A block Mc×Kc (240×384×4 = 360 KiB) and a B block
// Kc×Nc (384×256×4 = 384 KiB) fit in L2 together. A sweep (single thread,
// best of 12–30 runs on the ViT shapes) put Kc 384–768 about 3% ahead of
// 192–256, with Mc and Nc within noise.
var (
	kcBlock = 384 // Kc: K columns per block (K is cut into equal blocks ≤ Kc)
	mcBlock = 240 // Mc: rows of A per block (rounded down to Mr); 197 rows make one block
	ncBlock = 256 // Nc: columns of C per block (multiple of nr)
)

// PackedB is a weight matrix W [N, K] (the nn.Linear layout [out, in])
// packed once into the micro-kernel's panel layout.
type PackedB struct {
	N, K int
	p    []float32 // [ceil(N/32)][K][32] panels, zero padded past N
}

// PackB packs b [n, k] with leading dimension ldb. Large matrices are
// packed by GOMAXPROCS goroutines, each taking a share of the panels.
func PackB(b []float32, n, k, ldb int) *PackedB {
	np := (n + nr - 1) / nr
	w := &PackedB{N: n, K: k, p: make([]float32, np*k*nr)}
	t := min(runtime.GOMAXPROCS(0), np)
	if t <= 1 || n*k < 1<<18 {
		packBT(w.p, b, n, k, ldb, 1)
		return w
	}
	var wg sync.WaitGroup
	for i := 0; i < t; i++ {
		p0, p1 := split(np, t, i)
		wg.Go(func() {
			if p0 < p1 {
				packBT(w.p[p0*k*nr:], b[p0*nr*ldb:], min(n, p1*nr)-p0*nr, k, ldb, 1)
			}
		})
	}
	wg.Wait()
	return w
}

// packBT packs b [n, k] (leading dimension ldb) into dst
// [ceil(n/32)][k][32] panels scaled by s, zero padding past n; full
// unscaled panels go to the vector gather kernel when there is one.
func packBT(dst, b []float32, n, k, ldb int, s float32) {
	for jp := 0; jp*nr < n; jp++ {
		panel := dst[jp*k*nr : (jp+1)*k*nr]
		cols := min(nr, n-jp*nr)
		if cols == nr && s == 1 && packPanelFast(panel, b[jp*nr*ldb:], k, ldb) {
			continue
		}
		packBTGeneric(panel, b[jp*nr*ldb:], cols, k, ldb, s)
	}
}

// packBTGeneric packs the cols ≤ 32 rows of b (leading dimension ldb)
// into one panel [k][32], scaled by s, zero padded.
func packBTGeneric(panel, b []float32, cols, k, ldb int, s float32) {
	if cols < nr {
		clear(panel[:k*nr])
	}
	var rows [nr][]float32 // the panel's rows of b, [k] each
	for j := 0; j < cols; j++ {
		rows[j] = b[j*ldb : j*ldb+k]
	}
	for l := 0; l < k; l++ {
		d := (*[nr]float32)(panel[l*nr:])
		for j := 0; j < cols; j++ {
			d[j] = rows[j][l] * s
		}
	}
}

// packBN packs b [k, n] (leading dimension ldb, i.e. not transposed) into
// dst [ceil(n/32)][k][32] panels, zero padding past n.
func packBN(dst, b []float32, k, n, ldb int) {
	for jp := 0; jp*nr < n; jp++ {
		panel := dst[jp*k*nr : (jp+1)*k*nr]
		cols := min(nr, n-jp*nr)
		if cols < nr {
			clear(panel)
		}
		for l := 0; l < k; l++ {
			src := b[l*ldb+jp*nr : l*ldb+jp*nr+cols]
			if cols == nr { // a fixed-size copy compiles to inline moves
				*(*[nr]float32)(panel[l*nr:]) = *(*[nr]float32)(src)
			} else {
				copy(panel[l*nr:], src)
			}
		}
	}
}

// Linear computes, for each of the m rows of a [m, K] (leading dimension lda),
//
//	y = act(a·Wᵀ + bias)      // y [m, N]
//	c = y        if !accumulate
//	c = c + y    if accumulate (a fused residual add)
//
// into c (leading dimension ldc). bias may be nil.
func Linear(p *Pool, m int, a []float32, lda int, w *PackedB, bias []float32, act Act, accumulate bool, c []float32, ldc int) {
	if m <= 0 || w.N == 0 {
		return
	}
	p = orSerial(p)
	p.lock()
	defer p.unlock()
	if w.K == 0 {
		linearNoK(m, w.N, bias, act, accumulate, c, ldc)
		return
	}
	g := &p.gemm
	*g = gemmJob{
		p: p, isa: currentISA(), m: m, n: w.N, k: w.K,
		a: a, lda: lda, w: w, bias: bias, act: act, accumulate: accumulate, c: c, ldc: ldc,
	}
	g.mr = g.isa.mr()
	g.accAct = accumulate && act != ActNone
	kc := kcBlock
	if g.accAct { // y must be formed whole before it is added to c
		kc = g.k
	}
	nk := (g.k + kc - 1) / kc
	g.kc = (g.k + nk - 1) / nk // equal blocks
	g.mPanels = (m + g.mr - 1) / g.mr
	g.nPanels = (g.n + nr - 1) / nr
	if aliased(g.lda, g.mr) {
		// The Mr rows of A would share a few L1 sets (e.g. K = 3072: every
		// row 12 KiB apart maps to one set); copy A with a padded stride.
		g.lda = (g.k+15)&^15 + 16
		if len(p.padA) < m*g.lda {
			p.padA = make([]float32, m*g.lda)
		}
		g.a = p.padA[:m*g.lda]
		g.src, g.srcLd = a, lda
		g.phase = phaseCopyA
		p.run(m, g)
	}
	g.phase = phaseCompute
	// Tasks: balanced M blocks of at most Mc rows × N blocks of at most Nc
	// columns, narrowed until there are 4 tasks per worker, handed out in
	// order through an atomic counter so a worker slowed by other
	// processes simply takes fewer.
	t := p.workers()
	g.nMB = (g.mPanels + mcBlock/g.mr - 1) / max(1, mcBlock/g.mr)
	g.ncT = max(1, ncBlock/nr)
	for g.ncT > 1 && g.nMB*((g.nPanels+g.ncT-1)/g.ncT) < 4*t {
		g.ncT /= 2
	}
	g.tasks = g.nMB * ((g.nPanels + g.ncT - 1) / g.ncT)
	g.next.Store(0)
	p.run(min(t, g.tasks), g)
	g.a, g.src, g.c, g.bias, g.w = nil, nil, nil, nil, nil
}

// aliased reports whether mr rows lda floats apart crowd more than four
// of them into one set of a 64-set, 64-byte-line L1 (32 KiB, 8 ways), where
// with the B and C lines they would evict each other every step.
func aliased(lda, mr int) bool {
	var sets [64]uint8
	for i := 0; i < mr; i++ {
		s := (i * lda * 4 / 64) % 64
		if sets[s]++; sets[s] > 4 {
			return true
		}
	}
	return false
}

const (
	phaseCompute = iota
	phaseCopyA
)

func linearNoK(m, n int, bias []float32, act Act, accumulate bool, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var y float32
			if bias != nil {
				y = bias[j]
			}
			y = applyAct(act, y)
			if accumulate {
				c[i*ldc+j] += y
			} else {
				c[i*ldc+j] = y
			}
		}
	}
}

// gemmJob is one Linear call, kept in the Pool so handing it to the
// workers does not allocate.
type gemmJob struct {
	p          *Pool
	isa        isa
	m, n, k    int
	mr, kc     int
	mPanels    int
	nPanels    int
	phase      int
	a          []float32 // [m, k] leading dimension lda
	lda        int
	src        []float32 // phaseCopyA: the caller's A, leading dimension srcLd
	srcLd      int
	w          *PackedB
	bias       []float32 // [n] or nil
	act        Act
	accumulate bool
	accAct     bool      // accumulate with an activation: form y in a tile, then add
	c          []float32 // [m, n] leading dimension ldc
	ldc        int
	nMB        int          // M blocks (balanced, each at most Mc rows)
	ncT        int          // panels per N block
	tasks      int          // nMB × N blocks
	next       atomic.Int64 // next task to hand out
}

func (g *gemmJob) run(w, lo, hi int) {
	if g.phase == phaseCopyA {
		for i := lo; i < hi; i++ {
			copy(g.a[i*g.lda:i*g.lda+g.k], g.src[i*g.srcLd:i*g.srcLd+g.k])
		}
		return
	}
	ws := &g.p.scratch[w]
	for {
		t := int(g.next.Add(1) - 1)
		if t >= g.tasks {
			return
		}
		mb, nb := t%g.nMB, t/g.nMB
		m0, m1 := split(g.mPanels, g.nMB, mb)
		n0 := nb * g.ncT
		g.block(ws, m0, m1, n0, min(n0+g.ncT, g.nPanels))
	}
}

// block computes the C micro-tiles of micro-panels [m0, m1) × panels
// [n0, n1): A's block (≤ Mc×Kc) and B's (Kc × ≤ Nc) stay in L2 while the
// micro-kernel runs over them.
func (g *gemmJob) block(ws *workerScratch, m0, m1, n0, n1 int) {
	for pc := 0; pc < g.k; pc += g.kc {
		kb := min(g.kc, g.k-pc)
		first, last := pc == 0, pc+kb == g.k
		for jr := n0; jr < n1; jr++ {
			for ir := m0; ir < m1; ir++ {
				g.tile(ws, ir, jr, pc, kb, first, last)
			}
		}
	}
	if g.act != ActNone && !g.accAct {
		// the activation over the finished block, still in L2, in rows of
		// up to Nc values: long enough calls to hide the latency of the
		// vector GELU
		c0, c1 := n0*nr, min(n1*nr, g.n)
		for i := m0 * g.mr; i < min(m1*g.mr, g.m); i++ {
			Activate(g.act, g.c[i*g.ldc+c0:i*g.ldc+c1])
		}
	}
}

// tile runs the micro-kernel for micro-panel ir, panel jr and the K block
// [pc, pc+kb), and the epilogue after the last K block.
func (g *gemmJob) tile(ws *workerScratch, ir, jr, pc, kb int, first, last bool) {
	r0 := ir * g.mr
	mr := min(g.mr, g.m-r0)
	c0 := jr * nr
	cols := min(nr, g.n-c0)
	a := g.a[r0*g.lda+pc:]
	b := g.w.p[jr*g.k*nr+pc*nr:]
	flags := 0
	if !first || (g.accumulate && !g.accAct) {
		flags |= kLoad
	}
	var bias []float32
	if last && g.bias != nil {
		flags |= kBias
		bias = g.bias[c0:]
	}
	c := g.c[r0*g.ldc+c0:]
	if cols == nr && !g.accAct {
		microKernel(g.isa, mr, kb, a, g.lda, true, b, c, g.ldc, bias, flags)
		return
	}
	t := ws.tile[:mr*nr] // [mr, 32]
	if flags&kLoad != 0 {
		for i := 0; i < mr; i++ {
			copy(t[i*nr:i*nr+cols], c[i*g.ldc:i*g.ldc+cols])
		}
	}
	if bias != nil {
		copy(ws.biasT[:cols], bias[:cols])
		clear(ws.biasT[cols:])
		bias = ws.biasT[:]
	}
	microKernel(g.isa, mr, kb, a, g.lda, true, b, t, nr, bias, flags)
	for i := 0; i < mr; i++ {
		ti := t[i*nr : i*nr+cols]
		ci := c[i*g.ldc : i*g.ldc+cols]
		if g.accAct {
			Activate(g.act, ti)
			for j, v := range ti {
				ci[j] += v
			}
		} else {
			copy(ci, ti)
		}
	}
}

// Micro-kernel flags.
const (
	kLoad = 1 // add the existing C tile
	kBias = 2 // add bias[0:32] to every row
)

// isa names a family of micro-kernels.
type isa int

const (
	isaGeneric isa = iota
	isaAVX2
	isaAVX512
)

func (s isa) String() string {
	switch s {
	case isaAVX2:
		return "avx2"
	case isaAVX512:
		return "avx512"
	}
	return "generic"
}

// mr is the row count of the family's micro-tile.
func (s isa) mr() int {
	switch s {
	case isaAVX2:
		return 6
	case isaAVX512:
		return mr512
	}
	return 4
}

// mr512 is Mr of the AVX-512 kernel (≤ mrMax), a variable for benchmarks.
var mr512 = 12

// currentISA picks the best family the CPU flags (set once in init) allow.
func currentISA() isa {
	switch {
	case hasAVX512:
		return isaAVX512
	case hasAVX2:
		return isaAVX2
	}
	return isaGeneric
}

// serial is the pool used when a nil *Pool is passed to a kernel.
var serial = NewPool(1)

func orSerial(p *Pool) *Pool {
	if p == nil {
		return serial
	}
	return p
}
