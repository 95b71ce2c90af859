// Package bmp decodes Windows and OS/2 bitmaps the way PIL 9.4's
// BmpImagePlugin reads them, so that every variant PIL opens gives the
// same pixels: BITMAPCOREHEADER (OS/2 v1, 3-byte palette), the 40, 64
// (OS/2 v2), 108 and 124 byte headers, top-down and bottom-up rows, 1, 2,
// 4 and 8-bit palettes (indices past the palette read PIL's grey ramp),
// RLE8 and RLE4, 16-bit 5-5-5 and 5-6-5, 24-bit, 32-bit BGRX and the
// BITFIELDS layouts PIL knows (BGRX, XBGR, ABGR, RGBA, BGRA), and PIL's
// pixel-offset quirk (an offset pointing at the palette skips it).
//
// Where PIL 9.4 misreads a valid file it is not followed (see Decode).
// golang.org/x/image/bmp reads only uncompressed 1–8, 24 and 32-bit
// files, hence this package.
package bmp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
)

// UnsupportedError reports a valid bitmap of a variant this package (and
// PIL) does not read.
type UnsupportedError string

func (e UnsupportedError) Error() string { return "unsupported BMP " + string(e) }

// FormatError reports an invalid bitmap.
type FormatError string

func (e FormatError) Error() string { return "invalid BMP: " + string(e) }

const (
	rawComp      = 0
	rle8Comp     = 1
	rle4Comp     = 2
	bitfieldComp = 3
)

// header is what Decode needs from the file and info headers.
type header struct {
	width, height int
	topDown       bool
	bits          int
	compression   uint32
	colors        int
	palette       color.Palette // paletted only: [256] entries
	layout        string        // direct colour: PIL raw mode ("BGR;15", "BGRX", "RGBA", ...)
	offset        int           // pixel data
}

func u16(b []byte, i int) int { return int(binary.LittleEndian.Uint16(b[i:])) }
func u32(b []byte, i int) uint32 {
	return binary.LittleEndian.Uint32(b[i:])
}

