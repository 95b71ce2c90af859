package kernels

import "math"

// Act is an activation applied element-wise in a GEMM epilogue.
type Act int

const (
	ActNone      Act = iota
	ActGELU          // x·Φ(x) with the exact erf (PyTorch nn.GELU())
	ActGELUTanh      // tanh approximation (HF gelu_new, gelu_pytorch_tanh, gelu_fast)
	ActQuickGELU     // x·σ(1.702x)
	ActReLU
)

func applyAct(act Act, x float32) float32 {
	switch act {
	case ActGELU:
		return float32(0.5 * float64(x) * (1 + math.Erf(float64(x)/math.Sqrt2)))
	case ActGELUTanh:
		v := float64(x)
		return float32(0.5 * v * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(v+0.044715*v*v*v))))
	case ActQuickGELU:
		return float32(float64(x) / (1 + math.Exp(-1.702*float64(x))))
	case ActReLU:
		if x < 0 {
			return 0
		}
	}
	return x
}

// Attention computes multi-head scaled dot-product self-attention for a
// batch of b sequences of t tokens each:
//
//	qkv [b, t, 3, h, dh]   (q | k | v, each [h, dh], per token)
//	out [b, t, h, dh]      = softmax(q·kᵀ/√dh)·v per sequence and head
func Attention(p *Pool, b, t, h, dh int, qkv, out []float32) {
	d := h * dh
	scale := float32(1 / math.Sqrt(float64(dh)))
	p.For(b*h, func(lo, hi int) {
		s := make([]float32, t) // [t] scores of one query row
		for bh := lo; bh < hi; bh++ {
			bi, hi := bh/h, bh%h
			base := bi * t * 3 * d
			for i := 0; i < t; i++ {
				q := qkv[base+i*3*d+hi*dh:]
				for j := 0; j < t; j++ {
					k := qkv[base+j*3*d+d+hi*dh:]
					var acc float32
					for e := 0; e < dh; e++ {
						acc += q[e] * k[e]
					}
					s[j] = acc * scale
				}
				SoftmaxRows(s, 1, t, t)
				o := out[(bi*t+i)*d+hi*dh:]
				for e := 0; e < dh; e++ {
					o[e] = 0
				}
				for j := 0; j < t; j++ {
					v := qkv[base+j*3*d+2*d+hi*dh:]
					for e := 0; e < dh; e++ {
						o[e] += s[j] * v[e]
					}
				}
			}
		}
	})
}

// LayerNorm normalizes each of the rows of x [rows, d] (leading dimension
// ldx) over its d values and writes gamma·x̂ + beta to y (leading dimension
// ldy). x and y may be the same slice.
func LayerNorm(rows, d int, x []float32, ldx int, gamma, beta []float32, eps float32, y []float32, ldy int) {
	for r := 0; r < rows; r++ {
		xr := x[r*ldx : r*ldx+d]
		var mean float64
		for _, v := range xr {
			mean += float64(v)
		}
		mean /= float64(d)
		var vs float64
		for _, v := range xr {
			dv := float64(v) - mean
			vs += dv * dv
		}
		inv := 1 / math.Sqrt(vs/float64(d)+float64(eps))
		yr := y[r*ldy : r*ldy+d]
		for i, v := range xr {
			yr[i] = float32((float64(v)-mean)*inv)*gamma[i] + beta[i]
		}
	}
}

// SoftmaxRows replaces each of the rows of x [rows, n] (leading dimension
// ld) with its softmax.
func SoftmaxRows(x []float32, rows, n, ld int) {
	for r := 0; r < rows; r++ {
		xr := x[r*ld : r*ld+n]
		m := float32(math.Inf(-1))
		for _, v := range xr {
			if v > m {
				m = v
			}
		}
		var s float32
		for i, v := range xr {
			e := float32(math.Exp(float64(v - m)))
			xr[i] = e
			s += e
		}
		for i := range xr {
			xr[i] /= s
		}
	}
}

// Activate applies act to every element of x in place.
func Activate(act Act, x []float32) {
	for i, v := range x {
		x[i] = applyAct(act, v)
	}
}
