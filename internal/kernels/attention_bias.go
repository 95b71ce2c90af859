package kernels

// AttentionPanelsBias is AttentionPanels with an additive bias on the
// scores, softmax(q·kᵀ/√dh + bias)·v, the same bias [h, t, t] (head,
// query, key; row-major) for every sequence: BEiT's relative position
// bias. Each score gets its bias added once, after its dot product and
// before the softmax, whatever the batch: the bias adds nothing that
// depends on the other sequences.
func AttentionPanelsBias(p *Pool, b, t, h, dh int, qkv *Panels, bias []float32, out *Panels) {
	if b > 0 && t > 0 && h > 0 && len(bias) < h*t*t {
		panic("kernels: AttentionPanelsBias: bias is not [h, t, t]")
	}
	attentionPanels(p, b, t, h, dh, qkv, bias, out, false)
}

// addBias adds the bias of head hd to the scores Sᵀ [t keys][32 lanes]
// of the queries in lanes pa (lanes 0…pa.n−1 of Sᵀ) and pb (the next
// pb.n) of the sequence starting at token s0.
func (j *attPanelsJob) addBias(s0, hd int, pa, pb lanes, st []float32) {
	t := j.t
	for _, g := range [2]struct {
		ln lanes
		at int // first lane of Sᵀ
	}{{pa, 0}, {pb, pa.n}} {
		for i := 0; i < g.ln.n; i++ {
			q := g.ln.tp*nr + g.ln.lo + i - s0 // the query's index in its sequence
			row := j.bias[(hd*t+q)*t : (hd*t+q+1)*t]
			for k, v := range row {
				st[k*nr+g.at+i] += v
			}
		}
	}
}
