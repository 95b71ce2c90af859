// Copyright 2011 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package tiff implements a TIFF image decoder and encoder.
//
// The TIFF specification is at http://partners.adobe.com/public/developer/en/tiff/TIFF6.pdf
package tiff

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"

	"github.com/vitgo/vit/internal/preprocess/tiff/internal/safemath"
	"golang.org/x/image/tiff/lzw"
)

// A FormatError reports that the input is not a valid TIFF image.
type FormatError string

func (e FormatError) Error() string {
	return "tiff: invalid format: " + string(e)
}

// An UnsupportedError reports that the input uses a valid but
// unimplemented feature.
type UnsupportedError string

func (e UnsupportedError) Error() string {
	return "tiff: unsupported feature: " + string(e)
}

var (
	errNoPixels          = FormatError("not enough pixel data")
	errInvalidColorIndex = FormatError("invalid color index")
)

const maxChunkSize = 10 << 20 // 10M

// safeReadAt is a verbatim copy of internal/saferio.ReadDataAt from the
// standard library, which is used to read data from a reader using a length
// provided by untrusted data, without allocating the entire slice ahead of time
// if it is large (>maxChunkSize). This allows us to avoid allocating giant
// slices before learning that we can't actually read that much data from the
// reader.
func safeReadAt(r io.ReaderAt, n uint64, off int64) ([]byte, error) {
	if int64(n) < 0 || n != uint64(int(n)) {
		// n is too large to fit in int, so we can't allocate
		// a buffer large enough. Treat this as a read failure.
		return nil, io.ErrUnexpectedEOF
	}

	if n < maxChunkSize {
		buf := make([]byte, n)
		_, err := r.ReadAt(buf, off)
		if err != nil {
			// io.SectionReader can return EOF for n == 0,
			// but for our purposes that is a success.
			if err != io.EOF || n > 0 {
				return nil, err
			}
		}
		return buf, nil
	}

	var buf []byte
	buf1 := make([]byte, maxChunkSize)
	for n > 0 {
		next := n
		if next > maxChunkSize {
			next = maxChunkSize
		}
		_, err := r.ReadAt(buf1[:next], off)
		if err != nil {
			return nil, err
		}
		buf = append(buf, buf1[:next]...)
		n -= next
		off += int64(next)
	}
	return buf, nil
}

type decoder struct {
	r         io.ReaderAt
	byteOrder binary.ByteOrder
	config    image.Config
	mode      imageMode
	bpp       uint
	features  map[int][]uint
	ifd       map[int][bigIFDLen]byte
	palette   []color.Color

	buf   []byte
	off   int    // Current offset in buf.
	v     uint32 // Buffer value for reading with arbitrary bit depths.
	nbits uint   // Remaining number of bits in v.

	extra       int        // alpha samples after each grey or palette sample (0 or 1)
	jpegTables  []byte     // JPEGTables tag (Compression 7)
	big         bool       // BigTIFF: 20-byte IFD entries, 8-byte counts and offsets
	planeBufs   [][]byte   // [planes][block bytes] one block's planes (PlanarConfiguration 2)
	interleaved []byte     // [block samples·planes·bytes per sample] planeBufs interleaved
	ycbcr       *ycbcrConv // YCbCr not JPEG-compressed: converts each block to RGB
	drop        int        // RGB: extra samples after each pixel's kept ones, skipped
	lab         bool       // CIELab: read as RGB, then converted (cielab.go)
}

// firstVal returns the first uint of the features entry with the given tag,
// or 0 if the tag does not exist.
func (d *decoder) firstVal(tag int) uint {
	f := d.features[tag]
	if len(f) == 0 {
		return 0
	}
	return f[0]
}

// firstIntVal returns the first int of the features entry with the given tag,
// or 0 if the tag does not exist.
// If the tag overflows an int, it returns an error.
func (d *decoder) firstIntVal(tag int) (int, error) {
	v := d.firstVal(tag)
	if v > math.MaxInt {
		return 0, FormatError("IFD value too large")
	}
	return int(v), nil
}

// ifdUint decodes the IFD entry in p, which must be of the Byte, Short
// or Long type, and returns the decoded uint values.
//
// maxCount limits the number of values.
// If the entry contains more than maxCount values, only the first maxCount are parsed.
func (d *decoder) ifdUint(p []byte, maxCount int) (u []uint, err error) {
	var raw []byte
	if len(p) < ifdLen {
		return nil, FormatError("bad IFD entry")
	}

	datatype := d.byteOrder.Uint16(p[2:4])
	if dt := int(datatype); dt <= 0 || dt >= len(lengths) {
		return nil, UnsupportedError("IFD entry datatype")
	}

	count, inline, offset := d.entry(p)
	if lengths[datatype] == 0 || count > math.MaxInt32/uint64(lengths[datatype]) {
		return nil, FormatError("IFD data too large")
	}
	truncatedCount := min(int(count), maxCount)
	if datalen := uint64(lengths[datatype]) * count; datalen > uint64(len(inline)) {
		truncatedLen := uint64(lengths[datatype]) * uint64(truncatedCount)
		// The IFD contains a pointer to the real value.
		raw, err = safeReadAt(d.r, truncatedLen, offset)
	} else {
		raw = inline[:datalen]
	}
	if err != nil {
		return nil, err
	}

	u = make([]uint, truncatedCount)
	switch datatype {
	case dtByte:
		for i := range u {
			u[i] = uint(raw[i])
		}
	case dtShort:
		for i := range u {
			u[i] = uint(d.byteOrder.Uint16(raw[2*i : 2*(i+1)]))
		}
	case dtLong:
		for i := range u {
			u[i] = uint(d.byteOrder.Uint32(raw[4*i : 4*(i+1)]))
		}
	case dtLong8, dtIFD8:
		for i := range u {
			u[i] = uint(d.byteOrder.Uint64(raw[8*i : 8*(i+1)]))
		}
	default:
		return nil, UnsupportedError("data type")
	}
	return u, nil
}

