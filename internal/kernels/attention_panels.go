package kernels

import "math"

// AttentionPanels computes multi-head scaled dot-product self-attention,
// softmax(q·kᵀ/√dh)·v per sequence and head, on token panels: qkv
// [B·T, 3D] (q | k | v, each [h, dh] per token, D = h·dh) in panels, out
// [B·T, D] in panels (out.Reset(b·t, D) by the call). The b sequences are consecutive tokens, so a sequence
// starts mid-panel unless t is a multiple of 32.
//
// Every step reads or writes the panels as they lie, with no transpose,
// one token panel of queries of one head at a time:
//
//	Sᵀ [t keys][32 queries]  = K · (Q/√dh)ᵀ   K read in place as packed A
//	                                          (each feature of a key panel is
//	                                          32 contiguous floats), the Q
//	                                          panel copied and scaled as B
//	softmax over the keys    (down the columns of Sᵀ)
//	Oᵀ [dh][32 queries]      = Vᵀ · Pᵀ        Vᵀ [dh][t] copied from the key
//	                                          panels as A in rows, Sᵀ as B
//
// The scale 1/√dh is applied to Q once it is copied.
// The query panels of a sequence are the token panels wholly inside it,
// read and written in place, plus the queries left over at its two ends
// gathered into one or two panels (see queries), so a sequence starting
// mid-panel costs what an aligned one does. Key micro-panels never
// straddle a token panel. A query panel of at most 16 queries computes
// its scores as S = Q·Kᵀ tiles stored transposed, and its Oᵀ with the 8-
// or 16-wide kernel, instead of paying for 32 queries. An Oᵀ tile of a
// full token panel is stored straight into out, a gathered one through a
// tile buffer into the sequence's lanes. Only the
// sequence's own tokens enter its scores, and the padding columns of out
// (past b·t) are zeroed.
func AttentionPanels(p *Pool, b, t, h, dh int, qkv, out *Panels) {
	attentionPanels(p, b, t, h, dh, qkv, nil, out, false)
}

// attentionPanels is AttentionPanels with an optional additive bias
// [h, t, t] on the scores (nil: none), in bf16 when bf is set
// (attention_lowprec.go).
func attentionPanels(p *Pool, b, t, h, dh int, qkv *Panels, bias []float32, out *Panels, bf bool) {
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
	*j = attPanelsJob{p: p, isa: currentISA(), t: t, h: h, dh: dh, qkv: qkv, out: out, bias: bias, amx: j.amx}
	j.mr = j.isa.mr()
	j.nqp = (t+nr-1)/nr + 1 // query panels a sequence may need
	j.scale = float32(1 / math.Sqrt(float64(dh)))
	// per-worker scratch: Vᵀ [dh][tPad], Q panel [dh][32], scores Sᵀ
	// [t][32], output tile [Mr][32]
	j.tPad = (t + 15) &^ 15
	j.vLen = dh * j.tPad
	j.qLen = dh * nr
	j.sLen = t * nr
	need := j.vLen + j.qLen + j.sLen + mrMax*nr
	for w := range p.scratch[:min(len(p.scratch), p.workers())] {
		p.scratch[w].attp = Grow(p.scratch[w].attp, need)
	}
	switch {
	case !bf:
		j.bf = attFP32
	case attentionAMX(j.isa):
		j.bf = attAMX
	case dpFits(j.isa):
		j.bf = attDP
	default:
		j.bf = attEmu
	}
	if j.bf != attFP32 {
		j.growBF16(p.workers())
	}
	j.per, j.tasks = attTasks(b, h, j.nqp, p.workers()) // Vᵀ copied once per whole head
	j.nw = min(p.workers(), j.tasks)
	// Claimed ahead where the heads are many (with few, a worker's held
	// head unbalances the workers, and q|k|v stays in L2).
	j.ahead = j.bf == attDP && j.per == j.nqp && b*h >= 16*j.nw
	p.startShares(j.nw)
	p.run(j.nw, j)
	j.qkv, j.out, j.bias = nil, nil, nil
	for i := range j.amx {
		j.amx[i].ah = lineQueue{} // it points into qkv too
	}
}

