package kernels

// Panels holds activations x [M, K] in the layout the Linear micro-kernels
// stream, so that one step's output feeds the next without a round trip
// through rows:
//
//	P    [ceil(M/32)][K][32]  token panels: P[(i/32·K + k)·32 + i%32] = x[i, k];
//	                          columns past M hold finite values that never
//	                          reach a row below M
//	Tail [M mod 32][K]        when the last panel has 1 to 8 tokens, those
//	                          tokens again as rows (Linear's dot-product
//	                          tail reads them in place); else empty
//
// LayerNormPanels and LinearToPanels write Panels; LinearPanels reads them.
type Panels struct {
	M, K int
	P    []float32
	Tail []float32
}

// Reset sizes x for m×k values, growing its buffers; the values are stale.
func (x *Panels) Reset(m, k int) {
	x.M, x.K = m, k
	x.P = growF32(x.P, (m+nr-1)/nr*k*nr)
	x.Tail = x.Tail[:0]
	if tc := m % nr; tc > 0 && tc <= 8 {
		x.Tail = growF32(x.Tail, tc*k)
	}
}

// At returns x[i, k].
func (x *Panels) At(i, k int) float32 {
	return x.P[(i/nr*x.K+k)*nr+i%nr]
}

// Pack sets x to a [m, k] (leading dimension lda), zero padded.
func (x *Panels) Pack(m, k int, a []float32, lda int) {
	x.Reset(m, k)
	packBT(x.P, a, m, k, lda, 1)
	for i := 0; i < len(x.Tail)/max(1, k); i++ {
		copy(x.Tail[i*k:(i+1)*k], a[(m/nr*nr+i)*lda:])
	}
}

func growF32(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// LayerNormPanels is LayerNorm of the m rows of x [m, d] (leading dimension
// ldx) written to y in token panels, zero padded: each worker normalizes 32
// rows into its scratch and packs them while they are in L1/L2, so the
// normalized rows are never stored.
func LayerNormPanels(p *Pool, m, d int, x []float32, ldx int, gamma, beta []float32, eps float32, y *Panels) {
	y.Reset(m, d)
	if m <= 0 || d <= 0 {
		return
	}
	p = orSerial(p)
	p.lock()
	defer p.unlock()
	j := &p.ln
	*j = lnJob{p: p, m: m, d: d, x: x, ldx: ldx, gamma: gamma[:d], beta: beta[:d], eps: eps, y: y}
	for w := range p.scratch[:min(p.workers(), (m+nr-1)/nr)] {
		if ws := &p.scratch[w]; len(ws.ln) < nr*d {
			ws.ln = make([]float32, nr*d) // [32][d]
		}
	}
	p.run((m+nr-1)/nr, j)
	j.x, j.gamma, j.beta, j.y = nil, nil, nil, nil
}

// lnJob is one LayerNormPanels call, kept in the Pool.
type lnJob struct {
	p           *Pool
	m, d        int
	x           []float32 // [m, d] leading dimension ldx
	ldx         int
	gamma, beta []float32 // [d]
	eps         float32
	y           *Panels
}

// run normalizes and packs token panels [lo, hi).
func (j *lnJob) run(w, lo, hi int) {
	d := j.d
	rows := j.p.scratch[w].ln[:nr*d] // [32][d]
	for jp := lo; jp < hi; jp++ {
		n := min(nr, j.m-jp*nr)
		for i := 0; i < n; i++ {
			xr := j.x[(jp*nr+i)*j.ldx : (jp*nr+i)*j.ldx+d]
			yr := rows[i*d : (i+1)*d]
			if !layerNormRowFast(xr, yr, j.gamma, j.beta, j.eps) {
				layerNormRowGeneric(xr, yr, j.gamma, j.beta, j.eps)
			}
		}
		clear(rows[n*d:]) // zero padding makes every panel a full one
		packBTGeneric(j.y.P[jp*d*nr:(jp+1)*d*nr], rows, nr, d, d, 1)
		if n < nr && len(j.y.Tail) > 0 {
			copy(j.y.Tail, rows[:n*d])
		}
	}
}
