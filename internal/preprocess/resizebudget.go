package preprocess

import "math"

// The memory Pixels needs beyond the decoded image, computed from the
// sizes alone so that it is checked before any buffer is made. Each
// function mirrors the buffers of the path it stands for.

// ksize is precompute's taps per output for in → out with filter f.
func ksize(in, out int, f Filter) int64 {
	support := filterOf(f).support * max(float64(in)/float64(out), 1)
	return int64(math.Ceil(support))*2 + 1
}

// plainCost is resizeWindow's need on an untransposed sw×sh source of ch
// channels resized to w×h, window ow×oh.
func plainCost(sw, sh, ch, w, h, ow, oh int, f Filter) int64 {
	C := int64(ch)
	out := mul(int64(ow), int64(oh), C)
	line := mul(int64(sw), C)
	if f == Nearest && (w != sw || h != sh) {
		return out + line + 8*int64(ow)
	}
	need := out + line
	if w != sw {
		k := ksize(sw, w, f)
		need += mul(int64(ow), k*4+16)
		if ch == 3 {
			// The planar path (planar.go): three planes with 16·nblk
			// samples of slack, and the split weights.
			need += 3*(int64(sw)+k+16) + mul(int64(ow), k*4+68)
		}
	}
	if h != sh {
		need += 4*out + mul(int64(ow), C) + 32*int64(oh)
	}
	return need
}

// transposeCost is the transposing path's need: the converted image and
// its transpose, then the plain resize of the transpose.
func transposeCost(src *rowSource, w, h int, f Filter, x0, x1, y0, y1 int) int64 {
	img := mul(int64(src.w), int64(src.h), int64(src.c))
	return 2*img + plainCost(src.h, src.w, src.c, w, h, x1-x0, y1-y0, f)
}

// streamTCost is resizeWindowT's need: the [n, ow, C] intermediate and,
// when the first pass runs, its [ow, n, C] int32 sums, where n is the
// number of transposed rows the second pass reads.
func streamTCost(src *rowSource, w, h int, f Filter, x0, x1, y0, y1 int) int64 {
	Ow, Oh := src.h, src.w
	ow, oh := int64(x1-x0), int64(y1-y0)
	C := int64(src.c)
	n := int64(Oh)
	if h != Oh {
		scale := float64(Oh) / float64(h)
		n = min(n, int64(float64(oh)*scale)+ksize(Oh, h, f)+2)
	}
	need := mul(ow, n, C) + mul(int64(src.w), C) + mul(ow, oh, C)
	if w != Ow {
		need += 4*mul(ow, n, C) + mul(ow, ksize(Ow, w, f)*4+16)
	}
	if h != Oh {
		need += mul(oh, ksize(Oh, h, f)*4+16)
	}
	return need
}

// resizeNeed is the need of resizeWindow(src, w, h, f, x0, x1, y0, y1).
func resizeNeed(src *rowSource, w, h int, f Filter, x0, x1, y0, y1 int) int64 {
	if !src.transposed {
		return plainCost(src.w, src.h, src.c, w, h, x1-x0, y1-y0, f)
	}
	t, s := transposeCost(src, w, h, f, x0, x1, y0, y1), streamTCost(src, w, h, f, x0, x1, y0, y1)
	if f == Nearest || t < s {
		return t
	}
	return s
}
