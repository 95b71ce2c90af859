package model

import (
	"math"

	"github.com/vitgo/vit/internal/kernels"
)

// AttnHook receives the attention probabilities of block layer during a
// Forward or Embed call: p [B, H, T, T], p[b, h, i, j] the weight query
// token i gives key token j in head h of image b (each row sums to 1;
// tokens are the prefix tokens then the patches in row-major grid order).
// p is valid only during the call.
type AttnHook func(layer int, p []float32)

// SetAttnHook makes every later Forward and Embed call hook once per
// block, in order, with that block's attention probabilities; nil turns
// it off. With a hook set, every block runs in full (the last one too)
// and the probabilities are computed again from the block's q and k, in
// float32 like the fused attention kernel, which never stores them. A
// model without a hook pays one nil check per call.
func (m *Model) SetAttnHook(h AttnHook) { m.attnHook = h }

// HeadContrib, after a Forward run with an attention hook set, writes for
// image bi the direct contribution of each head of the last block's
// attention, at each prefix token, to logit class: dst [pre, H] (pre = 1,
// or 2 for a distilled model), dst[r, h] = g_r · (W_O[:, h] · o_h), with o_h
// [Dh] head h's attention output at prefix token r and W_O[:, h] [D, Dh]
// its columns of the output projection. g_r [D] is the head row of class
// read through the final LayerNorm linearized at that token's actual
// input (γ/σ times the row, centered): the class token's head, or for
// r = 1 the distillation head, both halved as Forward averages them; 0
// for a token no head reads. It is the first-order share of the logit
// each head's attention output carries straight into the head through the
// residual stream (the last MLP and the earlier blocks are not
// attributed).
func (m *Model) HeadContrib(bi, class int, dst []float64) {
	c, ws, w := &m.Config, &m.ws, m.w
	if bi < 0 || bi >= ws.hookB || class < 0 || class >= c.NumClasses {
		panic("model: HeadContrib without a hooked Forward of that image, or class out of range")
	}
	d, nh, pre := c.Hidden, c.Heads, c.prefix()
	dh := d / nh
	for r := range pre {
		row := dst[r*nh : (r+1)*nh]
		clear(row)
		head, scale := w.Head, 1.0
		if c.DistHead {
			scale = 0.5
			if r == 1 {
				head = w.DistHead
			}
		} else if r > 0 {
			continue
		}
		x := ws.xr[(bi*pre+r)*d : (bi*pre+r+1)*d] // [D] input of the final LayerNorm
		var mean, vs float64
		for _, v := range x {
			mean += float64(v)
		}
		mean /= float64(d)
		for _, v := range x {
			vs += (float64(v) - mean) * (float64(v) - mean)
		}
		inv := 1 / math.Sqrt(vs/float64(d)+c.LayerNormEps)
		g := make([]float64, d) // [D]
		hw := head.W.rows()[class*d : (class+1)*d]
		var gm float64
		for i := range g {
			g[i] = scale * inv * float64(w.NormW.data[i]) * float64(hw[i])
			gm += g[i]
		}
		gm /= float64(d)
		proj := w.Blocks[len(w.Blocks)-1].Attn.ProjW.rows() // [D, D]
		tok := bi*ws.hookT + r                              // row of token r of image bi in ws.att
		for h := range nh {
			var s float64
			for i := range d {
				var y float64
				for e := range dh {
					y += float64(proj[i*d+h*dh+e]) * float64(ws.att.At(tok, h*dh+e))
				}
				s += (g[i] - gm) * y
			}
			row[h] = s
		}
	}
}

// attnProbs computes the attention probabilities of the block whose
// q|k|v are in ws.qkv [B·T, 3D] (with bias [H, T, T] added to the scaled
// scores when not nil: the relative position bias) and hands them to the
// hook.
func (m *Model) attnProbs(layer, b, t int, bias []float32) {
	c, ws, p := &m.Config, &m.ws, m.pool
	d, nh := c.Hidden, c.Heads
	dh := d / nh
	ws.qkvr = kernels.Grow(ws.qkvr, b*t*3*d)
	ws.probs = kernels.Grow(ws.probs, b*nh*t*t)
	ws.qkv.Unpack(ws.qkvr, 3*d)
	ws.hookB, ws.hookT = b, t
	scale := float32(1 / math.Sqrt(float64(dh)))
	for bi := range b {
		x := ws.qkvr[bi*t*3*d:] // [T, 3D] this image's q | k | v
		for h := range nh {
			s := ws.probs[(bi*nh+h)*t*t : (bi*nh+h+1)*t*t] // [T, T]
			k := kernels.PackB(x[d+h*dh:], t, dh, 3*d)
			kernels.Linear(p, t, x[h*dh:], 3*d, k, nil, kernels.ActNone, false, s, t)
			for i := range s {
				s[i] *= scale
			}
			if bias != nil { // relative position bias [H, T, T]
				add(s, bias[h*t*t:(h+1)*t*t])
			}
			kernels.SoftmaxRows(s, t, t, t)
		}
	}
	m.attnHook(layer, ws.probs[:b*nh*t*t])
}

// PrefixTokens returns the number of tokens before the patches: the
// class token if any, then the distillation token (DeiT) or the register
// tokens (Config.PrefixTokens names them).
func (m *Model) PrefixTokens() int { return m.Config.prefix() }