// parse reads the headers as BmpImagePlugin._bitmap does.
func parse(data []byte) (*header, error) {
	if len(data) < 18 || string(data[:2]) != "BM" {
		return nil, FormatError("no BM header")
	}
	h := &header{offset: int(u32(data, 10))}
	hs := int(u32(data, 14))
	if hs < 12 || len(data) < 14+hs {
		if hs >= 12 && hs <= 124 {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, UnsupportedError(fmt.Sprintf("header size %d", hs))
	}
	hd := data[18 : 14+hs] // header without its size
	pos := 14 + hs
	padding := 4
	switch hs {
	case 12: // OS/2 v1
		h.width, h.height, h.bits = u16(hd, 0), u16(hd, 2), u16(hd, 6)
		padding = 3
	case 40, 64, 108, 124:
		h.width = int(u32(hd, 0))
		hv := u32(hd, 4)
		h.topDown = hd[7] == 0xff
		if h.topDown {
			hv = -hv // 2**32 - height
		}
		h.height = int(hv)
		h.bits = u16(hd, 10)
		h.compression = u32(hd, 12)
		h.colors = int(u32(hd, 28))
		if h.compression == bitfieldComp {
			var masks [4]uint32
			if len(hd) >= 52 {
				for i := range masks {
					masks[i] = u32(hd, 36+4*i)
				}
			} else {
				if len(data) < pos+12 {
					return nil, io.ErrUnexpectedEOF
				}
				for i := 0; i < 3; i++ {
					masks[i] = u32(data, pos+4*i)
				}
				pos += 12
			}
			l, err := bitfields(h.bits, masks)
			if err != nil {
				return nil, err
			}
			h.layout = l
		}
	default:
		return nil, UnsupportedError(fmt.Sprintf("header size %d", hs))
	}
	if h.colors == 0 {
		if h.bits >= 31 {
			h.colors = 1 << 30 // PIL's 1 << bits, only used below 32
		} else {
			h.colors = 1 << h.bits
		}
	}
	if h.offset == 14+hs && h.bits <= 8 {
		h.offset += 4 * h.colors
	}
	switch h.compression {
	case rawComp:
		switch h.bits {
		case 1, 2, 4, 8:
		case 16:
			h.layout = "BGR;15"
		case 24:
			h.layout = "BGR"
		case 32:
			h.layout = "BGRX"
		default:
			return nil, UnsupportedError(fmt.Sprintf("bit depth %d", h.bits))
		}
	case bitfieldComp:
	case rle8Comp, rle4Comp:
		if h.bits > 8 {
			return nil, UnsupportedError(fmt.Sprintf("RLE with bit depth %d", h.bits))
		}
	default:
		return nil, UnsupportedError(fmt.Sprintf("compression %d", h.compression))
	}
	if h.width <= 0 || h.height <= 0 {
		return nil, FormatError(fmt.Sprintf("size %d×%d", h.width, h.height))
	}
	if h.bits <= 8 {
		if h.colors <= 0 || h.colors > 65536 {
			return nil, UnsupportedError(fmt.Sprintf("palette size %d", h.colors))
		}
		// PIL reads the palette where the header ends and fills the
		// entries past it with its initial grey ramp.
		pal := make(color.Palette, 256) // [256] RGB
		for i := range pal {
			pal[i] = color.RGBA{uint8(i), uint8(i), uint8(i), 255}
		}
		for i := 0; i < min(h.colors, 256); i++ {
			p := pos + padding*i
			if p+3 > len(data) {
				break
			}
			pal[i] = color.RGBA{data[p+2], data[p+1], data[p], 255}
		}
		h.palette = pal
		pos += padding * h.colors
	}
	if h.offset == 0 {
		h.offset = pos
	}
	return h, nil
}

// bitfields maps BITFIELDS masks to PIL's raw mode, as BmpImagePlugin's
// SUPPORTED and MASK_MODES tables do.
func bitfields(bits int, m [4]uint32) (string, error) {
	rgb := [3]uint32{m[0], m[1], m[2]}
	switch bits {
	case 32:
		switch m {
		case [4]uint32{0xff0000, 0xff00, 0xff, 0}:
			return "BGRX", nil
		case [4]uint32{0xff000000, 0xff0000, 0xff00, 0}:
			return "XBGR", nil
		case [4]uint32{0xff000000, 0xff0000, 0xff00, 0xff}:
			return "ABGR", nil
		case [4]uint32{0xff, 0xff00, 0xff0000, 0xff000000}:
			return "RGBA", nil
		case [4]uint32{0xff0000, 0xff00, 0xff, 0xff000000}, [4]uint32{}:
			return "BGRA", nil
		}
	case 24:
		if rgb == [3]uint32{0xff0000, 0xff00, 0xff} {
			return "BGR", nil
		}
	case 16:
		switch rgb {
		case [3]uint32{0xf800, 0x7e0, 0x1f}:
			return "BGR;16", nil
		case [3]uint32{0x7c00, 0x3e0, 0x1f}:
			return "BGR;15", nil
		}
	}
	return "", UnsupportedError(fmt.Sprintf("bitfields %d-bit %#x", bits, m))
}

// DecodeConfig returns the size and colour model of a bitmap.
func DecodeConfig(r io.Reader) (image.Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, 1<<16))
	if err != nil {
		return image.Config{}, err
	}
	h, err := parse(data)
	if err != nil {
		return image.Config{}, err
	}
	var m color.Model = color.NRGBAModel
	if h.palette != nil {
		m = h.palette
	}
	return image.Config{ColorModel: m, Width: h.width, Height: h.height}, nil
}

// Decode reads a bitmap: *image.Paletted for 1–8 bits, *image.NRGBA
// otherwise (alpha 255 unless the layout has one).
//
// PIL 9.4 misreads some valid files; vit decodes them as the format
// says: an RLE delta (PIL reads two bytes too many), an RLE bitmap that
// ends before its last row (PIL refuses it; vit leaves index 0, as PIL
// does for skipped pixels), an odd-length RLE4 absolute run (PIL drops
// its last pixel), and a 4 or 8-bit file whose palette is black and white
// or a grey ramp (PIL then unpacks the pixels as 1 or 8-bit grey).
func Decode(r io.Reader) (image.Image, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	h, err := parse(data)
	if err != nil {
		return nil, err
	}
	if h.offset > len(data) {
		return nil, io.ErrUnexpectedEOF
	}
	px := data[h.offset:]
	w, ht := h.width, h.height
	if h.palette != nil {
		m := image.NewPaletted(image.Rect(0, 0, w, ht), h.palette)
		switch h.compression {
		case rle8Comp, rle4Comp:
			err = rle(px, m, h.compression == rle4Comp)
		default:
			err = rawPaletted(px, m, h.bits, h.topDown)
		}
		if err != nil {
			return nil, err
		}
		return m, nil
	}
	return rawDirect(px, w, ht, h.bits, h.layout, h.topDown)
}

func rowStride(w, bits int) int { return ((w*bits + 31) >> 3) &^ 3 }

// row returns the data row holding image row y.
func row(px []byte, y, h, stride int, topDown bool) ([]byte, error) {
	if !topDown {
		y = h - 1 - y
	}
	if (y+1)*stride > len(px) {
		return nil, io.ErrUnexpectedEOF
	}
	return px[y*stride : (y+1)*stride], nil
}

