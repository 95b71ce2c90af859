package model

import (
	"math"

	"github.com/vitgo/vit/internal/kernels"
)

// ropeTab is the rotary embedding of one patch grid: sin and cos
// [layers, heads, Np, Dh] (both values of a feature pair equal), with
// layer stride ls and head stride hs 0 when every layer or head shares
// one table [Np, Dh] (Rope "cat").
type ropeTab struct {
	sin, cos []float32
	ls, hs   int
}

// layer returns the tables of block li: sin, cos [H, Np, Dh] of head
// stride hs (0: one [Np, Dh] for every head).
func (r *ropeTab) layer(li int) (sin, cos []float32, hs int) {
	return r.sin[li*r.ls:], r.cos[li*r.ls:], r.hs
}

// ropeTables returns the rotary embedding of a gh×gw patch grid, cached
// per grid: timm's build_rotary_pos_embed for RotaryEmbeddingCat (not in
// pixels), or RotaryEmbeddingMixed's per-block, per-head learned
// frequencies (get_mixed_freqs).
func (m *Model) ropeTables(gh, gw int) *ropeTab {
	k := [2]int{gh, gw}
	if t, ok := m.rope[k]; ok {
		return t
	}
	c := &m.Config
	var t *ropeTab
	if c.Rope.Mixed {
		t = ropeMixed(m.w.RopeFreqs.data, c.Layers, c.Heads, c.Hidden/c.Heads, gh, gw, c.Rope.XY)
	} else {
		sin, cos := ropeSinCos(c.Rope, gh, gw, c.Hidden/c.Heads)
		t = &ropeTab{sin: sin, cos: cos}
	}
	if m.rope == nil {
		m.rope = map[[2]int]*ropeTab{}
	}
	m.rope[k] = t
	return t
}

// ropeMixed computes RotaryEmbeddingMixed's tables from its frequencies
// freqs [2, layers, H, Dh/2] (fx, fy): for patch n at grid (y, x) the
// angle of pair p in head h of block l is t₀·fx[l,h,p] + t₁·fy[l,h,p],
// with (t₀, t₁) = (x, y) for "xy" indexing, else (y, x).
func ropeMixed(freqs []float32, layers, heads, dh, gh, gw int, xy bool) *ropeTab {
	np, half := gh*gw, dh/2
	hs := np * dh
	t := &ropeTab{sin: make([]float32, layers*heads*hs), cos: make([]float32, layers*heads*hs), ls: heads * hs, hs: hs}
	for l := 0; l < layers; l++ {
		for h := 0; h < heads; h++ {
			fx := freqs[(l*heads+h)*half:][:half]
			fy := freqs[((layers+l)*heads+h)*half:][:half]
			for n := 0; n < np; n++ {
				t0, t1 := float64(n/gw), float64(n%gw)
				if xy {
					t0, t1 = t1, t0
				}
				row := l*t.ls + h*hs + n*dh
				for p := 0; p < half; p++ {
					s, c := math.Sincos(t0*float64(fx[p]) + t1*float64(fy[p]))
					t.sin[row+2*p], t.sin[row+2*p+1] = float32(s), float32(s)
					t.cos[row+2*p], t.cos[row+2*p+1] = float32(c), float32(c)
				}
			}
		}
	}
	return t
}

// ropeSinCos computes the tables of ropeTables (see Rope): nb = Dh/4
// bands ω_j = temperature^(−j/nb), the grid coordinates (index + offset,
// times ref/grid when r.Ref is set) ordered (y, x), or (x, y) with "xy"
// indexing, and for feature pair p of patch n the angle
// coord[p/nb]·ω_{p mod nb}.
func ropeSinCos(r *Rope, gh, gw, dh int) (sin, cos []float32) {
	nb := dh / 4
	sin = make([]float32, gh*gw*dh) // [Np, Dh]
	cos = make([]float32, gh*gw*dh) // [Np, Dh]
	axis := func(i, n, ref int) float64 {
		v := float64(i) + r.Offset
		if ref > 0 {
			v = v / float64(n) * float64(ref)
		}
		return v
	}
	for y := 0; y < gh; y++ {
		for x := 0; x < gw; x++ {
			cy, cx := axis(y, gh, r.Ref[0]), axis(x, gw, r.Ref[1])
			coord := [2]float64{cy, cx}
			if r.XY {
				coord = [2]float64{cx, cy}
			}
			row := (y*gw + x) * dh
			for p := 0; p < dh/2; p++ {
				w := math.Pow(r.Temperature, -float64(p%nb)/float64(nb))
				s, co := math.Sincos(coord[p/nb] * w)
				sin[row+2*p], sin[row+2*p+1] = float32(s), float32(s)
				cos[row+2*p], cos[row+2*p+1] = float32(co), float32(co)
			}
		}
	}
	return sin, cos
}

// ropeRow rotates the feature pairs of one head's q or k, v [Dh], by the
// angles of one patch (sin, cos [Dh]): timm's x·cos + rot(x)·sin with
// rot(x) = [−x₁, x₀, −x₃, x₂, …].
func ropeRow(v []float32, stride int, sin, cos []float32) {
	for p := 0; p < len(sin)/2; p++ {
		a, b := v[2*p*stride], v[(2*p+1)*stride]
		v[2*p*stride] = a*cos[2*p] - b*sin[2*p]
		v[(2*p+1)*stride] = b*cos[2*p+1] + a*sin[2*p+1]
	}
}

// ropePanels applies the rotary embedding (sin, cos [H, Np, Dh] of head
// stride hs, 0 when the heads share one table) to the features
// [off, off+D) of every patch token of b sequences of t tokens in x
// [B·T, K] (token panels), for each off in offs (the q and k columns);
// the first pre tokens of each sequence are left alone.
func ropePanels(x *kernels.Panels, b, t, pre, heads, dh int, offs []int, sin, cos []float32, hs int) {
	const nr = 32 // token panel width (kernels.Panels)
	for i := 0; i < b*t; i++ {
		s := i % t
		if s < pre {
			continue
		}
		n := s - pre
		base := x.P[i/nr*x.K*nr+i%nr:]
		for _, off := range offs {
			for h := 0; h < heads; h++ {
				o := h*hs + n*dh
				ropeRow(base[(off+h*dh)*nr:], nr, sin[o:o+dh], cos[o:o+dh])
			}
		}
	}
}

// gluPanels writes y [M, F] = silu(g) ⊙ u for x [M, 2F] = g | u, both in
// token panels (SwiGLU's hidden layer).
func gluPanels(x, y *kernels.Panels) {
	const nr = 32
	f := x.K / 2
	y.Reset(x.M, f)
	for tp := 0; tp < (x.M+nr-1)/nr; tp++ {
		for j := 0; j < f; j++ {
			g := x.P[(tp*2*f+j)*nr:][:nr]
			u := x.P[(tp*2*f+f+j)*nr:][:nr]
			o := y.P[(tp*f+j)*nr:][:nr]
			for l := range o {
				o[l] = silu(g[l]) * u[l]
			}
		}
	}
}

// addPanels does x += y for two [M, K] token-panel matrices.
func addPanels(x, y *kernels.Panels) {
	add(x.P[:len(y.P)], y.P)
}

// silu is x·sigmoid(x).
func silu(x float32) float32 { return float32(float64(x) / (1 + math.Exp(-float64(x)))) }
