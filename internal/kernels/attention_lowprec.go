package kernels

import "math"

// Attention of the bf16 and int8 precisions.
//
// AttentionPanelsAt and AttentionPanelsBiasAt run the two products of
// attention in bf16, on the same token panels and query panels as
// AttentionPanels: q, k, v and the probabilities rounded to bf16 (ties
// to even), products exact, sums, scale, bias and softmax in float32:
//
//	Sᵀ [t keys][32 queries] = K · Qᵀ      summed over the features
//	softmax of Sᵀ/√dh over the keys in float32 (softmaxPairs on AMX,
//	softmaxNat elsewhere, each writing the probabilities rounded to bf16
//	in pairs)
//	Oᵀ [dh][32 queries]     = Vᵀ · Pᵀ      summed over the keys
//
// On a CPU with AMX (and AVX-512 for the softmax and the conversions)
// both products are TDPBF16PS tiles (attAMX): K rows [tPad][dhp] bf16 as
// A, Q in pairs as B; Vᵀ [dhp][tPad] bf16 as A, the probabilities in
// pairs as B (tPad and dhp: t and dh rounded up to 32, the padding
// zeros). The tiles add the products of a step in an order of their own.
//
// Elsewhere every sum runs from zero through its terms pair by pair
// (features 0–1, 2–3, … for a score; keys 0–1, 2–3, … of the sequence
// for an output), the later of a pair first as in the bf16 Linear, each
// product added and rounded in turn, on one of two kernels that give the
// same bits:
//   - attDP (AVX512_BF16 where the bf16 Linear runs VDPBF16PS, dpFits):
//     K rows [tPad][dhp] and Vᵀ [dhp][tPad], converted with the pairs of
//     the summed index in order (headBF16), and Q and the probabilities
//     in pairs in order feed the 12×32 VDPBF16PS tile of the Linear
//     (bf16dpKernelAVX512, which adds a pair's second element first), K
//     rows and Vᵀ rows as its W rows, 12 at a time and 4 or 8 for the
//     last (dpRows), Q and the probabilities as its token panel; the
//     scores' tiles also take the softmax's maxima (bf16dpMaxAVX512).
//   - attEmu (every other CPU, and -tags purego): the float32 kernels of
//     AttentionPanels on the rounded values (K and Vᵀ [dh][t], Q [dh][32],
//     the probabilities [t][32]), each pair of the summed index swapped
//     (panelEmu).
//
// VDPBF16PS takes bf16 subnormals as zero; attEmu does too as it rounds.
// It also flushes a sum that falls below 2⁻¹²⁶ to zero, which attEmu
// does not: the two differ only when a score or an output passes through
// that range (products or cancellations of magnitude below 10⁻³⁸).
//
// Every score sums the features in an order fixed by dh, and every output
// the keys of its own sequence, counted from its first token, in an order
// fixed by t: as on the float32 path, a token's results depend neither on
// the batch, nor on the panel or lane it lies in, nor on the thread
// count. The exponential of the softmax is the vector family's
// (softmaxPairs), as the float32 path's is.

// attKernel is how attentionPanels runs: in float32 or one of the bf16
// kernels above.
type attKernel uint8

const (
	attFP32 attKernel = iota
	attAMX
	attDP
	attEmu
)

// AttentionPanelsAt is AttentionPanels in precision prec: for BF16 and
// Int8, q, k, v and the probabilities rounded to bf16 (see above), for
// FP32 AttentionPanels itself.
func AttentionPanelsAt(p *Pool, prec Precision, b, t, h, dh int, qkv, out *Panels) {
	attentionPanels(p, b, t, h, dh, qkv, nil, out, prec != FP32)
}

// AttentionPanelsBiasAt is AttentionPanelsBias in precision prec (see
// AttentionPanelsAt); the bias is added to the float32 scores.
func AttentionPanelsBiasAt(p *Pool, prec Precision, b, t, h, dh int, qkv *Panels, bias []float32, out *Panels) {
	if b > 0 && t > 0 && h > 0 && len(bias) < h*t*t {
		panic("kernels: AttentionPanelsBiasAt: bias is not [h, t, t]")
	}
	attentionPanels(p, b, t, h, dh, qkv, bias, out, prec != FP32)
}