// attPanelsJob is one AttentionPanels call, kept in the Pool.
type attPanelsJob struct {
	p                *Pool
	isa              isa
	t, h, dh         int
	mr               int
	nqp              int  // query panels a sequence may need: ceil(t/32) + 1
	per              int  // query panels per task: 1 or nqp
	tasks            int  // b·h·nqp / per
	nw               int  // workers running the call
	ahead            bool // claim the next whole head ahead and ask for it during this one (attDP)
	scale            float32
	qkv, out         *Panels   // [b·t, 3D] and [b·t, D] in token panels
	bias             []float32 // [h, t, t] added to the scaled scores (nil: none)
	tPad             int       // leading dimension of Vᵀ: t rounded up to 16
	vLen, qLen, sLen int
	bf               attKernel        // how q, k, v and the probabilities run (attention_lowprec.go)
	amx              []amxAttnScratch // per worker, kept from call to call
}

func (j *attPanelsJob) run(w, lo, hi int) {
	buf := j.p.scratch[w].attp
	vT := buf[:j.vLen]                              // [dh][tPad] Vᵀ of the current head
	qB := buf[j.vLen : j.vLen+j.qLen]               // [dh][32] one query panel, scaled by 1/√dh
	st := buf[j.vLen+j.qLen : j.vLen+j.qLen+j.sLen] // [t][32] Sᵀ, then Pᵀ
	tile := buf[j.vLen+j.qLen+j.sLen:][:mrMax*nr]   // [Mr][32] one Oᵀ tile
	cur, warm := -1, -1                             // the head converted, the head prefetched
	// Tasks from the workers' shares (Pool.claim): handed out from one
	// counter, the workers' heads lie side by side in memory, and each
	// core's prefetchers brought in lines of the other's.
	claim := func() int {
		if t, _, _, ok := j.p.claim(w, j.nw, j.tasks, 1); ok {
			return t
		}
		return j.tasks
	}
	task := claim()
	for task < j.tasks {
		// With whole heads, the worker's next head is claimed now while
		// its own share has one (a head claimed from another's share
		// would wait for this one), and its q, k and v are asked for a
		// part per query panel of this one (each panel with queries: the
		// last one may have none).
		after := j.tasks
		if j.ahead && j.p.ownLeft(w, j.nw, j.tasks, 1) {
			after = claim() // its own share's, unless another worker took it meanwhile
		}
		prev := warm   // the head prefetched during the task before: this one's, if claimed ahead
		parts := j.nqp // the query panels of this head that have queries, when claimed ahead
		if after < j.tasks {
			if pa, _ := j.queries(task/j.h*j.t, j.nqp-1); pa.n == 0 {
				parts--
			}
		}
		for qp := task * j.per % j.nqp; qp < task*j.per%j.nqp+j.per; qp++ {
			if after < j.tasks && qp < parts {
				// asked for a few lines at a time between the tiles
				j.amx[w].ah = j.headLines(after*j.per/j.nqp, qp, parts)
				warm = after * j.per / j.nqp
			}
			switch j.bf {
			case attAMX, attDP:
				j.panelBF16(&j.amx[w], task*j.per/j.nqp, qp, &cur, prev, qB)
				continue
			case attEmu:
				j.panelEmu(&j.amx[w], task*j.per/j.nqp, qp, &cur, vT, qB, st, tile)
				continue
			}
			j.panel(task*j.per/j.nqp, qp, &cur, vT, qB, st, tile)
		}
		if after < j.tasks {
			task = after
		} else {
			task = claim()
		}
	}
}

// headLines returns part i of n of the cache lines of the q, k and v of
// sequence·head bh (its token panels' [dh][32] blocks of each, in
// order), to be asked for into L2 a few at a time (lineQueue.ask).
func (j *attPanelsJob) headLines(bh, i, n int) lineQueue {
	t, dh, d := j.t, j.dh, j.h*j.dh
	s0, hd := bh/j.h*t, bh%j.h
	kp0 := s0 / nr
	per := dh * nr / 16                     // lines of a block
	nl := 3 * ((s0+t-1)/nr + 1 - kp0) * per // lines: q, k, v of each token panel
	l0, l1 := i*nl/n, (i+1)*nl/n
	return lineQueue{p: j.qkv.P, at: (kp0*3*d+hd*dh)*nr + l0/per*d*nr, d: d * nr, per: per, l: l0 % per, n: l1 - l0}
}

