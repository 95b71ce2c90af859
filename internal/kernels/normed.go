package kernels

// Norm is a LayerNorm over K features: gamma·x̂ + beta.
type Norm struct {
	Gamma, Beta []float32 // [K]
	Eps         float32
}

// LinearToPanelsNormed computes y [M, N] = act(LN(x)·Wᵀ + bias) for x
// [M, K] in token panels, LN the LayerNorm ln (none when ln.Gamma is nil:
// LinearToPanels, h unused). On an int8 or bf16 W, the
// conversion normalizes each token panel of x into a worker's buffer
// [K][32] (in L2) and converts it from there: int8 takes the
// quantization ranges as it stores the values (lnMinMaxPanel), bf16
// rounds the buffer into the panel its kernel reads; on AVX-512 the
// VDPBF16PS and AMX panels of bf16 pairs are written straight from the
// registers (lnBF16PairsAVX512), with no buffer. LN(x) is never written
// out and h is left alone. On a float32 W, LN(x) is written to
// h [M, K] (LayerNormPanels), then read. Either way y has the bits of
// LayerNormPanels then LinearToPanels.
func LinearToPanelsNormed(p *Pool, x *Panels, ln Norm, h *Panels, w *PackedB, bias []float32, act Act, y *Panels) {
	if ln.Gamma == nil {
		LinearToPanels(p, x, w, bias, act, y)
		return
	}
	if w.Precision() == FP32 || w.K == 0 || x.M <= 0 || w.N == 0 || w.K != x.K {
		LayerNormPanels(p, x, ln.Gamma, ln.Beta, ln.Eps, h)
		LinearToPanels(p, h, w, bias, act, y)
		return
	}
	y.Reset(x.M, w.N)
	linearLowOpt(p, x.M, nil, 0, x, w, bias, act, false, nil, 0, y, lowOpts{ln: ln})
}

// lowOpts are the fusions of a low-precision Linear call.
type lowOpts struct {
	ln   Norm      // norm each token panel of x first (when ln.Gamma is not nil)
	to   *lowInput // convert the output into this input of the next call (MLPPanelsAdd) instead of storing it
	from *lowInput // take x converted from here (x and a are not read)
}
