package preprocess

import "math"

// This file follows PIL 9.4's Resample.c (ImagingResampleInner,
// precompute_coeffs, normalize_coeffs_8bpc and the 8-bit passes) and, for
// NEAREST, Geometry.c's ImagingScaleAffine, so that results on uint8
// images are identical to Image.resize(size, filter) without box or
// reducing_gap. Floating-point expressions keep C's evaluation order;
// explicit float64 conversions stop the compiler fusing multiply-adds.

// raster is an interleaved 8-bit image: pix [H, W, C], stride W·C.
type raster struct {
	w, h, c int
	pix     []uint8 // [h, w, c]
}

// precisionBits is PIL's fixed-point precision for 8-bit resampling.
const precisionBits = 32 - 8 - 2

type filterFunc struct {
	f       func(x float64) float64
	support float64
}

func boxFilter(x float64) float64 {
	if x > -0.5 && x <= 0.5 {
		return 1
	}
	return 0
}

func bilinearFilter(x float64) float64 {
	if x < 0 {
		x = -x
	}
	if x < 1 {
		return 1 - x
	}
	return 0
}

func hammingFilter(x float64) float64 {
	if x < 0 {
		x = -x
	}
	if x == 0 {
		return 1
	}
	if x >= 1 {
		return 0
	}
	x = float64(x * math.Pi)
	// C: sin(x) / x * (0.54f + 0.46f * cos(x)), float constants widened.
	c := float64(float64(float32(0.46)) * math.Cos(x))
	return float64(math.Sin(x)/x) * (float64(float32(0.54)) + c)
}

func bicubicFilter(x float64) float64 {
	const a = -0.5
	if x < 0 {
		x = -x
	}
	if x < 1 {
		t := float64(float64((a+2.0)*x) - (a + 3.0))
		return float64(float64(t*x)*x) + 1
	}
	if x < 2 {
		t := float64(float64(float64(float64(x-5)*x)+8)*x) - 4
		return float64(t * a)
	}
	return 0
}

func sincFilter(x float64) float64 {
	if x == 0 {
		return 1
	}
	x = float64(x * math.Pi)
	return math.Sin(x) / x
}

func lanczosFilter(x float64) float64 {
	if -3 <= x && x < 3 {
		return float64(sincFilter(x) * sincFilter(x/3))
	}
	return 0
}

func filterOf(f Filter) filterFunc {
	switch f {
	case Box:
		return filterFunc{boxFilter, 0.5}
	case Bilinear:
		return filterFunc{bilinearFilter, 1}
	case Hamming:
		return filterFunc{hammingFilter, 1}
	case Bicubic:
		return filterFunc{bicubicFilter, 2}
	case Lanczos:
		return filterFunc{lanczosFilter, 3}
	}
	return filterFunc{bilinearFilter, 1}
}

// coeffs are the fixed-point weights of one pass: output i reads inputs
// [bounds[2i], bounds[2i]+bounds[2i+1]) with weights k[i·ksize:].
type coeffs struct {
	ksize  int
	bounds []int   // [out, 2] first input, count
	k      []int32 // [out, ksize]
}

