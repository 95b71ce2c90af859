package model

import "math"

// relPosIndex returns the relative position index [T·T] as timm's
// gen_relative_position_index builds it: for patches i = (yi, xi) and
// j = (yj, xj) the row (yi−yj+gh−1)·(2gw−1) + (xi−xj+gw−1) of the table.
// With a class token (T = 1 + gh·gw, BEiT's), class→patch, patch→class
// and class→class are the table's last three rows; without, T = gh·gw.
func relPosIndex(gh, gw int, cls bool) []int32 {
	np := gh * gw
	if !cls {
		idx := make([]int32, np*np) // [T, T]
		for i := 0; i < np; i++ {
			for j := 0; j < np; j++ {
				idx[i*np+j] = int32((i/gw-j/gw+gh-1)*(2*gw-1) + i%gw - j%gw + gw - 1)
			}
		}
		return idx
	}
	t := np + 1
	n := int32((2*gh-1)*(2*gw-1) + 3)
	idx := make([]int32, t*t) // [T, T]
	for i := 0; i < np; i++ {
		yi, xi := i/gw, i%gw
		for j := 0; j < np; j++ {
			yj, xj := j/gw, j%gw
			idx[(i+1)*t+j+1] = int32((yi-yj+gh-1)*(2*gw-1) + xi - xj + gw - 1)
		}
		idx[i+1] = n - 3     // class → patch
		idx[(i+1)*t] = n - 2 // patch → class
	}
	idx[0] = n - 1
	return idx
}

// relPosBias returns the relative position bias [H, T, T] of blk for the
// native grid, bias[h, i, j] = table[index[i, j], h]. It depends on the
// weights alone, so the first call gathers every block's (one per
// distinct table: shared ones once) and later calls reuse them: H·T²
// values a table, 1.9 MB a block for BEiT-B/16, against 3.6 ms of
// gathering per forward.
func (m *Model) relPosBias(blk *Block) []float32 {
	if m.relBias == nil {
		m.relBias = m.gatherRelPosBias()
	}
	return m.relBias[blk.Attn.RelPos]
}

// gatherRelPosBias computes the MLP-made tables (RelPosMLP) and gathers
// the bias [H, T, T] of each distinct table of the blocks.
func (m *Model) gatherRelPosBias() map[*param][]float32 {
	h, g := m.Config.Heads, m.Config.grid()
	index := relPosIndex(g, g, m.Config.prefix() > 0) // [T·T]
	tt := len(index)
	biases := map[*param][]float32{}
	for i := range m.w.Blocks {
		a := &m.w.Blocks[i].Attn
		if a.RelPos == nil || biases[a.RelPos] != nil {
			continue
		}
		if a.RelMLP != nil {
			a.RelMLP.table(g, g, h, a.RelPos.data)
		}
		table := a.RelPos.data        // [rows, H]
		bias := make([]float32, h*tt) // [H, T, T]
		for hd := 0; hd < h; hd++ {
			row := bias[hd*tt : (hd+1)*tt]
			for k, r := range index {
				row[k] = table[int(r)*h+hd]
			}
		}
		biases[a.RelPos] = bias
	}
	return biases
}

// RelPosMLP is timm's RelPosMlp in its "cr" mode: the relative position
// bias table [(2g−1)², H] is an MLP of the log-spaced relative
// coordinates, fc2(relu(fc1(sign(Δ)·ln(1+|Δ|)))) for Δ = (Δy, Δx); the
// prefix tokens get no bias (timm pads the bias with zeros).
type RelPosMLP struct {
	FC1W, FC1B *param // [RH·2], [RH] (RH = Config.RelPosMLP)
	FC2W, FC2B *param // [H·RH], [H]
}

// newRelPosMLP allocates the MLP's parameters, flat: it runs once, in
// relPosBias, not through kernels.Linear.
func newRelPosMLP(c *Config, np func(string, ...int) *param, prefix string) *RelPosMLP {
	rh, h := c.RelPosMLP, c.Heads
	return &RelPosMLP{
		FC1W: np(prefix+"fc1.w", rh*2), FC1B: np(prefix+"fc1.b", rh),
		FC2W: np(prefix+"fc2.w", h*rh), FC2B: np(prefix+"fc2.b", h),
	}
}

func (r *RelPosMLP) params() []*param { return []*param{r.FC1W, r.FC1B, r.FC2W, r.FC2B} }

// table writes the MLP's bias table for a gh×gw grid into dst
// [((2gh−1)(2gw−1)+3)·H] row-major [row, head]: one row per relative
// offset in relPosIndex's order, then three zero rows, which relPosIndex
// gives the class token's pairs.
func (r *RelPosMLP) table(gh, gw, heads int, dst []float32) {
	rh := len(r.FC1B.data)
	clear(dst)
	logc := func(v int) float64 {
		f := math.Log1p(math.Abs(float64(v)))
		if v < 0 {
			return -f
		}
		return f
	}
	hid := make([]float64, rh)
	for dy := -(gh - 1); dy <= gh-1; dy++ {
		for dx := -(gw - 1); dx <= gw-1; dx++ {
			in := [2]float64{logc(dy), logc(dx)}
			for k := range hid {
				v := float64(r.FC1B.data[k]) + float64(r.FC1W.data[2*k])*in[0] + float64(r.FC1W.data[2*k+1])*in[1]
				hid[k] = math.Max(v, 0)
			}
			row := (dy+gh-1)*(2*gw-1) + dx + gw - 1
			for h := 0; h < heads; h++ {
				acc := float64(r.FC2B.data[h])
				for k, v := range hid {
					acc += float64(r.FC2W.data[h*rh+k]) * v
				}
				dst[row*heads+h] = float32(acc)
			}
		}
	}
}
