package model

import "math"

// This file is the specification of the forward pass: plain loops,
// float64 accumulation, one image at a time, no kernels. Tests compare the
// fast path (forward.go) and PyTorch with it.

// referenceForward returns, for b images pix [B, C, H, W], the residual
// stream after every block ([layers][B·T·D]) and the logits [B, L].
func (m *Model) referenceForward(pix []float32, b, h, wd int) ([][]float32, []float32, error) {
	c := &m.Config
	w := m.w
	if err := c.checkInput(pix, b, h, wd, make([]float32, b*c.NumClasses)); err != nil {
		return nil, nil, err
	}
	d, l := c.Hidden, c.NumClasses
	gh, gw := h/c.PatchSize, wd/c.PatchSize
	np, pre := gh*gw, c.prefix()
	t := pre + np
	chw := c.Channels * h * wd
	pos := m.posEmbed(gh, gw)
	hidden := make([][]float32, c.Layers)
	for i := range hidden {
		hidden[i] = make([]float32, b*t*d)
	}
	logits := make([]float32, b*l)
	var bias []float32 // [H, T, T] relative position bias of a block
	var rope *ropeTab  // rotary embedding
	if c.Rope != nil {
		rope = m.ropeTables(gh, gw)
	}
	pp := c.posPrefix()
	for bi := 0; bi < b; bi++ {
		// Prefix tokens (class, then distillation or registers), then
		// PatchEmbed; position embeddings on the prefix tokens the table
		// covers and on the patches; norm_pre.
		x := make([]float32, t*d) // [T, D]
		tok := x
		for _, tp := range []*param{w.Cls, w.Dist, w.Reg} {
			if tp != nil {
				copy(tok, tp.data)
				tok = tok[len(tp.data):]
			}
		}
		pb := make([]float32, d) // [D] zero without a patch bias
		if w.Patch.B != nil {
			pb = w.Patch.B.data
		}
		convRef(pix[bi*chw:(bi+1)*chw], c.Channels, h, wd, c.PatchSize, w.Patch.W.data, pb, d, x[pre*d:])
		if pos != nil {
			add(x[:pp*d], pos[:pp*d])
			add(x[pre*d:], pos[pp*d:])
		}
		if c.PreNorm {
			for i := 0; i < t; i++ {
				layerNormRef(x[i*d:(i+1)*d], w.PreNormW.data, w.PreNormB.data, c.LayerNormEps, x[i*d:(i+1)*d])
			}
		}
		for li := range w.Blocks {
			blk := &w.Blocks[li]
			if blk.Attn.RelPos != nil {
				bias = m.relPosBias(blk)
			}
			var sin, cos []float32 // [H, Np, Dh] of head stride hs
			var hs int
			if rope != nil {
				sin, cos, hs = rope.layer(li)
			}
			blockRef(c, blk, li, x, t, bias, sin, cos, hs)
			copy(hidden[li][bi*t*d:], x)
		}
		// Final LayerNorm of the tokens, pooling, fc_norm; head(s).
		if w.NormW != nil {
			for i := 0; i < t; i++ {
				layerNormRef(x[i*d:(i+1)*d], w.NormW.data, w.NormB.data, c.LayerNormEps, x[i*d:(i+1)*d])
			}
		}
		hi := c.headIn()
		h := make([]float32, hi) // [D']
		if c.Pool == PoolTokenAvg || c.Pool == PoolToken {
			copy(h, x[:d])
		}
		if c.Pool == PoolMAP {
			mapRef(c, w.MAP, x[c.poolStart()*d:], t-c.poolStart(), h)
		} else if c.Pool != PoolToken {
			mean := h[hi-d:] // [D]
			for e := range mean {
				var acc float64
				for i := c.poolStart(); i < t; i++ {
					acc += float64(x[i*d+e])
				}
				mean[e] = float32(acc / float64(t-c.poolStart()))
			}
		}
		if c.FCNorm {
			layerNormRef(h, w.FCNormW.data, w.FCNormB.data, c.LayerNormEps, h)
		}
		out := logits[bi*l : (bi+1)*l]
		linearRef(h, 1, hi, w.Head.W.data, w.Head.B.data, l, out)
		if c.DistHead {
			hd := x[d : 2*d] // [D] already normed
			od := make([]float32, l)
			linearRef(hd, 1, d, w.DistHead.W.data, w.DistHead.B.data, l, od)
			for i := range out {
				out[i] = (out[i] + od[i]) / 2
			}
		}
	}
	return hidden, logits, nil
}

// rows returns the values of p [shape...]: p.data, or for a matrix that
// load keeps as separate row blocks (Hugging Face q, k, v), the blocks
// decoded one after another into a new slice.
func (p *param) rows() []float32 {
	if p.data != nil {
		return p.data
	}
	v := make([]float32, p.numel()) // [rows, cols]
	p.fill(v)
	p.scaleRows(v, 0) // a folded layer scale, as materialize applied it
	return v
}

