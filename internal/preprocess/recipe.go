package preprocess

import (
	"errors"
	"image"
	"io"
)

// Recipe is how one model wants its pixels: read from the model's own
// configuration (HF preprocessor_config.json or timm pretrained_cfg).
type Recipe struct {
	Channels int // 1 (convert("L")) or 3 (convert("RGB"))
	Height   int // final input height
	Width    int // final input width
}

// Size returns the final input height and width.
func (r *Recipe) Size() (h, w int) { return r.Height, r.Width }

// ParseHF reads an HF preprocessor_config.json.
func ParseHF(data []byte) (Recipe, error) {
	return Recipe{}, errors.New("preprocess: ParseHF: not implemented")
}

// ParseTimm reads a timm pretrained_cfg object.
func ParseTimm(cfg []byte) (Recipe, error) {
	return Recipe{}, errors.New("preprocess: ParseTimm: not implemented")
}

// Limits bounds what Decode accepts.
type Limits struct {
	MaxPixels int64 // refuse images with more pixels than this (0: default 100 MP)
}

// Decode reads one image, checking its header against lim before decoding.
// name is used in errors only.
func Decode(name string, r io.Reader, lim Limits) (image.Image, error) {
	return nil, errors.New("preprocess: Decode: not implemented")
}

// Pixels runs the recipe on img and writes the normalized tensor to dst
// [C, H, W].
func (r *Recipe) Pixels(img image.Image, dst []float32) error {
	return errors.New("preprocess: Pixels: not implemented")
}

// Patchify rearranges src [C, H, W] into dst [(H/P)·(W/P), C·P·P], each row
// one patch in the conv weight's [C, P, P] order, patches in row-major grid
// order.
func Patchify(src []float32, c, h, w, p int, dst []float32) {
	gh, gw := h/p, w/p
	for gy := 0; gy < gh; gy++ {
		for gx := 0; gx < gw; gx++ {
			row := dst[(gy*gw+gx)*c*p*p:]
			i := 0
			for ch := 0; ch < c; ch++ {
				for y := 0; y < p; y++ {
					copy(row[i:i+p], src[ch*h*w+(gy*p+y)*w+gx*p:])
					i += p
				}
			}
		}
	}
}

// DefaultHF is the recipe of HF's image processor for modelType ("vit",
// "deit") when a checkpoint has no preprocessor_config.json.
func DefaultHF(modelType string, imageSize, channels int) Recipe {
	return Recipe{Channels: channels, Height: imageSize, Width: imageSize}
}
