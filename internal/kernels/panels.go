package kernels

// Panels holds activations x [M, K] in the layout the Linear micro-kernels
// stream, so that one step's output feeds the next without a round trip
// through rows:
//
//	P [ceil(M/32)][K][32]  token panels: P[(i/32·K + k)·32 + i%32] = x[i, k];
//	                       columns past M hold finite values that never
//	                       reach a row below M
//
// Pack, LayerNormPanels, LinearToPanels and AttentionPanels write Panels;
// LinearToPanels, LinearPanelsAdd (which also adds into one),
// LayerNormPanels and AttentionPanels read them.
type Panels struct {
	M, K int
	P    []float32
}

// Reset sizes x for m×k values, growing its buffers; the values are stale.
func (x *Panels) Reset(m, k int) {
	x.M, x.K = m, k
	x.P = Grow(x.P, (m+nr-1)/nr*k*nr)
}

// At returns x[i, k].
func (x *Panels) At(i, k int) float32 {
	return x.P[(i/nr*x.K+k)*nr+i%nr]
}

// Pack sets x to a [m, k] (leading dimension lda), zero padded.
func (x *Panels) Pack(m, k int, a []float32, lda int) {
	x.Reset(m, k)
	packBT(x.P, a, m, k, lda)
}

// Unpack writes x to c [M, K] (leading dimension ldc).
func (x *Panels) Unpack(c []float32, ldc int) {
	x.Rows(c, ldc, 0, 1, x.M)
}

// Rows writes the n tokens first, first+step, first+2·step, … of x to the
// rows of c [n, K] (leading dimension ldc).
func (x *Panels) Rows(c []float32, ldc, first, step, n int) {
	for r := 0; r < n; r++ {
		i := first + r*step
		src := x.P[i/nr*x.K*nr+i%nr:]
		row := c[r*ldc : r*ldc+x.K]
		for l := range row {
			row[l] = src[l*nr]
		}
	}
}

// Grow returns s resized to n values, allocating only when its capacity
// is short; the values are stale. Workspaces here and in the model grow
// their buffers with it.
func Grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// LayerNormPanels normalizes each of the M tokens of x [M, d] (in token
// panels) over its d features and writes gamma·x̂ + beta to y [M, d] in
// token panels (y may be x): 32 tokens at a time, one vector lane per
// token, so nothing is transposed. The means and variances of the padding
// columns are computed too and stay finite for finite padding.
func LayerNormPanels(p *Pool, x *Panels, gamma, beta []float32, eps float32, y *Panels) {
	if y != x {
		y.Reset(x.M, x.K)
	}
	if x.M <= 0 || x.K <= 0 {
		return
	}
	p = orSerial(p)
	p.lock()
	defer p.unlock()
	j := &p.ln
	*j = lnJob{x: x, gamma: gamma[:x.K], beta: beta[:x.K], eps: eps, y: y}
	p.run((x.M+nr-1)/nr, j)
	j.x, j.gamma, j.beta, j.y = nil, nil, nil, nil
}

// lnJob is one LayerNormPanels call, kept in the Pool.
type lnJob struct {
	x, y        *Panels
	gamma, beta []float32 // [d]
	eps         float32
}

// run normalizes token panels [lo, hi).
func (j *lnJob) run(_, lo, hi int) {
	d := j.x.K
	for jp := lo; jp < hi; jp++ {
		src := j.x.P[jp*d*nr : (jp+1)*d*nr] // [d][32]
		dst := j.y.P[jp*d*nr : (jp+1)*d*nr] // [d][32]
		lnPanel(src, dst, j.gamma, j.beta, j.eps)
	}
}

// lnMinMaxPanel is lnPanel, then minMaxPanel on y: on AVX-512 in one
// pass over y.
func lnMinMaxPanel(x, y, gamma, beta []float32, eps float32, lo, hi *[nr]float32) {
	if !lnMinMaxPanelFast(x, y, gamma, beta, eps, lo, hi) {
		lnPanel(x, y, gamma, beta, eps)
		minMaxPanel(y, len(gamma), lo, hi)
	}
}

// lnPanel is the LayerNorm of the 32 tokens of a panel x [d][32] into
// y [d][32] (may be x), d = len(gamma), on the fastest path the CPU has.
func lnPanel(x, y, gamma, beta []float32, eps float32) {
	if !lnPanelFast(x, y, gamma, beta, eps) {
		lnPanelGeneric(x, y, gamma, beta, eps)
	}
}

// lnPanelGeneric is the reference LayerNorm of the 32 tokens of a panel
// x [d][32] into y [d][32] (may be x), in float64 per token.
func lnPanelGeneric(x, y, gamma, beta []float32, eps float32) {
	for j := 0; j < nr; j++ {
		layerNormGeneric(x[j:], y[j:], nr, gamma, beta, eps)
	}
}
