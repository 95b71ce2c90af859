package model

import (
	"fmt"

	"github.com/vitgo/vit/internal/kernels"
)

// workspace holds the activations of one Forward call; buffers only grow,
// so calls with the same or smaller batch allocate nothing.
type workspace struct {
	pat  []float32      // [B·Np, C·P·P] the images' patches
	pe   []float32      // [B·Np, D] their projections
	emb  []float32      // [B·T, D] embeddings, then the residual stream as rows for ForwardHidden
	x    kernels.Panels // [B·T, D] residual stream, in token panels
	h    kernels.Panels // [B·T, D] LayerNorm output, in token panels
	qkv  kernels.Panels // [B·T, 3D] q | k | v per token, in token panels
	att  kernels.Panels // [B·T, D] attention output, heads concatenated, in token panels
	mlp  kernels.Panels // [B·T, F] MLP hidden, in token panels (stale after an MLPPanelsAdd that hands fc1's output to fc2 converted, bf16 or int8)
	glu  kernels.Panels // [B·T, 2F] SwiGLU's gate | x, then [B·T, F] the normed MLP hidden (MLPNorm)
	po   kernels.Panels // [B·T, D] a branch's output before its norm (PostNorm)
	cls  []float32      // [B, D'] what the head reads (see poolTokens; D' = headIn)
	dist []float32      // [B, D] final-normed distillation tokens
	mean []float64      // [D] sum of the patch tokens of one image (PoolAvg)
	diff []float64      // [2Dh'] one head's output (DiffAttn)

	// The MAP head (mapPool).
	mapQ, mapKV, mapA, mapH, mapM, mapS []float32

	// The last block, for the prefix tokens only (see lastBlock).
	kv kernels.Panels // [B·T, 2D] k | v of every token, in token panels
	xr []float32      // [B·pre, D] residual stream of the prefix tokens
	hr []float32      // [B·pre, D] LayerNorm output
	q  []float32      // [B·pre, D] queries
	ar []float32      // [B·pre, D] attention output
	mr []float32      // [B·pre, F] MLP hidden

	// With an attention hook (attn.go).
	qkvr         []float32 // [B·T, 3D] q | k | v as rows
	probs        []float32 // [B, H, T, T] attention probabilities of one block
	hookB, hookT int       // batch and tokens of the last hooked block
}

func (ws *workspace) ensure(c *Config, b, t int) {
	bt, d := b*t, c.Hidden
	ws.pat = kernels.Grow(ws.pat, b*(t-c.prefix())*c.Channels*c.PatchSize*c.PatchSize)
	ws.pe = kernels.Grow(ws.pe, b*(t-c.prefix())*d)
	ws.emb = kernels.Grow(ws.emb, bt*d)
	ws.cls = kernels.Grow(ws.cls, b*c.headIn())
	ws.dist = kernels.Grow(ws.dist, b*d)
	bp := b * c.prefix()
	ws.xr = kernels.Grow(ws.xr, bp*d)
	ws.hr = kernels.Grow(ws.hr, bp*d)
	ws.q = kernels.Grow(ws.q, bp*d)
	ws.ar = kernels.Grow(ws.ar, bp*d)
	ws.mr = kernels.Grow(ws.mr, bp*c.Intermediate)
}

// Forward runs b images given as normalized pixels [B, C, H, W] (what
// Recipe.Pixels writes, one image after another) and writes logits
// [B, L]. H and W are whole numbers of patches; sizes other than the
// native one (InputShape) use bicubically resampled position embeddings.
// Not safe for concurrent use: buffers are reused.
func (m *Model) Forward(pix []float32, b, h, w int, logits []float32) error {
	return m.forward(pix, b, h, w, logits, nil)
}

// ForwardHidden is Forward that also calls hidden after every block with
// the residual stream x [B·T, D] (T = prefix tokens + (H/P)·(W/P)), valid
// only during the call.
func (m *Model) ForwardHidden(pix []float32, b, h, w int, logits []float32, hidden func(layer int, x []float32)) error {
	return m.forward(pix, b, h, w, logits, hidden)
}

