package tiff

import (
	"fmt"
	"image"
)

// CMYK (Photometric 5): PIL reads 8-bit CMYK, with up to two unspecified
// extra samples (its CMYKX and CMYKXX raw modes), which it drops.

// initCMYK accepts the CMYK layouts PIL opens and sets d.extra to the
// samples after each pixel's four.
func (d *decoder) initCMYK() error {
	bits := d.features[tBitsPerSample]
	if d.bpp != 8 || len(bits) < 4 || len(bits) > 6 {
		return UnsupportedError(fmt.Sprintf("CMYK with %d samples of %d bits", len(bits), d.bpp))
	}
	for _, b := range bits {
		if b != 8 {
			return FormatError("CMYK samples of mixed sizes")
		}
	}
	extra := d.features[tExtraSamples]
	if len(extra) != len(bits)-4 {
		return FormatError("CMYK ExtraSamples do not match SamplesPerPixel")
	}
	for _, e := range extra {
		if e != 0 {
			return UnsupportedError("CMYK with alpha")
		}
	}
	d.mode = mCMYK
	d.extra = len(extra)
	return nil
}

// decodeCMYK copies the four ink samples of each pixel of the block at
// xmin, ymin, xmax, ymax from d.buf into dst.
func (d *decoder) decodeCMYK(dst *image.CMYK, xmin, ymin, xmax, ymax int) error {
	n := 4 + d.extra // bytes a pixel
	rMaxX := min(xmax, dst.Rect.Max.X)
	rMaxY := min(ymax, dst.Rect.Max.Y)
	for y := ymin; y < rMaxY; y++ {
		off := (y - ymin) * (xmax - xmin) * n
		i := dst.PixOffset(xmin, y)
		for x := xmin; x < rMaxX; x++ {
			if off+n > len(d.buf) {
				return errNoPixels
			}
			copy(dst.Pix[i:i+4], d.buf[off:off+4])
			i, off = i+4, off+n
		}
	}
	return nil
}
