package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// attentionBiasRef is attentionRef with bias [h, t, t] added to the
// scaled scores.
func attentionBiasRef(b, t, h, dh int, qkv, bias []float32) []float32 {
	d := h * dh
	out := make([]float32, b*t*d)
	s := make([]float64, t)
	scale := 1 / math.Sqrt(float64(dh))
	for bi := 0; bi < b; bi++ {
		base := bi * t * 3 * d
		for hd := 0; hd < h; hd++ {
			for i := 0; i < t; i++ {
				for j := 0; j < t; j++ {
					var acc float64
					for e := 0; e < dh; e++ {
						acc += float64(qkv[base+i*3*d+hd*dh+e]) * float64(qkv[base+j*3*d+d+hd*dh+e])
					}
					s[j] = acc*scale + float64(bias[(hd*t+i)*t+j])
				}
				Softmax64(s)
				for e := 0; e < dh; e++ {
					var acc float64
					for j := 0; j < t; j++ {
						acc += s[j] * float64(qkv[base+j*3*d+2*d+hd*dh+e])
					}
					out[(bi*t+i)*d+hd*dh+e] = float32(acc)
				}
			}
		}
	}
	return out
}

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
			checkOutPanels(t, name("AttentionPanelsBias ", c), &out, m, d, attentionBiasRef(c.b, c.t, c.h, c.dh, rows, bias))
		}
	})
}