// parseIFDOffsets parses an IFD entry stored in d.ifd using ifdUint.
// For IFD entries which can be large, we delay reading and parsing the entry
// until we know the image size, which lets us set reasonable bounds on the IFD entry.
func (d *decoder) parseIFDOffsets(tag int, maxCount int) (u []uint, err error) {
	p, ok := d.ifd[tag]
	if !ok {
		return nil, nil
	}
	return d.ifdUint(p[:], maxCount)
}

// parseIFD decides whether the IFD entry in p is "interesting" and
// stows away the data in the decoder. It returns the tag number of the
// entry and an error, if any.
func (d *decoder) parseIFD(p []byte) (int, error) {
	// smallEntryMaxCount is the limit to use for parsed IFD entries that
	// don't scale with the image size.
	//
	// We could be more precise and limit the number of entries to exactly the
	// correct limit (for example, tTileWidth should always have exactly one value),
	// but 16 is small enough to prevent excessive allocation and large enough to
	// allow for any multi-value entry.
	const smallEntryMaxCount = 16

	tag := d.byteOrder.Uint16(p[0:2])
	switch tag {
	case tBitsPerSample,
		tExtraSamples,
		tPhotometricInterpretation,
		tCompression,
		tPredictor,
		tRowsPerStrip,
		tTileWidth,
		tTileLength,
		tImageLength,
		tImageWidth,
		tFillOrder,
		tPlanarConfiguration,
		tT4Options,
		tT6Options:
		val, err := d.ifdUint(p, smallEntryMaxCount)
		if err != nil {
			return 0, err
		}
		d.features[int(tag)] = val
	case tStripOffsets,
		tStripByteCounts,
		tTileOffsets,
		tTileByteCounts,
		tYCbCrSubSampling, tYCbCrCoefficients, tReferenceBlackWhite,
		tJPEGInterchangeFormat, tJPEGInterchangeFormatLength,
		tJPEGRestartInterval, tJPEGQTables, tJPEGDCTables, tJPEGACTables:
		// These keys may contain many values.
		// Stash the IFD entry for later parsing.
		var v [bigIFDLen]byte
		copy(v[:], p)
		d.ifd[int(tag)] = v
	case tJPEGTables:
		// UNDEFINED bytes: the JPEG tables (SOI, DQT/DHT, EOI) that
		// each strip's or tile's abbreviated JPEG stream relies on.
		count, inline, offset := d.entry(p)
		if count > 1<<20 {
			return 0, FormatError("JPEGTables too large")
		}
		var err error
		if count <= uint64(len(inline)) {
			d.jpegTables = append([]byte(nil), inline[:count]...)
		} else if d.jpegTables, err = safeReadAt(d.r, count, offset); err != nil {
			return 0, err
		}
	case tColorMap:
		const maxColors = 256
		val, err := d.ifdUint(p, (3*maxColors)+1)
		if err != nil {
			return 0, err
		}
		numcolors := len(val) / 3
		if len(val)%3 != 0 || numcolors <= 0 || numcolors > maxColors {
			return 0, FormatError("bad ColorMap length")
		}
		d.palette = make([]color.Color, numcolors)
		for i := 0; i < numcolors; i++ {
			d.palette[i] = color.RGBA64{
				uint16(val[i]),
				uint16(val[i+numcolors]),
				uint16(val[i+2*numcolors]),
				0xffff,
			}
		}
	case tSampleFormat:
		// Page 27 of the spec: If the SampleFormat is present and
		// the value is not 1 [= unsigned integer data], a Baseline
		// TIFF reader that cannot handle the SampleFormat value
		// must terminate the import process gracefully.
		val, err := d.ifdUint(p, smallEntryMaxCount)
		if err != nil {
			return 0, err
		}
		for _, v := range val {
			if v < 1 || v > 3 { // unsigned, signed, IEEE float
				return 0, UnsupportedError("sample format")
			}
		}
		d.features[int(tag)] = val
	}
	return int(tag), nil
}

// readBits reads n bits from the internal buffer starting at the current offset.
func (d *decoder) readBits(n uint) (v uint32, ok bool) {
	for d.nbits < n {
		d.v <<= 8
		if d.off >= len(d.buf) {
			return 0, false
		}
		d.v |= uint32(d.buf[d.off])
		d.off++
		d.nbits += 8
	}
	d.nbits -= n
	rv := d.v >> d.nbits
	d.v &^= rv << d.nbits
	return rv, true
}

