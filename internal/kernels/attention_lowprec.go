package kernels

import "math"

// Attention of the bf16 and int8 precisions.
//
// On a CPU with AMX (and AVX-512 for the softmax and the conversions),
// AttentionPanelsAt and AttentionPanelsBiasAt run the two products of
// attention as TDPBF16PS tiles, on the same token panels and query panels
// as AttentionPanels:
//
//	Sᵀ [tPad keys][32 queries] = K · Qᵀ         K rows [tPad][dhp] bf16 as A,
//	                                            Q in pairs as B
//	softmax of Sᵀ/√dh over the keys in float32 (softmaxPairs, which writes
//	the probabilities rounded to bf16 in pairs)
//	Oᵀ [dhp][32 queries]       = Vᵀ · Pᵀ         Vᵀ [dhp][tPad] bf16 as A, the
//	                                            probabilities rounded to bf16
//	                                            in pairs as B
//
// tPad is t rounded up to 32 and dhp is dh rounded up to 32, the padding
// zeros. Products of bf16 are exact and the tiles add them in float32. Every
// score sums the features in an order fixed by dh, and every output the
// keys of its own sequence, counted from its first token, in an order fixed
// by t: as on the float32 path, a token's results depend neither on the
// batch, nor on the panel or lane it lies in, nor on the thread count.
// Elsewhere (FP32, or a CPU without AMX) they are AttentionPanels and
// AttentionPanelsBias.

// AttentionPanelsAt is AttentionPanels in precision prec: q, k, v and the
// probabilities rounded to bf16 for BF16 and Int8 on a CPU with AMX, else
// AttentionPanels itself.
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
	kr []uint16  // [tPad][dhp] K rows of the current head, each pair of features swapped
	vt []uint16  // [dhp][tPad] Vᵀ of the current head, each pair of keys swapped
	qp []uint16  // [dhp/2][32][2] Q in pairs (bf16Pairs' order), unscaled
	pp []uint16  // [tPad/2][32][2] the probabilities in pairs
	st []float32 // [tPad][32] Sᵀ, then the exponentials
	o  []float32 // [dhp][32] an Oᵀ that cannot go straight into out
	_  [64]byte
}

// pads returns t and dh rounded up to 32, the AMX steps.
func (j *attPanelsJob) pads() (tPad, dhp int) {
	return (j.t + 31) &^ 31, (j.dh + 31) &^ 31
}

// growAMX sizes the buffers of the first n workers.
func (j *attPanelsJob) growAMX(n int) {
	if len(j.amx) < n {
		j.amx = append(j.amx, make([]amxAttnScratch, n-len(j.amx))...)
	}
	tPad, dhp := j.pads()
	for i := range j.amx[:n] {
		s := &j.amx[i]
		s.kr = Grow(s.kr, tPad*dhp)
		s.vt = Grow(s.vt, dhp*tPad)
		s.qp = Grow(s.qp, dhp*nr)
		s.pp = Grow(s.pp, tPad*nr)
		s.st = Grow(s.st, tPad*nr)
		s.o = Grow(s.o, dhp*nr)
	}
}

