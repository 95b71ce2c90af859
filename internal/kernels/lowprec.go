package kernels

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
)

// Low-precision Linear: bf16 and int8 weights.
//
// PackedB.Convert gives a weight W [N, K] a bf16 or int8 form in owned
// memory; Linear, LinearToPanels and LinearPanelsAdd then run on it with
// the same contract as on float32 (bias, activation, fused residual, rows
// or token panels in and out).
//
// bf16: W rounded to bf16 (round to nearest even) once; the activations
// rounded to bf16 as they enter each call; products exact, accumulation in
// float32, K in pair order (k+1, k), k = 0, 2, 4, … — the order of
// VDPBF16PS, whose products of bf16 pairs are exact too, so a VDPBF16PS
// kernel gives the same sums. Without AMX, on AMD CPUs with AVX512_BF16
// (Zen 4/5: VDPBF16PS retires twice the FLOPs of VFMADD231PS) a
// VDPBF16PS tile runs it (bf16dp_amd64.go), reading the bf16 form in
// place with its pairs in order (pairOrder); on Intel CPUs VDPBF16PS
// retires half the FLOPs of VFMADD231PS, so there the bf16 form, stored
// in the pair-swapped order, has each W micro-panel expanded to float32
// once per K block (1/Mr of a tile's loads) and multiplied by the float32
// micro-kernels: float32 speed, half the weight memory and bandwidth.
// Both give the generic code's bits (VDPBF16PS: on normal values).
//
// With AMX (lowprec_amx_amd64.go), W blocks of 32 rows are the A tiles,
// read in place from the same bf16 or int8 rows, and the activations,
// converted per call into token panels of K pairs (bf16) or quads (int8),
// the B tiles: TDPBF16PS and TDPBSUD produce 32×32 tiles of yᵀ, which
// the same epilogues finish. int8 sums are exact, so AMX gives the
// generic bits; TDPBF16PS adds the 32 products of a tile step in an order
// of its own, so bf16 on AMX agrees with the other paths to float32
// rounding (the same bound), not bit for bit; its order still depends on
// K alone.
//
// int8: W quantized per output row j to s8, W[j, k] ≈ sw[j]·wq[j, k] with
// sw[j] = max_k |W[j, k]| / 127; the activations per token i to u8 with a
// zero point, x[i, k] ≈ sx[i]·(xq[i, k] − zx[i]), with [lo, hi] = [min(0,
// min_k x), max(0, max_k x)], sx = (hi − lo)/255, zx = round(−lo/sx).
// VPDPBUSD multiplies u8 by s8, hence u8 activations (the asymmetric
// range also spends no code on the side of zero post-GELU values barely
// reach) and s8 weights (symmetric: no weight zero point). Per-token
// scales follow the outlier tokens of trained ViTs; per-channel outliers
// are not treated separately (the accuracy test measures what that costs).
// The micro-kernel sums u8×s8 in int32 (exact; |sum| < K·255·127 < 2³¹
// for K < 66 000); its epilogue, on each tile while it is in L1,
// subtracts the zero point times the precomputed row sum of wq (exact, in
// int32), converts, rescales and adds the bias:
//
//	y[i, j] = float32(Σ_k xq[i,k]·wq[j,k] − zx[i]·Σ_k wq[j,k]) · (sx[i]·sw[j]) + bias[j]
//
// Integer sums do not depend on their order, so int8 results are
// identical on every ISA.
//
// Both forms sum each output over K in one fixed order that depends on K
// alone, never on the batch, the tile or the thread count.

// Precision is the number format of a Linear's weights and inputs.
type Precision uint8

const (
	FP32 Precision = iota // float32 weights and activations (the reference)
	BF16                  // bf16 weights and activations, float32 sums
	Int8                  // s8 weights per output channel, u8 activations per token
)

func (p Precision) String() string {
	switch p {
	case BF16:
		return "bf16"
	case Int8:
		return "int8"
	}
	return "fp32"
}

// ParsePrecision reads "fp32", "bf16" or "int8".
func ParsePrecision(s string) (Precision, error) {
	for _, p := range []Precision{FP32, BF16, Int8} {
		if s == p.String() {
			return p, nil
		}
	}
	return FP32, fmt.Errorf("precision %q: want fp32, bf16 or int8", s)
}

const (
	mrQ      = 12 // rows of the int8 micro-tile
	amxRows  = 32 // W rows of an AMX block (two tiles of 16)
	lowPad   = 32 // zero rows past N in a lowForm: a full tile or AMX block at the end reads inside it
	lowKc    = 1024
	lowNcMax = 256 // tokens per task at most
)

// lowForm is the bf16 or int8 copy of a weight W [N, K]. Its slices run
// lowPad rows past N (zeros), so a full micro-tile or AMX block on the
// last rows reads inside them.
type lowForm struct {
	prec Precision
	kp   int        // row stride: K rounded up to 2 (bf16) or 4 (int8)
	bf   []uint16   // bf16: [N+lowPad][kp] W rounded, each pair (k, k+1) stored as (k+1, k), or in order while ord.nat
	ord  *pairOrder // bf16: the order of bf's pairs, shared with the row views of the form
	q    []int8     // int8: [N+lowPad][kp] wq, zero past K
	sw   []float32  // int8: [N+lowPad] row scales
	sum  []int32    // int8: [N+lowPad] Σ_k wq[j, k]
}

