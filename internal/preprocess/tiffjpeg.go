package preprocess

import (
	"bytes"
	"fmt"
	"image"

	"github.com/vitgo/vit/internal/preprocess/jpeg"
	"github.com/vitgo/vit/internal/preprocess/tiff"
)

func init() {
	tiff.JPEG = tiffJPEG
	tiff.OldJPEG = func(stream []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(stream)) }
}

// tiffJPEG decodes one strip or tile of a JPEG-compressed TIFF as
// libtiff does for PIL (JPEGCOLORMODE_RGB): the strip's stream, after the
// JPEGTables when the file has them, decoded by libjpeg with its fancy
// upsampling and YCbCr→RGB; here ./jpeg and the conversion JPEG files
// get. It returns w×h pixels of samples (1 or 3) bytes, rows packed; a
// stream smaller than the block leaves the rest 0.
func tiffJPEG(tables, data []byte, w, h, samples int) ([]byte, error) {
	stream := data
	if len(tables) >= 4 && len(data) >= 2 {
		// Tables: SOI … EOI; strip: SOI … EOI. Join without the
		// tables' EOI and the strip's SOI.
		stream = make([]byte, 0, len(tables)+len(data)) // [len(tables)+len(data)]
		stream = append(append(stream, tables[:len(tables)-2]...), data[2:]...)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(stream))
	if err != nil {
		return nil, err
	}
	if cfg.Width > w || cfg.Height > h {
		return nil, fmt.Errorf("tiff: JPEG of %d×%d in a %d×%d block", cfg.Width, cfg.Height, w, h)
	}
	if samples != 1 && samples != 3 {
		return nil, tiff.UnsupportedError(fmt.Sprintf("JPEG with %d samples", samples))
	}
	img, err := jpeg.Decode(bytes.NewReader(stream))
	if err != nil {
		return nil, err
	}
	src, err := convertRows(img, samples, srcInfo{})
	if err != nil {
		return nil, err
	}
	out := make([]byte, w*h*samples) // [h][w][samples]
	for y := 0; y < src.h; y++ {
		src.row(y, out[y*w*samples:(y*w+src.w)*samples])
	}
	return out, nil
}
