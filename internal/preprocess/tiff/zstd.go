package tiff

import (
	"io"

	"github.com/klauspost/compress/zstd"
)

// cZSTD is libtiff's Zstandard compression (tif_zstd.c): each strip or
// tile one Zstandard stream.
const cZSTD = 50000

// readZSTD inflates a Zstandard strip into buf, at most lim bytes. The
// window a frame declares may pass the strip's size; it is held to
// libzstd's default limit (2^27), and the history grows only as data
// comes (low-memory mode).
func readZSTD(r io.Reader, buf []byte, lim int64) ([]byte, error) {
	z, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxWindow(1<<27))
	if err != nil {
		return nil, err
	}
	defer z.Close()
	return readBuf(z, buf, lim)
}