// amxAttnScratch is one worker's buffers of the bf16 attention.
type amxAttnScratch struct {
	kr []uint16    // attAMX, attDP: [tPad][dhp] K rows of the current head, pairs of features swapped (attAMX) or in order (attDP)
	vt []uint16    // attAMX, attDP: [dhp][tPad] Vᵀ of the current head, pairs of keys as kr's
	qp []uint16    // attAMX, attDP: [dhp/2][32][2] Q in pairs as kr's, unscaled
	pp []uint16    // attAMX, attDP: [tPad/2][32][2] the probabilities in pairs as kr's
	st []float32   // attAMX, attDP: [tPad][32] Sᵀ, then the exponentials or the softmax
	mx [nr]float32 // attDP: [32] the maxima of Sᵀ's columns, without a bias
	o  []float32   // attAMX, attDP: [dhp][32] an Oᵀ that cannot go straight into out
	ah lineQueue   // attDP: the part of the next head's q, k and v to ask for during this query panel
	kt []float32   // attEmu: [ceil(t/32)+1][dh2][32] the head's key panels, rounded, rows in bf16Panel's order
	qf []float32   // attEmu: [dh2][32] the query panel, rounded, rows as kt's
	pf []float32   // attEmu: [t2][32] the probabilities, rounded, rows as kt's
	_  [64]byte
}

// pads returns t and dh rounded up to 32, the AMX steps.
func (j *attPanelsJob) pads() (tPad, dhp int) {
	return (j.t + 31) &^ 31, (j.dh + 31) &^ 31
}

// growBF16 sizes the buffers of the first n workers for j.bf.
func (j *attPanelsJob) growBF16(n int) {
	if len(j.amx) < n {
		j.amx = append(j.amx, make([]amxAttnScratch, n-len(j.amx))...)
	}
	tPad, dhp := j.pads()
	for i := range j.amx[:n] {
		s := &j.amx[i]
		if j.bf == attEmu {
			dh2 := (j.dh + 1) &^ 1
			s.kt = Grow(s.kt, ((j.t+nr-1)/nr+1)*dh2*nr)
			s.qf = Grow(s.qf, dh2*nr)
			s.pf = Grow(s.pf, (j.t+1)&^1*nr)
			continue
		}
		s.kr = Grow(s.kr, tPad*dhp)
		s.vt = Grow(s.vt, dhp*tPad)
		s.qp = Grow(s.qp, dhp*nr)
		s.pp = Grow(s.pp, tPad*nr)
		s.st = Grow(s.st, tPad*nr)
		s.o = Grow(s.o, dhp*nr)
	}
}