// blockRef applies one pre-norm block to x [T, D] in place:
// x += Attn(LN1(x)); x += MLP(LN2(x)), the attention scores plus bias
// [H, T, T] when it is not nil. Layer scale is folded into Attn.Proj and
// MLP.FC2 when loading (layout.go), so it needs no term here. With a
// rotary embedding (sin, cos [Np, Dh]; nil without) q and k of the patch
// tokens are rotated before the scores; hs is the tables' head stride,
// 0 when the heads share one.
func blockRef(c *Config, blk *Block, li int, x []float32, t int, bias, sin, cos []float32, hs int) {
	d, f, nh := c.Hidden, c.Intermediate, c.Heads
	dh := d / nh
	h := make([]float32, t*d) // [T, D] a branch's input: LN(x), or x in a post-norm block
	// normRows applies a LayerNorm to each row of v [T, D] into dst.
	normRows := func(v []float32, gw, gb *param, dst []float32) {
		for i := 0; i < t; i++ {
			layerNormRef(v[i*d:(i+1)*d], gw.data, gb.data, c.LayerNormEps, dst[i*d:(i+1)*d])
		}
	}
	if c.PostNorm {
		copy(h, x)
	} else {
		normRows(x, blk.Norm1W, blk.Norm1B, h)
	}
	qkvB := make([]float32, 3*d)
	if blk.Attn.QKVB != nil {
		qkvB = blk.Attn.QKVB.data
	}
	qkv := make([]float32, t*3*d) // [T, 3D]: q | k | v, each [H, Dh]
	linearRef(h, t, d, blk.Attn.QKVW.rows(), qkvB, 3*d, qkv)
	if sin != nil {
		for i := c.prefix(); i < t; i++ {
			n := i - c.prefix()
			for hd := 0; hd < nh; hd++ {
				o := hd*hs + n*dh
				ropeRow(qkv[i*3*d+hd*dh:], 1, sin[o:o+dh], cos[o:o+dh])
				ropeRow(qkv[i*3*d+d+hd*dh:], 1, sin[o:o+dh], cos[o:o+dh])
			}
		}
	}
	att := make([]float32, t*d) // [T, D]
	if c.DiffAttn {
		diffAttnRef(blk.Attn.Diff, li, qkv, t, d, nh, att)
		nh = 0 // done
	}
	for hd := 0; hd < nh; hd++ {
		for i := 0; i < t; i++ {
			var bi []float32 // [T] this query's bias
			if bias != nil {
				bi = bias[(hd*t+i)*t : (hd*t+i+1)*t]
			}
			attendRef(qkv[i*3*d+hd*dh:][:dh], qkv[d+hd*dh:], qkv[2*d+hd*dh:], 3*d, t, bi, att[i*d+hd*dh:][:dh])
		}
	}
	if blk.Attn.NormW != nil {
		for i := 0; i < t; i++ {
			layerNormRef(att[i*d:(i+1)*d], blk.Attn.NormW.data, blk.Attn.NormB.data, c.LayerNormEps, att[i*d:(i+1)*d])
		}
	}
	proj := make([]float32, t*d)
	linearRef(att, t, d, blk.Attn.ProjW.rows(), blk.Attn.ProjB.data, d, proj)
	if c.PostNorm {
		normRows(proj, blk.Norm1W, blk.Norm1B, proj)
	}
	for i := range x {
		x[i] += proj[i]
	}
	switch {
	case c.PostNorm:
		copy(h, x)
	case c.Parallel: // the MLP reads the attention's input, LN(x) before the attention
	default:
		normRows(x, blk.Norm2W, blk.Norm2B, h)
	}
	mid := make([]float32, t*f) // [T, F]
	if c.SwiGLU {
		gu := make([]float32, t*2*f) // [T, 2F] gate | x
		linearRef(h, t, d, blk.MLP.FC1W.rows(), blk.MLP.FC1B.data, 2*f, gu)
		for i := 0; i < t; i++ {
			for j := 0; j < f; j++ {
				g := float64(gu[i*2*f+j])
				mid[i*f+j] = float32(g / (1 + math.Exp(-g)) * float64(gu[i*2*f+f+j]))
			}
		}
	} else {
		linearRef(h, t, d, blk.MLP.FC1W.rows(), blk.MLP.FC1B.data, f, mid)
		for i, v := range mid {
			mid[i] = float32(actRef(c.HiddenAct, float64(v)))
		}
	}
	if blk.MLP.NormW != nil {
		for i := 0; i < t; i++ {
			layerNormRef(mid[i*f:(i+1)*f], blk.MLP.NormW.data, blk.MLP.NormB.data, c.LayerNormEps, mid[i*f:(i+1)*f])
		}
	}
	out := make([]float32, t*d)
	linearRef(mid, t, f, blk.MLP.FC2W.rows(), blk.MLP.FC2B.data, d, out)
	if c.PostNorm {
		normRows(out, blk.Norm2W, blk.Norm2B, out)
	}
	for i := range x {
		x[i] += out[i]
	}
}

