package preprocess

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"sync"

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

// Limits bounds what Decode and Pixels accept, and lets them be stopped.
type Limits struct {
	MaxPixels int64 // refuse images with more pixels than this (0: default 100 MP)
	MaxBytes  int64 // refuse files longer than this (0: default 1 GiB)
	// MaxMemory is the memory budget of one image (0: DefaultMaxMemory):
	// the file's bytes, the decoder's buffers and image, and the colour
	// conversion and resize scratch of Pixels. Each is checked, from the
	// header's facts, before it is allocated; over budget, the error's
	// kind is ErrOverBudget.
	MaxMemory int64
	// Context, when done, stops a decode or resize within one buffer fill
	// or a few rows; the error's kind is then ErrCanceled. nil: never.
	Context context.Context
	// Draft lets Recipe.Load decode a JPEG at 1/2, 1/4 or 1/8 of its size
	// in the DCT domain, as PIL's Image.draft("RGB", size) does with the
	// recipe's resize size: the largest scale s with W/s and H/s still at
	// least that size. Much faster on large photos, but not the reference
	// pipelines' pixels (README: the measured effect on probabilities).
	// Other formats, and JPEG layouts other than gray, 4:4:4 and 4:2:0,
	// decode as usual.
	Draft bool

	// draftTo is the resize size for an oriented w×h image (set by
	// Recipe.Load when Draft is set).
	draftTo func(w, h int) (int, int)
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
	name        string      // file name, for Pixels' errors
	used        int64       // bytes the decode left held (file + image)
	lim         limits      // Decode's limits, for Pixels
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
	{"jpeg", []string{"\xff\xd8"}, jpeg.DecodeConfig, nil}, // jpeg.DecodeOptions
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
// data is the whole file, or nil when it is not read.
func classify(err error, format string, data []byte) error {
	if (data != nil && truncated(format, data)) || strings.Contains(err.Error(), "unexpected EOF") {
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
func guarded[T any](f func(io.Reader) (T, error), r io.Reader) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("decoder panic: %v", p)
		}
	}()
	return f(r)
}

