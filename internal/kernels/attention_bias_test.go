package kernels

import (
	"math/rand/v2"
	"testing"
)

// TestAttentionPanelsBias compares AttentionPanelsBias with the float64
// reference over sequences that start mid-panel and query panels of
// fewer than 16 queries (the narrow score path), with a bias of the
// scores' own scale so that a bias added to the wrong query or key shows.
func TestAttentionPanelsBias(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	type tc struct{ b, t, h, dh int }
	cases := []tc{{1, 1, 2, 8}, {1, 5, 2, 17}, {2, 33, 3, 16}, {3, 50, 2, 24}, {2, 65, 4, 16}}
	forEachISA(t, func(t *testing.T) {
		var qkv, out Panels
		for ci, c := range cases {
			d, m := c.h*c.dh, c.b*c.t
			rows := attentionInput(uint64(ci), m, d) // [b·t, 3D]
			rng := rand.New(rand.NewPCG(uint64(ci), 7))
			bias := make([]float32, c.h*c.t*c.t) // [h, t, t]
			for i := range bias {
				bias[i] = float32(rng.NormFloat64() * 2)
			}
			qkv.Pack(m, 3*d, rows, 3*d)
			AttentionPanelsBias(p, c.b, c.t, c.h, c.dh, &qkv, bias, &out)
			checkOutPanels(t, name("AttentionPanelsBias ", c), &out, m, d, attentionBiasRef(c.b, c.t, c.t, c.h, c.dh, rows, bias))
		}
	})
}
