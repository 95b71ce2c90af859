package preprocess

import "github.com/vitgo/vit/internal/preprocess/jpeg"

// The planar path of the horizontal resize: a YCbCr JPEG's rows are
// converted to three planes R, G, B (no interleaving), and the horizontal
// pass reads them with each output's weights split into 16-bit halves,
// so that SIMD multiply-adds of 16-bit pairs (planar_amd64.s) compute
// PIL's int32 fixed-point sums exactly:
//
//	Σ p·k = 2¹¹·Σ p·(k >> 11) + Σ p·(k & 2047)
//
// Both the Go code here and the assembly give resampleRow's results bit
// for bit; the assembly is used where the CPU has AVX2 (usePlanar).

// hplan is a horizontal pass in the planar form: for output i, window
// [xmin[i], xmin[i]+16·nblk) and per block of 16 taps 16 high halves
// then 16 low halves of the weights (zero past the window).
type hplan struct {
	n    int     // outputs
	nblk int     // blocks of 16 taps per output
	xmin []int32 // [n]
	w    []int16 // [n, nblk, 2, 16]
}

// newHPlan is the planar form of c.
func newHPlan(c coeffs) *hplan {
	n := len(c.bounds) / 2
	nblk := (c.ksize + 15) / 16
	p := &hplan{n: n, nblk: nblk, xmin: make([]int32, n), w: make([]int16, n*nblk*32)}
	for i := 0; i < n; i++ {
		xmin, cnt := c.bounds[2*i], c.bounds[2*i+1]
		p.xmin[i] = int32(xmin)
		for t, k := range c.k[i*c.ksize : i*c.ksize+cnt] {
			blk := p.w[(i*nblk+t/16)*32:]
			blk[t%16] = int16(k >> 11)
			blk[16+t%16] = int16(k & 2047)
		}
	}
	return p
}

// hresample3Go is hresample3AVX2 in Go: out [n, 3] from the planes R, G,
// B at pix[0:], pix[ps:], pix[2·ps:], each W samples and 16·nblk more
// (read with zero weight).
func hresample3Go(out []uint8, pix []uint8, ps int, p *hplan) {
	const half = 1 << (precisionBits - 1)
	for i := 0; i < p.n; i++ {
		x := int(p.xmin[i])
		for c := 0; c < 3; c++ {
			row := pix[c*ps+x:]
			var hi, lo int32
			for b := 0; b < p.nblk; b++ {
				w := p.w[(i*p.nblk+b)*32:]
				for t := 0; t < 16; t++ {
					v := int32(row[16*b+t])
					hi += v * int32(w[t])
					lo += v * int32(w[16+t])
				}
			}
			out[3*i+c] = clip8(half + hi<<11 + lo)
		}
	}
}

// yccPlanarGo converts a row of full-resolution Y, Cb, Cr to planes r, g,
// b with libjpeg's tables: each [len(y)].
func yccPlanarGo(y, cb, cr, r, g, b []uint8) {
	cb, cr, r, g, b = cb[:len(y)], cr[:len(y)], r[:len(y)], g[:len(y)], b[:len(y)]
	for x, yv := range y {
		yy := int32(yv) + clampOff
		u, v := cb[x], cr[x]
		r[x] = clampTab[yy+jpeg.YCC.CrR[v]]
		g[x] = clampTab[yy+((jpeg.YCC.CbG[u]+jpeg.YCC.CrG[v])>>16)]
		b[x] = clampTab[yy+jpeg.YCC.CbB[u]]
	}
}