// flushBits discards the unread bits in the buffer used by readBits.
// It is used at the end of a line.
func (d *decoder) flushBits() {
	d.v = 0
	d.nbits = 0
}

// minInt returns the smaller of x or y.
func minInt(a, b int) int {
	if a <= b {
		return a
	}
	return b
}

// decode decodes the raw data of an image.
// It reads from d.buf and writes the strip or tile into dst.
func (d *decoder) decode(dst image.Image, xmin, ymin, xmax, ymax int) error {
	d.off = 0

	// Apply horizontal predictor if necessary.
	// In this case, p contains the color difference to the preceding pixel.
	// See page 64-65 of the spec.
	if d.firstVal(tPredictor) == prHorizontal && d.predicted() {
		switch d.bpp {
		case 16:
			var off int
			n := 2 * len(d.features[tBitsPerSample]) // bytes per sample times samples per pixel
			for y := ymin; y < ymax; y++ {
				off += n
				for x := 0; x < (xmax-xmin-1)*n; x += 2 {
					if off+2 > len(d.buf) {
						return errNoPixels
					}
					v0 := d.byteOrder.Uint16(d.buf[off-n : off-n+2])
					v1 := d.byteOrder.Uint16(d.buf[off : off+2])
					d.byteOrder.PutUint16(d.buf[off:off+2], v1+v0)
					off += 2
				}
			}
		case 8:
			var off int
			n := 1 * len(d.features[tBitsPerSample]) // bytes per sample times samples per pixel
			for y := ymin; y < ymax; y++ {
				off += n
				for x := 0; x < (xmax-xmin-1)*n; x++ {
					if off >= len(d.buf) {
						return errNoPixels
					}
					d.buf[off] += d.buf[off-n]
					off++
				}
			}
		case 1, 2, 4:
			return UnsupportedError(fmt.Sprintf("horizontal predictor with %d BitsPerSample", d.bpp))
		}
	}

	if d.drop > 0 {
		d.dropSamples()
	}

	// calcRowBytes returns the number of bytes in a row with numSamples samples per pixel
	// and bytesPerSample bytes per sample.
	calcRowBytes := func(xmin, xmax, numSamples int, bitsPerSample uint) int {
		return int((int64(xmax-xmin)*int64(numSamples)*int64(bitsPerSample) + 7) / 8)
	}
	// calcRowOff returns the offset of the next row.
	calcRowOff := func(y, ymin, rowBytes int) int {
		return (y - ymin) * rowBytes
	}

	rMaxX := minInt(xmax, dst.Bounds().Max.X)
	rMaxY := minInt(ymax, dst.Bounds().Max.Y)
	switch d.mode {
	case mCMYK:
		return d.decodeCMYK(dst.(*image.CMYK), xmin, ymin, xmax, ymax)
	case mGray, mGrayInvert:
		rowBytes := calcRowBytes(xmin, xmax, 1+d.extra, d.bpp)
		if d.bpp == 16 {
			img := dst.(*image.Gray16)
			for y := ymin; y < rMaxY; y++ {
				d.off = calcRowOff(y, ymin, rowBytes)
				for x := xmin; x < rMaxX; x++ {
					if d.off+2 > len(d.buf) {
						return errNoPixels
					}
					v := d.byteOrder.Uint16(d.buf[d.off : d.off+2])
					d.off += 2
					if d.mode == mGrayInvert {
						v = 0xffff - v
					}
					img.SetGray16(x, y, color.Gray16{v})
				}
			}
		} else {
			img := dst.(*image.Gray)
			max := uint32((1 << d.bpp) - 1)
			for y := ymin; y < rMaxY; y++ {
				d.off = calcRowOff(y, ymin, rowBytes)
				d.flushBits()
				for x := xmin; x < rMaxX; x++ {
					v, ok := d.readBits(d.bpp)
					if !ok {
						return errNoPixels
					}
					v = v * 0xff / max
					if d.mode == mGrayInvert {
						v = 0xff - v
					}
					d.readBits(d.bpp * uint(d.extra))
					img.SetGray(x, y, color.Gray{uint8(v)})
				}
			}
		}
	case mGrayNumeric:
		img := dst.(*image.Gray)
		bps := int(d.bpp) / 8
		signed, float := d.firstVal(tSampleFormat) == 2, d.firstVal(tSampleFormat) == 3
		rowBytes := calcRowBytes(xmin, xmax, 1, d.bpp)
		for y := ymin; y < rMaxY; y++ {
			d.off = calcRowOff(y, ymin, rowBytes)
			d.flushBits()
			for x := xmin; x < rMaxX; x++ {
				if d.bpp == 12 { // PIL's I;12: packed, MSB first, clipped
					v, ok := d.readBits(12)
					if !ok {
						return errNoPixels
					}
					img.Pix[img.PixOffset(x, y)] = uint8(min(v, 255))
					continue
				}
				if d.off+bps > len(d.buf) {
					return errNoPixels
				}
				var v float64
				switch b := d.buf[d.off : d.off+bps]; {
				case float:
					v = math.Trunc(float64(math.Float32frombits(d.byteOrder.Uint32(b))))
				case bps == 2 && signed:
					v = float64(int16(d.byteOrder.Uint16(b)))
				case bps == 2:
					v = float64(d.byteOrder.Uint16(b))
				case signed:
					v = float64(int32(d.byteOrder.Uint32(b)))
				default:
					v = float64(d.byteOrder.Uint32(b))
				}
				d.off += bps
				if v != v { // NaN
					v = 0
				}
				img.Pix[img.PixOffset(x, y)] = uint8(max(0, min(255, v)))
			}
		}
	case mPaletted:
		img := dst.(*image.Paletted)
		pLen := len(d.palette)
		rowBytes := calcRowBytes(xmin, xmax, 1+d.extra, d.bpp)
		for y := ymin; y < rMaxY; y++ {
			d.off = calcRowOff(y, ymin, rowBytes)
			d.flushBits()
			for x := xmin; x < rMaxX; x++ {
				v, ok := d.readBits(d.bpp)
				if !ok {
					return errNoPixels
				}
				idx := uint8(v)
				d.readBits(d.bpp * uint(d.extra))
				if int(idx) >= pLen {
					return errInvalidColorIndex
				}
				img.SetColorIndex(x, y, idx)
			}
		}
	case mRGB:
		rowBytes := calcRowBytes(xmin, xmax, 3, d.bpp)
		if d.bpp == 16 {
			img := dst.(*image.RGBA64)
			for y := ymin; y < rMaxY; y++ {
				d.off = calcRowOff(y, ymin, rowBytes)
				for x := xmin; x < rMaxX; x++ {
					if d.off+6 > len(d.buf) {
						return errNoPixels
					}
					r := d.byteOrder.Uint16(d.buf[d.off+0 : d.off+2])
					g := d.byteOrder.Uint16(d.buf[d.off+2 : d.off+4])
					b := d.byteOrder.Uint16(d.buf[d.off+4 : d.off+6])
					d.off += 6
					img.SetRGBA64(x, y, color.RGBA64{r, g, b, 0xffff})
				}
			}
		} else {
			img := dst.(*image.RGBA)
			for y := ymin; y < rMaxY; y++ {
				d.off = calcRowOff(y, ymin, rowBytes)
				min := img.PixOffset(xmin, y)
				max := img.PixOffset(rMaxX, y)
				off := (y - ymin) * (xmax - xmin) * 3
				for i := min; i < max; i += 4 {
					if off+3 > len(d.buf) {
						return errNoPixels
					}
					img.Pix[i+0] = d.buf[off+0]
					img.Pix[i+1] = d.buf[off+1]
					img.Pix[i+2] = d.buf[off+2]
					img.Pix[i+3] = 0xff
					off += 3
				}
			}
		}
	case mNRGBA:
		rowBytes := calcRowBytes(xmin, xmax, 4, d.bpp)
		if d.bpp == 16 {
			img := dst.(*image.NRGBA64)
			for y := ymin; y < rMaxY; y++ {
				d.off = calcRowOff(y, ymin, rowBytes)
				for x := xmin; x < rMaxX; x++ {
					if d.off+8 > len(d.buf) {
						return errNoPixels
					}
					r := d.byteOrder.Uint16(d.buf[d.off+0 : d.off+2])
					g := d.byteOrder.Uint16(d.buf[d.off+2 : d.off+4])
					b := d.byteOrder.Uint16(d.buf[d.off+4 : d.off+6])
					a := d.byteOrder.Uint16(d.buf[d.off+6 : d.off+8])
					d.off += 8
					img.SetNRGBA64(x, y, color.NRGBA64{r, g, b, a})
				}
			}
		} else {
			img := dst.(*image.NRGBA)
			for y := ymin; y < rMaxY; y++ {
				min := img.PixOffset(xmin, y)
				max := img.PixOffset(rMaxX, y)
				i0, i1 := (y-ymin)*(xmax-xmin)*4, (y-ymin+1)*(xmax-xmin)*4
				if i1 > len(d.buf) {
					return errNoPixels
				}
				copy(img.Pix[min:max], d.buf[i0:i1])
			}
		}
	case mRGBA:
		rowBytes := calcRowBytes(xmin, xmax, 4, d.bpp)
		if d.bpp == 16 {
			img := dst.(*image.RGBA64)
			for y := ymin; y < rMaxY; y++ {
				d.off = calcRowOff(y, ymin, rowBytes)
				for x := xmin; x < rMaxX; x++ {
					if d.off+8 > len(d.buf) {
						return errNoPixels
					}
					r := d.byteOrder.Uint16(d.buf[d.off+0 : d.off+2])
					g := d.byteOrder.Uint16(d.buf[d.off+2 : d.off+4])
					b := d.byteOrder.Uint16(d.buf[d.off+4 : d.off+6])
					a := d.byteOrder.Uint16(d.buf[d.off+6 : d.off+8])
					d.off += 8
					img.SetRGBA64(x, y, color.RGBA64{r, g, b, a})
				}
			}
		} else {
			img := dst.(*image.RGBA)
			for y := ymin; y < rMaxY; y++ {
				min := img.PixOffset(xmin, y)
				max := img.PixOffset(rMaxX, y)
				i0, i1 := (y-ymin)*(xmax-xmin)*4, (y-ymin+1)*(xmax-xmin)*4
				if i1 > len(d.buf) {
					return errNoPixels
				}
				copy(img.Pix[min:max], d.buf[i0:i1])
			}
		}
	}

	return nil
}

