package kernels

import (
	"strconv"
	"sync"
)

// Cache-blocked SGEMM behind Linear, with the weights used in place.
//
// y [M, N] = x [M, K] · Wᵀ with W [N, K] row-major as the checkpoint
// stores it (nn.Linear [out, in]), never copied or packed: the kernel
// computes the transposed tile yᵀ[j, i] = Σ_k W[j, k]·x[i, k] with W's rows
// as the broadcast operand "A" (Mr rows read in place, stride K) and the
// activations x as the streamed operand "B", in panels of nr = 32 tokens
// ([ceil(M/32)][K][32], see Panels): packed once per call by Linear (M×K
// values, a 1/N share of the call's work) or handed over already packed
// to LinearToPanels and LinearPanelsAdd. The micro-kernel writes its
// Mr×32 tile of yᵀ, bias (one value per W row) added in registers, to a
// per-worker buffer; when the tile's last K block is done, while it is in
// L1, the activation is applied and the tile is transposed into c, stored
// or added (the fused residual). LinearToPanels instead points the
// micro-kernel at its output panels: a tile of yᵀ is a piece of a token
// panel of y, so there is no transpose at all; LinearPanelsAdd does the
// same with the micro-kernel's C load on, adding to a residual stream
// kept in panels. The micro-panel of W after the current one is
// prefetched into L2 a slice per token panel (at batch 1 each W row comes
// from memory once per call), by the micro-kernel itself, a line every
// few steps, where that micro-panel is one stretch of memory. Where a
// task has a next pass over other x (its next K block, or the next
// task's token block), the first kernel of each W micro-panel prefetches
// W's next micro-panel whole and the others share that x among them: the
// x block otherwise comes from L3 (packed, or written by the previous op,
// often on the other core) on each pass's first micro-panel, which at
// batch 8 ran 1.6× (K = 768) to 2.7× (fc2) slower than the rest.
//
// The last token panel of a call (M = 197 leaves 5 tokens) runs a kernel
// 8 or 16 columns wide, so padding costs at most 7 columns of work. On
// AVX-512 the 8-column kernel holds two W rows a vector (kernPairs8), so
// that its FMAs are 16 lanes wide: 1.4× the ymm kernel's speed, and a
// batch-1 ViT-B/16 forward 2% faster.
//
// Every kernel width computes an output value the same way: one FMA per
// K step in K order, from zero, in Kc blocks that depend on K alone, then
// the bias, then the value loaded from C. So a token's output does not
// depend on the call's M, on the panel or lane it falls in, or on the
// tasks and threads, and an image's logits are the same bits at any batch
// size and thread count (TestLinearBatchInvariant).
//
// yᵀ is cut into tasks: balanced blocks of at most Mc W rows × blocks of at
// most Nc tokens (Mc narrowed until there are 4 tasks per worker; Nc
// narrowed to ncSmall where W's block stays in L2). Each worker takes the
// tasks of its own contiguous share in order, from an atomic counter, then
// those left in the others' shares, so it streams its own part of W and a
// worker slowed by other processes takes fewer; a share's last task runs
// in tailParts parts, so that the workers end together. At batch 1 all
// tokens form one block, so each W row streams from memory once per call.
// One task:
//
//	for pc in K, step Kc                 // Kc×Nc of packed x, from L2/L3
//	  for ir in the task's W micro-panels // Mr×Kc of W (if its stride aliases: 8 rows on AVX-512, else copied)
//	    for jr in the task's token panels  // Kc×32 of packed x
//	      micro-kernel Mr×32 into the task's yᵀ buffer (or y's panel),
//	      loading it unless pc = 0 (always, for LinearPanelsAdd);
//	      after the last K block: bias in the kernel, then activation and
//	      transposed store of the tile into c (none for panels)

const (
	nr    = 32 // tokens in a packed panel of x and columns of a micro-tile
	mrMax = 14 // largest Mr of any micro-kernel
)