// precompute is precompute_coeffs followed by normalize_coeffs_8bpc, for
// the box [0, inSize), restricted to outputs [lo, hi) (entry i describes
// output lo+i).
func precompute(inSize, outSize int, fl filterFunc, lo, hi int) coeffs {
	scale := float64(inSize) / float64(outSize)
	filterscale := scale
	if filterscale < 1 {
		filterscale = 1
	}
	support := float64(fl.support * filterscale)
	ksize := int(math.Ceil(support))*2 + 1
	n := hi - lo
	c := coeffs{ksize: ksize, bounds: make([]int, 2*n), k: make([]int32, n*ksize)}
	kk := make([]float64, ksize) // [ksize] weights of one output before normalizing
	ss := 1.0 / filterscale
	for xx := lo; xx < hi; xx++ {
		i := xx - lo
		center := float64(float64(xx)+0.5) * scale
		center = float64(center) // in0 + … with in0 = 0
		xmin := int(center - support + 0.5)
		if xmin < 0 {
			xmin = 0
		}
		xmax := int(center + support + 0.5)
		if xmax > inSize {
			xmax = inSize
		}
		xmax -= xmin
		if xmax > ksize { // cannot happen; keeps the slices in range
			xmax = ksize
		}
		ww := 0.0
		for x := 0; x < xmax; x++ {
			w := fl.f(float64(float64(float64(x+xmin)-center)+0.5) * ss)
			kk[x] = w
			ww += w
		}
		k := c.k[i*ksize : (i+1)*ksize]
		for x := 0; x < xmax; x++ {
			k[x] = toFixed(kk[x], ww)
		}
		c.bounds[2*i] = xmin
		c.bounds[2*i+1] = xmax
	}
	return c
}

// toFixed is normalize_coeffs_8bpc on one weight v of a window summing
// to ww.
func toFixed(v, ww float64) int32 {
	if ww != 0 {
		v /= ww
	}
	if v < 0 {
		return int32(-0.5 + float64(v*(1<<precisionBits)))
	}
	return int32(0.5 + float64(v*(1<<precisionBits)))
}

// lazyCoeffs are precompute's coefficients for a pass along a long axis,
// kept as each output's window and weight sum only: weights are computed
// when used, so the table never grows with the input length.
type lazyCoeffs struct {
	fl        filterFunc
	scale, ss float64
	win       []lazyWindow // [out]
}

type lazyWindow struct {
	min, n     int
	center, ww float64
}

// newLazy is precompute(inSize, outSize, fl, lo, hi) without the table.
func newLazy(inSize, outSize int, fl filterFunc, lo, hi int) *lazyCoeffs {
	scale := float64(inSize) / float64(outSize)
	filterscale := max(scale, 1)
	support := float64(fl.support * filterscale)
	ksize := int(math.Ceil(support))*2 + 1
	c := &lazyCoeffs{fl: fl, scale: scale, ss: 1.0 / filterscale, win: make([]lazyWindow, hi-lo)}
	for xx := lo; xx < hi; xx++ {
		center := float64(float64(xx)+0.5) * scale
		xmin := max(int(center-support+0.5), 0)
		xmax := min(int(center+support+0.5), inSize) - xmin
		xmax = min(xmax, ksize)
		ww := 0.0
		for x := 0; x < xmax; x++ {
			ww += fl.f(float64(float64(float64(x+xmin)-center)+0.5) * c.ss)
		}
		c.win[xx-lo] = lazyWindow{xmin, xmax, center, ww}
	}
	return c
}

// weight is the fixed-point weight of input s in output i's window.
func (c *lazyCoeffs) weight(i, s int) int32 {
	w := &c.win[i]
	return toFixed(c.fl.f(float64(float64(float64(s)-w.center)+0.5)*c.ss), w.ww)
}

// clip8 is PIL's clip8: the fixed-point sum shifted down and clamped.
func clip8(v int32) uint8 { return clampU8(v >> precisionBits) }

