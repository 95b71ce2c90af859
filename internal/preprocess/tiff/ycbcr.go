package tiff

// YCbCr samples not JPEG-compressed, converted to RGB as libtiff's
// TIFFRGBAImage does for PIL (tif_getimage.c's putcontig8bitYCbCr*tile
// and tif_color.c's TIFFYCbCrToRGBInit and TIFFYCbCrtoRGB, libtiff
// v4.5.0, licence in LIBTIFF_LICENSE.md): each data unit holds the
// hs×vs luma samples of a block then one Cb and one Cr, which every
// pixel of the block shares (no chroma smoothing); luma and chroma are
// scaled by ReferenceBlackWhite and mixed by YCbCrCoefficients in
// libtiff's float32 and 16-bit fixed-point arithmetic.

import (
	"fmt"
	"math"
)

const (
	tYCbCrCoefficients   = 529
	tYCbCrSubSampling    = 530
	tReferenceBlackWhite = 532
)

// ycbcrConv converts blocks of YCbCr data units to RGB.
type ycbcrConv struct {
	hs, vs int // chroma subsampling: a unit covers hs×vs pixels

	// TIFFYCbCrToRGB's tables, indexed by the 8-bit sample.
	crR, cbB, crG, cbG, y [256]int32
}

// initYCbCr accepts an 8-bit, 3-sample YCbCr image not JPEG-compressed
// (PIL reads those through TIFFRGBAImage) and sets d.ycbcr.
func (d *decoder) initYCbCr() error {
	if d.bpp != 8 || len(d.features[tBitsPerSample]) != 3 {
		return UnsupportedError(fmt.Sprintf("YCbCr with %d samples of %d bits", len(d.features[tBitsPerSample]), d.bpp))
	}
	c := &ycbcrConv{hs: 2, vs: 2} // libtiff's default subsampling
	if e, ok := d.ifd[tYCbCrSubSampling]; ok {
		v, err := d.ifdUint(e[:], 2)
		if err != nil {
			return err
		}
		if len(v) != 2 {
			return FormatError("YCbCrSubSampling needs two values")
		}
		c.hs, c.vs = int(v[0]), int(v[1])
	}
	switch c.hs<<4 | c.vs { // the layouts TIFFRGBAImage knows
	case 0x44, 0x42, 0x41, 0x22, 0x21, 0x12, 0x11:
	default:
		return UnsupportedError(fmt.Sprintf("YCbCr subsampling %d×%d", c.hs, c.vs))
	}
	if d.firstVal(tPlanarConfiguration) == 2 && c.hs*c.vs != 1 {
		return UnsupportedError("subsampled YCbCr in separate planes")
	}
	if d.firstVal(tPredictor) > prNone {
		return UnsupportedError("YCbCr with a predictor")
	}
	luma := []float32{0.299, 0.587, 0.114}
	rbw := []float32{0, 255, 128, 255, 128, 255}
	for _, t := range []struct {
		tag int
		dst []float32
	}{{tYCbCrCoefficients, luma}, {tReferenceBlackWhite, rbw}} {
		if e, ok := d.ifd[t.tag]; ok {
			if err := d.rationals(e[:], t.dst); err != nil {
				return err
			}
		}
	}
	// initYCbCrConversion's checks.
	if luma[0] != luma[0] || luma[1] != luma[1] || luma[1] == 0 || luma[2] != luma[2] {
		return FormatError("invalid YCbCrCoefficients")
	}
	for _, v := range rbw {
		if !(v > float32(-math.MaxInt32+128) && v < float32(math.MaxInt32)) {
			return FormatError("invalid ReferenceBlackWhite")
		}
	}
	c.init(luma, rbw)
	d.ycbcr = c
	return nil
}