func (c *Config) checkInput(pix []float32, b, h, w int, logits []float32) error {
	if err := c.CheckImage(c.Channels, h, w); err != nil {
		return fmt.Errorf("forward: %w", err)
	}
	n := c.Channels * h * w
	if c.RelPosBias && (h != c.ImageSize || w != c.ImageSize) {
		return fmt.Errorf("forward: %d×%d input: the relative position bias is learned for the native %d×%d only", h, w, c.ImageSize, c.ImageSize)
	}
	switch {
	case b <= 0 || b > 1<<16:
		return fmt.Errorf("forward: batch %d: want 1 to 65536", b)
	case len(pix) < b*n:
		return fmt.Errorf("forward: pixels has %d values, want %d (B %d × %d×%d×%d)", len(pix), b*n, b, c.Channels, h, w)
	case len(logits) < b*c.NumClasses:
		return fmt.Errorf("forward: logits has %d values, want %d (B %d × %d classes)", len(logits), b*c.NumClasses, b, c.NumClasses)
	}
	return nil
}

func (m *Model) forward(pix []float32, b, h, wd int, logits []float32, hidden func(int, []float32)) error {
	c := &m.Config
	if m.pool == nil {
		return errClosed
	}
	if err := c.checkInput(pix, b, h, wd, logits); err != nil {
		return err
	}
	m.headInput(pix, b, h, wd, hidden)
	w, p, ws := m.w, m.pool, &m.ws
	d, l := c.Hidden, c.NumClasses
	kernels.Linear(p, b, ws.cls, c.headIn(), w.Head.W.packed, w.Head.B.data, kernels.ActNone, false, logits, l)
	if c.DistHead {
		kernels.Linear(p, b, ws.dist, d, w.DistHead.W.packed, w.DistHead.B.data, kernels.ActNone, true, logits, l)
		for i := range logits[:b*l] {
			logits[i] *= 0.5
		}
	}
	return nil
}