// panelBF16 is panel in bf16 on AMX or VDPBF16PS (see above): query
// panel qp of sequence·head bh, with K rows and Vᵀ converted unless *cur
// is already bh (and asked for first unless warm is bh: prefetched). qB
// [dh][32] is the worker's float32 query panel, for queries gathered
// from two token panels.
func (j *attPanelsJob) panelBF16(s *amxAttnScratch, bh, qp int, cur *int, warm int, qB []float32) {
	t, dh, d := j.t, j.dh, j.h*j.dh
	tPad, dhp := j.pads()
	bi, hd := bh/j.h, bh%j.h
	s0 := bi * t // the sequence's first token
	pa, pb := j.queries(s0, qp)
	nq := pa.n + pb.n
	if nq == 0 {
		return
	}
	amx := j.bf == attAMX
	if bh != *cur {
		j.headBF16(s, s0, hd, !amx, bh != warm) // VDPBF16PS adds a pair's second element first
		*cur = bh
	}
	q := j.qkv.P[(pa.tp*3*d+hd*dh)*nr:][:dh*nr]
	if pa.n < nr {
		j.gatherQ(hd, pa, pb, qB)
		q = qB[:dh*nr]
	}
	bf16PairsIn(s.qp, q, dh, !amx)
	clear(s.qp[(dh+1)/2*2*nr : dhp*nr])
	// This panel's part of the next head: spread over the score tiles
	// (floor(t/12) of them) and then the P·V tiles, the rest after them.
	step := (s.ah.n + max(t/mrDP, 1) - 1) / max(t/mrDP, 1)
	var mx []float32 // the softmax's maxima, taken by the tile where no bias follows
	if amx {
		amxBlocksBF16(s.kr, dhp, s.qp, s.st, dhp/32, tPad/32)
	} else {
		if j.bias == nil && t >= mrDP { // fewer keys: the softmax takes its own maxima
			mx = s.mx[:]
			for i := range mx {
				mx[i] = float32(math.Inf(-1))
			}
		}
		dpRows(s.kr, dhp, s.qp, (dh+1)/2, s.st, t, nq > 16, mx, &s.ah, step)
	}
	scale := j.scale
	if j.bias != nil {
		scaleFast(s.st[:t*nr], scale)
		j.addBias(s0, hd, pa, pb, s.st)
		scale = 1
	}
	if amx {
		softmaxPairs(s.st, t, scale, s.pp)
		clear(s.pp[(t+1)/2*2*nr : tPad*nr]) // Vᵀ is zero there, but 0·NaN is not
	} else {
		softmaxNat(s.st, t, scale, s.pp, nq > 16, mx)
	}
	full := pa.n == nr && dhp == dh
	if !amx {
		full = pa.n == nr && dh >= mrDP
	}
	o := s.o
	if full {
		o = j.out.P[(pa.tp*d+hd*dh)*nr:][:dh*nr]
	}
	if amx {
		amxBlocksBF16(s.vt, tPad, s.pp, o, tPad/32, dhp/32)
	} else {
		pv := (dh + mrDP - 1) / mrDP
		dpRows(s.vt, tPad, s.pp, (t+1)/2, o, dh, nq > 16, nil, &s.ah, (s.ah.n+pv-1)/pv)
	}
	s.ah.ask(s.ah.n) // what the tiles left of this panel's part
	if !full {
		j.store(s.o, dh, pa, hd*dh)
		j.store(s.o[pa.n:], dh, pb, hd*dh)
	}
}

// softmaxBF16 is the softmax of attDP and attEmu: the scores st
// [rows][32] scaled by scale unless it is 1, then the float32 softmax
// (softmaxColsN) of at least the first w columns, its probabilities left
// in st for the caller to round.
func softmaxBF16(st []float32, scale float32, w int) {
	if scale != 1 {
		scaleFast(st, scale)
	}
	softmaxColsN(st, len(st)/nr, w)
}

// softmaxNat is attDP's softmax: softmaxBF16 on the scores st [rows][32]
// followed by bf16PairsNat of its probabilities into dst
// [ceil(rows/2)][32][2], the same bits, on AVX-512 in three passes over
// st instead of five (softmaxNatAVX512). With wide false only columns
// 0–15 count (the others of dst may be left as they were). mx is nil or
// the maxima of st's columns [32] (dpRows), which the vector path then
// takes instead of a pass of its own. st is left holding the
// probabilities or, on the vector path, the exponentials.
func softmaxNat(st []float32, rows int, scale float32, dst []uint16, wide bool, mx []float32) {
	if softmaxNatFast(st, rows, scale, dst, wide, mx) {
		return
	}
	softmaxBF16(st[:rows*nr], scale, nr)
	bf16PairsNat(dst, st[:rows*nr], rows)
}

