package preprocess

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"

	"github.com/vitgo/vit/internal/preprocess/bmp"
	"github.com/vitgo/vit/internal/preprocess/jpeg"
	"github.com/vitgo/vit/internal/preprocess/tiff"
	"golang.org/x/image/webp"
)

// Errors returned (wrapped in a *DecodeError) by Decode, for errors.Is.
var (
	ErrEmpty         = errors.New("empty file")
	ErrTruncated     = errors.New("truncated image")
	ErrUnknownFormat = errors.New("not an image (unknown format)")
	ErrTooLarge      = errors.New("image too large")
	ErrCorrupt       = errors.New("corrupt image")
	ErrUnsupported   = errors.New("unsupported")
)

// DecodeError names the file, the kind of failure (one of the Err*
// values) and its cause.
type DecodeError struct {
	File   string
	Format string // "jpeg", "png", …; empty when unknown
	Kind   error
	Err    error // underlying cause; may be nil
}

func (e *DecodeError) Error() string {
	s := "decode " + e.File
	if e.Format != "" {
		s += " (" + e.Format + ")"
	}
	s += ": " + e.Kind.Error()
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap exposes both the kind and the cause to errors.Is and errors.As.
func (e *DecodeError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Limits bounds what Decode accepts.
type Limits struct {
	MaxPixels int64 // refuse images with more pixels than this (0: default 100 MP)
	MaxBytes  int64 // refuse files longer than this (0: default 1 GiB)
}

// DefaultMaxPixels is the pixel limit when Limits.MaxPixels is 0.
const DefaultMaxPixels = 100_000_000

// DefaultMaxBytes is the file size limit when Limits.MaxBytes is 0.
const DefaultMaxBytes = 1 << 30

// Decoded is the image Decode returns: the decoder's pixels plus what PIL
// would know about them. Bounds and At present the image with its EXIF
// orientation applied; Pixels uses the fast path on the raw pixels.
type Decoded struct {
	Raw         image.Image // as decoded, before orientation
	Format      string      // "jpeg", "png", "gif", "bmp", "tiff", "webp"
	Orientation int         // EXIF orientation 1–8 (1: none)
	clipGray16  bool        // 16-bit gray PNG widened by Go to NRGBA64
}

// ColorModel implements image.Image.
func (d *Decoded) ColorModel() color.Model { return d.Raw.ColorModel() }

// Bounds implements image.Image: the oriented size, at the origin.
func (d *Decoded) Bounds() image.Rectangle {
	b := d.Raw.Bounds()
	w, h := b.Dx(), b.Dy()
	if d.Orientation >= 5 {
		w, h = h, w
	}
	return image.Rect(0, 0, w, h)
}

// At implements image.Image in oriented coordinates (slow; for tools).
func (d *Decoded) At(x, y int) color.Color {
	b := d.Raw.Bounds()
	w, h := b.Dx(), b.Dy()
	if !(image.Point{x, y}.In(d.Bounds())) {
		return d.Raw.ColorModel().Convert(color.RGBA{})
	}
	base, dx, dy, _, _ := orientSteps(d.Orientation, w, h)
	i := base + x*dx + y*dy
	return d.Raw.At(b.Min.X+i%w, b.Min.Y+i/w)
}

type format struct {
	name   string
	magic  []string // prefixes; "?" matches any byte
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

var formats = []format{
	{"jpeg", []string{"\xff\xd8"}, jpeg.DecodeConfig, jpeg.Decode},
	{"png", []string{"\x89PNG\r\n\x1a\n"}, png.DecodeConfig, png.Decode},
	{"gif", []string{"GIF87a", "GIF89a"}, decodeGIFConfig, decodeGIF},
	{"bmp", []string{"BM"}, bmp.DecodeConfig, bmp.Decode},
	{"tiff", []string{"II*\x00", "MM\x00*", "II+\x00", "MM\x00+"}, tiff.DecodeConfig, tiff.Decode},
	{"webp", []string{"RIFF????WEBP"}, webp.DecodeConfig, decodeWebP},
}

func matchMagic(data []byte, magic string) (full, prefix bool) {
	n := min(len(data), len(magic))
	for i := 0; i < n; i++ {
		if magic[i] != '?' && magic[i] != data[i] {
			return false, false
		}
	}
	return len(data) >= len(magic), true
}

// sniff finds the format by its magic bytes. A file that is a strict
// prefix of a magic is reported as truncated.
func sniff(data []byte) (*format, bool) {
	truncated := false
	for i := range formats {
		for _, m := range formats[i].magic {
			full, prefix := matchMagic(data, m)
			if full {
				return &formats[i], false
			}
			truncated = truncated || prefix
		}
	}
	return nil, truncated
}

// truncated reports whether data lacks the end its format requires.
func truncated(format string, data []byte) bool {
	switch format {
	case "png":
		return !bytes.Contains(data[max(0, len(data)-64):], []byte("IEND"))
	case "jpeg":
		return !bytes.Contains(data[max(0, len(data)-64):], []byte{0xff, 0xd9})
	case "gif":
		return !bytes.Contains(data[max(0, len(data)-4):], []byte{0x3b})
	case "webp":
		return len(data) < 12 || int64(binary.LittleEndian.Uint32(data[4:]))+8 > int64(len(data))
	case "bmp":
		return len(data) < 6 || int64(binary.LittleEndian.Uint32(data[2:])) > int64(len(data))
	}
	return false
}

// classify maps a decoder error on data to one of the Err* kinds.
func classify(err error, format string, data []byte) error {
	if truncated(format, data) || strings.Contains(err.Error(), "unexpected EOF") {
		return ErrTruncated
	}
	var (
		pu png.UnsupportedError
		ju jpeg.UnsupportedError
		tu tiff.UnsupportedError
		bu bmp.UnsupportedError
	)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return ErrTruncated
	case errors.As(err, &pu), errors.As(err, &ju), errors.As(err, &tu), errors.As(err, &bu):
		return ErrUnsupported
	}
	return ErrCorrupt
}

// guarded runs a third-party decoder, turning a panic into an error.
func guarded[T any](f func(io.Reader) (T, error), data []byte) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("decoder panic: %v", p)
		}
	}()
	return f(bytes.NewReader(data))
}