// headInput runs the encoder on b images of normalized pixels [B, C, H, W]
// (checked by the caller) up to what the head reads: the pooled vectors
// in ws.cls [B, D'] (see poolTokens), and with a distillation head the
// final-normed distillation tokens in ws.dist [B, D].
func (m *Model) headInput(pix []float32, b, h, wd int, hidden func(int, []float32)) {
	c := &m.Config
	w, p := m.w, m.pool
	d := c.Hidden
	gh, gw := h/c.PatchSize, wd/c.PatchSize
	np, pre := gh*gw, c.prefix()
	t := pre + np
	bt := b * t
	cpp := c.Channels * c.PatchSize * c.PatchSize
	eps := float32(c.LayerNormEps)
	pos := m.posEmbed(gh, gw) // [T, D]
	ws := &m.ws
	ws.ensure(c, b, t)
	emb := ws.emb // [B·T, D]

	// Embeddings: x = [cls; dist | reg; patches·Wᵀ + bias] + pos (pos
	// on the tokens its table covers), optionally normed (norm_pre), then
	// into token panels, where the residual stream stays for the whole
	// encoder. The patches of all images go through one Linear call
	// (ws.pe): per image, 196 tokens left a 4-token tail panel and a
	// call's start-up each (ViT-B/16 at batch 8: 1–2% of the forward).
	chw := c.Channels * h * wd
	pp := c.posPrefix()
	var patchB []float32 // [D] or nil
	if w.Patch.B != nil {
		patchB = w.Patch.B.data
	}
	for i := 0; i < b; i++ {
		patchify(pix[i*chw:(i+1)*chw], c.Channels, h, wd, c.PatchSize, ws.pat[i*np*cpp:(i+1)*np*cpp])
	}
	kernels.Linear(p, b*np, ws.pat, cpp, w.Patch.W.packed, patchB, kernels.ActNone, false, ws.pe, d)
	for i := 0; i < b; i++ {
		xi := emb[i*t*d : (i+1)*t*d] // [T, D]
		clear(xi[:pre*d])
		if pos != nil {
			copy(xi[:pp*d], pos[:pp*d])
			copy(xi[pre*d:], pos[pp*d:])
		}
		tok := xi
		for _, tp := range []*param{w.Cls, w.Dist, w.Reg} {
			if tp != nil {
				add(tok[:len(tp.data)], tp.data)
				tok = tok[len(tp.data):]
			}
		}
		pe := ws.pe[i*np*d : (i+1)*np*d] // [Np, D]
		if pos != nil {
			add(xi[pre*d:], pe)
		} else {
			copy(xi[pre*d:], pe)
		}
	}
	if c.PreNorm {
		kernels.LayerNorm(bt, d, emb, d, w.PreNormW.data, w.PreNormB.data, eps, emb, d)
	}
	x := &ws.x
	x.Pack(bt, d, emb, d)

	// Only the prefix tokens' outputs of the last block reach a head that
	// reads the class token, so unless every block's output is wanted,
	// that block runs for them alone.
	full := len(w.Blocks)
	if hidden == nil && m.attnHook == nil && full > 0 && c.prefixLastBlock() {
		full--
	}
	var rope *ropeTab // per grid, so looked up once, not per block
	if c.Rope != nil {
		rope = m.ropeTables(gh, gw)
	}
	for li := range w.Blocks[:full] {
		blk := &w.Blocks[li]
		var qkvB []float32
		if blk.Attn.QKVB != nil {
			qkvB = blk.Attn.QKVB.data
		}
		// The branches' input: x itself in a post-norm block, else LN(x),
		// fused into the Linear that reads it (ln) unless a parallel
		// block's MLP reads it too.
		in := x
		var ln kernels.Norm
		switch {
		case c.PostNorm:
		case c.Parallel:
			kernels.LayerNormPanels(p, x, blk.Norm1W.data, blk.Norm1B.data, eps, &ws.h)
			in = &ws.h
		default:
			ln = kernels.Norm{Gamma: blk.Norm1W.data, Beta: blk.Norm1B.data, Eps: eps}
		}
		m.linear(in, ln, blk.Attn.QKVW.packed, qkvB, kernels.ActNone, &ws.qkv)
		if rope != nil {
			sin, cos, hs := rope.layer(li)
			ropePanels(&ws.qkv, b, t, pre, c.Heads, d/c.Heads, []int{0, d}, sin, cos, hs)
		}
		var bias []float32 // [H, T, T] relative position bias of the block, or nil
		if blk.Attn.RelPos != nil {
			bias = m.relPosBias(blk)
		}
		if m.attnHook != nil && !c.DiffAttn { // no single map to show
			m.attnProbs(li, b, t, bias)
		}
		switch {
		case c.DiffAttn:
			m.diffAttention(blk, li, b, t)
		case bias != nil:
			kernels.AttentionPanelsBiasAt(p, w.prec, b, t, c.Heads, d/c.Heads, &ws.qkv, bias, &ws.att)
		default:
			kernels.AttentionPanelsAt(p, w.prec, b, t, c.Heads, d/c.Heads, &ws.qkv, &ws.att)
		}
		att := m.normed(&ws.att, blk.Attn.NormW, blk.Attn.NormB, &ws.h) // [B·T, D]
		m.residual(att, blk.Attn.ProjW, blk.Attn.ProjB, blk.Norm1W, blk.Norm1B)
		if !c.PostNorm && !c.Parallel { // a parallel block's MLP reads the same LN(x) as its attention
			ln = kernels.Norm{Gamma: blk.Norm2W.data, Beta: blk.Norm2B.data, Eps: eps}
		}
		if !c.SwiGLU && blk.MLP.NormW == nil && !c.PostNorm { // x += fc2(act(fc1(·)))
			kernels.MLPPanelsAdd(p, in, ln, &ws.h, blk.MLP.FC1W.packed, blk.MLP.FC1B.data, c.Act,
				&ws.mlp, blk.MLP.FC2W.packed, blk.MLP.FC2B.data, &ws.x)
		} else {
			if c.SwiGLU {
				m.linear(in, ln, blk.MLP.FC1W.packed, blk.MLP.FC1B.data, kernels.ActNone, &ws.glu)
				gluPanels(&ws.glu, &ws.mlp)
			} else {
				m.linear(in, ln, blk.MLP.FC1W.packed, blk.MLP.FC1B.data, c.Act, &ws.mlp)
			}
			mh := m.normed(&ws.mlp, blk.MLP.NormW, blk.MLP.NormB, &ws.glu) // [B·T, F]
			m.residual(mh, blk.MLP.FC2W, blk.MLP.FC2B, blk.Norm2W, blk.Norm2B)
		}
		if hidden != nil {
			x.Unpack(emb, d)
			hidden(li, emb[:bt*d])
		}
	}

	if c.Pool != PoolToken {
		x.Unpack(emb, d)
		m.poolTokens(emb, b, t)
		return
	}
	// The prefix tokens of each image as rows [B·pre, D], then through the
	// last block unless every block ran in full.
	xr := ws.xr
	prefixRows(x, xr, b, t, pre)
	if full < len(w.Blocks) {
		m.lastBlock(&w.Blocks[full], b, t)
	}
	m.poolTokens(xr, b, pre)
}