// Blocking sizes, variables so benchmarks can sweep them (VIT_KC, VIT_MC,
// VIT_NC). Zen 4 (this project's reference machine) has 32 KiB L1d and
// 1 MiB L2 per core. A Kc×32 panel of packed x streams from L2 at 128
// bytes per 24 FMA cycles, far below L2 bandwidth, and so does an Mr×Kc
// micro-panel of W (48 KiB at Kc = 1024). A single-thread sweep on the
// ViT shapes (Kc 384–1024 × Mc 48–192) put Kc = 1024, Mc = 192 ahead on
// K = 3072 (fc2: 6% over Kc = 384, fewer passes over the yᵀ block) and
// within noise elsewhere; K = 768 is then a single block.
var (
	kcBlock = 1024 // Kc: K columns per block (K is cut into equal blocks ≤ Kc)
	mcBlock = 192  // Mc: W rows per task (rounded down to Mr)
	ncBlock = 256  // Nc: tokens per task (multiple of nr); 197 tokens make one block
	ncSmall = 64   // Nc when a task's W block stays in L2 (multiple of nr)
)

// l2WBlock is the largest W block (Mc rows × K, in bytes) taken to stay in
// L2 from one task to the next, beside a block of ncSmall tokens: half the
// 2 MiB L2 of the Xeons this was measured on, all of Zen 4's 1 MiB.
const l2WBlock = 1 << 20

// copyAliasedW copies each Mr×Kc micro-panel of W whose row stride
// crowds an L1 set (see aliased) to a padded buffer before use; a
// variable for benchmarks (VIT_COPYW=0 turns it off).
var copyAliasedW = true

// prefetchW turns on the prefetch of each next W micro-panel; a variable
// for benchmarks (VIT_PREFW=0 turns it off).
var prefetchW = true

// prefetchC has the micro-kernels that add to a tile (kLoad) prefetch it
// at their start: the residual stream's tile, which another op wrote,
// comes from L3 or memory, and the sums wait on it after the K loop. A
// variable for benchmarks (VIT_PFC=0 turns it off).
var prefetchC = true

// prefetchInKernel lets the micro-kernels prefetch the next W micro-panel
// where they can; a variable for benchmarks (VIT_KPF=0 turns it off).
var prefetchInKernel = true

// aliasedMr512 is the AVX-512 Mr for a W whose stride aliases (0: the
// usual Mr, with the copy; −1: the default, by the caches, see
// aliasedInPlace). A variable for benchmarks (VIT_ALIASMR).
var aliasedMr512 = -1

// caches holds the first CPU's L1d associativity and L2 size (cacheInfo:
// from sysfs, CPUID or zen4Caches), read the first time a product needs
// them (not at start-up: most commands never multiply).
var caches = sync.OnceValue(cacheInfo)

// cacheGeom is what the blocking reads of the caches (0: not known).
type cacheGeom struct {
	l1Ways  int // L1 data cache associativity
	l2Bytes int // L2 per core
}

// or returns c with each field that c does not know (0) taken from d.
func (c cacheGeom) or(d cacheGeom) cacheGeom {
	if c.l1Ways == 0 {
		c.l1Ways = d.l1Ways
	}
	if c.l2Bytes == 0 {
		c.l2Bytes = d.l2Bytes
	}
	return c
}

// aliasedInPlace returns how many rows of an aliased W the AVX-512 kernels
// read in place, all in the one L1 set they share, or 0 to copy each
// micro-panel to a padded stride instead (aliasedMr512 = −1).
//
// In place, the rows take as many ways as the L1 has, up to Mr: on Zen 4
// (8 ways, 1 MiB L2) 8 rows in place cost less than 12 rows copied (ViT-B's
// fc2, stride 12 KiB: 3% faster, within 1% of a W padded at load), and the
// Xeons (12 ways, 2 MiB L2) read the full 12 rows in place. Where the full
// Mr rows would fill every way of a 1 MiB L2's core (Zen 5: 12 ways), the
// tile's x lines evict them on each token panel and the rows come back
// from L2 each time: there the copy is faster, most at batch 1, where each
// W micro-panel serves 7 token panels once (ViT-B/16, 2 threads, all 48
// Linear calls with their own W, alternating: 7–11% more GFLOP/s at
// batch 1, 0–3% at batch 8).
//
// c is caches(): each field from Linux's sysfs (cpu0's cache/index0 and
// index2), else from CPUID (leaf 4, AMD's 0x8000001D, or AMD's legacy
// 0x80000005 and 0x80000006: a Zen 5 VM whose sysfs has no cache
// directories reports its 12 ways only there), else Zen 4's
// (zen4Caches), which reads 8 rows in place.
func aliasedInPlace(mr int, c cacheGeom) int {
	if c.l1Ways >= mr && c.l2Bytes < 2<<20 {
		return 0
	}
	return min(mr, c.l1Ways)
}