// maxBytesPerPixel is the maximum possible bytes-per-pixel,
// used for conservative bounds checking.
const maxBytesPerPixel = 8

func newDecoder(r io.Reader) (*decoder, error) {
	d := &decoder{
		r:        newReaderAt(r),
		features: make(map[int][]uint),
		ifd:      make(map[int][bigIFDLen]byte),
	}

	p := make([]byte, 8)
	if _, err := d.r.ReadAt(p, 0); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch string(p[0:4]) {
	case leHeader:
		d.byteOrder = binary.LittleEndian
	case beHeader:
		d.byteOrder = binary.BigEndian
	case "II+\x00", "MM\x00+":
		d.big = true
		d.byteOrder = binary.LittleEndian
		if p[0] == 'M' {
			d.byteOrder = binary.BigEndian
		}
	default:
		return nil, FormatError("malformed header")
	}

	ifdOffset := int64(d.byteOrder.Uint32(p[4:8]))
	entryLen, countLen := ifdLen, 2
	if d.big {
		// BigTIFF: 8-byte offsets, an 8-byte entry count, 20-byte
		// entries with 8-byte counts and values.
		q := make([]byte, 8)
		if _, err := d.r.ReadAt(q, 8); err != nil {
			return nil, io.ErrUnexpectedEOF
		}
		if d.byteOrder.Uint16(p[4:6]) != 8 || d.byteOrder.Uint64(q) > math.MaxInt64 {
			return nil, FormatError("malformed BigTIFF header")
		}
		ifdOffset = int64(d.byteOrder.Uint64(q))
		entryLen, countLen = bigIFDLen, 8
	}

	// The first bytes contain the number of entries.
	if _, err := d.r.ReadAt(p[0:countLen], ifdOffset); err != nil {
		return nil, err
	}
	numItems := int(d.byteOrder.Uint16(p[0:2]))
	if d.big {
		n := d.byteOrder.Uint64(p[0:8])
		if n > 1<<16 {
			return nil, FormatError("too many IFD entries")
		}
		numItems = int(n)
	}

	// All IFD entries are read in one chunk.
	var err error
	p, err = safeReadAt(d.r, uint64(entryLen*numItems), ifdOffset+int64(countLen))
	if err != nil {
		return nil, err
	}

	prevTag := -1
	for i := 0; i < len(p); i += entryLen {
		tag, err := d.parseIFD(p[i : i+entryLen])
		if err != nil {
			return nil, err
		}
		if tag <= prevTag {
			return nil, FormatError("tags are not sorted in ascending order")
		}
		prevTag = tag
	}

	if d.config.Width, err = d.firstIntVal(tImageWidth); err != nil {
		return nil, err
	}
	if d.config.Height, err = d.firstIntVal(tImageLength); err != nil {
		return nil, err
	}
	if d.config.Width == 0 || d.config.Height == 0 {
		return nil, FormatError("zero-size image")
	}
	// Check that the image fits in memory.
	// This conservatively assumes 8 bytes per pixel,
	// rather than using the actual pixel size.
	if _, ok := safemath.Mul3(d.config.Width, d.config.Height, maxBytesPerPixel); !ok {
		return nil, FormatError("image too large")
	}

	if _, ok := d.features[tBitsPerSample]; !ok {
		// Default is 1 per specification.
		d.features[tBitsPerSample] = []uint{1}
	}
	d.bpp = d.firstVal(tBitsPerSample)
	switch d.bpp {
	case 0:
		return nil, FormatError("BitsPerSample must not be 0")
	case 1, 2, 4, 8, 12, 16, 32:
		// Nothing to do, these are accepted by this implementation.
	default:
		return nil, UnsupportedError(fmt.Sprintf("BitsPerSample of %v", d.bpp))
	}

	// Determine the image mode.
	switch d.firstVal(tPhotometricInterpretation) {
	case pRGB, pYCbCr:
		if d.firstVal(tPhotometricInterpretation) == pYCbCr && d.firstVal(tCompression) != cJPEG || d.firstVal(tCompression) == cJPEGOld {
			if err := d.initYCbCr(); err != nil {
				return nil, err
			}
		}
		if err := d.checkRGBBits(); err != nil {
			return nil, err
		}
		if d.bpp == 16 {
			for _, b := range d.features[tBitsPerSample] {
				if b != 16 {
					return nil, FormatError("wrong number of samples for 16bit RGB")
				}
			}
		} else {
			for _, b := range d.features[tBitsPerSample] {
				if b != 8 {
					return nil, FormatError("wrong number of samples for 8bit RGB")
				}
			}
		}
		// RGB images normally have 3 samples per pixel.
		// If there are more, ExtraSamples (p. 31-32 of the spec)
		// gives their meaning (usually an alpha channel).
		//
		// This implementation does not support extra samples
		// of an unspecified type.
		switch d.rgbSamples() {
		case 3:
			d.mode = mRGB
			if d.bpp == 16 {
				d.config.ColorModel = color.RGBA64Model
			} else {
				d.config.ColorModel = color.RGBAModel
			}
		case 4:
			switch d.firstVal(tExtraSamples) {
			case 1:
				d.mode = mRGBA
				if d.bpp == 16 {
					d.config.ColorModel = color.RGBA64Model
				} else {
					d.config.ColorModel = color.RGBAModel
				}
			case 2:
				d.mode = mNRGBA
				if d.bpp == 16 {
					d.config.ColorModel = color.NRGBA64Model
				} else {
					d.config.ColorModel = color.NRGBAModel
				}
			default:
				return nil, FormatError("wrong number of samples for RGB")
			}
		default:
			return nil, FormatError("wrong number of samples for RGB")
		}
	case pCIELab:
		// PIL 9.4 reads CIELab only as 3 samples of 8 bits (its LAB
		// mode); they are read as RGB and converted as PIL does.
		bits := d.features[tBitsPerSample]
		if len(bits) != 3 || bits[0] != 8 || bits[1] != 8 || bits[2] != 8 {
			return nil, UnsupportedError(fmt.Sprintf("CIELab with %d samples of %d bits", len(bits), d.bpp))
		}
		d.mode, d.lab = mRGB, true
		d.config.ColorModel = color.RGBAModel
	case pCMYK:
		if err := d.initCMYK(); err != nil {
			return nil, err
		}
		d.config.ColorModel = color.CMYKModel
	case pPaletted:
		d.mode = mPaletted
		d.config.ColorModel = color.Palette(d.palette)
	case pWhiteIsZero:
		d.mode = mGrayInvert
		if d.bpp == 16 {
			d.config.ColorModel = color.Gray16Model
		} else {
			d.config.ColorModel = color.GrayModel
		}
	case pBlackIsZero:
		d.mode = mGray
		if d.bpp == 16 {
			d.config.ColorModel = color.Gray16Model
		} else {
			d.config.ColorModel = color.GrayModel
		}
	default:
		return nil, UnsupportedError(fmt.Sprintf("Photometric %d", d.firstVal(tPhotometricInterpretation)))
	}
	if p := d.firstVal(tPhotometricInterpretation); p != pRGB && p != pYCbCr && p != pCMYK && p != pCIELab {
		// Grey or palette with unassociated alpha (PIL's LA and PA):
		// the alpha sample is read and dropped.
		if len(d.features[tBitsPerSample]) == 2 && d.bpp == 8 && d.firstVal(tExtraSamples) == 2 {
			d.extra = 1
		} else if len(d.features[tBitsPerSample]) != 1 {
			return nil, UnsupportedError("extra samples")
		}
	}
	// Signed, float or 32-bit grey: PIL's modes I and F, which
	// convert("L") and ("RGB") clip to 0–255 (floats truncated).
	if sf := d.firstVal(tSampleFormat); sf > 1 || d.bpp == 12 || d.bpp == 32 {
		grey := len(d.features[tBitsPerSample]) == 1 && (d.mode == mGray || sf == 3 && d.mode == mGrayInvert)
		if !grey || d.bpp < 12 || sf > 1 && d.bpp == 12 || sf == 3 && d.bpp != 32 || d.firstVal(tPredictor) > prNone {
			return nil, UnsupportedError(fmt.Sprintf("SampleFormat %d with %d bits", max(sf, 1), d.bpp))
		}
		d.mode = mGrayNumeric
		d.config.ColorModel = color.GrayModel
	}
	if pc := d.firstVal(tPlanarConfiguration); pc > 2 {
		return nil, UnsupportedError(fmt.Sprintf("PlanarConfiguration of %d", pc))
	}

	return d, nil
}