// linear computes y = act(x·Wᵀ + bias) for x [M, K] in token panels,
// or act(LN(x)·Wᵀ + bias) with ln's LayerNorm when ln.Gamma is not nil
// (LN(x) goes to ws.h only if the kernels need it in float32).
func (m *Model) linear(x *kernels.Panels, ln kernels.Norm, w *kernels.PackedB, bias []float32, act kernels.Act, y *kernels.Panels) {
	kernels.LinearToPanelsNormed(m.pool, x, ln, &m.ws.h, w, bias, act, y)
}

// normed returns a [M, K] (token panels) normed into dst by the
// LayerNorm (w, b) when the block has it (w not nil), else a itself.
func (m *Model) normed(a *kernels.Panels, w, b *param, dst *kernels.Panels) *kernels.Panels {
	if w == nil {
		return a
	}
	kernels.LayerNormPanels(m.pool, a, w.data, b.data, float32(m.Config.LayerNormEps), dst)
	return dst
}

// residual adds a branch's projection a·Wᵀ + bias ([B·T, D], a in
// token panels) to the residual stream ws.x: as it is, or in a post-norm
// block after the branch's LayerNorm (nw, nb).
func (m *Model) residual(a *kernels.Panels, w, bias, nw, nb *param) {
	p, ws := m.pool, &m.ws
	if !m.Config.PostNorm {
		kernels.LinearPanelsAdd(p, a, w.packed, bias.data, &ws.x)
		return
	}
	kernels.LinearToPanels(p, a, w.packed, bias.data, kernels.ActNone, &ws.po)
	kernels.LayerNormPanels(p, &ws.po, nw.data, nb.data, float32(m.Config.LayerNormEps), &ws.po)
	addPanels(&ws.x, &ws.po)
}

