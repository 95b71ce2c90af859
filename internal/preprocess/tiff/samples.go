package tiff

import "fmt"

// checkRGBBits refuses RGB (or YCbCr) samples of one size other than 8 or
// 16 bits (32-bit integers or floats, sub-byte) as unsupported: valid
// files, which the generic checks would call malformed.
func (d *decoder) checkRGBBits() error {
	bits := d.features[tBitsPerSample]
	for _, b := range bits {
		if b != bits[0] {
			return nil // mixed sizes: malformed, said below
		}
	}
	if b := bits[0]; b != 8 && b != 16 {
		return UnsupportedError(fmt.Sprintf("RGB with %d-bit samples", b))
	}
	return nil
}

// rgbSamples returns how many samples of an RGB pixel are kept, 3 or 4
// (alpha), and sets d.drop to the extra samples after them, which PIL's
// raw modes RGBX, RGBXX, RGBAX, RGBaX and the like skip. Four samples
// without ExtraSamples are RGBA, as PIL reads them.
func (d *decoder) rgbSamples() int {
	n := len(d.features[tBitsPerSample])
	extra := d.features[tExtraSamples]
	switch {
	case n <= 3:
		return n
	case len(extra) == 0 && n == 4:
		d.features[tExtraSamples] = []uint{2}
		return 4
	case len(extra) > 0 && (extra[0] == 1 || extra[0] == 2):
		d.drop = n - 4
		return 4
	}
	d.drop = n - 3
	return 3
}

// dropSamples removes the d.drop extra samples after each pixel's kept
// ones from d.buf, in place.
func (d *decoder) dropSamples() {
	bps := int(d.bpp) / 8
	n := len(d.features[tBitsPerSample]) * bps // bytes a pixel in d.buf
	keep := n - d.drop*bps
	px := len(d.buf) / n
	for i := 0; i < px; i++ {
		copy(d.buf[i*keep:(i+1)*keep], d.buf[i*n:i*n+keep])
	}
	d.buf = d.buf[:px*keep]
}

// predicted reports whether the compression undoes a horizontal
// predictor: in libtiff only the codecs that call TIFFPredictorInit (LZW,
// deflate, Zstandard, LZMA) do; uncompressed data (which PIL reads
// itself) and PackBits keep the samples as stored whatever the tag says.
func (d *decoder) predicted() bool {
	switch d.firstVal(tCompression) {
	case cLZW, cDeflate, cDeflateOld, cZSTD, cLZMA:
		return true
	}
	return false
}
