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

	// actGELULow is GELU as the bf16 and int8 Linear calls compute it
	// (geluLow, gelulow.go), in place of ActGELU (lowAct).
	actGELULow
)

// applyAct is the reference activation, in float64 (actGELULow: in
// float32, the operations of its vector kernels).
func applyAct(act Act, x float32) float32 {
	switch act {
	case ActGELU:
		return float32(0.5 * float64(x) * math.Erfc(-float64(x)/math.Sqrt2))
	case ActGELUTanh:
		v := float64(x)
		return float32(0.5 * v * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(v+0.044715*v*v*v))))
	case ActQuickGELU:
		return float32(float64(x) / (1 + math.Exp(-1.702*float64(x))))
	case ActReLU:
		if x < 0 {
			return 0
		}
	case actGELULow:
		return geluLow1(x)
	}
	return x
}

// Activate applies act to every element of x in place.
func Activate(act Act, x []float32) {
	switch act {
	case ActNone:
		return
	case ActReLU:
		for i, v := range x {
			if v < 0 {
				x[i] = 0
			}
		}
		return
	}
	if activateFast(act, x) {
		return
	}
	for i, v := range x {
		x[i] = applyAct(act, v)
	}
}

// LayerNorm normalizes each of the rows of x [rows, d] (leading dimension
// ldx) over its d values and writes gamma·x̂ + beta to y (leading dimension
// ldy). x and y may be the same slice.
func LayerNorm(rows, d int, x []float32, ldx int, gamma, beta []float32, eps float32, y []float32, ldy int) {
	if d == 0 {
		return
	}
	for r := 0; r < rows; r++ {
		xr := x[r*ldx : r*ldx+d]
		yr := y[r*ldy : r*ldy+d]
		if !layerNormRowFast(xr, yr, gamma[:d], beta[:d], eps) {
			layerNormRowGeneric(xr, yr, gamma[:d], beta[:d], eps)
		}
	}
}

// layerNormRowGeneric is the reference LayerNorm of one row, in float64.
func layerNormRowGeneric(x, y, gamma, beta []float32, eps float32) {
	layerNormGeneric(x, y, 1, gamma, beta, eps)
}

// layerNormGeneric normalizes the len(gamma) values x[l·stride] and writes
// gamma·x̂ + beta to y[l·stride] (y may be x), in float64: one row
// (stride 1) or one token of a panel (stride 32).
func layerNormGeneric(x, y []float32, stride int, gamma, beta []float32, eps float32) {
	d := len(gamma)
	var mean float64
	for l := 0; l < d; l++ {
		mean += float64(x[l*stride])
	}
	mean /= float64(d)
	var vs float64
	for l := 0; l < d; l++ {
		dv := float64(x[l*stride]) - mean
		vs += dv * dv
	}
	inv := 1 / math.Sqrt(vs/float64(d)+float64(eps))
	for l := 0; l < d; l++ {
		y[l*stride] = float32((float64(x[l*stride])-mean)*inv)*gamma[l] + beta[l]
	}
}

// SoftmaxRows replaces each of the rows of x [rows, n] (leading dimension
// ld) with its softmax.
func SoftmaxRows(x []float32, rows, n, ld int) {
	if n == 0 {
		return
	}
	for r := 0; r < rows; r++ {
		xr := x[r*ld : r*ld+n]
		if !softmaxRowFast(xr) {
			softmaxRowGeneric(xr)
		}
	}
}

// Softmax64 replaces x [n] with its softmax, exp(x[i] − m) / Σ_j exp(x[j] − m)
// with m = max x, in float64: the precision of the reference computations
// and of the scores vit reports.
func Softmax64(x []float64) {
	m := math.Inf(-1)
	for _, v := range x {
		m = max(m, v)
	}
	var sum float64
	for i, v := range x {
		x[i] = math.Exp(v - m)
		sum += x[i]
	}
	for i := range x {
		x[i] /= sum
	}
}

// softmaxRowGeneric is the reference softmax of one row.
func softmaxRowGeneric(x []float32) {
	m := float32(math.Inf(-1))
	for _, v := range x {
		if v > m {
			m = v
		}
	}
	var s float64
	for i, v := range x {
		e := math.Exp(float64(v - m))
		x[i] = float32(e)
		s += e
	}
	inv := 1 / s
	for i := range x {
		x[i] = float32(float64(x[i]) * inv)
	}
}

// softmaxCols32Generic is the reference column softmax of s [rows][32].
func softmaxCols32Generic(s []float32, rows int) {
	for j := 0; j < nr; j++ {
		m := float32(math.Inf(-1))
		for i := 0; i < rows; i++ {
			m = max(m, s[i*nr+j])
		}
		var sum float64
		for i := 0; i < rows; i++ {
			e := math.Exp(float64(s[i*nr+j] - m))
			s[i*nr+j] = float32(e)
			sum += e
		}
		inv := 1 / sum
		for i := 0; i < rows; i++ {
			s[i*nr+j] = float32(float64(s[i*nr+j]) * inv)
		}
	}
}