// poolTokens writes what the head reads from the final tokens of b images, x
// [B·n, D] rows (n = T tokens, or only the prefix tokens for PoolToken):
// ws.cls [B, D'] is the class token (PoolToken), the mean of the patch
// tokens (PoolAvg) or both concatenated (PoolTokenAvg), after the final
// LayerNorm on the tokens and before fc_norm on the pooled vector, each
// when the model has it; ws.dist [B, D] is the distillation token for a
// distillation head. x is overwritten.
func (m *Model) poolTokens(x []float32, b, n int) {
	c, w, ws := &m.Config, m.w, &m.ws
	d, hi, pre := c.Hidden, c.headIn(), c.poolStart()
	eps := float32(c.LayerNormEps)
	// norm applies the final LayerNorm (if any) to rows of x [rows, D]
	// (leading dimension ld) into y (leading dimension ldy).
	norm := func(rows int, x []float32, ld int, y []float32, ldy int) {
		if w.NormW != nil {
			kernels.LayerNorm(rows, d, x, ld, w.NormW.data, w.NormB.data, eps, y, ldy)
			return
		}
		for r := 0; r < rows; r++ {
			copy(y[r*ldy:r*ldy+d], x[r*ld:r*ld+d])
		}
	}
	if c.Pool == PoolToken {
		norm(b, x, n*d, ws.cls, hi)
		if c.DistHead {
			norm(b, x[d:], n*d, ws.dist, d)
		}
	} else if c.Pool == PoolMAP {
		norm(b*n, x, d, x, d)
		m.mapPool(x, b, n, pre)
	} else {
		norm(b*n, x, d, x, d)
		if cap(ws.mean) < d {
			ws.mean = make([]float64, d)
		}
		acc := ws.mean[:d] // [D]
		for i := 0; i < b; i++ {
			out := ws.cls[i*hi : (i+1)*hi]
			xi := x[i*n*d : (i+1)*n*d] // [T, D]
			if c.Pool == PoolTokenAvg {
				copy(out[:d], xi[:d])
				out = out[d:]
			}
			clear(acc)
			for r := pre; r < n; r++ {
				for e, v := range xi[r*d : (r+1)*d] {
					acc[e] += float64(v)
				}
			}
			for e := range acc {
				out[e] = float32(acc[e] / float64(n-pre))
			}
		}
	}
	if c.FCNorm {
		kernels.LayerNorm(b, hi, ws.cls, hi, w.FCNormW.data, w.FCNormB.data, eps, ws.cls, hi)
	}
}

// lastBlock runs block blk on the residual stream ws.x [B·T, D] for the
// outputs of the pre prefix tokens of each image only, updating ws.xr
// [B·pre, D] (those tokens' rows of ws.x) in place: k and v for every
// token, everything else for the prefix tokens, which attend to all
// tokens. The same values as the full block at those rows; at 197 tokens
// it is 1/197 of the projection and MLP work.
func (m *Model) lastBlock(blk *Block, b, t int) {
	c, p, ws := &m.Config, m.pool, &m.ws
	d, pre := c.Hidden, c.prefix()
	bp := b * pre
	eps := float32(c.LayerNormEps)
	var qB, kvB []float32 // [D], [2D] (nil without a qkv bias)
	if blk.Attn.QKVB != nil {
		qB, kvB = blk.Attn.QKVB.data[:d], blk.Attn.QKVB.data[d:]
	}
	x, xr := &ws.x, ws.xr
	kernels.LayerNormPanels(p, x, blk.Norm1W.data, blk.Norm1B.data, eps, &ws.h)
	kernels.LinearToPanels(p, &ws.h, blk.Attn.kvW, kvB, kernels.ActNone, &ws.kv)
	prefixRows(&ws.h, ws.hr, b, t, pre)
	kernels.Linear(p, bp, ws.hr, d, blk.Attn.qW, qB, kernels.ActNone, false, ws.q, d)
	kernels.AttentionPrefix(p, b, t, pre, c.Heads, d/c.Heads, ws.q, &ws.kv, ws.ar)
	kernels.Linear(p, bp, ws.ar, d, blk.Attn.ProjW.packed, blk.Attn.ProjB.data, kernels.ActNone, true, xr, d)
	kernels.LayerNorm(bp, d, xr, d, blk.Norm2W.data, blk.Norm2B.data, eps, ws.hr, d)
	kernels.Linear(p, bp, ws.hr, d, blk.MLP.FC1W.packed, blk.MLP.FC1B.data, c.Act, false, ws.mr, c.Intermediate)
	kernels.Linear(p, bp, ws.mr, c.Intermediate, blk.MLP.FC2W.packed, blk.MLP.FC2B.data, kernels.ActNone, true, xr, d)
}

// prefixRows writes the pre prefix tokens of each of the b sequences of
// t tokens in x [B·T, D] (token panels) to dst [B·pre, D] as rows, in
// order.
func prefixRows(x *kernels.Panels, dst []float32, b, t, pre int) {
	d := x.K
	for r := 0; r < pre; r++ {
		x.Rows(dst[r*d:], pre*d, r, t, b)
	}
}

// add does dst += src.
func add(dst, src []float32) {
	for i := range dst {
		dst[i] += src[i]
	}
}