func rawPaletted(px []byte, m *image.Paletted, bits int, topDown bool) error {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	stride := rowStride(w, bits)
	mask := byte(1<<bits - 1)
	for y := 0; y < h; y++ {
		src, err := row(px, y, h, stride, topDown)
		if err != nil {
			return err
		}
		dst := m.Pix[y*m.Stride : y*m.Stride+w]
		if bits == 8 {
			copy(dst, src)
			continue
		}
		for x := range dst {
			bit := x * bits
			dst[x] = src[bit>>3] >> (8 - bits - bit&7) & mask
		}
	}
	return nil
}

// rle decodes RLE8 or RLE4 data into m: runs, end of line (0 0), end of
// bitmap (0 1), delta (0 2 dx dy: dx right, dy rows on), absolute runs
// padded to 16 bits. Rows fill from the bottom; skipped pixels are 0.
func rle(px []byte, m *image.Paletted, rle4 bool) error {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	x, y := 0, 0 // y counts rows from the bottom
	put := func(v byte) {
		if x < w && y < h {
			m.Pix[(h-1-y)*m.Stride+x] = v
		}
		x++
	}
	for i := 0; i+1 < len(px) && y < h; {
		n, b := int(px[i]), px[i+1]
		i += 2
		if n > 0 { // encoded run
			n = min(n, max(0, w-x))
			for k := 0; k < n; k++ {
				v := b
				if rle4 {
					v = b >> 4
					if k%2 == 1 {
						v = b & 15
					}
				}
				put(v)
			}
			continue
		}
		switch b {
		case 0: // end of line
			x, y = 0, y+1
		case 1: // end of bitmap
			return nil
		case 2: // delta
			if i+2 > len(px) {
				return nil
			}
			x += int(px[i])
			y += int(px[i+1])
			i += 2
		default: // absolute run of b pixels
			nb := int(b)
			if rle4 {
				nb = (nb + 1) / 2
			}
			if i+nb > len(px) {
				return io.ErrUnexpectedEOF
			}
			for k := 0; k < int(b); k++ {
				v := px[i+k]
				if rle4 {
					v = px[i+k/2] >> 4
					if k%2 == 1 {
						v = px[i+k/2] & 15
					}
				}
				put(v)
			}
			i += nb + nb&1
		}
	}
	return nil
}

// Byte orders of direct-colour pixels (PIL raw modes).
const (
	bgr15 = iota // "BGR;15" 5-5-5 little-endian
	bgr16        // "BGR;16" 5-6-5
	bgr          // "BGR", "BGRX"
	bgra
	xbgr
	abgr
	rgba
)

var layouts = map[string]int{"BGR;15": bgr15, "BGR;16": bgr16, "BGR": bgr, "BGRX": bgr,
	"BGRA": bgra, "XBGR": xbgr, "ABGR": abgr, "RGBA": rgba}

func rawDirect(px []byte, w, h, bits int, layout string, topDown bool) (image.Image, error) {
	kind, ok := layouts[layout]
	if !ok {
		return nil, errors.New("bmp: internal: layout " + layout)
	}
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	stride := rowStride(w, bits)
	bpp := bits / 8
	for y := 0; y < h; y++ {
		src, err := row(px, y, h, stride, topDown)
		if err != nil {
			return nil, err
		}
		dst := m.Pix[y*m.Stride : y*m.Stride+4*w]
		for x := 0; x < w; x++ {
			s, d := src[x*bpp:x*bpp+bpp], dst[4*x:4*x+4]
			d[3] = 255
			switch kind {
			case bgr15: // Unpack.c ImagingUnpackBGR15
				p := int(s[0]) | int(s[1])<<8
				d[0], d[1], d[2] = uint8((p>>10&31)*255/31), uint8((p>>5&31)*255/31), uint8((p&31)*255/31)
			case bgr16: // ImagingUnpackBGR16
				p := int(s[0]) | int(s[1])<<8
				d[0], d[1], d[2] = uint8((p>>11&31)*255/31), uint8((p>>5&63)*255/63), uint8((p&31)*255/31)
			case bgr:
				d[0], d[1], d[2] = s[2], s[1], s[0]
			case bgra:
				d[0], d[1], d[2], d[3] = s[2], s[1], s[0], s[3]
			case xbgr:
				d[0], d[1], d[2] = s[3], s[2], s[1]
			case abgr:
				d[0], d[1], d[2], d[3] = s[3], s[2], s[1], s[0]
			case rgba:
				d[0], d[1], d[2], d[3] = s[0], s[1], s[2], s[3]
			}
		}
	}
	return m, nil
}
