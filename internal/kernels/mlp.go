package kernels

// MLPPanelsAdd adds a transformer block's MLP branch to y [M, D]:
//
//	y += act(LN(x)·W1ᵀ + b1)·W2ᵀ + b2
//
// for x [M, K] in token panels, LN the LayerNorm ln (none when ln.Gamma
// is nil; h [M, K] its buffer where LinearToPanelsNormed needs one) and
// u [M, F] the buffer of the hidden activations. y may be x (a residual
// stream added to in place: fc1 reads all of x before fc2 writes y); it
// must not share memory with u or h. y gets the bits of
// LinearToPanelsNormed into u, then LinearPanelsAdd.
//
// With bf16 W1 and W2, fc1 finishes each output tile, while it is in L1,
// straight into fc2's input: rounded to bf16 in the layout fc2's kernel
// reads (lowInput). The hidden activations are then never written in
// float32 (u is left as it was) and fc2 converts nothing; ViT-B/16 at
// batch 8 moves 19 MB less per block.
//
// With int8 W1 and W2 and enough token panels to share out (mlpQ8Panels
// per worker), fc1 runs token panel by token panel instead: each task
// computes one panel's F hidden values into its worker's buffer (393 KB
// for F = 3072, in L2) and quantizes it there for fc2 (q8Panel: fc2
// quantizes each token with the range of all its F values, so no tile can
// be converted alone). u is left as it was here too.
func MLPPanelsAdd(p *Pool, x *Panels, ln Norm, h *Panels, w1 *PackedB, b1 []float32, act Act, u *Panels, w2 *PackedB, b2 []float32, y *Panels) {
	p = orSerial(p)
	if !mlpFuses(p, x, w1, w2, y) {
		LinearToPanelsNormed(p, x, ln, h, w1, b1, act, u)
		LinearPanelsAdd(p, u, w2, b2, y)
		return
	}
	p.lock()
	defer p.unlock()
	in := &p.lowIn
	in.q8 = w1.Precision() == Int8
	if !in.q8 {
		in.form = bf16In(bf16Kernel(w2.lp.kp, currentISA()))
	}
	in.kp = w2.lp.kp
	linearLowLocked(p, x.M, nil, 0, x, w1, b1, act, false, nil, 0, nil, lowOpts{ln: ln, to: in})
	linearLowLocked(p, x.M, nil, 0, nil, w2, b2, ActNone, true, nil, 0, y, lowOpts{from: in})
}

// mlpQ8Panels is the number of token panels per worker from which the
// int8 MLP runs fc1 token panel by token panel (fewer would leave workers
// idle at the end: a panel is one task); a variable for tests.
var mlpQ8Panels = 3

// mlpFuses reports whether MLPPanelsAdd hands fc1's output to fc2 already
// converted (see there): both W in bf16 or both in int8, shapes that
// chain; in bf16 fc1's tiles of an even number of rows, so that a tile
// holds whole pairs of fc2's K; in int8 the VNNI or generic tile (not
// AMX's, nor one that widens W per micro-panel) and at least mlpQ8Panels
// token panels per worker of p.
func mlpFuses(p *Pool, x *Panels, w1, w2 *PackedB, y *Panels) bool {
	if w1.Precision() != w2.Precision() || x.M <= 0 || w1.K == 0 || w1.K != x.K ||
		w1.N == 0 || w2.K != w1.N || w2.N == 0 || y.M != x.M || y.K != w2.N {
		return false
	}
	s := currentISA()
	switch w1.Precision() {
	case BF16:
		// AMX's 32 and the VDPBF16PS tile's 12 rows are even; the float32
		// kernels' Mr need not be (mr512 is a benchmark knob).
		amx, dp := bf16Kernel(w1.lp.kp, s)
		return amx || dp || s.mr()%2 == 0
	case Int8:
		panels := (x.M + nr - 1) / nr
		return !amxFits(Int8, w1.lp.kp) && !q8Widens() && panels >= mlpQ8Panels*p.workers()
	}
	return false
}

// lowInput is the input of a bf16 or int8 Linear call already converted
// to the form its kernel reads, written by the call before it (lowJob.to):
// bf16 tile by tile, int8 token panel by token panel; taken by it
// (lowOpts.from). It belongs to the Pool; its buffers and the job's trade
// places, so neither is reallocated.
type lowInput struct {
	q8   bool      // int8 (xq, sx, zx), else bf16 in form
	form bf16Form  // bf16
	kp   int       // K of the call that takes it, rounded up to 2 (bf16) or 4 (int8)
	xp   []uint16  // [xPanels][kp/2][32][2] for the pair forms
	xb   []float32 // [xPanels][kp][32] for rowsSwapped
	xq   []uint8   // int8: [xPanels][kp/4][32][4] quantized (q8Panel)
	sx   []float32 // int8: [xPanels·32] token scales
	zx   []int32   // int8: [xPanels·32] token zero points
}

// reset sizes in for xPanels token panels of n values (n ≤ kp).
func (in *lowInput) reset(xPanels, n int) {
	if n > in.kp {
		panic("kernels: a converted input narrower than its writer's output")
	}
	switch {
	case in.q8:
		in.xq = Grow(in.xq, xPanels*in.kp*nr)
		in.sx = Grow(in.sx, xPanels*nr)
		in.zx = Grow(in.zx, xPanels*nr)
	case in.form == rowsSwapped:
		in.xb = Grow(in.xb, xPanels*in.kp*nr)
	default:
		in.xp = Grow(in.xp, xPanels*in.kp*nr)
	}
}

// tile converts the output tile t [mr][32] of rows r0… (r0 even) of
// token panel jr into in.
func (in *lowInput) tile(t []float32, r0, mr, jr int) {
	in.form.convert(in.xp, in.xb, (jr*in.kp+r0)*nr, t, mr)
}

// take makes in the converted input of g, which must read in's form and
// K, and gives in g's former buffer.
func (in *lowInput) take(g *lowJob) {
	if in.kp != g.kp || in.q8 != (g.prec == Int8) || !in.q8 && in.form != bf16In(g.amx, g.dp) {
		panic("kernels: a converted input in another form than its reader's")
	}
	switch {
	case in.q8:
		g.xq, in.xq = in.xq, g.xq
		g.sx, in.sx = in.sx, g.sx
		g.zx, in.zx = in.zx, g.zx
	case in.form == rowsSwapped:
		g.xb, in.xb = in.xb, g.xb
	default:
		g.xp, in.xp = in.xp, g.xp
	}
}