// DecodeConfig returns the color model and dimensions of a TIFF image without
// decoding the entire image.
func DecodeConfig(r io.Reader) (image.Config, error) {
	d, err := newDecoder(r)
	if err != nil {
		return image.Config{}, err
	}
	return d.config, nil
}

// Decode reads a TIFF image from r and returns it as an image.Image.
// The type of Image returned depends on the contents of the TIFF.
func Decode(r io.Reader) (img image.Image, err error) {
	d, err := newDecoder(r)
	if err != nil {
		return
	}

	blockPadding := false
	blockWidth := d.config.Width
	blockHeight := d.config.Height
	blocksAcross := 1
	blocksDown := 1

	if d.config.Width == 0 {
		blocksAcross = 0
	}
	if d.config.Height == 0 {
		blocksDown = 0
	}

	var blockOffsets, blockCounts []uint

	// With PlanarConfiguration 2 each sample has its own strips or tiles,
	// all of the first sample's, then the second's, and so on.
	planes := 1
	if d.firstVal(tPlanarConfiguration) == 2 {
		planes = len(d.features[tBitsPerSample])
	}

	if d.firstVal(tTileWidth) != 0 {
		blockPadding = true

		if blockWidth, err = d.firstIntVal(tTileWidth); err != nil {
			return nil, err
		}
		if blockHeight, err = d.firstIntVal(tTileLength); err != nil {
			return nil, err
		}

		// The specification says that tile widths and lengths must be a multiple of 16.
		// We currently permit invalid sizes, but reject anything too small to limit the
		// amount of work a malicious input can force us to perform.
		if blockWidth < 8 || blockHeight < 8 {
			return nil, FormatError("tile size is too small")
		}
		// Same conservative assumption on bytes-per-pixel as for the image dimensions.
		if _, ok := safemath.Mul3(blockWidth, blockHeight, maxBytesPerPixel); !ok {
			return nil, FormatError("tile size is too large")
		}
		if blockWidth-d.config.Width > 16 || blockHeight-d.config.Height > 16 {
			// Tiles may be padded to the nearest multiple of 16, but one of
			// the dimensions of the tile exceeds the image dimension by more
			// than padding would require.
			//
			// Typical TIFF tiles are 256x256, but 1024x1024 appears to be
			// in occasional use. If the tile is both larger than the image
			// and has more than 1024 pixels in one dimension, it's
			// probably malicious input.
			//
			// Note that this still permits very large tiles,
			// so long as the tile is smaller than the image dimensions.
			// A gigapixel image with a 2048x2048 tile size
			// (used in some GIS applications)
			// will be valid because the image dimensions are much larger
			// than the tile size.
			if blockWidth > 1024 || blockHeight > 1024 {
				return nil, FormatError("tile size exceeds image size")
			}
		}
		if blockWidth != 0 {
			blocksAcross = (d.config.Width + blockWidth - 1) / blockWidth
		}
		if blockHeight != 0 {
			blocksDown = (d.config.Height + blockHeight - 1) / blockHeight
		}

		blockOffsets, err = d.parseIFDOffsets(tTileOffsets, blocksAcross*blocksDown*planes)
		if err != nil {
			return nil, err
		}
		blockCounts, err = d.parseIFDOffsets(tTileByteCounts, blocksAcross*blocksDown*planes)
		if err != nil {
			return nil, err
		}
	} else {

		if v := d.firstVal(tRowsPerStrip); v > 0 && v < uint(blockHeight) {
			blockHeight = int(v)
		}

		if blockHeight != 0 {
			// This can't overflow: We require that w*h*8 not overflow and
			// blockHeight is no more than d.config.Height.
			blocksDown = (d.config.Height + blockHeight - 1) / blockHeight
		}

		blockOffsets, err = d.parseIFDOffsets(tStripOffsets, blocksDown*planes)
		if err != nil {
			return nil, err
		}
		blockCounts, err = d.parseIFDOffsets(tStripByteCounts, blocksDown*planes)
		if err != nil {
			return nil, err
		}
	}

	// Check if we have the right number of strips/tiles, offsets and counts.
	if n := blocksAcross * blocksDown * planes; len(blockOffsets) < n || len(blockCounts) < n {
		return nil, FormatError("inconsistent header")
	}

	imgRect := image.Rect(0, 0, d.config.Width, d.config.Height)
	switch d.mode {
	case mGrayNumeric:
		img = image.NewGray(imgRect)
	case mGray, mGrayInvert:
		if d.bpp == 16 {
			img = image.NewGray16(imgRect)
		} else {
			img = image.NewGray(imgRect)
		}
	case mPaletted:
		img = image.NewPaletted(imgRect, d.palette)
	case mCMYK:
		img = image.NewCMYK(imgRect)
	case mNRGBA:
		if d.bpp == 16 {
			img = image.NewNRGBA64(imgRect)
		} else {
			img = image.NewNRGBA(imgRect)
		}
	case mRGB, mRGBA:
		if d.bpp == 16 {
			img = image.NewRGBA64(imgRect)
		} else {
			img = image.NewRGBA(imgRect)
		}
	}

	if blocksAcross == 0 || blocksDown == 0 {
		return
	}
	if d.firstVal(tCompression) == cJPEGOld {
		return img, d.decodeOldJPEG(img, blockOffsets, blockCounts)
	}
	// Maximum data per pixel is 8 bytes (RGBA64).
	blockMaxDataSize := int64(blockWidth) * int64(blockHeight) * 8
	for i := 0; i < blocksAcross; i++ {
		blkW := blockWidth
		if !blockPadding && i == blocksAcross-1 && d.config.Width%blockWidth != 0 {
			blkW = d.config.Width % blockWidth
		}
		for jp := 0; jp < blocksDown*planes; jp++ {
			j, p := jp/planes, jp%planes
			blkH := blockHeight
			if !blockPadding && j == blocksDown-1 && d.config.Height%blockHeight != 0 {
				blkH = d.config.Height % blockHeight
			}
			offset := int64(blockOffsets[p*blocksAcross*blocksDown+j*blocksAcross+i])
			n := int64(blockCounts[p*blocksAcross*blocksDown+j*blocksAcross+i])
			switch d.firstVal(tCompression) {

			// According to the spec, Compression does not have a default value,
			// but some tools interpret a missing Compression value as none, so we do
			// the same.
			case cNone, 0:
				if n > blockMaxDataSize {
					return nil, FormatError("block data size too large")
				}
				if b, ok := d.r.(*buffer); ok {
					d.buf, err = b.Slice(offset, n)
				} else {
					d.buf, err = safeReadAt(d.r, uint64(n), offset)
				}
			case cG3, cG4, cCCITTRLE, cCCITTRLEW:
				if n > blockMaxDataSize {
					return nil, FormatError("block data size too large")
				}
				var b []byte
				if b, err = safeReadAt(d.r, uint64(n), offset); err == nil {
					d.buf, err = faxDecode(b, offset, d.firstVal(tCompression), d.firstVal(tT4Options), d.firstVal(tFillOrder), blkW, blkH)
				}
			case cLZW:
				r := lzw.NewReader(io.NewSectionReader(d.r, offset, n), lzw.MSB, 8)
				d.buf, err = readBuf(r, d.buf, blockMaxDataSize)
				r.Close()
			case cDeflate, cDeflateOld:
				var r io.ReadCloser
				r, err = zlib.NewReader(io.NewSectionReader(d.r, offset, n))
				if err != nil {
					return nil, err
				}
				d.buf, err = readBuf(r, d.buf, blockMaxDataSize)
				r.Close()
			case cPackBits:
				d.buf, err = unpackBits(io.NewSectionReader(d.r, offset, n), blockMaxDataSize)
			case cJPEG:
				if JPEG == nil || n > blockMaxDataSize {
					err = UnsupportedError("JPEG compression")
					break
				}
				var b []byte
				if b, err = safeReadAt(d.r, uint64(n), offset); err == nil {
					d.buf, err = JPEG(d.jpegTables, b, blkW, blkH, len(d.features[tBitsPerSample]),
						d.firstVal(tPhotometricInterpretation) == pYCbCr)
				}
			case cLZMA:
				if n > blockMaxDataSize {
					return nil, FormatError("block data size too large")
				}
				var b []byte
				if b, err = safeReadAt(d.r, uint64(n), offset); err == nil {
					d.buf, err = readLZMA(b, blockMaxDataSize)
				}
			case cZSTD:
				d.buf, err = readZSTD(io.NewSectionReader(d.r, offset, n), d.buf, blockMaxDataSize)
			case cWebP:
				if WebP == nil || n > blockMaxDataSize {
					err = UnsupportedError("WebP compression")
					break
				}
				var b []byte
				if b, err = safeReadAt(d.r, uint64(n), offset); err == nil {
					d.buf, err = WebP(b, blkW, blkH, len(d.features[tBitsPerSample]))
				}
			default:
				err = UnsupportedError(fmt.Sprintf("compression value %d", d.firstVal(tCompression)))
			}
			if err != nil {
				return nil, err
			}
			if planes > 1 {
				if d.interleave(p, planes); p < planes-1 {
					continue
				}
			}
			if d.ycbcr != nil {
				if d.buf, err = d.ycbcr.rgb(d.buf, blkW, blkH); err != nil {
					return nil, err
				}
			}

			xmin := i * blockWidth
			ymin := j * blockHeight
			xmax := xmin + blkW
			ymax := ymin + blkH
			err = d.decode(img, xmin, ymin, xmax, ymax)
			if err != nil {
				return nil, err
			}
		}
	}
	if d.lab {
		CIELabToRGB(img.(*image.RGBA).Pix)
	}
	return
}