// Decode reads one image. It sniffs the format from the first bytes,
// reads only the header, checks its size against lim (pixels, then the
// memory budget), and only then reads the rest of the file and decodes.
// name is used in errors only. Errors are *DecodeError values matching one
// of ErrEmpty, ErrTruncated, ErrUnknownFormat, ErrTooLarge, ErrOverBudget,
// ErrCanceled, ErrCorrupt or ErrUnsupported with errors.Is; a read error is
// returned wrapped as is. The result is a *Decoded carrying the EXIF
// orientation and lim, for Pixels.
func Decode(name string, r io.Reader, lim Limits) (image.Image, error) {
	l := lim.resolve()
	if err := l.check(); err != nil {
		return nil, &DecodeError{File: name, Kind: ErrCanceled, Err: err}
	}
	// The file's bytes count against the budget: never hold more of it
	// than the budget or MaxBytes allow.
	hold := min(l.maxBytes, l.maxMemory)
	h := &headReader{r: r, max: hold + 1}
	if p, _ := fileBufs.Get().(*[]byte); p != nil && int64(cap(*p)) <= hold+1 {
		h.buf = (*p)[:0]
	}
	h.fill(16)
	if h.err != nil {
		return nil, fmt.Errorf("read %s: %w", name, h.err)
	}
	if len(h.buf) == 0 {
		return nil, &DecodeError{File: name, Kind: ErrEmpty}
	}
	f, trunc := sniff(h.buf)
	if f == nil {
		if trunc && h.eof {
			return nil, &DecodeError{File: name, Kind: ErrTruncated, Err: fmt.Errorf("%d bytes", len(h.buf))}
		}
		if what := otherFormat(h.buf); what != "" {
			return nil, &DecodeError{File: name, Kind: ErrUnsupported, Err: &variantError{what, nil}}
		}
		return nil, &DecodeError{File: name, Kind: ErrUnknownFormat}
	}
	fail := func(kind, err error) error {
		if kind == ErrUnsupported {
			err = unsupported(f.name, h.buf, err) // names the variant
		}
		return &DecodeError{File: name, Format: f.name, Kind: kind, Err: err}
	}
	rest := func() ([]byte, error) {
		if !h.eof && !h.over {
			if _, err := io.Copy(writerFunc(func(p []byte) (int, error) {
				if int64(len(h.buf)+len(p)) > hold+1 {
					p = p[:hold+1-int64(len(h.buf))]
					h.grow(len(p))
					h.buf = append(h.buf, p...)
					return 0, errHeaderLimit
				}
				h.grow(len(p))
				h.buf = append(h.buf, p...)
				return len(p), nil
			}), r); err != nil && err != errHeaderLimit {
				return nil, fmt.Errorf("read %s: %w", name, err)
			}
		}
		if n := int64(len(h.buf)); n > hold {
			if n > l.maxBytes {
				return nil, fail(ErrTooLarge, fmt.Errorf("file longer than %d bytes", l.maxBytes))
			}
			return nil, fail(ErrOverBudget, &BudgetError{What: "reading the file", Need: n, Limit: l.maxMemory})
		}
		return h.buf, nil
	}

	// Only TIFF may put its header (the IFD) anywhere in the file; the
	// others' come first, and past maxHeader bytes are not an image.
	if f.name != "tiff" {
		h.max = min(hold, maxHeader) + 1
	}
	cfg, err := guarded(f.config, io.Reader(&replay{h: h}))
	h.max, h.over = hold+1, false
	if err != nil {
		if h.err != nil {
			return nil, fmt.Errorf("read %s: %w", name, h.err)
		}
		if !h.eof {
			// The header itself is bad: the rest of the file, perhaps
			// endless, is not needed to say so.
			if errors.Is(err, errHeaderLimit) && int64(len(h.buf)) > l.maxBytes {
				return nil, fail(ErrTooLarge, fmt.Errorf("file longer than %d bytes", l.maxBytes))
			}
			if errors.Is(err, errHeaderLimit) && f.name != "tiff" && int64(len(h.buf)) > maxHeader {
				return nil, fail(ErrCorrupt, fmt.Errorf("no image header in the first %d bytes", maxHeader))
			}
			if errors.Is(err, errHeaderLimit) {
				return nil, fail(ErrOverBudget, &BudgetError{What: "reading the header", Need: int64(len(h.buf)), Limit: l.maxMemory})
			}
			return nil, fail(classify(err, f.name, nil), err)
		}
		return nil, fail(classify(err, f.name, h.buf), err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fail(ErrCorrupt, fmt.Errorf("size %d×%d", cfg.Width, cfg.Height))
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > l.maxPixels {
		return nil, fail(ErrTooLarge, fmt.Errorf("%d×%d is %d pixels, limit %d", cfg.Width, cfg.Height, px, l.maxPixels))
	}
	what := fmt.Sprintf("decoding %d×%d %s", cfg.Width, cfg.Height, f.name)
	if need := minNeed(cfg.Width, cfg.Height) + int64(len(h.buf)); need > l.maxMemory {
		return nil, fail(ErrOverBudget, &BudgetError{What: what, Need: need, Limit: l.maxMemory})
	}
	data, err := rest()
	if err != nil {
		return nil, err
	}
	var tags tiffTags // the first IFD, read once for both checks below
	if f.name == "tiff" {
		tags = readTIFFTags(data)
	}
	need := decodeNeed(f.name, cfg.Width, cfg.Height, data, tags, l.maxMemory) + int64(len(data))
	if need > l.maxMemory {
		return nil, fail(ErrOverBudget, &BudgetError{What: what, Need: need, Limit: l.maxMemory})
	}
	if least := minBytes(f.name, cfg.Width, cfg.Height, data, tags); int64(len(data)) < least {
		return nil, fail(ErrTruncated, fmt.Errorf("%d×%d pixels need at least %d bytes, file has %d", cfg.Width, cfg.Height, least, len(data)))
	}
	img, err := decodeData(name, f, cfg, data, need, &l)
	if f.name == "jpeg" && cap(data) <= maxPooledFile {
		// Neither the JPEG decoder's image nor its errors refer to
		// data: the next file may be read into it.
		fileBufs.Put(&data)
	}
	return img, err
}

// fileBufs holds byte slices ([cap] bytes, cap ≤ maxPooledFile) that JPEG
// files were read into, for Decode to read the next file into: reading
// into fresh memory (zeroed, page-faulted in) took 1.7 ms of a 17 ms
// draft decode of a 2.3 MB 12-megapixel JPEG; reading into a used buffer
// saves about 1 ms of it.
var fileBufs sync.Pool // of *[]byte

// maxPooledFile bounds the buffers fileBufs keeps (phone photos are 2–10
// MB), and so the memory they hold between files that no budget counts:
// a file read into a kept buffer counts its own length, not the buffer's.
const maxPooledFile = 16 << 20

// maxHeader is the most bytes read looking for the image size in formats
// whose header comes first (JPEG's APPn segments: ICC profiles, XMP,
// thumbnails, rarely past a few MiB).
const maxHeader = 16 << 20

// writerFunc is a function that is an io.Writer.
type writerFunc func([]byte) (int, error)

func (w writerFunc) Write(p []byte) (int, error) { return w(p) }

// DecodeBytes is Decode on a file already in memory.
func DecodeBytes(name string, data []byte, lim Limits) (image.Image, error) {
	return Decode(name, bytes.NewReader(data), lim)
}

// decodeData decodes a file whose header passed the checks; need is the
// memory the decode holds, file included.
func decodeData(name string, f *format, cfg image.Config, data []byte, need int64, l *limits) (image.Image, error) {
	fail := func(kind, err error) error {
		if kind == ErrUnsupported {
			err = unsupported(f.name, data, err) // names the variant
		}
		return &DecodeError{File: name, Format: f.name, Kind: kind, Err: err}
	}
	if f.name == "jpeg" && cfg.ColorModel == color.NYCbCrAModel {
		// ./jpeg reads 2 components for a TIFF's grey and alpha; PIL
		// opens no JPEG file of 2 components ("cannot handle 2-layer
		// images").
		return nil, fail(ErrUnsupported, jpeg.UnsupportedError("with 2 components"))
	}
	dec := f.decode
	orient := orientation(f.name, data)
	if f.name == "jpeg" {
		o := jpeg.Options{Check: l.check, Scale: draftScale(cfg, orient, l.draftTo)}
		dec = func(io.Reader) (image.Image, error) { return jpeg.DecodeOptions(data, o) }
	}
	img, err := guarded(dec, io.Reader(&checkReader{r: bytes.NewReader(data), lim: l}))
	if f.name == "jpeg" && errors.Is(err, jpeg.ErrNoAdobe) {
		// libjpeg takes a 4-component JPEG without an Adobe marker for
		// CMYK as coded and PIL then inverts it as every CMYK JPEG (raw
		// mode CMYK;I): what ./jpeg gives with an Adobe marker of
		// transform 0.
		img, err = jpegWithAdobe(data, l.check)
	}
	if err != nil {
		if cerr := l.check(); cerr != nil {
			return nil, fail(ErrCanceled, cerr)
		}
		return nil, fail(classify(err, f.name, data), err)
	}
	if img == nil || img.Bounds().Empty() {
		return nil, fail(ErrCorrupt, errors.New("no pixels"))
	}
	d := &Decoded{Raw: img, Format: f.name, Orientation: orient,
		name: name, lim: *l, used: need}
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

// draftScale is the JPEG scale denominator PIL's JpegImageFile.draft picks
// for the resize size to(w, h) of the oriented image: 8, 4, 2 or 1, the
// largest not above min(W / rw, H / rh) in the file's own orientation.
// to nil: 1.
func draftScale(cfg image.Config, orient int, to func(w, h int) (int, int)) int {
	if to == nil {
		return 1
	}
	w, h := cfg.Width, cfg.Height
	if orient >= 5 {
		w, h = h, w
	}
	rw, rh := to(w, h)
	if orient >= 5 {
		rw, rh = rh, rw
	}
	if rw <= 0 || rh <= 0 {
		return 1
	}
	scale := min(cfg.Width/rw, cfg.Height/rh)
	for _, s := range []int{8, 4, 2} {
		if scale >= s {
			return s
		}
	}
	return 1
}