// Decode reads one image, checking its header against lim before decoding.
// name is used in errors only. Errors are *DecodeError values matching one
// of ErrEmpty, ErrTruncated, ErrUnknownFormat, ErrTooLarge, ErrCorrupt or
// ErrUnsupported with errors.Is; a read error is returned wrapped as is.
// The result is a *Decoded carrying the EXIF orientation.
func Decode(name string, r io.Reader, lim Limits) (image.Image, error) {
	maxBytes := lim.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(data)) > maxBytes {
		return nil, &DecodeError{File: name, Kind: ErrTooLarge, Err: fmt.Errorf("file longer than %d bytes", maxBytes)}
	}
	return DecodeBytes(name, data, lim)
}

// DecodeBytes is Decode on a file already in memory.
func DecodeBytes(name string, data []byte, lim Limits) (image.Image, error) {
	if len(data) == 0 {
		return nil, &DecodeError{File: name, Kind: ErrEmpty}
	}
	f, trunc := sniff(data)
	if f == nil {
		if trunc {
			return nil, &DecodeError{File: name, Kind: ErrTruncated, Err: fmt.Errorf("%d bytes", len(data))}
		}
		return nil, &DecodeError{File: name, Kind: ErrUnknownFormat}
	}
	fail := func(kind, err error) error {
		if kind == ErrUnsupported {
			err = unsupported(f.name, data, err) // names the variant
		}
		return &DecodeError{File: name, Format: f.name, Kind: kind, Err: err}
	}

	cfg, err := guarded(f.config, data)
	if err != nil {
		return nil, fail(classify(err, f.name, data), err)
	}
	maxPix := lim.MaxPixels
	if maxPix <= 0 {
		maxPix = DefaultMaxPixels
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fail(ErrCorrupt, fmt.Errorf("size %d×%d", cfg.Width, cfg.Height))
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > maxPix {
		return nil, fail(ErrTooLarge, fmt.Errorf("%d×%d is %d pixels, limit %d", cfg.Width, cfg.Height, px, maxPix))
	}

	img, err := guarded(f.decode, data)
	if err != nil {
		return nil, fail(classify(err, f.name, data), err)
	}
	if img == nil || img.Bounds().Empty() {
		return nil, fail(ErrCorrupt, errors.New("no pixels"))
	}
	d := &Decoded{Raw: img, Format: f.name, Orientation: orientation(f.name, data)}
	if pm, ok := img.(*image.Paletted); ok && f.name == "gif" {
		d.Raw = gifFirstFrame(pm, data, cfg)
	}
	if f.name == "png" && len(data) >= 26 {
		// IHDR: bit depth at 24, color type at 25 (0: gray).
		d.clipGray16 = data[24] == 16 && data[25] == 0
	}
	return d, nil
}

// gifFirstFrame makes Go's first GIF frame look like PIL's: the palette
// entry of the transparent index keeps its stored colour, and a frame
// smaller than the logical screen sits on a screen filled with the
// transparent index (or 0).
func gifFirstFrame(pm *image.Paletted, data []byte, cfg image.Config) image.Image {
	fill := uint8(0)
	if idx, rgb, ok := gifTransparent(data); ok && idx < len(pm.Palette) {
		pal := append(color.Palette(nil), pm.Palette...)
		pal[idx] = color.NRGBA{rgb[0], rgb[1], rgb[2], 0}
		pm.Palette = pal
		fill = uint8(idx)
	}
	screen := image.Rect(0, 0, cfg.Width, cfg.Height)
	if pm.Rect == screen || !pm.Rect.In(screen) {
		return pm
	}
	out := image.NewPaletted(screen, pm.Palette)
	for i := range out.Pix {
		out.Pix[i] = fill
	}
	for y := pm.Rect.Min.Y; y < pm.Rect.Max.Y; y++ {
		copy(out.Pix[out.PixOffset(pm.Rect.Min.X, y):], pm.Pix[pm.PixOffset(pm.Rect.Min.X, y):pm.PixOffset(pm.Rect.Max.X, y)])
	}
	return out
}
