package kernels

import (
	"math"
	"sync/atomic"
)

// Attention computes multi-head scaled dot-product self-attention for a
// batch of b sequences of t tokens each:
//
//	qkv [b, t, 3, h, dh]   (q | k | v, each [h, dh], per token)
//	out [b, t, h, dh]      = softmax(q·kᵀ/√dh)·v per sequence and head
//
// It runs on the SGEMM micro-kernels, one panel of 32 queries at a time,
// so the scores of a panel (t × 32) stay in L1:
//
//	Sᵀ [t keys][32 queries] = K · (Q/√dh)ᵀ    K read in place as A, the Q panel packed as B
//	softmax over the keys   (down the columns of Sᵀ, 32 lanes at a time)
//	O [32 queries][dh]      = P · V           Sᵀ read as A with stride 32, V packed as B
//
// Workers take tasks from an atomic counter: whole (sequence, head) pairs
// when there are at least 4 per worker, else single query panels; each
// worker keeps the packed V of its current head.
//
// The encoder runs AttentionPanels, which keeps q|k|v and the output in
// token panels; Attention on rows is the reference its tests compare with.
func Attention(p *Pool, b, t, h, dh int, qkv, out []float32) {
	if b <= 0 || t <= 0 || h <= 0 || dh <= 0 {
		return
	}
	p = orSerial(p)
	p.lock()
	defer p.unlock()
	j := &p.att
	*j = attJob{p: p, isa: currentISA(), b: b, t: t, h: h, dh: dh, qkv: qkv, out: out}
	j.mr = j.isa.mr()
	j.nqp = (t + nr - 1) / nr
	j.scale = float32(1 / math.Sqrt(float64(dh)))
	// per-worker scratch: packed V [ceil(dh/32)·t·32], Q panel [dh·32],
	// scores Sᵀ [t·32]
	j.vLen = (dh + nr - 1) / nr * t * nr
	j.qLen = dh * nr
	j.sLen = t * nr
	need := j.vLen + j.qLen + j.sLen
	for w := range p.scratch {
		p.scratch[w].att = growF32(p.scratch[w].att, need)
	}
	j.per, j.tasks = attTasks(b, h, j.nqp, p.workers())
	j.next.Store(0)
	p.run(min(p.workers(), j.tasks), j)
	j.qkv, j.out = nil, nil
}

// attJob is one Attention call, kept in the Pool.
type attJob struct {
	p                *Pool
	isa              isa
	b, t, h, dh      int
	mr               int
	nqp              int          // query panels per sequence and head
	per              int          // query panels per task: 1 or nqp
	tasks            int          // b·h·nqp / per
	next             atomic.Int64 // next task to hand out
	scale            float32
	qkv, out         []float32
	vLen, qLen, sLen int
}

func (j *attJob) run(w, lo, hi int) {
	ws := &j.p.scratch[w]
	vB := ws.att[:j.vLen]                              // [ceil(dh/32)][t][32] V as B
	qB := ws.att[j.vLen : j.vLen+j.qLen]               // [dh][32] one query panel as B, scaled by 1/√dh
	st := ws.att[j.vLen+j.qLen : j.vLen+j.qLen+j.sLen] // [t][32] Sᵀ, then Pᵀ
	cur := -1
	for {
		task := int(j.next.Add(1) - 1)
		if task >= j.tasks {
			return
		}
		for qp := task * j.per % j.nqp; qp < task*j.per%j.nqp+j.per; qp++ {
			j.panel(ws, task*j.per/j.nqp, qp, &cur, vB, qB, st)
		}
	}
}

// panel computes the output rows of query panel qp of sequence·head bh,
// packing V first unless *cur is already bh.
func (j *attJob) panel(ws *workerScratch, bh, qp int, cur *int, vB, qB, st []float32) {
	t, dh, d := j.t, j.dh, j.h*j.dh
	ld := 3 * d
	bi, hd := bh/j.h, bh%j.h
	seq := bi * t * ld        // start of sequence bi in qkv
	kb := j.qkv[seq+d+hd*dh:] // K [t, dh], leading dimension ld
	if bh != *cur {
		packBN(vB, j.qkv[seq+2*d+hd*dh:], t, dh, ld)
		*cur = bh
	}
	q0 := qp * nr
	nq := min(nr, t-q0)
	packBT(qB, j.qkv[seq+q0*ld+hd*dh:], nq, dh, ld, j.scale)
	// A short last panel (5 queries at t = 197) runs the 8- or 16-wide
	// kernel; the columns of Sᵀ past w keep stale finite values that the
	// softmax may touch but P·V never reads.
	w := width(nq)
	for r0 := 0; r0 < t; r0 += j.mr {
		mr := min(j.mr, t-r0)
		microKernel(j.isa, mr, w, dh, kb[r0*ld:], ld, true, qB, st[r0*nr:], nr, nil, 0)
	}
	softmaxColsN(st, t, w)
	// O rows q0+qs .. q0+qs+qn in chunks of at most mr queries
	chunks := (nq + j.mr - 1) / j.mr
	for c := 0; c < chunks; c++ {
		qs, qe := split(nq, chunks, c)
		qn := qe - qs
		o := j.out[(bi*t+q0+qs)*d+hd*dh:]
		for c0 := 0; c0 < dh; c0 += nr {
			cols := min(nr, dh-c0)
			vb := vB[c0*t:]
			if cols == nr {
				microKernel(j.isa, qn, nr, t, st[qs:], nr, false, vb, o[c0:], d, nil, 0)
				continue
			}
			tile := ws.tile[:qn*nr]
			microKernel(j.isa, qn, nr, t, st[qs:], nr, false, vb, tile, nr, nil, 0)
			for i := 0; i < qn; i++ {
				copy(o[i*d+c0:i*d+c0+cols], tile[i*nr:i*nr+cols])
			}
		}
	}
}

// attTasks splits b·h heads of nqp query panels each into tasks for
// workers to take from an atomic counter: whole heads (per = nqp, K and V
// prepared once per head) when there are at least 4 per worker, else
// single query panels (per = 1).
func attTasks(b, h, nqp, workers int) (per, tasks int) {
	per = nqp
	if b*h < 4*workers {
		per = 1
	}
	return per, b * h * nqp / per
}
