package preprocess

import (
	"bytes"
	"fmt"
	"image"

	"github.com/vitgo/vit/internal/preprocess/jpeg"
	"github.com/vitgo/vit/internal/preprocess/tiff"
	"golang.org/x/image/webp"
)

func init() {
	tiff.JPEG = tiffJPEG
	tiff.WebP = tiffWebP
	tiff.OldJPEG = func(stream []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(stream)) }
}

// tiffJPEG decodes one strip or tile of a JPEG-compressed TIFF as
// libtiff does for PIL: the strip's stream, after the JPEGTables when the
// file has them, decoded by libjpeg. With a YCbCr Photometric (ycbcr)
// libtiff asks for RGB (JPEGCOLORMODE_RGB): libjpeg's fancy upsampling
// and YCbCr→RGB, here ./jpeg and the conversion JPEG files get. With any
// other it asks for the components as coded (JCS_UNKNOWN), which it
// requires to be unsubsampled, whatever the stream's JFIF or component
// ids say. It returns w×h pixels of samples (1, 2, 3 or 4) bytes, rows
// packed; a stream smaller than the block leaves the rest 0.
func tiffJPEG(tables, data []byte, w, h, samples int, ycbcr bool) ([]byte, error) {
	stream := data
	if len(tables) >= 4 && len(data) >= 2 {
		// Tables: SOI … EOI; strip: SOI … EOI. Join without the
		// tables' EOI and the strip's SOI.
		stream = make([]byte, 0, len(tables)+len(data)) // [len(tables)+len(data)]
		stream = append(append(stream, tables[:len(tables)-2]...), data[2:]...)
	}
	if samples < 1 || samples > 4 {
		return nil, tiff.UnsupportedError(fmt.Sprintf("JPEG with %d samples", samples))
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(stream))
	if err != nil {
		return nil, err
	}
	if cfg.Width > w || cfg.Height > h {
		return nil, fmt.Errorf("tiff: JPEG of %d×%d in a %d×%d block", cfg.Width, cfg.Height, w, h)
	}
	switch samples {
	case 2:
		return tiffJPEG2(stream, w, h)
	case 4:
		return tiffJPEG4(stream, w, h)
	}
	img, err := jpeg.Decode(bytes.NewReader(stream))
	if err != nil {
		return nil, err
	}
	out := make([]byte, w*h*samples) // [h][w][samples]
	if m, ok := img.(*image.YCbCr); ok && samples == 3 && !ycbcr {
		// As coded: the three planes, unconverted.
		if m.SubsampleRatio != image.YCbCrSubsampleRatio444 {
			return nil, fmt.Errorf("tiff: subsampled JPEG (%v) in a TIFF that is not YCbCr", m.SubsampleRatio)
		}
		b := m.Bounds()
		for y := 0; y < b.Dy(); y++ {
			o := out[y*w*3:]
			i := y * m.YStride
			for x := 0; x < b.Dx(); x++ {
				o[3*x], o[3*x+1], o[3*x+2] = m.Y[i+x], m.Cb[i+x], m.Cr[i+x]
			}
		}
		return out, nil
	}
	src, err := convertRows(img, samples, srcInfo{})
	if err != nil {
		return nil, err
	}
	for y := 0; y < src.h; y++ {
		src.row(y, out[y*w*samples:(y*w+src.w)*samples])
	}
	return out, nil
}

// jpegWithAdobe decodes a 4-component stream without an Adobe marker as
// if it had one of transform 0 (components as coded), so that ./jpeg
// returns them, inverted as Adobe CMYK stores them; check, when not nil,
// is polled once per MCU row.
func jpegWithAdobe(stream []byte, check func() error) (*image.CMYK, error) {
	if len(stream) < 2 || bytes.Contains(stream, []byte("\xff\xee\x00\x0eAdobe")) {
		return nil, jpeg.UnsupportedError("4-component JPEG with an Adobe marker")
	}
	adobe := []byte{0xff, 0xee, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0}
	s := make([]byte, 0, len(stream)+len(adobe)) // [len(stream)+16]
	s = append(append(append(s, stream[:2]...), adobe...), stream[2:]...)
	img, err := jpeg.DecodeOptions(s, jpeg.Options{Check: check})
	if err != nil {
		return nil, err
	}
	m, ok := img.(*image.CMYK)
	if !ok {
		return nil, fmt.Errorf("4-component JPEG decoded to %T", img)
	}
	return m, nil
}