// pairOrder is the order in which a bf16 form stores its pairs: (k+1, k)
// as the AMX tiles and the FMA path read them, or (k, k+1) as the VDPBF16PS
// tile reads them in place (bf16dp_amd64.go). A form is made in the order
// of the kernel that runs it (natPairs) and turned over, all of it in
// place, when a call on another kernel first reads it (SetBF16Kernel in
// tests and benchmarks): one copy of W, read by every kernel in its own
// order, so the same bits.
type pairOrder struct {
	mu  sync.Mutex
	nat atomic.Bool // pairs in order (k, k+1)
	all []uint16    // [N+lowPad][kp] the whole form's values
}

// natPairs reports whether a bf16 Linear with row stride kp runs on the
// VDPBF16PS tile, which reads W's pairs in order (k, k+1).
func natPairs(kp int) bool {
	_, dp := bf16Kernel(kp, currentISA())
	return dp
}

// swapBit is 1 when the pairs are stored swapped, else 0: value k of a
// row is at k^swapBit.
func (o *pairOrder) swapBit() int { return swapBit(o.nat.Load()) }

// set turns the form's pairs over unless they are already in order nat.
// Linear calls on the form must not run on another kernel meanwhile (as
// SetBF16Kernel, SetInt8Kernel and SetISA ask: the kernel, hence the
// order, changes only between calls).
func (o *pairOrder) set(nat bool) {
	if o.nat.Load() == nat {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.nat.Load() != nat {
		swapPairs(o.all, o.all)
		o.nat.Store(nat)
	}
}

// Precision returns the format of w's values.
func (w *PackedB) Precision() Precision {
	if w.lp == nil {
		return FP32
	}
	return w.lp.prec
}

// Bytes returns the bytes of weight values w's Linear calls read: 4 per
// value for float32, 2 for bf16, 1 (plus a scale and a sum per row) for
// int8.
func (w *PackedB) Bytes() int64 {
	switch w.Precision() {
	case BF16:
		return int64(w.N) * int64(w.lp.kp) * 2
	case Int8:
		return int64(w.N) * (int64(w.lp.kp) + 8)
	}
	return int64(w.N) * int64(w.K) * 4
}

// Convert returns w in precision p: w itself for FP32 (or when w already
// is p), else a copy in owned memory that no longer reads w's float32
// values. Converting a bf16 or int8 operand to another precision panics.
func (w *PackedB) Convert(p Precision) *PackedB {
	if p == w.Precision() {
		return w
	}
	if w.lp != nil || p == FP32 {
		panic("kernels: Convert from " + w.Precision().String() + " to " + p.String())
	}
	c := NewLowB(p, w.N, w.K)
	j := 0 // first row of b
	for _, b := range w.parts {
		c.SetRows(j, b.w, b.rows, b.ld)
		j += b.rows
	}
	return c
}

// quantizeRow sets q to w·(127/m) rounded to the nearest integer (ties
// to even), m = max|w|, and returns the scale m/127 and Σ q.
func quantizeRow(q []int8, w []float32) (float32, int32) {
	var amax float32
	for _, v := range w {
		amax = max(amax, math.Float32frombits(math.Float32bits(v)&^(1<<31)))
	}
	if amax == 0 || amax != amax || amax > math.MaxFloat32 {
		clear(q)
		return 0, 0
	}
	inv := 127 / amax
	// Adding 1.5·2²³ leaves the rounded integer (|r| ≤ 127) in the low
	// mantissa bits: float32 addition rounds to nearest, ties to even.
	const magic = 1.5 * (1 << 23)
	var sum int32
	for l, v := range w {
		r := int32(math.Float32bits(float32(v*inv)+magic)) - int32(math.Float32bits(magic))
		q[l] = int8(max(-127, min(127, r)))
		sum += int32(q[l])
	}
	return amax / 127, sum
}

// lowRows returns the lowForm of rows [lo, hi) of f, a view.
func (f *lowForm) rows(lo, hi int) *lowForm {
	g := *f
	switch f.prec {
	case BF16:
		g.bf = f.bf[lo*f.kp:]
	case Int8:
		g.q, g.sw, g.sum = f.q[lo*f.kp:], f.sw[lo:], f.sum[lo:]
	}
	return &g
}

// bf16Bits returns the bf16 nearest to v (ties to even) as its 16 bits;
// a NaN stays a NaN.
func bf16Bits(v float32) uint16 {
	u := math.Float32bits(v)
	if v != v {
		return uint16(u>>16) | 0x40
	}
	return uint16((u + 0x7fff + (u>>16)&1) >> 16)
}

// roundBF16 returns v rounded to bf16 as a float32, the way the bf16
// panel conversion does it (bf16PanelFast): ties to even, by integer
// arithmetic on the bits (a NaN may change payload or sign; an Inf stays).
func roundBF16(v float32) float32 {
	u := math.Float32bits(v)
	return math.Float32frombits((u + 0x7fff + (u>>16)&1) &^ 0xffff)
}

// bf16Kernel returns which kernel runs a bf16 Linear whose form has row
// stride kp on family s: AMX, else the VDPBF16PS tile (dp), else (both
// false) the float32 kernels on each W micro-panel expanded.
func bf16Kernel(kp int, s isa) (amx, dp bool) {
	amx = amxFits(BF16, kp)
	return amx, !amx && dpFits(s)
}

// bf16Form is the layout in which a bf16 Linear's kernel reads its
// activations, each token panel [k][32] rounded to bf16 (roundBF16):
//
//	pairsSwapped  lowJob.xp [kp/2][32][2] uint16, each pair (k+1, k): AMX
//	pairsNat      lowJob.xp, each pair (k, k+1): the VDPBF16PS tile
//	rowsSwapped   lowJob.xb [kp][32] float32, the rows of each pair swapped: the FMA kernels
type bf16Form uint8

const (
	pairsSwapped bf16Form = iota
	pairsNat
	rowsSwapped
)

// bf16In returns the form the bf16 kernel (AMX, VDPBF16PS, else FMA) reads.
func bf16In(amx, dp bool) bf16Form {
	switch {
	case amx:
		return pairsSwapped
	case dp:
		return pairsNat
	}
	return rowsSwapped
}

// convert writes the k rows of src [k][32] (a token panel of x or an
// output tile: k even unless they are a panel's last) in form f to xp or
// xb from index off on.
func (f bf16Form) convert(xp []uint16, xb []float32, off int, src []float32, k int) {
	n := (k + 1) &^ 1 * nr
	switch f {
	case pairsSwapped:
		bf16Pairs(xp[off:off+n], src, k)
	case pairsNat:
		bf16PairsNat(xp[off:off+n], src, k)
	default:
		bf16Panel(xb[off:off+n], src, k)
	}
}

// lowJob is one Linear call on a bf16 or int8 W, kept in the Pool.
type lowJob struct {
	p          *Pool
	isa        isa
	prec       Precision
	amx        bool // the AMX kernels (blockAMX) run it
	dp         bool // bf16: the VDPBF16PS tile (blockDP) runs it
	phase      int
	m, n, k    int
	kp         int
	kc         int // bf16: K block (K cut into equal even blocks ≤ lowKc); int8: kp
	f          *lowForm
	a          []float32 // [m, k] leading dimension lda: x as rows, or nil
	lda        int
	x          []float32 // [xPanels][k][32] x in float32 token panels (a packed, or the caller's)
	xPanels    int
	bias       []float32 // [n] or nil
	act        Act       // the activation as the low precisions apply it (lowAct: GELU as geluLow)
	accumulate bool
	c          []float32 // [m, n] leading dimension ldc, when y is nil
	ldc        int
	y          *Panels
	wPanels    int // ceil(n/mrQ) (bf16: ceil(n/mr))
	mr         int
	nMB, nNB   int
	tasks      int // the W blocks × token blocks (panelQ8: token panels)
	nw         int // workers taking part: min(threads, tasks)
	parts      int // the parts (along W) of each share's last task (claim): tailParts, or for panelQ8 at most panelQ8Parts

	// Converted activations, grown and kept from call to call.
	xb []float32 // bf16: [xPanels][kp][32] x rounded, rows of each pair swapped
	xp []uint16  // bf16 on AMX: [xPanels][kp/2][32][2] x rounded, each token's pair (k, k+1) as (k+1, k); on VDPBF16PS in order (bf16PairsNat)
	xq []uint8   // int8: [xPanels][kp/4][32][4] xq
	sx []float32 // int8: [xPanels·32] token scales
	zx []int32   // int8: [xPanels·32] token zero points
	ws []lowScratch

	ln Norm      // the LayerNorm the conversion applies to each token panel of x first, when ln.Gamma is not nil
	to *lowInput // where finishTile converts the output tiles to, instead of storing them (y and c nil), or nil
}

// tailParts is how many parts a Linear call cuts each of its last tasks
// into (lowJob, gemmJob).
const tailParts = 4

// lowScratch is one worker's buffers.
type lowScratch struct {
	wf    []float32       // bf16: [Mr][wld] a W micro-panel expanded to float32
	w16   []int16         // int8 when q8Widens: [12][kp] a W micro-panel widened to int16
	wp    []uint16        // bf16 on VDPBF16PS, rows 4 KiB apart (blockDP): [12][kc+32] a W micro-panel's K block, pairs in order (k, k+1)
	tile  []float32       // [Mr][32] output tile, before its store
	acc   []uint32        // AMX: [panels][32][32] float32 or int32 results; VDPBF16PS: [12][32] float32 sums
	q8acc [mrQ * nr]int32 // int8: [12][32] the micro-kernel's int32 sums
	ln    []float32       // with a Norm: [k][32] a token panel of x normed, before its quantization or rounding (unused by lnBF16PairsFast)
	hs    []float32       // int8 into a lowInput (panelQ8): [n][32] a token panel of the output
	// panelQ8 in parts: [n][32] the last token panel of this worker's
	// share, written by whichever workers run its parts, and how many of
	// them are done
	hsLast   []float32
	lastDone atomic.Int32
	bias     [amxRows]float32
	_        [64]byte
}

const (
	lowPhasePack = iota
	lowPhaseConvert
	lowPhaseCompute
)

// linearLow is Linear (a in rows) or linearPanels (x in panels) for a
// W with a low-precision form.
func linearLow(p *Pool, m int, a []float32, lda int, x *Panels, w *PackedB, bias []float32, act Act, accumulate bool, c []float32, ldc int, y *Panels) {
	linearLowOpt(p, m, a, lda, x, w, bias, act, accumulate, c, ldc, y, lowOpts{})
}

// linearLowOpt is linearLow with the fusions o.
func linearLowOpt(p *Pool, m int, a []float32, lda int, x *Panels, w *PackedB, bias []float32, act Act, accumulate bool, c []float32, ldc int, y *Panels, o lowOpts) {
	p = orSerial(p)
	p.lock()
	defer p.unlock()
	linearLowLocked(p, m, a, lda, x, w, bias, act, accumulate, c, ldc, y, o)
}

// linearLowLocked is linearLowOpt on a Pool p (not nil) the caller holds.
func linearLowLocked(p *Pool, m int, a []float32, lda int, x *Panels, w *PackedB, bias []float32, act Act, accumulate bool, c []float32, ldc int, y *Panels, o lowOpts) {
	g := &p.low
	*g = lowJob{
		p: p, isa: currentISA(), prec: w.lp.prec, m: m, n: w.N, k: w.K, kp: w.lp.kp, f: w.lp,
		a: a, lda: lda, bias: bias, act: lowAct(act), accumulate: accumulate, c: c, ldc: ldc, y: y,
		xb: g.xb, xp: g.xp, xq: g.xq, sx: g.sx, zx: g.zx, ws: g.ws, ln: o.ln, to: o.to,
	}
	if g.prec == BF16 {
		g.amx, g.dp = bf16Kernel(g.kp, g.isa)
		g.f.ord.set(g.dp)
	} else {
		g.amx = amxFits(g.prec, g.kp)
	}
	g.xPanels = (m + nr - 1) / nr
	t := p.workers()
	if len(g.ws) < t {
		g.ws = make([]lowScratch, t)
	}
	if g.ln.Gamma != nil && !(g.prec == BF16 && (g.amx || g.dp)) { // those round LN(x) to pairs in registers
		for i := range g.ws[:t] {
			g.ws[i].ln = Grow(g.ws[i].ln, g.k*nr)
		}
	}
	switch {
	case o.from != nil: // x comes converted (lowInput.take); its float32 form is not read
	case x != nil:
		g.x = x.P
	default:
		p.packX = Grow(p.packX, g.xPanels*g.k*nr) // [ceil(m/32)][K][32]
		g.x = p.packX
		g.phase = lowPhasePack
		p.run(g.xPanels, g)
	}
	switch g.prec {
	case BF16:
		if g.amx || g.dp {
			g.xp = Grow(g.xp, g.xPanels*g.kp*nr)
		} else {
			g.xb = Grow(g.xb, g.xPanels*g.kp*nr)
		}
		g.mr = g.isa.mr()
		if g.dp {
			g.mr = mrDP
		}
		nk := (g.kp + lowKc - 1) / lowKc
		g.kc = ((g.kp+nk-1)/nk + 1) &^ 1
	case Int8:
		g.xq = Grow(g.xq, g.xPanels*g.kp*nr)
		g.sx = Grow(g.sx, g.xPanels*nr)
		g.zx = Grow(g.zx, g.xPanels*nr)
		g.mr = mrQ
		g.kc = g.kp
	}
	if g.amx {
		g.mr, g.kc = amxRows, g.kp
	}
	if o.from != nil {
		o.from.take(g)
	} else {
		g.phase = lowPhaseConvert
		p.run(g.xPanels, g)
	}
	if g.to != nil {
		g.to.reset(g.xPanels, g.n)
	}

	// Tasks: blocks of W micro-panels × blocks of token panels small
	// enough that the block's converted x stays in L2 (about 1 MiB).
	g.wPanels = (g.n + g.mr - 1) / g.mr
	xBytes := g.kc * nr * 4 // one token panel of a K block
	switch {
	case g.prec == Int8:
		xBytes = g.kp * nr
	case g.amx:
		xBytes = g.kp * nr * 2
	case g.dp:
		xBytes = g.kc * nr * 2
	}
	perBlock := max(1, min(lowNcMax/nr, (1<<20)/xBytes))
	g.nNB = (g.xPanels + perBlock - 1) / perBlock
	wpT := max(1, 192/g.mr)
	for wpT > 1 && g.nNB*((g.wPanels+wpT-1)/wpT) < 4*t {
		wpT /= 2
	}
	g.nMB = (g.wPanels + wpT - 1) / wpT
	// Tasks from the workers' shares (claim): consecutive tasks share W's
	// block (with dpXMajor, the token block). A share's last task runs in
	// tailParts parts (against tasks handed out from one counter, the
	// last ones cut alike: ViT-B/16 int8 0.97-0.98× the time at batch 1,
	// 0.985× at batch 8); panelQ8's, a whole token panel each, in
	// panelQ8Parts parts that share a panel buffer.
	if g.q8To() {
		g.nNB, g.nMB = g.xPanels, 1
	}
	g.tasks = g.nMB * g.nNB
	g.nw = min(t, g.tasks)
	g.parts = tailParts
	if g.q8To() {
		g.parts = 1 // one worker: nobody to share the last panel with
		if g.nw > 1 {
			g.parts = min(panelQ8Parts, g.wPanels) // no part empty
		}
	}
	for i := range g.ws[:t] {
		s := &g.ws[i]
		s.tile = Grow(s.tile, max(mrQ, g.mr)*nr)
		switch {
		case g.amx:
			s.acc = Grow(s.acc, (g.xPanels+g.nNB-1)/g.nNB*amxRows*nr) // a task's token panels
		case g.dp:
			s.acc = Grow(s.acc, mrDP*nr)
			if dpCopiesW(g.kp) {
				s.wp = Grow(s.wp, mrDP*(g.kc+32))
			}
		case g.prec == BF16:
			s.wf = Grow(s.wf, g.mr*(g.kc+16))
		case q8Widens():
			s.w16 = Grow(s.w16, mrQ*g.kp)
		}
		if g.q8To() {
			s.hs = Grow(s.hs, g.n*nr)
			if g.parts > 1 {
				s.hsLast = Grow(s.hsLast, g.n*nr)
				s.lastDone.Store(0)
			}
		}
	}
	g.phase = lowPhaseCompute
	p.startShares(g.nw)
	p.run(g.nw, g)
	g.a, g.x, g.c, g.bias, g.y, g.f, g.ln, g.to = nil, nil, nil, nil, nil, nil, Norm{}, nil
}

func (g *lowJob) run(w, lo, hi int) {
	switch g.phase {
	case lowPhasePack:
		packBT(g.x[lo*g.k*nr:], g.a[lo*nr*g.lda:], min(g.m, hi*nr)-lo*nr, g.k, g.lda)
		return
	case lowPhaseConvert:
		for jp := lo; jp < hi; jp++ {
			src := g.x[jp*g.k*nr : (jp+1)*g.k*nr] // [k][32]
			if g.ln.Gamma != nil {
				ln := g.ws[w].ln // [k][32]
				if g.prec == Int8 {
					// LN(x), its ranges and its quantization per panel
					var lo, hi [nr]float32
					lnMinMaxPanel(src, ln, g.ln.Gamma[:g.k], g.ln.Beta[:g.k], g.ln.Eps, &lo, &hi)
					q8PanelIn(g.xq[jp*g.kp*nr:(jp+1)*g.kp*nr], ln, g.k, &lo, &hi, g.sx[jp*nr:(jp+1)*nr], g.zx[jp*nr:(jp+1)*nr])
					continue
				}
				if (g.amx || g.dp) && lnBF16PairsFast(g.xp[jp*g.kp*nr:(jp+1)*g.kp*nr], src, g.ln.Gamma[:g.k], g.ln.Beta[:g.k], g.ln.Eps, g.dp) {
					continue // LN(x) rounded to bf16 pairs in registers
				}
				lnPanel(src, ln, g.ln.Gamma[:g.k], g.ln.Beta[:g.k], g.ln.Eps)
				src = ln // bf16: rounded from the buffer while it is in L2
			}
			if g.prec == BF16 {
				bf16In(g.amx, g.dp).convert(g.xp, g.xb, jp*g.kp*nr, src, g.k)
			} else {
				q8Panel(g.xq[jp*g.kp*nr:(jp+1)*g.kp*nr], src, g.k, g.sx[jp*nr:(jp+1)*nr], g.zx[jp*nr:(jp+1)*nr])
			}
		}
		return
	}
	ws := &g.ws[w]
	for {
		t, part, parts, ok := g.p.claim(w, g.nw, g.tasks, g.parts)
		if !ok {
			return
		}
		nb, mb := t%g.nNB, t/g.nNB
		if g.dp && dpXMajor { // token block by token block (dpXMajor)
			nb, mb = t/g.nMB, t%g.nMB
		}
		w0, w1 := split(g.wPanels, g.nMB, mb)
		a, b := split(w1-w0, parts, part)
		if a == b {
			continue
		}
		w0, w1 = w0+a, w0+b
		x0, x1 := split(g.xPanels, g.nNB, nb)
		switch {
		case g.q8To():
			g.panelQ8(ws, x0, w0, w1, t, parts)
		case g.amx:
			g.blockAMX(ws, w0, w1, x0, x1)
		case g.dp:
			g.blockDP(ws, w0, w1, x0, x1)
		case g.prec == BF16:
			g.blockBF16(ws, w0, w1, x0, x1)
		default:
			g.blockQ8(ws, w0, w1, x0, x1)
		}
	}
}

// tileFor returns where the micro-kernel writes the tile of W rows
// r0..r0+mr of token panel jr: straight into y's panel when it has the
// kernel's full mrFull rows there, else the worker's tile (with y's rows
// copied in when the kernel adds to them).
func (g *lowJob) tileFor(ws *lowScratch, r0, mr, mrFull, jr int, load bool) []float32 {
	if g.y != nil {
		t := g.y.P[(jr*g.n+r0)*nr:]
		if mr == mrFull {
			return t
		}
		if load {
			copy(ws.tile, t[:mr*nr])
		}
	}
	return ws.tile
}

// finishTile applies the activation to the tile t [mr][32] of rows r0..
// and token panel jr and stores it: converted into the next call's input
// (g.to, MLPPanelsAdd), into c transposed, or into y's panel when the
// kernel did not write there.
func (g *lowJob) finishTile(ws *lowScratch, t []float32, r0, mr, jr int) {
	t = t[:mr*nr]
	if g.act != ActNone {
		Activate(g.act, t)
	}
	cols := min(nr, g.m-jr*nr)
	switch {
	case g.to != nil:
		g.to.tile(t, r0, mr, jr)
	case g.y == nil:
		storeT(t, mr, cols, g.c[jr*nr*g.ldc+r0:], g.ldc, g.accumulate)
	case &t[0] == &ws.tile[0]:
		copy(g.y.P[(jr*g.n+r0)*nr:], t)
	}
}

// blockBF16 computes W micro-panels [w0, w1) × token panels [x0, x1) with
// the float32 micro-kernels on bf16 values: each W micro-panel expanded
// once per K block into the worker's buffer.
func (g *lowJob) blockBF16(ws *lowScratch, w0, w1, x0, x1 int) {
	f := g.f
	wld := g.kc + 16 // breaks the 4 KiB aliasing of a power-of-two stride
	for pc := 0; pc < g.kp; pc += g.kc {
		kb := min(g.kc, g.kp-pc)
		last := pc+kb == g.kp
		for ir := w0; ir < w1; ir++ {
			r0 := ir * g.mr
			mr := min(g.mr, g.n-r0)
			for i := 0; i < mr; i++ {
				bf16Expand(ws.wf[i*wld:i*wld+kb], f.bf[(r0+i)*f.kp+pc:])
			}
			flags := 0
			var bias []float32
			if last && g.bias != nil {
				flags |= kBias
				bias = g.bias[r0 : r0+mr]
			}
			for jr := x0; jr < x1; jr++ {
				load := pc > 0 || g.y != nil && g.accumulate
				var t []float32
				switch {
				case g.y != nil:
					t = g.y.P[(jr*g.n+r0)*nr:]
				case g.kc >= g.kp:
					t = ws.tile // one K block: each tile is finished at once, in L1
				default:
					// a task's tiles stay in yt between K blocks
					t = g.tileAt(ws, ir-w0, jr-x0, x1-x0)
				}
				fl := flags
				if load {
					fl |= kLoad
					if prefetchC {
						fl |= kPrefetchC
					}
				}
				cols := min(nr, g.m-jr*nr)
				microKernel(g.isa, mr, width(cols), kb, ws.wf, wld, true, g.xb[(jr*g.kp+pc)*nr:], t, nr, bias, fl)
				if last {
					g.finishTile(ws, t, r0, mr, jr)
				}
			}
		}
	}
}

// tileAt returns the yt tile of W micro-panel i and token panel j of a
// task with nx token panels, growing the worker's tile buffer to the task
// (keeping the tiles before it: they hold the earlier K blocks' sums).
func (g *lowJob) tileAt(ws *lowScratch, i, j, nx int) []float32 {
	n := (i*nx + j + 1) * g.mr * nr
	if len(ws.tile) < n {
		old := ws.tile
		ws.tile = Grow(ws.tile, ((g.wPanels+g.nMB-1)/g.nMB)*nx*g.mr*nr)
		copy(ws.tile, old)
	}
	return ws.tile[(i*nx+j)*g.mr*nr:]
}

// q8PrefetchW turns on the int8 tiles' prefetch of the next W
// micro-panel (blockQ8 hands out its shares); a variable for benchmarks
// (VIT_Q8PFW=0 turns it off).
var q8PrefetchW = true

// q8To reports whether the call runs token panel by token panel into an
// int8 input of the next call (panelQ8).
func (g *lowJob) q8To() bool { return g.to != nil && g.to.q8 }

// q8Bias returns the bias of the int8 tile of rows r0..r0+mr, padded to
// the tile's 12 rows (the kernel reads 12), and the kernel's flags for it.
func (g *lowJob) q8Bias(ws *lowScratch, r0, mr int) ([]float32, int) {
	if g.bias == nil {
		return nil, 0
	}
	bias := g.bias[r0 : r0+mr]
	if mr < mrQ {
		clear(ws.bias[:])
		copy(ws.bias[:], bias)
		bias = ws.bias[:]
	}
	return bias, kBias
}

// blockQ8 computes W micro-panels [w0, w1) × token panels [x0, x1) with
// the int8 micro-kernel, whole K at once.
func (g *lowJob) blockQ8(ws *lowScratch, w0, w1, x0, x1 int) {
	f := g.f
	load := g.y != nil && g.accumulate
	for ir := w0; ir < w1; ir++ {
		r0 := ir * mrQ
		mr := min(mrQ, g.n-r0)
		bias, flags := g.q8Bias(ws, r0, mr)
		if load {
			flags |= kLoad
		}
		if q8Widens() {
			q8Widen(ws.w16, f.q[r0*f.kp:], f.kp, g.kp/4)
		}
		// The next W micro-panel [12][kp] (one stretch of memory, from L3
		// or memory: at batch 1 each W row is read once per call), its
		// lines shared out among this one's full-width tiles.
		var nextW []int8
		wLines, full := 0, fullPanels(g.m, x0, x1)
		if q8PrefetchW && ir+1 < w1 && full > 0 {
			nextW = f.q[(r0+mrQ)*f.kp : (r0+2*mrQ)*f.kp]
			wLines = (len(nextW) + 63) / 64
		}
		for jr := x0; jr < x1; jr++ {
			t := g.tileFor(ws, r0, mr, mrQ, jr, load)
			cols := min(nr, g.m-jr*nr)
			var pf []float32 // the next tile this task writes [rows][32], for the kernel to prefetch
			if g.y != nil {
				switch {
				case jr+1 < x1:
					pf = g.y.P[((jr+1)*g.n+r0)*nr:][:mr*nr]
				case ir+1 < w1:
					pf = g.y.P[(x0*g.n+r0+mrQ)*nr:][:min(mrQ, g.n-r0-mrQ)*nr]
				}
			}
			var pfw []int8 // this tile's share of nextW
			if j := jr - x0; nextW != nil && j < full {
				a, b := j*wLines/full*64, min((j+1)*wLines/full*64, len(nextW))
				pfw = nextW[a:b]
			}
			g.tileQ8(ws, r0, jr, width(cols) > 16, t, bias, flags, pf, pfw)
			g.finishTile(ws, t, r0, mr, jr)
		}
	}
}

// tileQ8Kernel runs the int8 micro-kernel (q8Kernel) on W micro-panel
// [r0, r0+12) and token panel jr into t [12][32] (the first 16 values of
// each row unless wide), with bias, flags and the regions pf and pfw to
// prefetch; tileQ8 (lowprec_amd64.go) runs the AVX-512 VNNI tile itself
// and this otherwise.
func (g *lowJob) tileQ8Kernel(ws *lowScratch, r0, jr int, wide bool, t, bias []float32, flags int, pf []float32, pfw []int8) {
	f := g.f
	q8Kernel(wide, g.kp/4, f.q[r0*f.kp:], f.kp, ws.w16, &ws.q8acc, g.xq[jr*g.kp*nr:], t,
		f.sw[r0:], f.sum[r0:], g.sx[jr*nr:], g.zx[jr*nr:], bias, flags, pf, pfw)
}

// panelQ8Parts is how many parts (along W, at most one W micro-panel
// each) claim cuts the last token panel of each worker's share into for
// panelQ8, so that the workers end together:
// at batch 1 ViT's 7 panels (the last of 5 tokens) left one worker idle
// for half a panel of each block's fc1.
const panelQ8Parts = 2

// panelQ8 computes W micro-panels [w0, w1) of token panel jr (a task, in
// parts parts) with the int8 micro-kernel into the worker's panel ws.hs
// [n][32] (a part: into its share's hsLast), W micro-panel by W
// micro-panel (x's panel stays in L1, the next W micro-panel is
// prefetched during each tile), applies the activation, and, once the
// panel is whole (a part: the last part to finish), quantizes it into
// g.to for the next call (MLPPanelsAdd): the tiles and the quantization
// of blockQ8's output and the next call's q8Panel, bit for bit, without
// the output leaving L2.
func (g *lowJob) panelQ8(ws *lowScratch, jr, w0, w1, task, parts int) {
	f, in := g.f, g.to
	cols := min(nr, g.m-jr*nr)
	wide := width(cols) > 16
	hs, v := ws.hs, 0 // [n][32]
	if parts > 1 {
		// a share's last task, in parts: the panel goes to the share's buffer
		v = shareOf(g.tasks, g.nw, task)
		hs = g.ws[v].hsLast
	}
	for ir := w0; ir < w1; ir++ {
		r0 := ir * mrQ
		mr := min(mrQ, g.n-r0)
		bias, flags := g.q8Bias(ws, r0, mr)
		t := hs[r0*nr:]
		if mr < mrQ {
			t = ws.tile
		}
		var pf []float32 // the next tile [rows][32], for the kernel to prefetch
		var pfw []int8   // the next W micro-panel [12][kp]
		if ir+1 < w1 {
			pf = hs[(r0+mrQ)*nr:][:min(mrQ, g.n-r0-mrQ)*nr]
			if q8PrefetchW && wide {
				pfw = f.q[(r0+mrQ)*f.kp : (r0+2*mrQ)*f.kp]
			}
		}
		g.tileQ8(ws, r0, jr, wide, t, bias, flags, pf, pfw)
		t = t[:mr*nr]
		if g.act != ActNone {
			Activate(g.act, t)
		}
		if mr < mrQ {
			copy(hs[r0*nr:], t)
		}
	}
	if parts > 1 && g.ws[v].lastDone.Add(1) < int32(parts) {
		return // another part quantizes the panel
	}
	q8Panel(in.xq[jr*in.kp*nr:(jr+1)*in.kp*nr], hs[:g.n*nr], g.n, in.sx[jr*nr:(jr+1)*nr], in.zx[jr*nr:(jr+1)*nr])
}

// bf16Panel writes the token panel src [k][32] rounded to bf16 to dst
// [kp][32] (kp = k rounded up to 2), rows of each pair swapped (dst row
// 2l = src row 2l+1) and a zero row for an odd k's missing one.
func bf16Panel(dst, src []float32, k int) {
	l := bf16PanelFast(dst, src, k/2)
	for ; l < k; l++ {
		d := dst[(l^1)*nr : (l^1)*nr+nr]
		for i, v := range src[l*nr : l*nr+nr] {
			d[i] = roundBF16(v)
		}
	}
	if k%2 == 1 {
		clear(dst[(k-1)*nr : k*nr])
	}
}

// bf16Pairs writes the token panel src [k][32] rounded to bf16 (as
// bf16Panel rounds) to dst [kp/2][32][2] (kp = k rounded up to 2): for
// each pair of K and token, the value at k+1 first, then k (zero past k):
// AMX's and the FMA path's order (the bf16 form's, except where VDPBF16PS
// reads it in order: pairOrder).
func bf16Pairs(dst []uint16, src []float32, k int) { bf16PairsIn(dst, src, k, false) }

// bf16PairsNat is bf16Pairs with each pair in its natural order, k
// first, then k+1: the operand order in which VDPBF16PS adds the product
// at k+1 first, as the other bf16 paths do.
func bf16PairsNat(dst []uint16, src []float32, k int) { bf16PairsIn(dst, src, k, true) }

func bf16PairsIn(dst []uint16, src []float32, k int, nat bool) {
	l := bf16PairsFast(dst, src, k/2, nat)
	for ; l < (k+1)&^1; l++ {
		for i := range nr {
			var v uint16
			if l < k {
				v = bf16Hi(src[l*nr+i])
			}
			e := 1 - l%2 // the element of the pair l goes to
			if nat {
				e = l % 2
			}
			dst[(l/2*nr+i)*2+e] = v
		}
	}
}

// bf16Expand writes the bf16 values src[:len(dst)] to dst as float32.
func bf16Expand(dst []float32, src []uint16) {
	l := bf16ExpandFast(dst, src)
	for i := l; i < len(dst); i++ {
		dst[i] = math.Float32frombits(uint32(src[i]) << 16)
	}
}

// q8Params returns the scale and zero point of a token whose values span
// [lo, hi] (lo ≤ 0 ≤ hi), and the factor 1/scale its values are
// quantized with.
func q8Params(lo, hi float32) (s, inv float32, z int32) {
	s = (hi - lo) / 255
	if !(s > 0) || math.IsInf(float64(s), 0) {
		return 1, 1, 0 // all zero (or not finite: the outputs are garbage either way)
	}
	inv = 1 / s
	z = int32(max(0, min(255, math.RoundToEven(float64(-lo*inv)))))
	return s, inv, z
}

// q8Panel quantizes the token panel src [k][32] to dst [kp/4][32][4] u8
// (kp = k rounded up to 4; dst[(l/4·32 + i)·4 + l%4] = xq[i, l]), one
// scale sx[i] and zero point zx[i] per token:
//
//	xq[i, l] = clamp(round(float32(x[i, l]·inv[i])) + zx[i], 0, 255)
//
// rounding ties to even; padding past k holds the zero point.
func q8Panel(dst []uint8, src []float32, k int, sx []float32, zx []int32) {
	var lo, hi [nr]float32
	minMaxPanel(src, k, &lo, &hi)
	q8PanelIn(dst, src, k, &lo, &hi, sx, zx)
}

// q8PanelIn is q8Panel on a panel whose ranges lo and hi (minMaxPanel's)
// are known.
func q8PanelIn(dst []uint8, src []float32, k int, lo, hi *[nr]float32, sx []float32, zx []int32) {
	var inv [nr]float32
	for i := range nr {
		sx[i], inv[i], zx[i] = q8Params(lo[i], hi[i])
	}
	l := q8PanelFast(dst, src, k/4, &inv, zx)
	for ; l < (k+3)&^3; l++ {
		for i := range nr {
			q := zx[i]
			if l < k {
				q = q8Value(src[l*nr+i], inv[i], zx[i])
			}
			dst[(l/4*nr+i)*4+l%4] = uint8(q)
		}
	}
}

// q8Value is one quantized activation (see q8Panel).
func q8Value(x, inv float32, z int32) int32 {
	r := math.RoundToEven(float64(float32(x * inv)))
	if !(r >= -1<<31 && r < 1<<31) {
		return 0 // a NaN or huge value: the vector code's indefinite integer, clamped
	}
	return max(0, min(255, int32(r)+z)) // int32 addition wraps like the vector code's

}

// minMaxPanel sets lo and hi to each token's min(0, min_l x) and max(0,
// max_l x) over the panel src [k][32].
func minMaxPanel(src []float32, k int, lo, hi *[nr]float32) {
	*lo, *hi = [nr]float32{}, [nr]float32{}
	l := minMaxPanelFast(src, k, lo, hi)
	for ; l < k; l++ {
		for i, v := range src[l*nr : l*nr+nr] {
			lo[i], hi[i] = min(lo[i], v), max(hi[i], v)
		}
	}
}