// resizeWindow returns columns [x0, x1) and rows [y0, y1) of src resized
// to w×h with filter f, as PIL computes them: a horizontal pass over the
// source rows the vertical pass needs, then a vertical pass, each skipped
// when its size is unchanged. Source rows are pulled one at a time.
func resizeWindow(src *rowSource, w, h int, f Filter, x0, x1, y0, y1 int) *raster {
	if src.transposed {
		if f == Nearest || transposeCost(src, w, h, f, x0, x1, y0, y1) < streamTCost(src, w, h, f, x0, x1, y0, y1) {
			// Transpose the whole image, then resize: for NEAREST, and
			// when the image is smaller than resizeWindowT's sums.
			m := materialize(&rowSource{w: src.w, h: src.h, c: src.c, row: src.row, stop: src.stop})
			if m == nil {
				return nil
			}
			t := rasterSource(orient(m, 5))
			t.stop = src.stop
			return resizeWindow(t, w, h, f, x0, x1, y0, y1)
		}
		return resizeWindowT(src, w, h, f, x0, x1, y0, y1)
	}
	if f == Nearest && (w != src.w || h != src.h) {
		return resizeNearest(src, w, h, x0, x1, y0, y1)
	}
	fl := filterOf(f)
	ch := src.c
	ow, oh := x1-x0, y1-y0
	line := make([]uint8, src.w*ch) // [W, C] one source row
	var horiz coeffs
	if w != src.w {
		horiz = precompute(src.w, w, fl, x0, x1)
	}
	var (
		hp     *hplan
		planes []uint8 // [3, ps] the source row as planes R, G, B
		ps     int
	)
	if w != src.w && src.planar != nil && ch == 3 {
		hp = newHPlan(horiz)
		ps = src.w + 16*hp.nblk
		planes = make([]uint8, 3*ps)
	}
	// hpass writes the horizontal pass of source row y to dst [ow, C].
	hpass := func(y int, dst []uint8) {
		if hp != nil {
			src.planar(y, planes, ps)
			hresample3(dst, planes, ps, hp)
			return
		}
		src.row(y, line)
		if w != src.w {
			resampleRow(dst, line, horiz, ch)
		} else {
			copy(dst, line[x0*ch:x1*ch])
		}
	}
	out := &raster{w: ow, h: oh, c: ch, pix: make([]uint8, ow*oh*ch)} // [oh, ow, C]
	if h == src.h {
		for y := 0; y < oh; y++ {
			if y%64 == 0 && src.stopped() {
				return nil
			}
			hpass(y0+y, out.pix[y*ow*ch:(y+1)*ow*ch])
		}
		return out
	}
	// The vertical pass streams: each horizontally resampled source row is
	// added, with its weight, to the fixed-point sums of the output rows
	// whose windows hold it, so no more than one source row is kept.
	// Integer sums do not depend on the order, so this is PIL's result.
	// An output row is written out when its window's last source row is
	// added; windows start and end in order, so the sums of the rows open
	// at once fit a ring of k rows, row yy in slot yy mod k.
	vert := newLazy(src.h, h, fl, y0, y1)
	const half = 1 << (precisionBits - 1)
	k := 1 // ring slots: outputs yy and yy+k never share a source row
	for yy := 0; yy < oh; yy++ {
		end := vert.win[yy].min + vert.win[yy].n
		for yy+k < oh && vert.win[yy+k].min < end {
			k++
		}
	}
	rs := ow * ch              // one output row's sums
	acc := make([]int32, k*rs) // [k, ow, C] sums of the open output rows
	for i := range acc {
		acc[i] = half
	}
	hrow := make([]uint8, rs) // [ow, C] one source row after the horizontal pass
	first, last := vert.win[0].min, vert.win[oh-1].min+vert.win[oh-1].n
	lo := 0 // first output whose window may still hold sy
	for sy := first; sy < last; sy++ {
		if (sy-first)%64 == 0 && src.stopped() {
			return nil
		}
		hpass(sy, hrow)
		for yy := lo; yy < oh; yy++ {
			wn := &vert.win[yy]
			if sy < wn.min {
				break // windows start in order
			}
			if sy >= wn.min+wn.n {
				if yy == lo {
					lo++
				}
				continue
			}
			kv := vert.weight(yy, sy)
			a := acc[yy%k*rs : (yy%k+1)*rs]
			accRow(a, hrow, kv)
			if sy == wn.min+wn.n-1 {
				o := out.pix[yy*rs : (yy+1)*rs]
				for i, v := range a {
					o[i] = clip8(v)
					a[i] = half
				}
			}
		}
	}
	return out
}

