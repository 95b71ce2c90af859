package preprocess

import (
	"bytes"
	"compress/lzw"
	"compress/zlib"
	"encoding/binary"
	"io"

	"github.com/klauspost/compress/zstd"
	"github.com/vitgo/vit/internal/preprocess/tiff"
)

// tiffBlocks returns the byte ranges of the first IFD's strips (or
// tiles), for measuring what they inflate to; ok is false when the IFD
// cannot be read.
func tiffBlocks(data []byte) (offsets, counts []int64, ok bool) {
	if len(data) < 8 {
		return nil, nil, false
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if data[0] == 'M' {
		bo = binary.BigEndian
	}
	off := int64(bo.Uint32(data[4:]))
	if off+2 > int64(len(data)) {
		return nil, nil, false
	}
	n := int64(bo.Uint16(data[off:]))
	// values reads an entry's SHORT or LONG array.
	values := func(e int64) ([]int64, bool) {
		typ, cnt := bo.Uint16(data[e+2:]), int64(bo.Uint32(data[e+4:]))
		size := map[uint16]int64{3: 2, 4: 4}[typ]
		if size == 0 || cnt > int64(len(data))/size {
			return nil, false
		}
		at := e + 8
		if cnt*size > 4 {
			at = int64(bo.Uint32(data[e+8:]))
		}
		if at < 0 || at+cnt*size > int64(len(data)) {
			return nil, false
		}
		v := make([]int64, cnt)
		for i := range v {
			if size == 2 {
				v[i] = int64(bo.Uint16(data[at+2*int64(i):]))
			} else {
				v[i] = int64(bo.Uint32(data[at+4*int64(i):]))
			}
		}
		return v, true
	}
	for i := int64(0); i < n; i++ {
		e := off + 2 + 12*i
		if e+12 > int64(len(data)) {
			return nil, nil, false
		}
		var good bool
		switch bo.Uint16(data[e:]) {
		case 273, 324: // StripOffsets, TileOffsets
			offsets, good = values(e)
		case 279, 325: // StripByteCounts, TileByteCounts
			counts, good = values(e)
		default:
			continue
		}
		if !good {
			return nil, nil, false
		}
	}
	return offsets, counts, len(offsets) > 0 && len(offsets) == len(counts)
}

// tiffStripMax is the most bytes any compressed strip of data inflates
// to, reading at most limit+1 bytes of each and total bytes in all (past
// that it reports total: the need is over any budget); ok is false when
// it cannot be measured (then the caller assumes the worst).
func tiffStripMax(data []byte, compression int64, limit, total int64) (int64, bool) {
	offsets, counts, ok := tiffBlocks(data)
	if !ok {
		return 0, false
	}
	var most, sum int64
	for i, o := range offsets {
		if sum > total {
			return total, true
		}
		c := counts[i]
		if o < 0 || c < 0 || o > int64(len(data)) || c > int64(len(data))-o {
			continue // x/image reports the bad range
		}
		src := bytes.NewReader(data[o : o+c])
		var r io.Reader
		switch compression {
		case 8, 32946: // deflate
			z, err := zlib.NewReader(src)
			if err != nil {
				continue
			}
			r = z
		case 5: // LZW: x/image's MSB variant inflates no more than this one
			r = lzw.NewReader(src, lzw.MSB, 8)
		case 34925: // LZMA
			z, err := tiff.LZMAReader(data[o:o+c], limit)
			if err != nil {
				continue
			}
			r = z
		case 50000: // Zstandard
			z, err := zstd.NewReader(src, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
				zstd.WithDecoderMaxWindow(1<<27))
			if err != nil {
				continue
			}
			n, _ := io.Copy(io.Discard, io.LimitReader(z, limit+1))
			z.Close()
			most, sum = max(most, n), sum+n
			continue
		default:
			return 0, false
		}
		n, _ := io.Copy(io.Discard, io.LimitReader(r, limit+1))
		most, sum = max(most, n), sum+n
	}
	return most, true
}
