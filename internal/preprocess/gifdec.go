package preprocess

import (
	"errors"
	"image"
	"image/color"
	"io"
)

// This file decodes the first frame of a GIF the way PIL 9.4 does
// (GifImagePlugin.py, libImaging/GifDecode.c), which image/gif does not
// for files PIL reads: an LZW minimum code size outside 2–8 (PIL takes
// 0–12; literal codes above 255 keep their low byte), indices past the
// palette (PIL's palette continues with its grey ramp; image/gif
// refuses them), and a first frame reaching past the logical screen (PIL
// grows the image). The image is the screen (grown to hold the frame),
// filled with the transparent index (else 0), the frame decoded into it.

var (
	errGIFFormat = errors.New("gif: invalid format")
	errGIFLZW    = errors.New("gif: broken LZW data")
)

// gifFrame is what the first image descriptor says.
type gifFrame struct {
	screen      image.Rectangle // the image: logical screen grown to hold the frame
	frame       image.Rectangle
	palette     []uint8 // RGB triples; nil when the file has none
	transparent int     // index, or -1
	interlace   bool
	codeSize    int
	data        int // offset of the first data sub-block
}

// parseGIF reads a GIF up to its first frame's image data.
func parseGIF(data []byte) (*gifFrame, error) {
	if len(data) < 13 {
		return nil, io.ErrUnexpectedEOF
	}
	if string(data[:6]) != "GIF87a" && string(data[:6]) != "GIF89a" {
		return nil, errGIFFormat
	}
	f := &gifFrame{transparent: -1}
	sw, sh := int(data[6])|int(data[7])<<8, int(data[8])|int(data[9])<<8
	i := 13
	if flags := data[10]; flags&0x80 != 0 {
		n := 3 << (flags&7 + 1)
		if i+n > len(data) {
			return nil, io.ErrUnexpectedEOF
		}
		f.palette = data[i : i+n]
		i += n
	}
	for {
		if i >= len(data) {
			return nil, io.ErrUnexpectedEOF
		}
		switch data[i] {
		case 0x21: // extension: label, then sub-blocks
			if i+2 > len(data) {
				return nil, io.ErrUnexpectedEOF
			}
			if data[i+1] == 0xf9 && i+7 <= len(data) && data[i+2] >= 4 {
				f.transparent = -1
				if data[i+3]&1 != 0 {
					f.transparent = int(data[i+6])
				}
			}
			i += 2
			for i < len(data) && data[i] != 0 {
				i += 1 + int(data[i])
			}
			i++
		case 0x2c: // image descriptor
			if i+10 > len(data) {
				return nil, io.ErrUnexpectedEOF
			}
			d := data[i+1 : i+10]
			x0, y0 := int(d[0])|int(d[1])<<8, int(d[2])|int(d[3])<<8
			w, h := int(d[4])|int(d[5])<<8, int(d[6])|int(d[7])<<8
			f.frame = image.Rect(x0, y0, x0+w, y0+h)
			f.screen = image.Rect(0, 0, max(sw, x0+w), max(sh, y0+h))
			f.interlace = d[8]&0x40 != 0
			i += 10
			if d[8]&0x80 != 0 {
				n := 3 << (d[8]&7 + 1)
				if i+n > len(data) {
					return nil, io.ErrUnexpectedEOF
				}
				f.palette = data[i : i+n]
				i += n
			}
			if i >= len(data) {
				return nil, io.ErrUnexpectedEOF
			}
			f.codeSize = int(data[i])
			if f.codeSize > 12 {
				return nil, errGIFFormat
			}
			f.data = i + 1
			return f, nil
		case 0x3b: // trailer before any frame
			return nil, errGIFFormat
		default:
			return nil, errGIFFormat
		}
	}
}

func decodeGIFConfig(r io.Reader) (image.Config, error) {
	data, err := io.ReadAll(r) // extensions before the frame may be long
	if err != nil {
		return image.Config{}, err
	}
	f, err := parseGIF(data)
	if err != nil {
		return image.Config{}, err
	}
	return image.Config{ColorModel: gifPalette(f), Width: f.screen.Dx(), Height: f.screen.Dy()}, nil
}