// panelAMX is panel in bf16 on AMX (see above): query panel qp of
// sequence·head bh, with K rows and Vᵀ converted unless *cur is already
// bh. qB [dh][32] is the worker's float32 query panel, for queries
// gathered from two token panels.
func (j *attPanelsJob) panelAMX(s *amxAttnScratch, bh, qp int, cur *int, qB []float32) {
	t, dh, d := j.t, j.dh, j.h*j.dh
	tPad, dhp := j.pads()
	bi, hd := bh/j.h, bh%j.h
	s0 := bi * t // the sequence's first token
	pa, pb := j.queries(s0, qp)
	nq := pa.n + pb.n
	if nq == 0 {
		return
	}
	if bh != *cur {
		j.headBF16(s, s0, hd)
		*cur = bh
	}
	if pa.n == nr {
		bf16Pairs(s.qp, j.qkv.P[(pa.tp*3*d+hd*dh)*nr:][:dh*nr], dh)
	} else {
		j.gatherQ(hd, pa, pb, qB)
		bf16Pairs(s.qp, qB[:dh*nr], dh)
	}
	clear(s.qp[(dh+1)/2*2*nr : dhp*nr])
	amxBlocksBF16(s.kr, dhp, s.qp, s.st, dhp/32, tPad/32)
	scale := j.scale
	if j.bias != nil {
		scaleFast(s.st[:t*nr], scale)
		j.addBias(s0, hd, pa, pb, s.st)
		scale = 1
	}
	softmaxPairs(s.st, t, scale, s.pp)
	clear(s.pp[(t+1)/2*2*nr : tPad*nr]) // Vᵀ is zero there, but 0·NaN is not
	if pa.n == nr && dhp == dh {
		amxBlocksBF16(s.vt, tPad, s.pp, j.out.P[(pa.tp*d+hd*dh)*nr:][:dh*nr], tPad/32, dhp/32)
		return
	}
	amxBlocksBF16(s.vt, tPad, s.pp, s.o, tPad/32, dhp/32)
	j.store(s.o, dh, pa, hd*dh)
	j.store(s.o[pa.n:], dh, pb, hd*dh)
}

// headBF16 converts K and V of head hd of the sequence starting at token
// s0 to bf16: K rows s.kr [tPad][dhp] and Vᵀ s.vt [dhp][tPad], zero past
// t and dh, each pair of the summed index swapped (the order of
// bf16Pairs, which the B operands come from).
func (j *attPanelsJob) headBF16(s *amxAttnScratch, s0, hd int) {
	t, dh, d := j.t, j.dh, j.h*j.dh
	tPad, dhp := j.pads()
	src := j.qkv.P
	// The head's keys and values were written long before (the q|k|v
	// Linear): ask for all of them before converting the first.
	for kp := s0 / nr; kp*nr < s0+t; kp++ {
		prefetchPanel(src[(kp*3*d+d+hd*dh)*nr:], 1, 0, dh*nr, 0, 1)
		prefetchPanel(src[(kp*3*d+2*d+hd*dh)*nr:], 1, 0, dh*nr, 0, 1)
	}
	// The padding first: with odd dh (t) the last feature (key) goes
	// into the padding's first place and the place before it is zero.
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
		kRowsBF16(s.kr[k*dhp:(k+n)*dhp], dhp, src[base:base+(dh-1)*nr+n], dh)
		vRowsBF16(s.vt, tPad, k, src[base+d*nr:base+d*nr+(dh-1)*nr+n], dh)
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
// key l at src[f·32+l]) as bf16 rows: dst[l·ld + f^1] = bf16(src[f·32+l]),
// f < dh (dh even, or the row's padding taking f^1 = dh).
func kRowsBF16(dst []uint16, ld int, src []float32, dh int) {
	if kRowsFast(dst, ld, src, dh) {
		return
	}
	n := len(dst) / ld
	for f := 0; f < dh; f++ {
		row := src[f*nr : f*nr+n]
		for l, v := range row {
			dst[l*ld+f^1] = bf16Hi(v)
		}
	}
}

// vRowsBF16 writes the n keys k0… of src [dh][32] (as kRowsBF16) into
// Vᵀ dst [dh][ld] as bf16: dst[f·ld + (k0+l)^1] = bf16(src[f·32+l]).
func vRowsBF16(dst []uint16, ld, k0 int, src []float32, dh int) {
	if vRowsFast(dst, ld, k0, src, dh) {
		return
	}
	n := (len(src)-1)%nr + 1
	for f := 0; f < dh; f++ {
		row := src[f*nr : f*nr+n]
		d := dst[f*ld : (f+1)*ld]
		for l, v := range row {
			d[(k0+l)^1] = bf16Hi(v)
		}
	}
}

// AttentionBF16 reports whether AttentionPanelsAt and
// AttentionPanelsBiasAt run in bf16 for BF16 and Int8 on this CPU (with
// the kernel family in use), rather than as the float32 functions.
func AttentionBF16() bool { return attentionAMX(currentISA()) }
