package model

import (
	"math"

	"github.com/vitgo/vit/internal/kernels"
)

// DiffAttn is timm's DiffAttention (differential attention): q and k are
// split into 2H heads of Dh' = D/(2H), v into H heads of 2Dh', and head h
// of the output is
//
//	RMSNorm(softmax(q₂ₕ·k₂ₕᵀ/√Dh')·vₕ − λ·softmax(q₂ₕ₊₁·k₂ₕ₊₁ᵀ/√Dh')·vₕ)·(1 − λinit)
//
// with λ = exp(λq1·λk1) − exp(λq2·λk2) + λinit, λinit = 0.8 − 0.6·e^(−0.3·i)
// for block i, and the RMSNorm over the head's 2Dh' values (ε 1e-5,
// learned gain).
type DiffAttn struct {
	LambdaQ1, LambdaK1, LambdaQ2, LambdaK2 *param // [Dh']
	SubNormW                               *param // [2Dh']
}

func (a *DiffAttn) params() []*param {
	return []*param{a.LambdaQ1, a.LambdaK1, a.LambdaQ2, a.LambdaK2, a.SubNormW}
}

// lambdas returns λ and λinit of block li.
func (a *DiffAttn) lambdas(li int) (lambda, init float64) {
	dot := func(x, y *param) float64 {
		var s float64
		for i, v := range x.data {
			s += float64(v) * float64(y.data[i])
		}
		return s
	}
	init = 0.8 - 0.6*math.Exp(-0.3*float64(li))
	return math.Exp(dot(a.LambdaQ1, a.LambdaK1)) - math.Exp(dot(a.LambdaQ2, a.LambdaK2)) + init, init
}

// diffAttention computes block li's differential attention of ws.qkv
// [B·T, 3D] into ws.att [B·T, D], with two runs of the attention kernel
// over 2H heads of Dh': the first pairs each sub-head with its own half
// of vₕ (softmax₁·vₐ, softmax₂·v_b), the second, on a copy of q|k|v with
// the halves of every vₕ swapped, with the other (softmax₁·v_b,
// softmax₂·vₐ).
func (m *Model) diffAttention(blk *Block, li, b, t int) {
	c, p, ws := &m.Config, m.pool, &m.ws
	d, h := c.Hidden, c.Heads
	dh := d / (2 * h) // Dh'
	kernels.AttentionPanels(p, b, t, 2*h, dh, &ws.qkv, &ws.att)
	// q|k|v with the halves of each vₕ swapped, in ws.glu [B·T, 3D].
	const nr = 32
	ws.glu.Reset(ws.qkv.M, ws.qkv.K)
	src, dst := ws.qkv.P, ws.glu.P
	k3 := 3 * d
	for tp := 0; tp < (ws.qkv.M+nr-1)/nr; tp++ {
		base := tp * k3 * nr
		copy(dst[base:base+2*d*nr], src[base:base+2*d*nr])
		for hd := 0; hd < h; hd++ {
			a := base + (2*d+hd*2*dh)*nr // vₐ of head hd
			copy(dst[a:a+dh*nr], src[a+dh*nr:a+2*dh*nr])
			copy(dst[a+dh*nr:a+2*dh*nr], src[a:a+dh*nr])
		}
	}
	kernels.AttentionPanels(p, b, t, 2*h, dh, &ws.glu, &ws.po)
	lambda, init := blk.Attn.Diff.lambdas(li)
	if cap(ws.diff) < 2*dh {
		ws.diff = make([]float64, 2*dh)
	}
	diffCombine(&ws.att, &ws.po, h, dh, float32(lambda), float32(1-init), blk.Attn.Diff.SubNormW.data, ws.diff[:2*dh])
}

// diffCombine overwrites o1 [M, D] (token panels; per head h, lanes of
// softmax₁·vₐ | softmax₂·v_b) with RMSNorm(x)·scale of
// x = [softmax₁·vₐ − λ·softmax₂·vₐ | softmax₁·v_b − λ·softmax₂·v_b], o2
// holding softmax₁·v_b | softmax₂·vₐ; w [2Dh'] is the RMSNorm gain, x
// [2Dh'] scratch.
func diffCombine(o1, o2 *kernels.Panels, heads, dh int, lambda, scale float32, w []float32, x []float64) {
	const nr = 32
	d := o1.K
	for i := 0; i < o1.M; i++ {
		base := i/nr*d*nr + i%nr
		for hd := 0; hd < heads; hd++ {
			f0 := hd * 2 * dh
			var ss float64
			for e := 0; e < dh; e++ {
				a := base + (f0+e)*nr     // first half
				bb := base + (f0+dh+e)*nr // second half
				x[e] = float64(o1.P[a]) - float64(lambda)*float64(o2.P[bb])
				x[dh+e] = float64(o2.P[a]) - float64(lambda)*float64(o1.P[bb])
				ss += x[e]*x[e] + x[dh+e]*x[dh+e]
			}
			r := 1 / math.Sqrt(ss/float64(2*dh)+1e-5)
			for e, v := range x {
				o1.P[base+(f0+e)*nr] = float32(v * r * float64(w[e]) * float64(scale))
			}
		}
	}
}