// gifPalette is the file's palette continued with PIL's grey ramp to 256
// entries; the transparent entry keeps its stored colour, alpha 0.
func gifPalette(f *gifFrame) color.Palette {
	pal := make(color.Palette, 256) // [256]
	for i := range pal {
		c := color.NRGBA{uint8(i), uint8(i), uint8(i), 255}
		if 3*i+3 <= len(f.palette) {
			c.R, c.G, c.B = f.palette[3*i], f.palette[3*i+1], f.palette[3*i+2]
		}
		if i == f.transparent {
			c.A = 0
		}
		pal[i] = c
	}
	return pal
}

func decodeGIF(r io.Reader) (image.Image, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	f, err := parseGIF(data)
	if err != nil {
		return nil, err
	}
	m := image.NewPaletted(f.screen, gifPalette(f))
	if f.transparent >= 0 {
		for i := range m.Pix {
			m.Pix[i] = uint8(f.transparent)
		}
	}
	if f.frame.Empty() {
		return m, nil
	}
	return m, gifLZW(data[f.data:], f, m)
}

// gifLZW decodes the frame's LZW data (sub-blocks from data[0]) into m as
// GifDecode.c does: clear resets, the first code after a clear is used
// as is, a code equal to the next free entry repeats the last string
// plus its first byte, entries stop at 4096 (no forced clear), and the
// code width grows when the next free entry reaches it, up to 12 bits.
// Data ending early leaves the rest of the frame filled.
func gifLZW(data []byte, f *gifFrame, m *image.Paletted) error {
	const tableSize = 4096
	var (
		suffix [tableSize]uint8  // last byte of each entry's string
		prefix [tableSize]uint16 // code of the string without that byte
		stack  [tableSize]uint8  // one string, reversed
	)
	clear := 1 << f.codeSize
	end := clear + 1
	next, width := clear+2, f.codeSize+1
	first := true // the next code follows a clear (or the start)
	last, lastByte := 0, uint8(0)

	// Output position, with GIF's four interlace passes.
	fw, fh := f.frame.Dx(), f.frame.Dy()
	x, y, step, pass := 0, 0, 1, 0
	if f.interlace {
		step = 8
	}
	put := func(v uint8) bool {
		m.Pix[m.PixOffset(f.frame.Min.X+x, f.frame.Min.Y+y)] = v
		if x++; x < fw {
			return true
		}
		x, y = 0, y+step
		for y >= fh {
			if !f.interlace || pass == 3 {
				return false
			}
			pass++
			y = [4]int{0, 4, 2, 1}[pass]
			step = [4]int{8, 8, 4, 2}[pass]
		}
		return true
	}

	// Bits come from the concatenated sub-blocks, least significant first.
	var bits uint32
	nbits, blockLeft, i := 0, 0, 0
	for {
		for nbits < width {
			if blockLeft == 0 {
				if i >= len(data) || data[i] == 0 {
					return nil // out of data: the rest stays filled
				}
				blockLeft = int(data[i])
				i++
			}
			if i >= len(data) {
				return nil
			}
			bits |= uint32(data[i]) << nbits
			nbits += 8
			i++
			blockLeft--
		}
		c := int(bits & (1<<width - 1))
		bits >>= width
		nbits -= width

		switch {
		case c == clear:
			next, width, first = clear+2, f.codeSize+1, true
			continue
		case c == end:
			return nil
		case first:
			if c > clear {
				return errGIFLZW
			}
			last, lastByte, first = c, uint8(c), false
			if !put(lastByte) {
				return nil
			}
			continue
		case c > next:
			return errGIFLZW
		}
		code := c
		n := 0 // stack depth
		if c == next {
			stack[n] = lastByte
			n++
			c = last
		}
		for c >= clear {
			if c >= tableSize || n >= tableSize {
				return errGIFLZW
			}
			stack[n] = suffix[c]
			n++
			c = int(prefix[c])
		}
		lastByte = uint8(c)
		if next < tableSize {
			suffix[next], prefix[next] = lastByte, uint16(last)
			if next == 1<<width-1 && width < 12 {
				width++
			}
			next++
		}
		last = code
		if !put(lastByte) {
			return nil
		}
		for n > 0 {
			n--
			if !put(stack[n]) {
				return nil
			}
		}
	}
}