// inPlaceMr is aliasedMr512 resolved: the rows of an aliased W the
// AVX-512 kernels read in place, 0 to copy its micro-panels.
func inPlaceMr() int {
	if aliasedMr512 < 0 {
		return aliasedInPlace(mr512, caches())
	}
	return aliasedMr512
}

// zen4Caches is the cache geometry assumed for each field that neither
// Linux's sysfs nor CPUID reports (cacheInfo), and without assembly,
// where nothing reads it: AMD Zen 4's 8-way L1d and 1 MiB L2.
var zen4Caches = cacheGeom{l1Ways: 8, l2Bytes: 1 << 20}

// PackedB is a weight matrix W [N, K] (the nn.Linear layout [out, in])
// as Linear uses it: a view of the caller's row-major values, which must
// stay alive and unchanged while the PackedB is used, possibly stacked
// from several row blocks (StackB).
type PackedB struct {
	N, K  int
	parts []wBlock // row blocks, in order (float32)
	lp    *lowForm // the bf16 or int8 values instead, or nil (see Convert)
}

// wBlock is one row block of a PackedB.
type wBlock struct {
	w    []float32 // [rows, K] leading dimension ld, in place
	ld   int
	rows int
}

// PackB returns the Linear operand for b [n, k] with leading dimension
// ldb. It copies nothing: Linear reads the rows of b in place (a memory-
// mapped checkpoint stays mapped and untouched until the first call).
func PackB(b []float32, n, k, ldb int) *PackedB {
	if n > 0 && k > 0 {
		_ = b[(n-1)*ldb+k-1]
	}
	return &PackedB{N: n, K: k, parts: []wBlock{{w: b, ld: ldb, rows: n}}}
}

// StackB returns the operand whose rows are those of ws in order, all with
// the same K: separate q, k and v weights used as one [3D, D] matrix.
func StackB(ws ...*PackedB) *PackedB {
	s := &PackedB{}
	for i, w := range ws {
		if w.lp != nil {
			panic("kernels: StackB of " + w.lp.prec.String() + " matrices")
		}
		if i > 0 && w.K != s.K {
			panic("kernels: StackB of matrices with different K")
		}
		s.N, s.K = s.N+w.N, w.K
		s.parts = append(s.parts, w.parts...)
	}
	return s
}

// RowRange returns the operand of rows [lo, hi) of w, a view like w.
func (w *PackedB) RowRange(lo, hi int) *PackedB {
	if lo < 0 || hi > w.N || lo > hi {
		panic("kernels: RowRange [" + strconv.Itoa(lo) + ", " + strconv.Itoa(hi) + ") of " + strconv.Itoa(w.N) + " rows")
	}
	s := &PackedB{N: hi - lo, K: w.K}
	if w.lp != nil {
		s.lp = w.lp.rows(lo, hi)
		return s
	}
	off := 0 // first row of part
	for _, b := range w.parts {
		r0, r1 := max(lo-off, 0), min(hi-off, b.rows)
		if r0 < r1 {
			s.parts = append(s.parts, wBlock{w: b.w[r0*b.ld:], ld: b.ld, rows: r1 - r0})
		}
		off += b.rows
	}
	return s
}

// packBT packs b [n, k] (leading dimension ldb) into dst
// [ceil(n/32)][k][32] panels, zero padding past n.
func packBT(dst, b []float32, n, k, ldb int) {
	for jp := 0; jp*nr < n; jp++ {
		packBTGeneric(dst[jp*k*nr:(jp+1)*k*nr], b[jp*nr*ldb:], min(nr, n-jp*nr), k, ldb)
	}
}

