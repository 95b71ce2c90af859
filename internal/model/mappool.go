package model

import (
	"math"

	"github.com/vitgo/vit/internal/kernels"
)

// MAPHead is timm's AttentionPoolLatent (global_pool "map", SigLIP and
// the Perception Encoder): one learned latent query attends to every
// final token, then a residual MLP:
//
//	q = latent·Wqᵀ + bq;  k|v = x·Wkvᵀ + bkv              // x [T, D] final-normed tokens
//	o = proj(softmax(q·kᵀ/√Dh')·v)                        // Dh' = D / MAPHeads, per head
//	p = o + fc2(act(fc1(LN(o))))                          // what the head reads [D]
type MAPHead struct {
	Latent       *param // [D]
	QW, QB       *param // [D, D], [D]
	KVW, KVB     *param // [2D, D] rows k | v, [2D]
	ProjW, ProjB *param // [D, D], [D]
	NormW, NormB *param // [D]
	FC1W, FC1B   *param // [MF, D], [MF] (MF = Config.MAPHidden)
	FC2W, FC2B   *param // [D, MF], [D]
}

func (h *MAPHead) params() []*param {
	return []*param{h.Latent, h.QW, h.QB, h.KVW, h.KVB, h.ProjW, h.ProjB, h.NormW, h.NormB, h.FC1W, h.FC1B, h.FC2W, h.FC2B}
}

// newMAPHead allocates the MAP head's parameters for c.
func newMAPHead(c *Config, np func(string, ...int) *param) *MAPHead {
	d, mf := c.Hidden, c.MAPHidden
	return &MAPHead{
		Latent: np("attn_pool.latent", d),
		QW:     np("attn_pool.q.w", d, d), QB: np("attn_pool.q.b", d),
		KVW: np("attn_pool.kv.w", 2*d, d), KVB: np("attn_pool.kv.b", 2*d),
		ProjW: np("attn_pool.proj.w", d, d), ProjB: np("attn_pool.proj.b", d),
		NormW: np("attn_pool.norm.w", d), NormB: np("attn_pool.norm.b", d),
		FC1W: np("attn_pool.fc1.w", mf, d), FC1B: np("attn_pool.fc1.b", mf),
		FC2W: np("attn_pool.fc2.w", d, mf), FC2B: np("attn_pool.fc2.b", d),
	}
}

// mapPool writes the MAP head's output for b images to ws.cls [B, D]
// from their final-normed tokens x [B·n, D] rows, of which it reads
// those from skip on (timm's VisionTransformer leaves out the prefix).
func (m *Model) mapPool(x []float32, b, n, skip int) {
	c, ws, p, h := &m.Config, &m.ws, m.pool, m.w.MAP
	d, mf, nh := c.Hidden, c.MAPHidden, c.MAPHeads
	dh := d / nh
	eps := float32(c.LayerNormEps)
	ws.mapQ = kernels.Grow(ws.mapQ, d)         // [D] the latent query
	ws.mapKV = kernels.Grow(ws.mapKV, b*n*2*d) // [B·n, 2D] k | v
	ws.mapA = kernels.Grow(ws.mapA, b*d)       // [B, D] attention output
	ws.mapH = kernels.Grow(ws.mapH, b*d)       // [B, D] LN of the projection
	ws.mapM = kernels.Grow(ws.mapM, b*mf)      // [B, MF] MLP hidden
	ws.mapS = kernels.Grow(ws.mapS, n)         // [n] scores of one head
	kernels.Linear(p, 1, h.Latent.data, d, h.QW.packed, h.QB.data, kernels.ActNone, false, ws.mapQ, d)
	kernels.Linear(p, b*n, x, d, h.KVW.packed, h.KVB.data, kernels.ActNone, false, ws.mapKV, 2*d)
	scale := 1 / math.Sqrt(float64(dh))
	for i := 0; i < b; i++ {
		kv := ws.mapKV[(i*n+skip)*2*d : (i+1)*n*2*d] // [n−skip, 2D]
		for hd := 0; hd < nh; hd++ {
			q := ws.mapQ[hd*dh : (hd+1)*dh]
			s := ws.mapS[:n-skip]
			for j := range s {
				var acc float32
				for e, v := range kv[j*2*d+hd*dh : j*2*d+(hd+1)*dh] {
					acc += q[e] * v
				}
				s[j] = acc * float32(scale)
			}
			kernels.SoftmaxRows(s, 1, len(s), len(s))
			o := ws.mapA[i*d+hd*dh : i*d+(hd+1)*dh]
			clear(o)
			for j, w := range s {
				for e, v := range kv[j*2*d+d+hd*dh : j*2*d+d+(hd+1)*dh] {
					o[e] += w * v
				}
			}
		}
	}
	out := ws.cls[:b*d]
	kernels.Linear(p, b, ws.mapA, d, h.ProjW.packed, h.ProjB.data, kernels.ActNone, false, out, d)
	kernels.LayerNorm(b, d, out, d, h.NormW.data, h.NormB.data, eps, ws.mapH, d)
	kernels.Linear(p, b, ws.mapH, d, h.FC1W.packed, h.FC1B.data, c.Act, false, ws.mapM, mf)
	kernels.Linear(p, b, ws.mapM, mf, h.FC2W.packed, h.FC2B.data, kernels.ActNone, true, out, d)
}

// mapRef is the MAP head in float64 for one image's final tokens x [T, D],
// writing out [D].
func mapRef(c *Config, h *MAPHead, x []float32, t int, out []float32) {
	d, mf, nh := c.Hidden, c.MAPHidden, c.MAPHeads
	dh := d / nh
	q := make([]float32, d) // [D]
	linearRef(h.Latent.data, 1, d, h.QW.data, h.QB.data, d, q)
	kv := make([]float32, t*2*d) // [T, 2D]
	linearRef(x, t, d, h.KVW.data, h.KVB.data, 2*d, kv)
	att := make([]float32, d)
	for hd := 0; hd < nh; hd++ {
		attendRef(q[hd*dh:(hd+1)*dh], kv[hd*dh:], kv[d+hd*dh:], 2*d, t, nil, att[hd*dh:(hd+1)*dh])
	}
	linearRef(att, 1, d, h.ProjW.data, h.ProjB.data, d, out)
	ln := make([]float32, d)
	layerNormRef(out, h.NormW.data, h.NormB.data, c.LayerNormEps, ln)
	mid := make([]float32, mf)
	linearRef(ln, 1, d, h.FC1W.data, h.FC1B.data, mf, mid)
	for i, v := range mid {
		mid[i] = float32(actRef(c.HiddenAct, float64(v)))
	}
	o2 := make([]float32, d)
	linearRef(mid, 1, mf, h.FC2W.data, h.FC2B.data, d, o2)
	add(out, o2)
}