// panelEmu is panelBF16 on the float32 kernels (attEmu), every operand
// rounded to bf16 with the rows of each pair of the summed index swapped
// (bf16Panel) so that the kernels sum in VDPBF16PS's order: the head's
// key panels into s.kt and its Vᵀ into vT [dh][j.tPad] (keys of each pair
// swapped) unless *cur is already bh, the query panel (gathered in qB
// [dh][32]) into s.qf, the scores in st [t][32], the probabilities into
// s.pf; Oᵀ as panel stores it (tile [Mr][32]).
func (j *attPanelsJob) panelEmu(s *amxAttnScratch, bh, qp int, cur *int, vT, qB, st, tile []float32) {
	t, dh, d := j.t, j.dh, j.h*j.dh
	dh2, t2 := (dh+1)&^1, (t+1)&^1
	bi, hd := bh/j.h, bh%j.h
	s0 := bi * t // the sequence's first token
	pa, pb := j.queries(s0, qp)
	nq := pa.n + pb.n
	if nq == 0 {
		return
	}
	src := j.qkv.P
	if bh != *cur {
		for kp := s0 / nr; kp*nr < s0+t; kp++ {
			i := kp - s0/nr
			bf16Panel(s.kt[i*dh2*nr:(i+1)*dh2*nr], src[(kp*3*d+d+hd*dh)*nr:][:dh*nr], dh)
		}
		for k := 0; k < t; {
			g := s0 + k
			l0, n := g%nr, min(nr-g%nr, t-k)
			v := src[(g/nr*3*d+2*d+hd*dh)*nr+l0:]
			for f := 0; f < dh; f++ {
				r := vT[f*j.tPad : f*j.tPad+t2]
				for l, x := range v[f*nr : f*nr+n] {
					r[(k+l)^1] = roundBF16(x)
				}
			}
			k += n
		}
		if t%2 == 1 {
			for f := 0; f < dh; f++ {
				vT[f*j.tPad+t-1] = 0
			}
		}
		*cur = bh
	}
	q := src[(pa.tp*3*d+hd*dh)*nr:][:dh*nr]
	if pa.n < nr {
		j.gatherQ(hd, pa, pb, qB)
		q = qB[:dh*nr]
	}
	bf16Panel(s.qf, q, dh)
	// Sᵀ per key panel, in balanced chunks of at most Mr keys.
	for k := 0; k < t; {
		g := s0 + k
		l0, n := g%nr, min(nr-g%nr, t-k)
		kb := s.kt[(g/nr-s0/nr)*dh2*nr+l0:]
		chunks := (n + j.mr - 1) / j.mr
		for c := 0; c < chunks; c++ {
			a, e := split(n, chunks, c)
			microKernel(j.isa, e-a, nr, dh2, kb[a:], nr, false, s.qf, st[(k+a)*nr:], nr, nil, 0)
		}
		k += n
	}
	scale := j.scale
	if j.bias != nil {
		scaleFast(st[:t*nr], scale)
		j.addBias(s0, hd, pa, pb, st)
		scale = 1
	}
	w := width(nq)
	softmaxBF16(st[:t*nr], scale, w)
	bf16Panel(s.pf, st[:t*nr], t)
	j.outputs(hd, pa, pb, w, t2, vT, s.pf, tile)
}

// headBF16 converts K and V of head hd of the sequence starting at token
// s0 to bf16: K rows s.kr [tPad][dhp] and Vᵀ s.vt [dhp][tPad], zero past
// t and dh, each pair of the summed index swapped (the order of
// bf16Pairs, which the B operands come from) or, nat, in order. With
// pf, K and V are asked for first (not prefetched during another head).
func (j *attPanelsJob) headBF16(s *amxAttnScratch, s0, hd int, nat, pf bool) {
	t, dh, d := j.t, j.dh, j.h*j.dh
	tPad, dhp := j.pads()
	src := j.qkv.P
	// The head's keys and values were written long before (the q|k|v
	// Linear): ask for all of them before converting the first.
	for kp := s0 / nr; pf && kp*nr < s0+t; kp++ {
		prefetchPanel(src[(kp*3*d+d+hd*dh)*nr:], 1, 0, dh*nr, 0, 1)
		prefetchPanel(src[(kp*3*d+2*d+hd*dh)*nr:], 1, 0, dh*nr, 0, 1)
	}
	// The padding first: with odd dh (t) and pairs swapped the last
	// feature (key) goes into the padding's first place and the place
	// before it is zero; in order, it goes back into its own.
	for k := 0; k < t; k++ {
		clear(s.kr[k*dhp+dh&^1 : (k+1)*dhp])
	}
	clear(s.kr[t*dhp : tPad*dhp])
	for f := 0; f < dh; f++ {
		clear(s.vt[f*tPad+t&^1 : (f+1)*tPad])
	}
	clear(s.vt[dh*tPad : dhp*tPad])
	for k := 0; k < t; {
		g := s0 + k
		l0, n := g%nr, min(nr-g%nr, t-k)
		base := (g/nr*3*d+d+hd*dh)*nr + l0
		kRowsBF16(s.kr[k*dhp:(k+n)*dhp], dhp, src[base:base+(dh-1)*nr+n], dh, nat)
		vRowsBF16(s.vt, tPad, k, src[base+d*nr:base+d*nr+(dh-1)*nr+n], dh, nat)
		k += n
	}
}

