package tiff

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/ulikunitz/xz/lzma"
)

// cLZMA is libtiff's LZMA2 compression (tif_lzma.c): each strip or tile
// an .xz stream whose block runs a byte-wise delta filter (distance: the
// bytes of a sample) then LZMA2.
const cLZMA = 34925

// readLZMA inflates an .xz strip, at most lim bytes: the block header is
// read here (the delta filter is not one github.com/ulikunitz/xz
// applies), the LZMA2 data by ulikunitz/xz/lzma with a dictionary no
// larger than lim (no reference can reach further back than the output),
// and the delta undone.
func readLZMA(src []byte, lim int64) ([]byte, error) {
	r, delta, err := lzmaReader(src, lim)
	if err != nil {
		return nil, err
	}
	out, err := readBuf(r, nil, lim)
	if err != nil {
		return nil, err
	}
	for i := delta; delta > 0 && i < len(out); i++ {
		out[i] += out[i-delta]
	}
	return out, nil
}

// LZMAReader reads the data of an LZMA strip (Compression 34925), still
// delta-coded, for measuring what it inflates to; lim bounds the
// dictionary as in decoding.
func LZMAReader(src []byte, lim int64) (io.Reader, error) {
	r, _, err := lzmaReader(src, lim)
	return r, err
}

// lzmaReader parses an .xz strip's block header and returns a reader of
// its LZMA2 data and the delta filter's distance (0: none).
func lzmaReader(src []byte, lim int64) (r io.Reader, delta int, err error) {
	if len(src) < 12+2 || !bytes.HasPrefix(src, []byte("\xfd7zXZ\x00")) {
		return nil, 0, FormatError("LZMA strip is not an .xz stream")
	}
	hdr := src[12:]
	size := (int(hdr[0]) + 1) * 4 // block header size
	if hdr[0] == 0 || size > len(hdr) {
		return nil, 0, FormatError("bad .xz block header")
	}
	flags := hdr[1]
	if flags&0x3c != 0 {
		return nil, 0, FormatError("bad .xz block flags")
	}
	p := 2
	varint := func() (uint64, error) {
		v, n := binary.Uvarint(hdr[p:size])
		if n <= 0 {
			return 0, FormatError("bad .xz block header")
		}
		p += n
		return v, nil
	}
	for _, bit := range []byte{0x40, 0x80} { // compressed, uncompressed size
		if flags&bit != 0 {
			if _, err := varint(); err != nil {
				return nil, 0, err
			}
		}
	}
	delta = 0
	var dict int64
	for f := 0; f <= int(flags&3); f++ {
		id, err := varint()
		if err != nil {
			return nil, 0, err
		}
		n, err := varint()
		if err != nil {
			return nil, 0, err
		}
		if n != 1 || p >= size {
			return nil, 0, FormatError("bad .xz filter properties")
		}
		prop := hdr[p]
		p++
		switch {
		case id == 0x03 && f < int(flags&3): // delta, then more
			delta = int(prop) + 1
		case id == 0x21 && f == int(flags&3): // LZMA2, last
			if dict, err = lzma.DecodeDictCap(prop); err != nil {
				return nil, 0, FormatError("bad LZMA2 dictionary size")
			}
		default:
			return nil, 0, UnsupportedError(fmt.Sprintf("LZMA filter %#x", id))
		}
	}
	if dict == 0 {
		return nil, 0, FormatError(".xz block without LZMA2")
	}
	cfg := lzma.Reader2Config{DictCap: int(max(lzma.MinDictCap, min(dict, lim)))}
	r2, err := cfg.NewReader2(bytes.NewReader(hdr[size:]))
	if err != nil {
		return nil, 0, FormatError("bad LZMA2 data")
	}
	return r2, delta, nil
}
