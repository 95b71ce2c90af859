package model

import "github.com/vitgo/vit/internal/kernels"

// relPosIndex returns BEiT's relative position index [T·T] (T = 1 +
// gh·gw, the class token first) as timm's gen_relative_position_index
// builds it: for patches i = (yi, xi) and j = (yj, xj) the row
// (yi−yj+gh−1)·(2gw−1) + (xi−xj+gw−1) of the table, then class→patch,
// patch→class and class→class the table's last three rows.
func relPosIndex(gh, gw int) []int32 {
	np := gh * gw
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

// relPosBias gathers the relative position bias of blk for the native
// grid into buf, grown to [H, T, T]: bias[h, i, j] = table[index[i, j], h].
func (m *Model) relPosBias(blk *Block, buf []float32) []float32 {
	h := m.Config.Heads
	if m.relIndex == nil {
		g := m.Config.grid()
		m.relIndex = relPosIndex(g, g)
	}
	tt := len(m.relIndex)
	table := blk.Attn.RelPos.data // [rows, H]
	buf = kernels.Grow(buf, h*tt)
	for hd := 0; hd < h; hd++ {
		row := buf[hd*tt : (hd+1)*tt]
		for k, r := range m.relIndex {
			row[k] = table[int(r)*h+hd]
		}
	}
	return buf
}