// tiffJPEG4 decodes a 4-component strip (CMYK, or RGB with an extra
// sample) as libtiff does when the photometric is not YCbCr: libjpeg
// with JCS_UNKNOWN, the components as coded, no colour conversion
// (jpegWithAdobe's, inverted back).
func tiffJPEG4(stream []byte, w, h int) ([]byte, error) {
	m, err := jpegWithAdobe(stream, nil)
	if err != nil {
		return nil, err
	}
	b := m.Bounds()
	out := make([]byte, w*h*4) // [h][w][4]
	for y := 0; y < b.Dy(); y++ {
		row := m.Pix[y*m.Stride : y*m.Stride+4*b.Dx()]
		o := out[y*w*4:]
		for i, v := range row {
			o[i] = 255 - v
		}
	}
	return out, nil
}

// tiffJPEG2 decodes a 2-component strip (grey and alpha) as libtiff does:
// libjpeg with JCS_UNKNOWN, both components unsubsampled and as coded.
func tiffJPEG2(stream []byte, w, h int) ([]byte, error) {
	img, err := jpeg.Decode(bytes.NewReader(stream))
	if err != nil {
		return nil, err
	}
	m, ok := img.(*image.NYCbCrA)
	if !ok {
		return nil, fmt.Errorf("tiff: JPEG of 2 samples decoded to %T", img)
	}
	b := m.Bounds()
	out := make([]byte, w*h*2) // [h][w][grey, alpha]
	for y := 0; y < b.Dy(); y++ {
		g, a := m.Y[y*m.YStride:], m.A[y*m.AStride:]
		o := out[y*w*2:]
		for x := 0; x < b.Dx(); x++ {
			o[2*x], o[2*x+1] = g[x], a[x]
		}
	}
	return out, nil
}

// tiffWebP decodes one strip or tile of a WebP-compressed TIFF as
// libtiff's tif_webp.c does for PIL: libwebp's decoder into RGB or RGBA
// (lossy data converted with its fancy upsampling, as WebP files are).
// Samples past the strip's image stay 0; without an alpha chunk alpha is
// 255.
func tiffWebP(data []byte, w, h, samples int) ([]byte, error) {
	cfg, err := webp.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if cfg.Width > w || cfg.Height > h {
		return nil, fmt.Errorf("tiff: WebP of %d×%d in a %d×%d block", cfg.Width, cfg.Height, w, h)
	}
	if samples != 3 && samples != 4 {
		return nil, tiff.UnsupportedError(fmt.Sprintf("WebP with %d samples", samples))
	}
	img, err := webp.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	src, err := convertRows(img, 3, srcInfo{webp: true})
	if err != nil {
		return nil, err
	}
	// alpha returns row y's alpha samples, nil when opaque.
	alpha := func(y int) []byte { return nil }
	switch m := img.(type) {
	case *image.NYCbCrA:
		alpha = func(y int) []byte { return m.A[y*m.AStride : y*m.AStride+src.w] }
	case *image.NRGBA:
		alpha = func(y int) []byte {
			a := make([]byte, src.w) // [w]
			for x := range a {
				a[x] = m.Pix[y*m.Stride+4*x+3]
			}
			return a
		}
	}
	out := make([]byte, w*h*samples) // [h][w][samples]
	row := make([]byte, 3*src.w)     // [w][RGB]
	for y := 0; y < src.h; y++ {
		src.row(y, row)
		o := out[y*w*samples:]
		a := alpha(y)
		for x := 0; x < src.w; x++ {
			copy(o[x*samples:x*samples+3], row[3*x:3*x+3])
			if samples == 4 {
				o[x*samples+3] = 0xff
				if a != nil {
					o[x*samples+3] = a[x]
				}
			}
		}
	}
	return out, nil
}