// rationals reads an IFD entry of n RATIONALs into dst as libtiff's
// float fields hold them.
func (d *decoder) rationals(p []byte, dst []float32) error {
	count, inline, offset := d.entry(p)
	if d.byteOrder.Uint16(p[2:4]) != dtRational || count != uint64(len(dst)) {
		return FormatError("bad RATIONAL entry")
	}
	raw := inline
	if 8*count > uint64(len(inline)) {
		var err error
		if raw, err = safeReadAt(d.r, 8*count, offset); err != nil {
			return err
		}
	}
	for i := range dst {
		num, den := d.byteOrder.Uint32(raw[8*i:]), d.byteOrder.Uint32(raw[8*i+4:])
		if den == 0 {
			dst[i] = 0 // libtiff reads x/0 as 0
		} else {
			dst[i] = float32(float64(num) / float64(den))
		}
	}
	return nil
}

// init is TIFFYCbCrToRGBInit.
func (c *ycbcrConv) init(luma, rbw []float32) {
	const shift = 16
	const oneHalf = 1 << (shift - 1)
	fix := func(x float32) int32 { return int32(float64(x*(1<<shift)) + 0.5) }
	clamp := func(f, lo, hi float32) float32 {
		if !(f >= lo) {
			return lo
		}
		return min(f, hi)
	}
	clampw := func(v, lo, hi float32) float32 {
		if v < lo {
			return lo
		}
		if v > hi {
			return hi
		}
		return v
	}
	code2V := func(c int32, rb, rw, cr float32) float32 {
		den := rw - rb
		if den == 0 {
			den = 1
		}
		return float32(c-int32(rb)) * cr / den
	}
	f1 := 2 - 2*luma[0]
	d1 := fix(clamp(f1, 0, 2))
	f2 := luma[0] * f1 / luma[1]
	d2 := -fix(clamp(f2, 0, 2))
	f3 := 2 - 2*luma[2]
	d3 := fix(clamp(f3, 0, 2))
	f4 := luma[2] * f3 / luma[1]
	d4 := -fix(clamp(f4, 0, 2))
	for i := int32(0); i < 256; i++ {
		x := i - 128
		cr := int32(clampw(code2V(x, rbw[4]-128, rbw[5]-128, 127), -128*32, 128*32))
		cb := int32(clampw(code2V(x, rbw[2]-128, rbw[3]-128, 127), -128*32, 128*32))
		c.crR[i] = (d1*cr + oneHalf) >> shift
		c.cbB[i] = (d3*cb + oneHalf) >> shift
		c.crG[i] = d2 * cr
		c.cbG[i] = d4*cb + oneHalf
		c.y[i] = int32(clampw(code2V(x+128, rbw[0], rbw[1], 255), -128*32, 128*32))
	}
}

// rgb converts a w×h block of data units (⌈w/hs⌉ units a row of units,
// ⌈h/vs⌉ rows of them) to w×h RGB pixels, rows packed, as
// TIFFYCbCrtoRGB does each pixel.
func (c *ycbcrConv) rgb(src []byte, w, h int) ([]byte, error) {
	unit := c.hs*c.vs + 2
	across := (w + c.hs - 1) / c.hs
	if need := across * ((h + c.vs - 1) / c.vs) * unit; len(src) < need {
		return nil, FormatError(fmt.Sprintf("YCbCr block has %d bytes, needs %d", len(src), need))
	}
	out := make([]byte, w*h*3) // [h][w][RGB]
	for py := 0; py < h; py++ {
		for px := 0; px < w; px++ {
			u := src[((py/c.vs)*across+px/c.hs)*unit:]
			c.pixel(out[(py*w+px)*3:], u[(py%c.vs)*c.hs+px%c.hs], u[c.hs*c.vs], u[c.hs*c.vs+1])
		}
	}
	return out, nil
}

// pixel writes the RGB of one YCbCr sample triple to o[:3]:
// TIFFYCbCrtoRGB.
func (c *ycbcrConv) pixel(o []byte, y, cb, cr byte) {
	clamp := func(v int32) byte { return byte(min(max(v, 0), 255)) }
	Y := c.y[y]
	o[0] = clamp(Y + c.crR[cr])
	o[1] = clamp(Y + (c.cbG[cb]+c.crG[cr])>>16)
	o[2] = clamp(Y + c.cbB[cb])
}