// entry returns an IFD entry's count, its inline value field and that
// field read as an offset, for classic (12-byte) or BigTIFF (20-byte)
// entries.
func (d *decoder) entry(p []byte) (count uint64, inline []byte, offset int64) {
	if d.big {
		return d.byteOrder.Uint64(p[4:12]), p[12:20], int64(d.byteOrder.Uint64(p[12:20]) & math.MaxInt64)
	}
	return uint64(d.byteOrder.Uint32(p[4:8])), p[8:12], int64(d.byteOrder.Uint32(p[8:12]))
}

// interleave stores plane p of a block, read into d.buf, and once the
// last plane is in, points d.buf at the samples of all planes interleaved
// as PlanarConfiguration 1 stores them; samples missing from a short plane
// end the interleaved data early.
func (d *decoder) interleave(p, planes int) {
	if len(d.planeBufs) != planes {
		d.planeBufs = make([][]byte, planes)
	}
	d.planeBufs[p] = append(d.planeBufs[p][:0], d.buf...)
	if p < planes-1 {
		return
	}
	bps := int(d.bpp) / 8 // bytes per sample (8 or 16 bits)
	n := len(d.planeBufs[0]) / bps
	for _, b := range d.planeBufs {
		n = min(n, len(b)/bps)
	}
	if cap(d.interleaved) < n*planes*bps {
		d.interleaved = make([]byte, n*planes*bps)
	}
	out := d.interleaved[:n*planes*bps] // [n samples][planes][bps]
	for q, b := range d.planeBufs {
		for k := 0; k < n; k++ {
			copy(out[(k*planes+q)*bps:(k*planes+q+1)*bps], b[k*bps:(k+1)*bps])
		}
	}
	d.buf = out
}

func readBuf(r io.Reader, buf []byte, lim int64) ([]byte, error) {
	b := bytes.NewBuffer(buf[:0])
	_, err := b.ReadFrom(io.LimitReader(r, lim))
	return b.Bytes(), err
}