// accRowGo adds h [n] times kv to a [n]: a[i] += h[i]·kv, int32 wrapping.
func accRowGo(a []int32, h []uint8, kv int32) {
	a = a[:len(h)]
	for i, v := range h {
		a[i] += int32(v) * kv
	}
}

// resizeWindowT is resizeWindow for the transpose O of src (O(x, y) =
// src(y, x), src.h wide and src.w tall). PIL's first pass runs along O's
// rows, that is down src's columns, so it is computed while src rows
// stream past, accumulating each output column's fixed-point sum; then
// the second pass runs along O's columns as usual.
func resizeWindowT(src *rowSource, w, h int, f Filter, x0, x1, y0, y1 int) *raster {
	fl := filterOf(f)
	ch := src.c
	ow, oh := x1-x0, y1-y0
	Ow, Oh := src.h, src.w // O's size
	var vert coeffs
	first, last := y0, y1 // O rows = src columns needed by the second pass
	if h != Oh {
		vert = precompute(Oh, h, fl, y0, y1)
		first, last = vert.bounds[0], vert.bounds[2*oh-2]+vert.bounds[2*oh-1]
		for i := 0; i < oh; i++ {
			vert.bounds[2*i] -= first
		}
	}
	n := last - first
	tmp := &raster{w: ow, h: n, c: ch, pix: make([]uint8, ow*n*ch)} // O intermediate [n, ow, C]
	line := make([]uint8, src.w*ch)                                 // [src.w, C] one source row
	seg := func() []uint8 { return line[first*ch : last*ch] }
	if w == Ow {
		// No first pass: O's column x is src row x.
		for j := 0; j < ow; j++ {
			src.row(x0+j, line)
			sg := seg()
			for r := 0; r < n; r++ {
				copy(tmp.pix[(r*ow+j)*ch:(r*ow+j+1)*ch], sg[r*ch:(r+1)*ch])
			}
		}
	} else {
		horiz := precompute(Ow, w, fl, x0, x1)
		const half = 1 << (precisionBits - 1)
		acc := make([]int32, ow*n*ch) // [ow, n, C] sums per output column
		for i := range acc {
			acc[i] = half
		}
		lo, hi := horiz.bounds[0], 0
		for j := 0; j < ow; j++ {
			hi = max(hi, horiz.bounds[2*j]+horiz.bounds[2*j+1])
			lo = min(lo, horiz.bounds[2*j])
		}
		jlo := 0 // first output whose window may still contain sy
		for sy := lo; sy < hi; sy++ {
			if (sy-lo)%64 == 0 && src.stopped() {
				return nil
			}
			src.row(sy, line)
			sg := seg()
			for j := jlo; j < ow; j++ {
				xmin, cnt := horiz.bounds[2*j], horiz.bounds[2*j+1]
				if sy < xmin {
					break // windows start in order
				}
				if sy >= xmin+cnt {
					if j == jlo {
						jlo++
					}
					continue
				}
				kv := horiz.k[j*horiz.ksize+sy-xmin]
				a := acc[j*n*ch : (j+1)*n*ch]
				for i, v := range sg {
					a[i] += int32(v) * kv
				}
			}
		}
		for j := 0; j < ow; j++ {
			a := acc[j*n*ch : (j+1)*n*ch]
			for r := 0; r < n; r++ {
				for k := 0; k < ch; k++ {
					tmp.pix[(r*ow+j)*ch+k] = clip8(a[r*ch+k])
				}
			}
		}
	}
	if h == Oh {
		return tmp
	}
	out := &raster{w: ow, h: oh, c: ch, pix: make([]uint8, ow*oh*ch)}
	resampleVertical(out, tmp, vert)
	return out
}