// lineQueue is cache lines of a head's q, k and v still to be asked for
// into L2, in order: line l (16 floats) of the block at p[at:], then the
// rest of its per lines and those of the blocks after it, each d floats
// after the one before (q, k and v of a token panel, then the next
// panel's), n lines in all. Spread between the tiles of the products,
// the prefetches overlap them instead of stalling on a burst of misses.
type lineQueue struct {
	p          []float32 // [b·t, 3D] in token panels: qkv.P
	at, d, per int
	l, n       int
}

// next returns the offset in p of the next run of at most m ≥ 1 lines
// within one block and its length c (0: none left), taking them off the
// queue.
func (q *lineQueue) next(m int) (off, c int) {
	c = min(m, q.per-q.l, q.n)
	off = q.at + q.l*16
	q.l += c
	if q.l == q.per {
		q.at, q.l = q.at+q.d, 0
	}
	q.n -= c
	return off, c
}

// ask asks for the next m lines of the queue (fewer if fewer are left).
func (q *lineQueue) ask(m int) {
	for m > 0 && q.n > 0 {
		off, c := q.next(m)
		prefetchLines(q.p[off:], c)
		m -= c
	}
}

// lanes are the lanes [lo, lo+n) of token panel tp.
type lanes struct{ tp, lo, n int }

// queries returns the tokens of query panel qp of the sequence starting at
// token s0, as lanes a followed by lanes b (nq = a.n + b.n ≤ 32 queries,
// b.n = 0 unless both are needed; none past the last query panel). The token panels wholly inside the sequence
// come first, each one query panel; the queries left over at either end
// (p1 in the first token panel, p2 in the last) are packed into as few
// panels as they fill: one of p1 + p2 queries, or when that exceeds 32 a
// full one and one of the last p1 + p2 − 32. So a sequence costs
// floor(t/32) full panels and one of t mod 32 queries wherever it starts.
func (j *attPanelsJob) queries(s0, qp int) (a, b lanes) {
	t := j.t
	f, l0 := s0/nr, s0%nr
	p1 := 0
	if l0 > 0 {
		p1 = min(nr-l0, t)
	}
	nfull := (t - p1) / nr
	p2 := t - p1 - nfull*nr
	first := f + min(p1, 1) // the first full token panel
	last := first + nfull   // the token panel holding the p2 queries
	switch {
	case qp < nfull:
		return lanes{first + qp, 0, nr}, lanes{}
	case qp == nfull && p1 == 0:
		return lanes{last, 0, p2}, lanes{}
	case qp == nfull && p2 == 0:
		return lanes{f, l0, p1}, lanes{}
	case qp == nfull:
		return lanes{f, l0, p1}, lanes{last, 0, min(p2, nr-p1)}
	case qp == nfull+1 && p1+p2 > nr:
		return lanes{last, nr - p1, p1 + p2 - nr}, lanes{}
	}
	return lanes{}, lanes{}
}