// softmaxPairs replaces each column of s [rows][32] by the exponentials
// of its softmax of scale·s over the rows and writes the softmax rounded
// to bf16 to dst [ceil(rows/2)][32][2] in the pairs of bf16Pairs (zero
// for a missing last row). The vector code's exponential is a polynomial
// good to about 2⁻¹⁸, far below bf16's 2⁻⁸; its sums run two rows at a
// time, even and odd rows apart, as here.
func softmaxPairs(s []float32, rows int, scale float32, dst []uint16) {
	if softmaxPairsFast(s, rows, scale, dst) {
		return
	}
	s = s[:rows*nr]
	for c := 0; c < nr; c++ {
		m := float32(math.Inf(-1))
		for r := 0; r < rows; r++ {
			m = max(m, s[r*nr+c])
		}
		m *= scale
		var sum [2]float32 // even and odd rows
		for r := 0; r < rows; r++ {
			e := float32(math.Exp(float64(s[r*nr+c]*scale - m)))
			s[r*nr+c] = e
			sum[r%2] += e
		}
		inv := 1 / (sum[0] + sum[1])
		for r := 0; r < (rows+1)&^1; r++ {
			var v uint16
			if r < rows {
				v = bf16Hi(s[r*nr+c] * inv)
			}
			dst[(r/2*nr+c)*2+1-r%2] = v
		}
	}
}

// bf16Hi is the 16 bits of roundBF16(v): v rounded to bf16, ties to
// even. A NaN whose payload lies only in the low 16 bits rounds to an
// infinity (or, for 0xffffffff, to +0): q, k, v and the probabilities
// are finite unless the model already produced a NaN, and the assembly
// does the same, so the paths agree.
func bf16Hi(v float32) uint16 { return uint16(math.Float32bits(roundBF16(v)) >> 16) }

// kRowsBF16 writes the n = len(dst)/ld keys of src [dh][32] (feature f of
// key l at src[f·32+l]) as bf16 rows: dst[l·ld + f^x] = bf16(src[f·32+l]),
// f < dh, x = 1 (each pair of features swapped, dh even or the row's
// padding taking f^1 = dh) or, nat, x = 0.
func kRowsBF16(dst []uint16, ld int, src []float32, dh int, nat bool) {
	if kRowsFast(dst, ld, src, dh, nat) {
		return
	}
	x := swapBit(nat)
	n := len(dst) / ld
	for f := 0; f < dh; f++ {
		row := src[f*nr : f*nr+n]
		for l, v := range row {
			dst[l*ld+f^x] = bf16Hi(v)
		}
	}
}

// vRowsBF16 writes the n keys k0… of src [dh][32] (as kRowsBF16) into
// Vᵀ dst [dh][ld] as bf16: dst[f·ld + (k0+l)^x] = bf16(src[f·32+l]), x as
// kRowsBF16's.
func vRowsBF16(dst []uint16, ld, k0 int, src []float32, dh int, nat bool) {
	if vRowsFast(dst, ld, k0, src, dh, nat) {
		return
	}
	x := swapBit(nat)
	n := (len(src)-1)%nr + 1
	for f := 0; f < dh; f++ {
		row := src[f*nr : f*nr+n]
		d := dst[f*ld : (f+1)*ld]
		for l, v := range row {
			d[(k0+l)^x] = bf16Hi(v)
		}
	}
}

// swapBit is 0 for pairs in order (nat), else 1: value i of a pair
// sequence stored at i^swapBit.
func swapBit(nat bool) int {
	if nat {
		return 0
	}
	return 1
}
