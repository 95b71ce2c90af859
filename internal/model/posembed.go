package model

import "math"

// posEmbed returns the position embeddings [posPrefix + gh·gw, D] for a
// gh×gw patch grid (nil without absolute position embeddings):
// the checkpoint's own for the native square grid, else the patch part
// resampled bicubically (prefix tokens unchanged) and cached per grid.
func (m *Model) posEmbed(gh, gw int) []float32 {
	c := &m.Config
	g0 := c.grid()
	if m.w.Pos == nil {
		return nil
	}
	if gh == g0 && gw == g0 {
		return m.w.Pos.data
	}
	k := [2]int{gh, gw}
	if p, ok := m.pos[k]; ok {
		return p
	}
	if m.pos == nil {
		m.pos = map[[2]int][]float32{}
	}
	p := resamplePos(m.w.Pos.data, c.posPrefix(), g0, c.Hidden, gh, gw, c.TimmPosEmbed)
	m.pos[k] = p
	return p
}

// resamplePos resizes the patch rows of pos [pre + g0·g0, D] to a gh×gw
// grid with torch.nn.functional.interpolate(mode="bicubic",
// align_corners=False): with antialias=True (timm resample_abs_pos_embed,
// Keys cubic a = −0.5, support widened when shrinking) if aa, else plain
// (HF interpolate_pos_encoding, a = −0.75, edge-clamped taps). The result
// is [pre + gh·gw, D].
func resamplePos(pos []float32, pre, g0, d, gh, gw int, aa bool) []float32 {
	out := make([]float32, (pre+gh*gw)*d)
	copy(out, pos[:pre*d])
	wy := interpWeights(g0, gh, aa) // [gh][g0]
	wx := interpWeights(g0, gw, aa) // [gw][g0]
	src := pos[pre*d:]              // [g0, g0, D]
	// Separable: rows first into tmp [gh, g0, D], then columns.
	tmp := make([]float64, gh*g0*d)
	for oy := 0; oy < gh; oy++ {
		for iy, wt := range wy[oy] {
			if wt == 0 {
				continue
			}
			for ix := 0; ix < g0; ix++ {
				s := src[(iy*g0+ix)*d : (iy*g0+ix+1)*d]
				t := tmp[(oy*g0+ix)*d : (oy*g0+ix+1)*d]
				for e, v := range s {
					t[e] += wt * float64(v)
				}
			}
		}
	}
	acc := make([]float64, d)
	for oy := 0; oy < gh; oy++ {
		for ox := 0; ox < gw; ox++ {
			clear(acc)
			for ix, wt := range wx[ox] {
				if wt == 0 {
					continue
				}
				t := tmp[(oy*g0+ix)*d : (oy*g0+ix+1)*d]
				for e, v := range t {
					acc[e] += wt * v
				}
			}
			o := out[(pre+oy*gw+ox)*d:]
			for e, v := range acc {
				o[e] = float32(v)
			}
		}
	}
	return out
}

// interpWeights returns, for each of the out output positions, the weight
// of each of the in input positions.
func interpWeights(in, out int, aa bool) [][]float64 {
	w := make([][]float64, out)
	scale := float64(in) / float64(out)
	for i := range w {
		w[i] = make([]float64, in)
		if aa {
			// ATen _compute_weights_aa with the bicubic aa_filter.
			support := 2.0
			invscale := 1.0
			if scale >= 1 {
				support *= scale
				invscale = 1 / scale
			}
			center := scale * (float64(i) + 0.5)
			xmin := max(int64(center-support+0.5), 0)
			xmax := min(int64(center+support+0.5), int64(in))
			var total float64
			for j := xmin; j < xmax; j++ {
				v := cubicAA((float64(j) - center + 0.5) * invscale)
				w[i][j] = v
				total += v
			}
			if total != 0 {
				for j := xmin; j < xmax; j++ {
					w[i][j] /= total
				}
			}
			continue
		}
		// ATen upsample_bicubic2d: source index, 4 taps clamped to the edge.
		real := scale*(float64(i)+0.5) - 0.5
		x0 := math.Floor(real)
		t := real - x0
		const a = -0.75
		coef := [4]float64{cubic2(t+1, a), cubic1(t, a), cubic1(1-t, a), cubic2(2-t, a)}
		for k, v := range coef {
			j := min(max(int(x0)-1+k, 0), in-1)
			w[i][j] += v
		}
	}
	return w
}

func cubic1(x, a float64) float64 { return ((a+2)*x-(a+3))*x*x + 1 }
func cubic2(x, a float64) float64 { return ((a*x-5*a)*x+8*a)*x - 4*a }

// cubicAA is the Keys cubic with a = −0.5 that antialiased resampling uses.
func cubicAA(x float64) float64 {
	const a = -0.5
	x = math.Abs(x)
	switch {
	case x < 1:
		return cubic1(x, a)
	case x < 2:
		return cubic2(x, a)
	}
	return 0
}