// resampleRow is one row of ImagingResampleHorizontal_8bpc: out [n, C]
// from in [W, C].
func resampleRow(out, in []uint8, c coeffs, ch int) {
	const half = 1 << (precisionBits - 1)
	n := len(out) / ch
	switch ch {
	case 3:
		for xx := 0; xx < n; xx++ {
			xmin, cnt := c.bounds[2*xx], c.bounds[2*xx+1]
			k := c.k[xx*c.ksize : xx*c.ksize+cnt]
			p := in[xmin*3 : (xmin+cnt)*3]
			s0, s1, s2 := int32(half), int32(half), int32(half)
			for x, kv := range k {
				q := p[x*3 : x*3+3 : x*3+3]
				s0 += int32(q[0]) * kv
				s1 += int32(q[1]) * kv
				s2 += int32(q[2]) * kv
			}
			out[xx*3] = clip8(s0)
			out[xx*3+1] = clip8(s1)
			out[xx*3+2] = clip8(s2)
		}
	case 1:
		for xx := 0; xx < n; xx++ {
			xmin, cnt := c.bounds[2*xx], c.bounds[2*xx+1]
			k := c.k[xx*c.ksize : xx*c.ksize+cnt]
			p := in[xmin : xmin+cnt]
			s := int32(half)
			for x, kv := range k {
				s += int32(p[x]) * kv
			}
			out[xx] = clip8(s)
		}
	}
}

// resampleVertical fills dst [dst.h, dst.w, C] from src rows.
func resampleVertical(dst, src *raster, c coeffs) {
	const half = 1 << (precisionBits - 1)
	rowLen := src.w * src.c
	acc := make([]int32, rowLen) // [W·C] fixed-point sums of one output row
	for yy := 0; yy < dst.h; yy++ {
		ymin, n := c.bounds[2*yy], c.bounds[2*yy+1]
		k := c.k[yy*c.ksize : yy*c.ksize+n]
		for i := range acc {
			acc[i] = half
		}
		for y, kv := range k {
			row := src.pix[(ymin+y)*rowLen : (ymin+y+1)*rowLen]
			a := acc[:len(row)]
			for i, v := range row {
				a[i] += int32(v) * kv
			}
		}
		out := dst.pix[yy*rowLen : (yy+1)*rowLen]
		for i, v := range acc {
			out[i] = clip8(v)
		}
	}
}

// resizeNearest is ImagingScaleAffine with a = (in/out, 0, 0; 0, in/out, 0)
// for outputs [x0, x1)×[y0, y1): positions accumulate in float64 from a/2,
// as PIL's do; outputs mapping outside the source stay 0.
func resizeNearest(src *rowSource, w, h, x0, x1, y0, y1 int) *raster {
	ch := src.c
	ow, oh := x1-x0, y1-y0
	out := &raster{w: ow, h: oh, c: ch, pix: make([]uint8, ow*oh*ch)}
	a0 := float64(src.w) / float64(w)
	a4 := float64(src.h) / float64(h)
	xin := make([]int, ow) // [ow] source column of each output column
	xo := float64(a0 * 0.5)
	for x := 0; x < x1; x++ {
		if x >= x0 {
			xin[x-x0] = coord(xo)
		}
		xo += a0
	}
	line := make([]uint8, src.w*ch) // [W, C] source row yi
	have := -1
	yo := float64(a4 * 0.5)
	for y := 0; y < y1; y++ {
		if y%64 == 0 && src.stopped() {
			return nil
		}
		if y >= y0 {
			yi := coord(yo)
			if yi >= 0 && yi < src.h {
				if yi != have {
					src.row(yi, line)
					have = yi
				}
				in := line
				o := out.pix[(y-y0)*ow*ch:]
				for x, xi := range xin {
					if xi >= 0 && xi < src.w {
						copy(o[x*ch:x*ch+ch], in[xi*ch:xi*ch+ch])
					}
				}
			}
		}
		yo += a4
	}
	return out
}

// coord is Geometry.c's COORD: −1 below zero, else truncation.
func coord(v float64) int {
	if v < 0 {
		return -1
	}
	return int(v)
}
