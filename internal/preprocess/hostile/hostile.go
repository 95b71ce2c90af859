// Package hostile synthesizes the hostile-input corpus: files of a few
// hundred bytes to a few hundred kilobytes that claim, or inflate to, far
// more memory than they are worth. Nothing large is committed; the tests
// of internal/preprocess and of the command build the files from here.
package hostile

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
)

// ZlibZeros is zlib data inflating to n zero bytes.
func ZlibZeros(n int) []byte {
	var b bytes.Buffer
	w, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
	zero := make([]byte, 1<<16)
	for n > 0 {
		k := min(n, len(zero))
		w.Write(zero[:k])
		n -= k
	}
	w.Close()
	return b.Bytes()
}

// ZlibNoise is zlib data inflating to n pseudo-random bytes.
func ZlibNoise(n int) []byte {
	raw := make([]byte, n)
	x := uint32(1)
	for i := range raw {
		x = x*1664525 + 1013904223
		raw[i] = byte(x >> 24)
	}
	var b bytes.Buffer
	w, _ := zlib.NewWriterLevel(&b, zlib.BestSpeed)
	w.Write(raw)
	w.Close()
	return b.Bytes()
}

func pngChunk(b *bytes.Buffer, typ string, data []byte) {
	binary.Write(b, binary.BigEndian, uint32(len(data)))
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	b.WriteString(typ)
	b.Write(data)
	binary.Write(b, binary.BigEndian, crc.Sum32())
}

// PNG is a PNG of w×h pixels (colour type ct, 8 bits) with idat as
// its only IDAT.
func PNG(w, h uint32, ct byte, idat []byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, ct
	pngChunk(&b, "IHDR", ihdr)
	pngChunk(&b, "IDAT", idat)
	pngChunk(&b, "IEND", nil)
	return b.Bytes()
}

// TallPNG is a 1×h gray PNG: h rows of a filter byte and one pixel.
func TallPNG(h int) []byte { return PNG(1, uint32(h), 0, ZlibZeros(2*h)) }

// ProgressiveJPEG is the head of a progressive w×h JPEG with n components
// (4: Adobe CMYK) and a DC scan over component 0 whose data is missing:
// the decoder must allocate every coefficient block to start it.
func ProgressiveJPEG(w, h, n int) []byte {
	var b bytes.Buffer
	b.Write([]byte{0xff, 0xd8})
	if n == 4 {
		b.Write([]byte{0xff, 0xee, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0})
	}
	b.Write([]byte{0xff, 0xdb, 0, 67, 0})
	for i := 0; i < 64; i++ {
		b.WriteByte(1)
	}
	sof := []byte{0xff, 0xc2, 0, byte(8 + 3*n), 8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(n)}
	for c := 0; c < n; c++ {
		sof = append(sof, byte(c+1), 0x11, 0)
	}
	b.Write(sof)
	// DC table 0: one code, '0', for category 0.
	b.Write([]byte{0xff, 0xc4, 0, 20, 0x00, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	b.Write([]byte{0xff, 0xda, 0, 8, 1, 1, 0x00, 0, 0, 0})
	b.Write(make([]byte, 64))
	b.Write([]byte{0xff, 0xd9})
	return b.Bytes()
}

// ScanBombJPEG is an 8×8 progressive gray JPEG with n DC scans.
func ScanBombJPEG(n int) []byte {
	full := ProgressiveJPEG(8, 8, 1)
	i := bytes.Index(full, []byte{0xff, 0xda})
	var b bytes.Buffer
	b.Write(full[:i])
	for k := 0; k < n; k++ {
		b.Write([]byte{0xff, 0xda, 0, 8, 1, 1, 0x00, 0, 0, 0, 0x7f})
	}
	b.Write([]byte{0xff, 0xd9})
	return b.Bytes()
}

// DeflateTIFF is a w×h 8-bit gray TIFF whose single deflate strip
// inflates to inflated bytes (w·h are needed).
func DeflateTIFF(w, h, inflated int) []byte { return GrayTIFF(w, h, 8, ZlibZeros(inflated)) }

// GrayTIFF is a w×h 8-bit gray TIFF with one strip of the given
// compression.
func GrayTIFF(w, h, compression int, strip []byte) []byte {
	return greyTIFF(w, h, 8, compression, strip)
}

// WhiteFaxTIFF is a w×h white CCITT Group 4 TIFF: each row is one
// vertical-mode code, a single bit, so h/8 bytes claim w·h pixels and
// their ⌈w/8⌉·h bytes of decoded rows.
func WhiteFaxTIFF(w, h int) []byte {
	strip := bytes.Repeat([]byte{0xff}, h/8)
	if h%8 != 0 {
		strip = append(strip, ^byte(0xff>>(h%8)))
	}
	return greyTIFF(w, h, 1, 4, strip)
}

// greyTIFF is a w×h BlackIsZero TIFF of the given bits per sample with
// one strip of the given compression.
func greyTIFF(w, h, bits, compression int, strip []byte) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("II*\x00")
	binary.Write(&b, le, uint32(8+len(strip)))
	b.Write(strip)
	entries := [][3]uint32{
		{256, 4, uint32(w)}, {257, 4, uint32(h)}, {258, 3, uint32(bits)}, {259, 3, uint32(compression)},
		{262, 3, 1}, {273, 4, 8}, {277, 3, 1}, {278, 4, uint32(h)}, {279, 4, uint32(len(strip))},
	}
	binary.Write(&b, le, uint16(len(entries)))
	for _, e := range entries {
		binary.Write(&b, le, uint16(e[0]))
		binary.Write(&b, le, uint16(e[1]))
		binary.Write(&b, le, uint32(1))
		if e[1] == 3 {
			binary.Write(&b, le, uint16(e[2]))
			binary.Write(&b, le, uint16(0))
		} else {
			binary.Write(&b, le, e[2])
		}
	}
	binary.Write(&b, le, uint32(0))
	return b.Bytes()
}

// GIFHeader is the screen and image descriptor of a w×h GIF, no data.
func GIFHeader(w, h int) []byte {
	b := []byte("GIF89a")
	b = binary.LittleEndian.AppendUint16(b, uint16(w))
	b = binary.LittleEndian.AppendUint16(b, uint16(h))
	b = append(b, 0, 0, 0, ',', 0, 0, 0, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(w))
	b = binary.LittleEndian.AppendUint16(b, uint16(h))
	return append(b, 0, 8, 2, 0x4c, 0x01, 0, ';')
}