// diffAttnRef is DiffAttn for the q|k|v rows [T, 3D] of block li,
// writing att [T, D].
func diffAttnRef(a *DiffAttn, li int, qkv []float32, t, d, heads int, att []float32) {
	dh := d / (2 * heads) // Dh'
	lambda, init := a.lambdas(li)
	o1, o2 := make([]float32, 2*dh), make([]float32, 2*dh)
	for i := 0; i < t; i++ {
		for hd := 0; hd < heads; hd++ {
			q, k, v := qkv[i*3*d+2*hd*dh:], qkv[d+2*hd*dh:], qkv[2*d+2*hd*dh:]
			attendRef(q[:dh], k, v, 3*d, t, nil, o1)
			attendRef(q[dh:2*dh], k[dh:], v, 3*d, t, nil, o2)
			var ss float64
			x := make([]float64, 2*dh)
			for e := range x {
				x[e] = float64(o1[e]) - lambda*float64(o2[e])
				ss += x[e] * x[e]
			}
			r := 1 / math.Sqrt(ss/float64(2*dh)+1e-5)
			for e, v := range x {
				att[i*d+hd*2*dh+e] = float32(v * r * float64(a.SubNormW.data[e]) * (1 - init))
			}
		}
	}
}

// attendRef is one head's attention for one query q [Dh]:
// softmax(q·kⱼ/√Dh + biasⱼ)·v over t keys and values, kⱼ = k[j·ld:] and
// vⱼ = v[j·ld:] (Dh values each), bias [t] or nil; it writes out [Dh].
func attendRef(q, k, v []float32, ld, t int, bias, out []float32) {
	dh := len(q)
	s := make([]float64, t) // scores
	mx := math.Inf(-1)
	for j := range s {
		var acc float64
		for e, qe := range q {
			acc += float64(qe) * float64(k[j*ld+e])
		}
		s[j] = acc / math.Sqrt(float64(dh))
		if bias != nil {
			s[j] += float64(bias[j])
		}
		mx = math.Max(mx, s[j])
	}
	var sum float64
	for j := range s {
		s[j] = math.Exp(s[j] - mx)
		sum += s[j]
	}
	for e := range out {
		var acc float64
		for j := range s {
			acc += s[j] / sum * float64(v[j*ld+e])
		}
		out[e] = float32(acc)
	}
}

// convRef is the patch embedding as torch's Conv2d(C, D, kernel P,
// stride P) on one image img [C, H, W] with weight wt [D, C, P, P] and
// bias [D], flattened to tokens: y [(H/P)·(W/P), D], patches in row-major
// grid order.
func convRef(img []float32, c, h, w, p int, wt, bias []float32, d int, y []float32) {
	gh, gw := h/p, w/p
	for gy := 0; gy < gh; gy++ {
		for gx := 0; gx < gw; gx++ {
			for o := 0; o < d; o++ {
				acc := float64(bias[o])
				for ch := 0; ch < c; ch++ {
					for ky := 0; ky < p; ky++ {
						for kx := 0; kx < p; kx++ {
							acc += float64(wt[((o*c+ch)*p+ky)*p+kx]) * float64(img[(ch*h+gy*p+ky)*w+gx*p+kx])
						}
					}
				}
				y[(gy*gw+gx)*d+o] = float32(acc)
			}
		}
	}
}

// linearRef computes y [m, n] = a [m, k] · wᵀ + bias, w [n, k].
func linearRef(a []float32, m, k int, w, bias []float32, n int, y []float32) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			acc := float64(bias[j])
			for e := 0; e < k; e++ {
				acc += float64(a[i*k+e]) * float64(w[j*k+e])
			}
			y[i*n+j] = float32(acc)
		}
	}
}

// layerNormRef normalizes x [D] with biased variance, as torch.nn.LayerNorm.
func layerNormRef(x, gamma, beta []float32, eps float64, y []float32) {
	var mean, vs float64
	for _, v := range x {
		mean += float64(v)
	}
	mean /= float64(len(x))
	for _, v := range x {
		vs += (float64(v) - mean) * (float64(v) - mean)
	}
	inv := 1 / math.Sqrt(vs/float64(len(x))+eps)
	for i, v := range x {
		y[i] = float32((float64(v)-mean)*inv*float64(gamma[i]) + float64(beta[i]))
	}
}

// actRef is the MLP activation by its HF name.
func actRef(name string, x float64) float64 {
	switch name {
	case "gelu", "gelu_python":
		return 0.5 * x * (1 + math.Erf(x/math.Sqrt2))
	case "gelu_new", "gelu_pytorch_tanh", "gelu_fast":
		return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
	case "quick_gelu":
		return x / (1 + math.Exp(-1.702*x))
	case "relu":
		return math.Max(x, 0)
	}
	panic("actRef: unknown activation " + name) // Config.check rejected it
}
