package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// attentionRef is the reference attention, in float64.
func attentionRef(b, t, h, dh int, qkv []float32) []float32 {
	d := h * dh
	out := make([]float32, b*t*d)
	s := make([]float64, t)
	scale := 1 / math.Sqrt(float64(dh))
	for bi := 0; bi < b; bi++ {
		for hd := 0; hd < h; hd++ {
			base := bi * t * 3 * d
			for i := 0; i < t; i++ {
				m := math.Inf(-1)
				for j := 0; j < t; j++ {
					var acc float64
					for e := 0; e < dh; e++ {
						acc += float64(qkv[base+i*3*d+hd*dh+e]) * float64(qkv[base+j*3*d+d+hd*dh+e])
					}
					s[j] = acc * scale
					m = max(m, s[j])
				}
				var sum float64
				for j := range s {
					s[j] = math.Exp(s[j] - m)
					sum += s[j]
				}
				for e := 0; e < dh; e++ {
					var acc float64
					for j := 0; j < t; j++ {
						acc += s[j] * float64(qkv[base+j*3*d+2*d+hd*dh+e])
					}
					out[(bi*t+i)*d+hd*dh+e] = float32(acc / sum)
				}
			}
		}
	}
	return out
}

func TestAttention(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	type tc struct{ b, t, h, dh int }
	cases := []tc{{1, 1, 1, 1}, {1, 2, 1, 3}, {2, 5, 3, 8}, {1, 33, 2, 32}, {2, 31, 2, 33}, {1, 65, 3, 64}, {3, 17, 4, 16}, {1, 45, 2, 16}, {2, 44, 3, 64}, {1, 197, 2, 64}}
	if !testing.Short() {
		cases = append(cases, tc{2, 197, 12, 64}, tc{1, 50, 4, 96})
	}
	forEachISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(13, 14))
		for _, c := range cases {
			d := c.h * c.dh
			qkv := randSlice(r, c.b*c.t*3*d)
			for i := range qkv {
				qkv[i] *= 2
			}
			want := attentionRef(c.b, c.t, c.h, c.dh, qkv)
			out, check := guarded(t, len(want), 1+r.IntN(3), func(int) float32 { return float32(math.NaN()) })
			Attention(p, c.b, c.t, c.h, c.dh, qkv, out)
			check(name("Attention ", c))
			for i := range want {
				if !closeTo(float64(out[i]), float64(want[i]), 1e-5, 1e-4) {
					t.Fatalf("%+v: out[%d] = %v, want %v", c, i, out[i], want[i])
				}
			}
			// a nil pool runs serially and gives the same result
			out2 := make([]float32, len(want))
			Attention(nil, c.b, c.t, c.h, c.dh, qkv, out2)
			for i := range out2 {
				if out2[i] != out[i] {
					t.Fatalf("%+v: nil pool differs at %d", c, i)
				}
			}
		}
	})
}
