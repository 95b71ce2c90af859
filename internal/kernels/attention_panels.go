package kernels

import (
	"math"
	"sync/atomic"
)

// AttentionPanels is Attention on token panels: qkv [B·T, 3D] (D = h·dh) in
// panels, out [B·T, D] in panels (out.Reset(b·t, D) by the call, Tail rows
// filled as Panels requires). The b sequences are consecutive tokens, so a
// sequence starts mid-panel unless t is a multiple of 32.
//
// Every step reads or writes the panels as they lie, with no transpose,
// one panel of 32 queries of one head at a time:
//
//	Sᵀ [t keys][32 queries]  = K · (Q/√dh)ᵀ   K read in place as packed A
//	                                          (each feature of a key panel is
//	                                          32 contiguous floats), the Q
//	                                          panel gathered and scaled as B
//	softmax over the keys    (down the columns of Sᵀ)
//	Oᵀ [dh][32 queries]      = Vᵀ · Pᵀ        Vᵀ [dh][t] copied from the key
//	                                          panels as A in rows, Sᵀ as B
//
// The scale 1/√dh is applied to Q while it is gathered, as Attention does.
// Key micro-panels never straddle a 32-token panel, so a sequence that
// starts mid-panel runs a few shorter ones. An Oᵀ tile is stored straight
// into out when its 32 queries are one whole output panel, else through a
// tile buffer into the one or two panels (and the Tail rows) its queries
// occupy. Only the tokens of a sequence enter its scores: the padding
// columns of qkv (past b·t) are never read, and those of out are zeroed.
func AttentionPanels(p *Pool, b, t, h, dh int, qkv, out *Panels) {
	d := h * dh
	out.Reset(max(b*t, 0), max(d, 0))
	if b <= 0 || t <= 0 || h <= 0 || dh <= 0 {
		return
	}
	if qkv.M != b*t || qkv.K != 3*d {
		panic("kernels: AttentionPanels: qkv is not [b·t, 3·h·dh]")
	}
	m := b * t
	if r := m % nr; r > 0 {
		lp := m / nr // last panel, padded past lane r
		for c := 0; c < d; c++ {
			clear(out.P[(lp*d+c)*nr+r : (lp*d+c+1)*nr])
		}
	}
	p = orSerial(p)
	p.lock()
	defer p.unlock()
	j := &p.attp
	*j = attPanelsJob{p: p, isa: currentISA(), b: b, t: t, h: h, dh: dh, qkv: qkv, out: out}
	j.mr = j.isa.mr()
	j.nqp = (t + nr - 1) / nr
	j.scale = float32(1 / math.Sqrt(float64(dh)))
	// per-worker scratch: Vᵀ [dh][tPad], Q panel [dh][32], scores Sᵀ
	// [t][32], output tile [Mr][32]
	j.tPad = (t + 15) &^ 15
	j.vLen = dh * j.tPad
	j.qLen = dh * nr
	j.sLen = t * nr
	need := j.vLen + j.qLen + j.sLen + mrMax*nr
	for w := range p.scratch[:min(len(p.scratch), p.workers())] {
		if len(p.scratch[w].attp) < need {
			p.scratch[w].attp = make([]float32, need)
		}
	}
	// Whole heads when there are enough of them (Vᵀ is copied once per
	// head), else single query panels.
	j.per = j.nqp
	if b*h < 4*p.workers() {
		j.per = 1
	}
	j.tasks = b * h * j.nqp / j.per
	j.next.Store(0)
	p.run(min(p.workers(), j.tasks), j)
	j.qkv, j.out = nil, nil
}

// attPanelsJob is one AttentionPanels call, kept in the Pool.
type attPanelsJob struct {
	p                *Pool
	isa              isa
	b, t, h, dh      int
	mr               int
	nqp              int          // query panels per sequence and head
	per              int          // query panels per task: 1 or nqp
	tasks            int          // b·h·nqp / per
	next             atomic.Int64 // next task to hand out
	scale            float32
	qkv, out         *Panels // [b·t, 3D] and [b·t, D] in token panels
	tPad             int     // leading dimension of Vᵀ: t rounded up to 16
	vLen, qLen, sLen int
}

func (j *attPanelsJob) run(w, lo, hi int) {
	buf := j.p.scratch[w].attp
	vT := buf[:j.vLen]                              // [dh][tPad] Vᵀ of the current head
	qB := buf[j.vLen : j.vLen+j.qLen]               // [dh][32] one query panel, scaled by 1/√dh
	st := buf[j.vLen+j.qLen : j.vLen+j.qLen+j.sLen] // [t][32] Sᵀ, then Pᵀ
	tile := buf[j.vLen+j.qLen+j.sLen:][:mrMax*nr]   // [Mr][32] one Oᵀ tile
	cur := -1
	for {
		task := int(j.next.Add(1) - 1)
		if task >= j.tasks {
			return
		}
		for qp := task * j.per % j.nqp; qp < task*j.per%j.nqp+j.per; qp++ {
			j.panel(task*j.per/j.nqp, qp, &cur, vT, qB, st, tile)
		}
	}
}

