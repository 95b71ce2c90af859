package model

import (
	"math"

	"github.com/vitgo/vit/internal/kernels"
)

// ropeTables returns the rotary embedding of a gh×gw patch grid as sin
// and cos [Np, Dh] (both values of a feature pair equal), cached per grid:
// timm's build_rotary_pos_embed for RotaryEmbeddingCat, not in pixels.
func (m *Model) ropeTables(gh, gw int) (sin, cos []float32) {
	k := [2]int{gh, gw}
	if t, ok := m.rope[k]; ok {
		return t[0], t[1]
	}
	c := &m.Config
	sin, cos = ropeSinCos(c.Rope, gh, gw, c.Hidden/c.Heads)
	if m.rope == nil {
		m.rope = map[[2]int][2][]float32{}
	}
	m.rope[k] = [2][]float32{sin, cos}
	return sin, cos
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

// ropePanels applies the rotary embedding (sin, cos [Np, Dh]) to the
// features [off, off+D) of every patch token of b sequences of t tokens
// in x [B·T, K] (token panels), for each off in offs (the q and k
// columns); the first pre tokens of each sequence are left alone.
func ropePanels(x *kernels.Panels, b, t, pre, heads, dh int, offs []int, sin, cos []float32) {
	const nr = 32 // token panel width (kernels.Panels)
	for i := 0; i < b*t; i++ {
		s := i % t
		if s < pre {
			continue
		}
		n := s - pre
		sp, cp := sin[n*dh:(n+1)*dh], cos[n*dh:(n+1)*dh]
		base := x.P[i/nr*x.K*nr+i%nr:]
		for _, off := range offs {
			for h := 0; h < heads; h++ {
				ropeRow(base[(off+h*dh)*nr:], nr, sp, cp)
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
