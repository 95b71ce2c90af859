package kernels

import "math"

// AttentionPrefix is attention for the first pre tokens of each of b
// sequences of t tokens only, against all t keys and values: what the
// last encoder block needs when only the class (and distillation) tokens
// reach the head.
//
//	q   [B·pre, D] rows, unscaled (D = h·dh): the queries of tokens
//	    0..pre-1 of each sequence, in order
//	kv  [B·T, 2D] token panels, k | v of every token
//	out [B·pre, D] rows, heads concatenated
//
// It is a small share of the work (pre·t·D multiply-adds twice per
// sequence), split over the workers by (sequence, head).
func AttentionPrefix(p *Pool, b, t, pre, h, dh int, q []float32, kv *Panels, out []float32) {
	d := h * dh
	if b <= 0 || t <= 0 || pre <= 0 || h <= 0 || dh <= 0 {
		return
	}
	if pre > t || kv.M != b*t || kv.K != 2*d || len(q) < b*pre*d || len(out) < b*pre*d {
		panic("kernels: AttentionPrefix: want q, out [b·pre, h·dh], kv [b·t, 2·h·dh], pre ≤ t")
	}
	p = orSerial(p)
	p.lock()
	defer p.unlock()
	for w := range p.scratch[:min(len(p.scratch), p.workers())] {
		p.scratch[w].attp = Grow(p.scratch[w].attp, t) // scores [t]
	}
	j := &p.attq
	*j = attPrefixJob{p: p, t: t, pre: pre, h: h, dh: dh, q: q, kv: kv, out: out}
	j.scale = float32(1 / math.Sqrt(float64(dh)))
	p.run(b*h, j)
	j.q, j.kv, j.out = nil, nil, nil
}

// attPrefixJob is one AttentionPrefix call, kept in the Pool.
type attPrefixJob struct {
	p             *Pool
	t, pre, h, dh int
	scale         float32
	q, out        []float32 // [B·pre, D]
	kv            *Panels   // [B·T, 2D]
}

// run computes the (sequence, head) pairs [lo, hi), sequence-major.
func (j *attPrefixJob) run(w, lo, hi int) {
	t, dh := j.t, j.dh
	d := j.h * dh
	s := j.p.scratch[w].attp[:t] // scores [t]
	for task := lo; task < hi; task++ {
		bi, hd := task/j.h, task%j.h
		kOff, vOff := hd*dh, d+hd*dh // feature offsets in kv
		for r := 0; r < j.pre; r++ {
			qr := j.q[(bi*j.pre+r)*d+hd*dh : (bi*j.pre+r)*d+hd*dh+dh] // [dh]
			clear(s)
			// S[k] = (q/√dh)·K[k], 32 keys of a token panel at a time:
			// each feature of the panel is 32 contiguous floats.
			j.keys(bi, func(k0, n int, panel []float32) {
				sk := s[k0 : k0+n]
				for c, qc := range qr {
					qc *= j.scale
					kc := panel[(kOff+c)*nr : (kOff+c)*nr+n]
					for l, v := range kc {
						sk[l] += qc * v
					}
				}
			})
			SoftmaxRows(s, 1, t, t)
			o := j.out[(bi*j.pre+r)*d+hd*dh : (bi*j.pre+r)*d+hd*dh+dh] // [dh]
			// O[c] = Σ_k P[k]·V[k, c], one running sum in key order
			// across the token panels, so that where the sequence starts
			// in a panel (its place in the batch) changes nothing.
			clear(o)
			j.keys(bi, func(k0, n int, panel []float32) {
				sk := s[k0 : k0+n]
				for c := range o {
					vc := panel[(vOff+c)*nr : (vOff+c)*nr+n]
					acc := o[c]
					for l, v := range vc {
						acc += sk[l] * v
					}
					o[c] = acc
				}
			})
		}
	}
}

// keys calls fn for each run of sequence bi's tokens that shares a token
// panel: tokens k0..k0+n-1 of the sequence are lanes lane..lane+n-1 of
// that panel, and panel [2D][32-lane] starts at lane (so panel[f·32+l]
// is feature f of token k0+l).
func (j *attPrefixJob) keys(bi int, fn func(k0, n int, panel []float32)) {
	kd := j.kv.K
	for k0 := 0; k0 < j.t; {
		i := bi*j.t + k0
		lane := i % nr
		n := min(nr-lane, j.t-k0)
		fn(k0, n, j.kv.P[i/nr*kd*nr+lane:])
		k0 += n
	}
}