// panel computes the outputs of query panel qp (see queries) of
// sequence·head bh, copying Vᵀ after the scores unless *cur is already
// bh. A full token panel's Q is one contiguous [dh][32] block and its
// Oᵀ tiles are stored straight into out; the queries left over at the
// ends of the sequence are gathered into lanes [0, nq) and their tiles
// stored back through a tile buffer.
func (j *attPanelsJob) panel(bh, qp int, cur *int, vT, qB, st, tile []float32) {
	t, dh, d := j.t, j.dh, j.h*j.dh
	d3 := 3 * d
	bi, hd := bh/j.h, bh%j.h
	s0 := bi * t // the sequence's first token
	pa, pb := j.queries(s0, qp)
	nq := pa.n + pb.n
	if nq == 0 {
		return
	}
	src := j.qkv.P
	newHead := bh != *cur
	if newHead {
		// V is first needed after the scores: ask for it now.
		for kp := s0 / nr; kp*nr < s0+t; kp++ {
			prefetchPanel(src[(kp*d3+2*d+hd*dh)*nr:], 1, 0, dh*nr, 0, 1)
		}
	}
	if pa.n == nr && (pa.tp+2)*nr <= s0+t {
		prefetchPanel(src[((pa.tp+1)*d3+hd*dh)*nr:], 1, 0, dh*nr, 0, 1) // the next Q panel
	}
	j.gatherQ(hd, pa, pb, qB)
	scaleFast(qB, j.scale)
	if nq <= 16 {
		j.scoresNarrow(s0, hd, nq, qB, st, tile)
	} else {
		j.scores(s0, hd, qB, st)
	}
	if j.bias != nil {
		j.addBias(s0, hd, pa, pb, st)
	}
	w := width(nq)
	softmaxColsN(st, t, w)
	if newHead {
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
	j.outputs(hd, pa, pb, w, t, vT, st, tile)
}

// outputs computes Oᵀ = Vᵀ·Pᵀ of head hd for the queries of lanes pa
// then pb (w = width(nq)), summed over kc keys, in tiles of at most Mr
// features: vT [dh][j.tPad], p [kc][32]; a full token panel's tiles go
// straight into out, a gathered one's through tile [Mr][32].
func (j *attPanelsJob) outputs(hd int, pa, pb lanes, w, kc int, vT, p, tile []float32) {
	dh, d := j.dh, j.h*j.dh
	chunks := (dh + j.mr - 1) / j.mr
	for c := 0; c < chunks; c++ {
		d0, d1 := split(dh, chunks, c)
		mr := d1 - d0
		a := vT[d0*j.tPad:]
		if pa.n == nr {
			microKernel(j.isa, mr, nr, kc, a, j.tPad, true, p, j.out.P[(pa.tp*d+hd*dh+d0)*nr:], nr, nil, 0)
			continue
		}
		microKernel(j.isa, mr, w, kc, a, j.tPad, true, p, tile, nr, nil, 0)
		j.store(tile, mr, pa, hd*dh+d0)
		j.store(tile[pa.n:], mr, pb, hd*dh+d0)
	}
}

// gatherQ writes the queries of lanes pa then pb for head hd into lanes
// [0, nq) of qB [dh][32], the other lanes zero.
func (j *attPanelsJob) gatherQ(hd int, pa, pb lanes, qB []float32) {
	dh, d3, nq := j.dh, 3*j.h*j.dh, pa.n+pb.n
	src := j.qkv.P
	if pa.n == nr {
		copy(qB, src[(pa.tp*d3+hd*dh)*nr:][:dh*nr])
	} else {
		// Lanes past nq are zero: scaled again and again, stale values
		// would end as denormals.
		qa := src[(pa.tp*d3+hd*dh)*nr+pa.lo:]
		for f := 0; f < dh; f++ {
			r := qB[f*nr : (f+1)*nr]
			copy(r[:pa.n], qa[f*nr:f*nr+pa.n])
			clear(r[nq:])
		}
		if pb.n > 0 {
			qb := src[(pb.tp*d3+hd*dh)*nr+pb.lo:]
			for f := 0; f < dh; f++ {
				copy(qB[f*nr+pa.n:f*nr+nq], qb[f*nr:f*nr+pb.n])
			}
		}
	}
}

// store copies lanes [0, ln.n) of an Oᵀ tile [mr][32] to lanes ln of
// features c0 … c0+mr−1 of out.
func (j *attPanelsJob) store(tile []float32, mr int, ln lanes, c0 int) {
	if ln.n == 0 {
		return
	}
	d := j.out.K
	o := j.out.P[(ln.tp*d+c0)*nr+ln.lo:]
	for i := 0; i < mr; i++ {
		copy(o[i*nr:i*nr+ln.n], tile[i*nr:i*nr+ln.n])
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

// scoresNarrow is scores for a Q panel of nq ≤ 16 queries, which the
// 32-wide packed-A kernels would compute mostly for nothing: it runs
// S [nq][32 keys] = Q·Kᵀ per key panel instead (the Q panel as packed A,
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

// attTasks splits b·h heads of nqp query panels each into tasks for
// the workers to share (attPanelsJob.run): whole heads (per = nqp, K and V
// prepared once per head) when there are at least 4 per worker, else
// single query panels (per = 1).
func attTasks(b, h, nqp, workers int) (per, tasks int) {
	per = nqp
	if b*h < 4*workers {
		per = 1
	}
	return per, b * h * nqp / per
}