// packBTGeneric packs the cols ≤ 32 rows of b (leading dimension ldb)
// into one panel [k][32], zero padded. It walks 16 columns of b (one
// cache line per row) at a time, so the 2 KiB of the panel they fill stay
// in L1; 2.5× the speed of AVX-512 gathers on Zen 4. Full panels go to the
// AVX-512 transposes when the CPU has them.
func packBTGeneric(panel, b []float32, cols, k, ldb int) {
	if cols < nr {
		clear(panel[:k*nr])
	}
	l0 := 0
	if cols == nr {
		l0 = packPanelFast(panel, b, k, ldb) // 16×16 register transposes
	}
	for ; l0 < k; l0 += 16 {
		n := min(16, k-l0)
		for j := 0; j < cols; j++ {
			for t, v := range b[j*ldb+l0 : j*ldb+l0+n] {
				panel[(l0+t)*nr+j] = v
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
// into c (leading dimension ldc). bias may be nil. a is packed into token
// panels first; LinearToPanels and LinearPanelsAdd take activations
// already in that layout.
func Linear(p *Pool, m int, a []float32, lda int, w *PackedB, bias []float32, act Act, accumulate bool, c []float32, ldc int) {
	if m <= 0 || w.N == 0 {
		return
	}
	if w.lp != nil && w.K > 0 {
		linearLow(p, m, a, lda, nil, w, bias, act, accumulate, c, ldc, nil)
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
	// Pack a into token panels, split among the workers.
	xPanels := (m + nr - 1) / nr
	p.packX = Grow(p.packX, xPanels*g.k*nr) // [ceil(m/32)][K][32]
	g.x = p.packX
	g.phase = phasePackX
	p.run(xPanels, g)
	g.compute()
}

// LinearToPanels computes y [M, N] = act(x·Wᵀ + bias) for x [M, K] in
// token panels and writes y in token panels too: the micro-kernel's
// transposed tiles are exactly that layout, so y is stored without a
// transpose and feeds the next LinearToPanels or LinearPanelsAdd without
// packing. y must not share memory with x.
func LinearToPanels(p *Pool, x *Panels, w *PackedB, bias []float32, act Act, y *Panels) {
	y.Reset(x.M, w.N)
	linearPanels(p, x, w, bias, act, false, nil, 0, y)
}

// LinearPanelsAdd adds x·Wᵀ + bias to y [M, N] for x [M, K], both in token
// panels: a residual stream kept in panels, added to inside the
// micro-kernel (its C load) with no separate pass. y must not share
// memory with x.
func LinearPanelsAdd(p *Pool, x *Panels, w *PackedB, bias []float32, y *Panels) {
	if y.M != x.M || y.K != w.N {
		panic("kernels: LinearPanelsAdd into y of " + strconv.Itoa(y.M) + "×" + strconv.Itoa(y.K) +
			", want " + strconv.Itoa(x.M) + "×" + strconv.Itoa(w.N))
	}
	linearPanels(p, x, w, bias, ActNone, true, nil, 0, y)
}

// linearPanels is Linear on activations x [M, K] already in token panels
// (the output of LayerNormPanels, LinearToPanels or AttentionPanels), so
// nothing is packed; y in token panels, or nil to store into c.
func linearPanels(p *Pool, x *Panels, w *PackedB, bias []float32, act Act, accumulate bool, c []float32, ldc int, y *Panels) {
	if w.K != x.K {
		panic("kernels: Linear on panels with x of K " + strconv.Itoa(x.K) + " and W of K " + strconv.Itoa(w.K))
	}
	if x.M <= 0 || w.N == 0 {
		return
	}
	if w.lp != nil && w.K > 0 {
		linearLow(p, x.M, nil, 0, x, w, bias, act, accumulate, c, ldc, y)
		return
	}
	p = orSerial(p)
	p.lock()
	defer p.unlock()
	if w.K == 0 {
		if y != nil {
			linearNoKPanels(y, bias, act, accumulate)
		} else {
			linearNoK(x.M, w.N, bias, act, accumulate, c, ldc)
		}
		return
	}
	g := &p.gemm
	*g = gemmJob{
		p: p, isa: currentISA(), m: x.M, n: w.N, k: w.K, x: x.P,
		w: w, bias: bias, act: act, accumulate: accumulate, c: c, ldc: ldc, y: y,
	}
	g.compute()
}

// compute runs the product of a gemmJob whose x is packed.
func (g *gemmJob) compute() {
	p := g.p
	g.mr = g.isa.mr()
	alias := false
	for _, b := range g.w.parts {
		alias = alias || aliased(b.ld, g.mr)
	}
	g.copyW = false
	switch {
	case alias && g.isa == isaAVX512 && inPlaceMr() > 0:
		g.mr = inPlaceMr()
	case alias:
		g.copyW = copyAliasedW
	}
	nk := (g.k + kcBlock - 1) / kcBlock
	g.kc = (g.k + nk - 1) / nk // equal blocks
	g.xPanels = (g.m + nr - 1) / nr
	for _, b := range g.w.parts {
		g.wPanels += (b.rows + g.mr - 1) / g.mr
	}

	// Tasks: balanced blocks of at most Nc tokens × blocks of at most Mc
	// W rows, the latter narrowed until there are 4 tasks per worker.
	// Up to Nc tokens form one block, so that at batch 1 each W row streams
	// from memory once per call. Beyond that, consecutive tasks share W's
	// block: if it stays in L2 meanwhile (K ≤ 1364 at Mc = 192: ViT's
	// q|k|v, projection and fc1), blocks of ncSmall tokens keep the x block
	// beside it small (ViT-B at batch 8: 1–8% faster than 256 tokens); if
	// not (fc2, K = 3072), each task streams W from L3 again, and blocks of
	// Nc tokens make each pass serve more of them (7% faster than 64).
	t := p.workers()
	nc := ncBlock
	if g.m > ncBlock && mcBlock/g.mr*g.mr*g.k*4 <= l2WBlock {
		nc = ncSmall
	}
	g.nNB = (g.xPanels + nc/nr - 1) / max(1, nc/nr)
	wpT := max(1, mcBlock/g.mr)
	for wpT > 1 && g.nNB*((g.wPanels+wpT-1)/wpT) < 4*t {
		wpT /= 2
	}
	g.nMB = (g.wPanels + wpT - 1) / wpT
	g.tasks = g.nMB * g.nNB
	g.wld = (g.kc+15)&^15 + 16
	tileLen := ((g.wPanels + g.nMB - 1) / g.nMB) * ((g.xPanels + g.nNB - 1) / g.nNB) * g.mr * nr
	for i := range p.scratch[:min(t, g.tasks)] {
		ws := &p.scratch[i]
		if g.y == nil {
			ws.yt = Grow(ws.yt, tileLen) // [W micro-panels][token panels][Mr][32]
		}
		if g.copyW {
			ws.wcopy = Grow(ws.wcopy, g.mr*g.wld) // [Mr][wld]
		}
	}
	g.phase = phaseCompute
	g.workers = min(t, g.tasks)
	p.startShares(g.workers)
	p.run(g.workers, g)
	g.a, g.x, g.c, g.bias, g.w, g.y = nil, nil, nil, nil, nil, nil
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
	phasePackX
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

// linearNoKPanels is linearNoK into token panels.
func linearNoKPanels(y *Panels, bias []float32, act Act, accumulate bool) {
	if !accumulate {
		clear(y.P)
	}
	for jp := 0; jp*nr < y.M; jp++ {
		for j := 0; j < y.K; j++ {
			var v float32
			if bias != nil {
				v = bias[j]
			}
			v = applyAct(act, v)
			for i := range min(nr, y.M-jp*nr) {
				y.P[(jp*y.K+j)*nr+i] += v
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
	xPanels    int // token panels of packed x: ceil(m/32)
	wPanels    int // W micro-panels: ceil(rows/Mr) summed over W's row blocks
	phase      int
	a          []float32 // [m, k] leading dimension lda: the activations x
	lda        int
	x          []float32 // [xPanels][k][32] packed x
	y          *Panels   // output in token panels, or nil to store into c
	w          *PackedB
	bias       []float32 // [n] or nil
	act        Act
	accumulate bool
	c          []float32 // [m, n] leading dimension ldc
	ldc        int
	copyW      bool // copy W micro-panels with an aliasing stride to a padded one
	wld        int  // that copy's stride
	nMB        int  // W row blocks (balanced, each at most Mc rows)
	nNB        int  // token blocks (balanced, each at most Nc tokens)
	tasks      int  // nMB × nNB
	workers    int  // workers taking part: min(threads, tasks)
}

func (g *gemmJob) run(w, lo, hi int) {
	if g.phase == phasePackX {
		packBT(g.x[lo*g.k*nr:], g.a[lo*nr*g.lda:], min(g.m, hi*nr)-lo*nr, g.k, g.lda)
		return
	}
	// Tasks from the workers' shares (claim): consecutive tasks share W's
	// block, so each worker streams its own part of W. The last task of
	// each share runs in tailParts parts of its W micro-panels (at batch
	// 1, 6 tasks a worker, whole tasks left a worker waiting for 3% of
	// the forward).
	ws := &g.p.scratch[w]
	for {
		t, part, parts, ok := g.p.claim(w, g.workers, g.tasks, tailParts)
		if !ok {
			return
		}
		nb, mb := t%g.nNB, t/g.nNB
		w0, w1 := split(g.wPanels, g.nMB, mb)
		a, b := split(w1-w0, parts, part)
		if a == b {
			continue
		}
		x0, x1 := split(g.xPanels, g.nNB, nb)
		g.block(ws, t, w0+a, w0+b, x0, x1)
	}
}

// width is the micro-kernel width for a panel of cols ≤ 32 tokens.
func width(cols int) int {
	switch {
	case cols <= 8:
		return 8
	case cols <= 16:
		return 16
	}
	return nr
}

// block computes yᵀ for W micro-panels [w0, w1) × token panels [x0, x1),
// into the worker's buffer (or straight into y's panels), and finishes
// each tile as its last K block completes, while it is in L1: the
// activation, then the transposed store into c (none for y: the tile is
// already in its panel).
func (g *gemmJob) block(ws *workerScratch, task, w0, w1, x0, x1 int) {
	nx := x1 - x0
	full := fullPanels(g.m, x0, x1)
	tl := g.mr * nr
	var yt []float32 // [w1-w0][nx][Mr][32]
	if g.y == nil {
		yt = ws.yt[:(w1-w0)*nx*tl]
	}
	for pc := 0; pc < g.k; pc += g.kc {
		kb := min(g.kc, g.k-pc)
		last := pc+kb == g.k
		flags := 0
		if pc > 0 || g.y != nil && g.accumulate {
			flags |= kLoad
			if prefetchC {
				flags |= kPrefetchC
			}
		}
		var bias []float32
		if last && g.bias != nil {
			flags |= kBias
		}
		xr := g.nextX(task, pc, kb, w1-w0, full, x0, x1)
		for ir := w0; ir < w1; ir++ {
			r0, mr, a, lda := g.panel(ir)
			a = a[pc:]
			if g.copyW && nx > 1 && aliased(lda, g.mr) {
				for i := 0; i < mr; i++ {
					copy(ws.wcopy[i*g.wld:i*g.wld+kb], a[i*lda:i*lda+kb])
				}
				a, lda = ws.wcopy, g.wld
			}
			if flags&kBias != 0 {
				bias = g.bias[r0 : r0+mr]
			}
			// The next micro-panel's W comes from memory (each W row is
			// used once per call at batch 1): prefetch it into L2 a
			// slice per token panel, so its first kernel (or its copy)
			// does not wait on DRAM. The full-width micro-kernels do it
			// themselves, an address every step (pfStep bytes apart,
			// through the rows' K blocks end to end); issued at once
			// between kernels, the same lines took 9% of a ViT-B
			// forward's profile at batch 1 (fill buffers full).
			var na []float32
			var nmr, nlda, pfStep int
			if ir+1 < w1 && prefetchW {
				_, nmr, na, nlda = g.panel(ir + 1)
				na = na[pc:]
				if full > 0 && prefetchInKernel && hasKernelPf(g.isa) {
					pfStep = min(64, (nmr*kb*4+full*kb-1)/(full*kb))
					if xr.bytes > 0 {
						pfStep = min(64, (nmr*kb*4+kb-1)/kb) // all in the first call
					}
				}
			}
			for jr := x0; jr < x1; jr++ {
				cols := min(nr, g.m-jr*nr)
				var pf []float32 // where the kernel's prefetch starts, or nil
				var pfStep1, pfLeft, pfSeg, pfSkip int
				switch {
				case width(cols) < nr:
				case xr.bytes > 0 && (jr > x0 || na == nil):
					// a slice of the next pass's x: the calls that do
					// not prefetch W share it in order
					off := xr.calls * kb * xr.step
					xr.calls++
					if off < xr.bytes {
						r, in := off/xr.seg, off%xr.seg&^3
						pf, pfStep1, pfLeft, pfSeg, pfSkip = g.x[xr.first+r*g.k*nr+in/4:], xr.step, xr.seg-in, xr.seg, xr.skip
					}
				case na != nil && pfStep > 0:
					// a slice of W's next micro-panel, rows end to end
					at := min((jr-x0)*kb*pfStep, nmr*kb*4-4)
					r, in := at/(kb*4), at%(kb*4)&^3
					pf, pfStep1, pfLeft, pfSeg, pfSkip = na[r*nlda+in/4:], pfStep, kb*4-in, kb*4, (nlda-kb)*4
				}
				if na != nil && pfStep == 0 {
					prefetchPanel(na, nmr, nlda, kb, jr-x0, nx)
				}
				var t []float32 // [Mr][32]
				if g.y != nil {
					t = g.y.P[(jr*g.n+r0)*nr:]
				} else {
					t = yt[((ir-w0)*nx+jr-x0)*tl:]
				}
				b := g.x[jr*g.k*nr+pc*nr:]
				if pf != nil {
					microKernelPf(g.isa, mr, kb, a, lda, b, t, bias, flags, pf, pfStep1, pfLeft, pfSeg, pfSkip)
				} else {
					microKernel(g.isa, mr, width(cols), kb, a, lda, true, b, t, nr, bias, flags)
				}
				if last {
					g.finish(t[:mr*nr], r0, mr, jr, cols)
				}
			}
		}
	}
}

// xRegion is the part of packed x the next pass of a task reads, to be
// prefetched into L2 during the current pass: panels from first, seg
// bytes each (a K block), skip bytes apart, bytes in all, step bytes per
// micro-kernel step over the pass's calls that do not prefetch W.
type xRegion struct {
	first            int // float index of the first panel's K block in g.x
	seg, skip, bytes int
	step             int
	calls            int // calls of the pass that have prefetched so far
}

// prefetchX turns the prefetch of the next pass's x on (a variable for
// benchmarks: VIT_PFX=0 turns it off).
var prefetchX = true

// nextX returns the x region the pass after (task, pc) reads: the next K
// block of the same token panels, or, after the last, the first K block
// of the next task's token block (none if it is this one). The pass
// runs nw W micro-panels over token panels x0…x1−1, full of them
// full-width (fullPanels).
func (g *gemmJob) nextX(task, pc, kb, nw, full, x0, x1 int) xRegion {
	if !prefetchX || !hasKernelPf(g.isa) || !prefetchInKernel {
		return xRegion{}
	}
	calls := nw * (full - 1) // the first call of each micro-panel prefetches W
	if calls <= 0 {
		return xRegion{}
	}
	pn := pc + kb
	nx0, nx1 := x0, x1
	if pn >= g.k {
		if task+1 >= g.tasks || g.nNB == 1 {
			return xRegion{}
		}
		pn = 0
		nx0, nx1 = split(g.xPanels, g.nNB, (task+1)%g.nNB)
	}
	kn := min(g.kc, g.k-pn)
	r := xRegion{first: nx0*g.k*nr + pn*nr, seg: kn * nr * 4, skip: (g.k - kn) * nr * 4}
	r.bytes = (nx1 - nx0) * r.seg
	r.step = min(64, ((r.bytes+calls*kb-1)/(calls*kb)+3)&^3)
	return r
}

// fullPanels returns how many of token panels x0…x1−1 of a call on m
// tokens run a full-width (32-token) kernel: all but the call's last
// panel when that one is narrower (16 tokens or fewer, width < 32), whose
// kernels prefetch nothing. The float32, VDPBF16PS and int8 blocks share it.
func fullPanels(m, x0, x1 int) int {
	if x1 == (m+nr-1)/nr && width(m-(x1-1)*nr) < nr {
		return x1 - x0 - 1
	}
	return x1 - x0
}

// finish applies the activation to the tile t [mr][32] of W rows r0.. and
// token panel jr (cols tokens), then stores it.
func (g *gemmJob) finish(t []float32, r0, mr, jr, cols int) {
	if g.act != ActNone {
		// columns past cols hold padding or stale values; never stored
		Activate(g.act, t)
	}
	if g.y == nil {
		storeT(t, mr, cols, g.c[jr*nr*g.ldc+r0:], g.ldc, g.accumulate)
	}
}

// panel returns W micro-panel ir: its first row r0 in W, its row count
// mr and its rows a (leading dimension lda). Micro-panels do not straddle
// row blocks.
func (g *gemmJob) panel(ir int) (r0, mr int, a []float32, lda int) {
	for _, b := range g.w.parts {
		np := (b.rows + g.mr - 1) / g.mr
		if ir < np {
			i0 := ir * g.mr
			return r0 + i0, min(g.mr, b.rows-i0), b.w[i0*b.ld:], b.ld
		}
		ir -= np
		r0 += b.rows
	}
	panic("kernels: micro-panel out of range")
}

// storeT writes the transpose of the tile t [mr][32] (columns < cols) to
// c [cols, mr] (leading dimension ldc), or adds it if accumulate.
func storeT(t []float32, mr, cols int, c []float32, ldc int, accumulate bool) {
	if storeTFast(t, mr, cols, c, ldc, accumulate) {
		return
	}
	_ = t[(mr-1)*nr+cols-1]
	for i := 0; i < cols; i++ {
		ci := c[i*ldc : i*ldc+mr]
		if accumulate {
			for j := range ci {
				ci[j] += t[j*nr+i]
			}
		} else {
			for j := range ci {
				ci[j] = t[j*nr+i]
			}
		}
	}
}

// Micro-kernel flags.
const (
	kLoad      = 1 // add the existing C tile
	kBias      = 2 // add bias[i] to row i
	kPrefetchC = 4 // prefetch the C tile at the start (with kLoad; float32 and VDPBF16PS tiles)
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

// ISA names the micro-kernel family this process runs: "avx512", "avx2" or
// "generic" (pure Go: no AVX2+FMA, a non-amd64 CPU, or -tags purego).
func ISA() string { return currentISA().String() }

// ISAs lists the micro-kernel families this process can run, "generic"
// first and the one it picks (ISA) last.
func ISAs() []string {
	var names []string
	for _, s := range isas() {
		names = append(names, s.String())
	}
	return names
}

// SetISA makes the kernels run the family name, one of ISAs, and returns
// a func that restores the previous choice: tests and benchmarks reach
// every path in one binary with it. It must not be called while a kernel
// runs (the family decides whether bf16 Linear calls take the VDPBF16PS
// tile, hence the order of a bf16 form's pairs: pairOrder); an unknown or
// unavailable name panics.
func SetISA(name string) (restore func()) {
	for _, s := range isas() {
		if s.String() == name {
			return setISA(s)
		}
	}
	panic("kernels: SetISA(" + strconv.Quote(name) + "): not one of this CPU's families")
}

// isas lists the micro-kernel families the CPU flags allow, best last.
func isas() []isa {
	s := []isa{isaGeneric}
	if hasAVX2 {
		s = append(s, isaAVX2)
	}
	if hasAVX512 {
		s = append(s, isaAVX512)
	}
	return s
}

// setISA makes s the family currentISA returns and returns a func that
// restores the CPU flags.
func setISA(s isa) (restore func()) {
	a2, a5 := hasAVX2, hasAVX512
	hasAVX2, hasAVX512 = s >= isaAVX2, s >= isaAVX512
	return func() { hasAVX2, hasAVX512 = a2, a5 }
}