// panel computes the outputs of query panel qp of sequence·head bh,
// copying Vᵀ first unless *cur is already bh.
func (j *attPanelsJob) panel(bh, qp int, cur *int, vT, qB, st, tile []float32) {
	t, dh, d := j.t, j.dh, j.h*j.dh
	d3 := 3 * d
	bi, hd := bh/j.h, bh%j.h
	s0 := bi * t // the sequence's first token
	src := j.qkv.P
	if bh != *cur {
		// Vᵀ: each feature of a key panel is a run of 32 keys.
		for k := 0; k < t; {
			g := s0 + k
			l0, n := g%nr, min(nr-g%nr, t-k)
			v := src[(g/nr*d3+2*d+hd*dh)*nr+l0:]
			for f := 0; f < dh; f++ {
				copy(vT[f*j.tPad+k:f*j.tPad+k+n], v[f*nr:f*nr+n])
			}
			k += n
		}
		*cur = bh
	}
	q0 := qp * nr
	nq := min(nr, t-q0)
	g0 := s0 + q0
	// Q panel: lanes of one or two token panels; lanes past the
	// sequence's queries are zero, so every score stays finite.
	for k := 0; k < nq; {
		g := g0 + k
		l0, n := g%nr, min(nr-g%nr, nq-k)
		q := src[(g/nr*d3+hd*dh)*nr:]
		if n == nr {
			copy(qB, q[:dh*nr])
			break
		}
		for f := 0; f < dh; f++ {
			copy(qB[f*nr+k:f*nr+k+n], q[f*nr+l0:f*nr+l0+n])
		}
		k += n
	}
	if nq < nr {
		for f := 0; f < dh; f++ {
			clear(qB[f*nr+nq : (f+1)*nr])
		}
	}
	scaleFast(qB, j.scale)
	w := width(nq)
	if w < nr {
		j.scoresNarrow(s0, hd, nq, qB, st, tile)
	} else {
		j.scores(s0, hd, qB, st)
	}
	softmaxColsN(st, t, w)
	// Oᵀ in tiles of at most Mr features.
	o := j.out.P
	direct := nq == nr && g0%nr == 0
	chunks := (dh + j.mr - 1) / j.mr
	for c := 0; c < chunks; c++ {
		d0, d1 := split(dh, chunks, c)
		mr := d1 - d0
		a := vT[d0*j.tPad:]
		if direct {
			microKernel(j.isa, mr, nr, t, a, j.tPad, true, st, o[(g0/nr*d+hd*dh+d0)*nr:], nr, nil, 0)
			continue
		}
		microKernel(j.isa, mr, w, t, a, j.tPad, true, st, tile, nr, nil, 0)
		j.scatter(tile, mr, g0, nq, hd*dh+d0)
	}
}

// scatter stores the first nq lanes of an Oᵀ tile [mr][32] (queries g0 …
// g0+nq−1, features c0 … c0+mr−1 of out) into the token panels they lie
// in, and into out.Tail for tokens of a short last panel.
func (j *attPanelsJob) scatter(tile []float32, mr, g0, nq, c0 int) {
	d := j.out.K
	o := j.out.P
	tailPanel := -1
	if len(j.out.Tail) > 0 {
		tailPanel = (j.out.M - 1) / nr
	}
	for k := 0; k < nq; {
		g := g0 + k
		op, l0, n := g/nr, g%nr, min(nr-g%nr, nq-k)
		for i := 0; i < mr; i++ {
			copy(o[(op*d+c0+i)*nr+l0:(op*d+c0+i)*nr+l0+n], tile[i*nr+k:i*nr+k+n])
		}
		if op == tailPanel {
			for q := 0; q < n; q++ {
				row := j.out.Tail[(l0+q)*d+c0 : (l0+q)*d+c0+mr]
				for i := range row {
					row[i] = tile[i*nr+k+q]
				}
			}
		}
		k += n
	}
}

// scores computes Sᵀ [t][32] = K·qBᵀ for head hd of the sequence starting
// at token s0: K is read in place as packed A, in key micro-panels of at
// most Mr keys within one token panel, balanced (32 keys at Mr = 12 run
// as 11 + 11 + 10).
func (j *attPanelsJob) scores(s0, hd int, qB, st []float32) {
	t, dh, d := j.t, j.dh, j.h*j.dh
	for k := 0; k < t; {
		g := s0 + k
		l0, n := g%nr, min(nr-g%nr, t-k)
		kb := j.qkv.P[(g/nr*3*d+d+hd*dh)*nr+l0:]
		chunks := (n + j.mr - 1) / j.mr
		for c := 0; c < chunks; c++ {
			a, e := split(n, chunks, c)
			microKernel(j.isa, e-a, nr, dh, kb[a:], nr, false, qB, st[(k+a)*nr:], nr, nil, 0)
		}
		k += n
	}
}

// scoresNarrow is scores for a panel of nq ≤ 16 queries, which the
// 32-wide packed-A kernels would compute mostly for nothing: it runs
// S [nq][32 keys] = qB·Kᵀ per key panel instead (the Q panel as packed A,
// the key panel as B, both in place) and stores the tile transposed into
// the first nq columns of Sᵀ, keeping only the sequence's keys.
func (j *attPanelsJob) scoresNarrow(s0, hd, nq int, qB, st, tile []float32) {
	t, dh, d := j.t, j.dh, j.h*j.dh
	chunks := (nq + j.mr - 1) / j.mr
	for kp := s0 / nr; kp*nr < s0+t; kp++ {
		kb := j.qkv.P[(kp*3*d+d+hd*dh)*nr:]
		l0, l1 := max(s0-kp*nr, 0), min(s0+t-kp*nr, nr) // the sequence's lanes
		for c := 0; c < chunks; c++ {
			q0, q1 := split(nq, chunks, c)
			microKernel(j.isa, q1-q0, nr, dh, qB[q0:], nr, false, kb, tile, nr, nil, 0)
			for l := l0; l < l1; l++ {
				s := st[(kp*nr+l-s0)*nr+q0 : (kp*nr+l-s0)*nr+q1]
				for i := range s {
					s[i] = tile[i*nr+l]
				}
			}
		}
	}
}
