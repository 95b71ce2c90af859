package preprocess

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/vitgo/vit/internal/preprocess/jpeg"
)

// The hostile corpus: files of a few hundred bytes to a few hundred
// kilobytes that claim, or inflate to, far more memory than they are
// worth. Each is synthesized here, so nothing large is committed.

// zlibZeros is zlib data inflating to n zero bytes.
func zlibZeros(n int) []byte {
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

// zlibNoise is zlib data inflating to n pseudo-random bytes.
func zlibNoise(n int) []byte {
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

// pngFile is a PNG of w×h pixels (colour type ct, 8 bits) with idat as
// its only IDAT.
func pngFile(w, h uint32, ct byte, idat []byte) []byte {
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

// tallPNG is a 1×h gray PNG: h rows of a filter byte and one pixel.
func tallPNG(h int) []byte { return pngFile(1, uint32(h), 0, zlibZeros(2*h)) }

// progressiveJPEG is the head of a progressive w×h JPEG with n components
// (4: Adobe CMYK) and a DC scan over component 0 whose data is missing:
// the decoder must allocate every coefficient block to start it.
func progressiveJPEG(w, h, n int) []byte {
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

// scanBombJPEG is an 8×8 progressive gray JPEG with n DC scans.
func scanBombJPEG(n int) []byte {
	full := progressiveJPEG(8, 8, 1)
	i := bytes.Index(full, []byte{0xff, 0xda})
	var b bytes.Buffer
	b.Write(full[:i])
	for k := 0; k < n; k++ {
		b.Write([]byte{0xff, 0xda, 0, 8, 1, 1, 0x00, 0, 0, 0, 0x7f})
	}
	b.Write([]byte{0xff, 0xd9})
	return b.Bytes()
}

// deflateTIFF is a w×h 8-bit gray TIFF whose single deflate strip
// inflates to inflated bytes (w·h are needed).
func deflateTIFF(w, h, inflated int) []byte { return grayTIFF(w, h, 8, zlibZeros(inflated)) }

// grayTIFF is a w×h 8-bit gray TIFF with one strip of the given
// compression.
func grayTIFF(w, h, compression int, strip []byte) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("II*\x00")
	binary.Write(&b, le, uint32(8+len(strip)))
	b.Write(strip)
	entries := [][3]uint32{
		{256, 4, uint32(w)}, {257, 4, uint32(h)}, {258, 3, 8}, {259, 3, uint32(compression)},
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

// gifHeader is the screen and image descriptor of a w×h GIF, no data.
func gifHeader(w, h int) []byte {
	b := []byte("GIF89a")
	b = binary.LittleEndian.AppendUint16(b, uint16(w))
	b = binary.LittleEndian.AppendUint16(b, uint16(h))
	b = append(b, 0, 0, 0, ',', 0, 0, 0, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(w))
	b = binary.LittleEndian.AppendUint16(b, uint16(h))
	return append(b, 0, 8, 2, 0x4c, 0x01, 0, ';')
}

// zeros is an endless stream of zero bytes that counts what is read.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	clear(p)
	z.n += int64(len(p))
	return len(p), nil
}

// allocated returns the bytes the heap handed out while f ran: an upper
// bound on the peak heap f added.
func allocated(f func()) uint64 {
	runtime.GC()
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

var rgb224 = Recipe{Channels: 3, Height: 224, Width: 224, Resize: ResizeExact, ResizeHeight: 224, ResizeWidth: 224,
	Filter: Bilinear, Rescale: 1.0 / 255, Source: "test"}

func TestHostileInputs(t *testing.T) {
	const mib = 1 << 20
	cases := []struct {
		name   string
		file   func() io.Reader
		lim    Limits
		recipe *Recipe // run Pixels too
		want   error   // nil: success
		budget uint64  // bytes the call may allocate
	}{
		// A 1×1000000 PNG resized to 224×224 RGB: the horizontal pass of
		// every row was kept (672 MB); now one row and the output sums.
		{"tall png", bytesOf(tallPNG(1_000_000)), Limits{MaxMemory: 64 * mib}, &rgb224, nil, 64 * mib},
		// A 100000² header with a tiny body and --max-pixels raised.
		{"huge png header", bytesOf(pngFile(100000, 100000, 2, zlibZeros(100))), Limits{MaxPixels: 1 << 40}, nil, ErrOverBudget, mib},
		// Within the budget but far too small for its size.
		{"thin png body", bytesOf(pngFile(5000, 5000, 2, zlibZeros(100))), Limits{}, nil, ErrTruncated, mib},
		// The 901-byte 10000² progressive CMYK bomb's header.
		{"progressive cmyk bomb", bytesOf(progressiveJPEG(10000, 10000, 4)), Limits{}, nil, ErrOverBudget, mib},
		{"progressive gray in budget", bytesOf(progressiveJPEG(4000, 4000, 1)), Limits{MaxMemory: 32 * mib}, nil, ErrOverBudget, mib},
		// 1001 scans of an 8×8 image.
		{"scan bomb", bytesOf(scanBombJPEG(jpeg.MaxScans + 1)), Limits{}, nil, ErrCorrupt, 4 * mib},
		// A 2000² gray TIFF whose strip inflates to 8 bytes a pixel.
		{"tiff deflate bomb", bytesOf(deflateTIFF(2000, 2000, 2000*2000*8)), Limits{MaxMemory: 64 * mib}, nil, ErrOverBudget, 2 * mib},
		// An honest deflate TIFF of noise: its strip is measured, not
		// assumed to inflate to 8 bytes a pixel.
		{"honest deflate tiff", bytesOf(grayTIFF(2000, 2000, 8, zlibNoise(2000*2000))), Limits{MaxMemory: 64 * mib}, nil, nil, 64 * mib},
		{"thin uncompressed tiff", bytesOf(grayTIFF(8000, 8000, 1, make([]byte, 100))), Limits{}, nil, ErrTruncated, mib},
		{"huge gif header", bytesOf(gifHeader(20000, 20000)), Limits{MaxPixels: 1 << 40}, nil, ErrOverBudget, mib},
		{"endless zeros", func() io.Reader { return &zeros{} }, Limits{MaxBytes: 64 * mib}, nil, ErrUnknownFormat, mib},
		{"png magic then zeros", func() io.Reader {
			return io.MultiReader(bytes.NewReader([]byte("\x89PNG\r\n\x1a\n")), &zeros{})
		}, Limits{MaxBytes: 64 * mib}, nil, ErrCorrupt, mib},
		// A JPEG decoder skips junk between markers: the header search
		// stops after maxHeader bytes (its buffer, doubling, allocates 3×).
		{"jpeg magic then zeros", func() io.Reader {
			return io.MultiReader(bytes.NewReader([]byte{0xff, 0xd8}), &zeros{})
		}, Limits{MaxBytes: 64 * mib}, nil, ErrCorrupt, 3*maxHeader + mib}, // the header buffer doubles to maxHeader
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.file()
			var err error
			n := allocated(func() {
				var img any
				img, err = Decode(c.name, r, c.lim)
				if err == nil && c.recipe != nil {
					dst := make([]float32, 3*224*224)
					err = c.recipe.Pixels(img.(*Decoded), dst)
				}
			})
			t.Logf("%s: allocated %.1f MiB, err %v", c.name, float64(n)/mib, err)
			switch {
			case c.want == nil && err != nil:
				t.Errorf("err %v, want success", err)
			case c.want != nil && !errors.Is(err, c.want):
				t.Errorf("err %v, want %v", err, c.want)
			}
			var de *DecodeError
			if err != nil && (!errors.As(err, &de) || de.File != c.name) {
				t.Errorf("err %v: want a *DecodeError naming %q", err, c.name)
			}
			if n > c.budget {
				t.Errorf("allocated %d bytes, want at most %d", n, c.budget)
			}
			if z, ok := r.(*zeros); ok && z.n > 1<<16 {
				t.Errorf("read %d bytes of a non-image, want at most 64 KiB", z.n)
			}
		})
	}
}

func bytesOf(b []byte) func() io.Reader { return func() io.Reader { return bytes.NewReader(b) } }

// TestBudgetErrorMessage checks that the error names the file, the need
// and the limit.
func TestBudgetErrorMessage(t *testing.T) {
	_, err := Decode("bomb.jpg", bytes.NewReader(progressiveJPEG(10000, 10000, 4)), Limits{})
	var be *BudgetError
	if !errors.As(err, &be) || be.Limit != DefaultMaxMemory || be.Need < 2_000_000_000 {
		t.Fatalf("err %v: want a *BudgetError needing over 2 GB with the default limit", err)
	}
	want := "decode bomb.jpg (jpeg): over the memory budget: decoding 10000×10000 jpeg needs 2.2 GiB, limit 256 MiB"
	if err.Error() != want {
		t.Fatalf("err %q\nwant %q", err, want)
	}
}

// TestCancel stops a long resize through Limits.Context.
func TestCancel(t *testing.T) {
	file := tallPNG(4_000_000)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	img, err := Decode("tall.png", bytes.NewReader(file), Limits{Context: ctx})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	start := time.Now()
	err = rgb224.Pixels(img, make([]float32, 3*224*224))
	if !errors.Is(err, ErrCanceled) || !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Fatalf("err %v after %v, want ErrCanceled within a second", err, time.Since(start))
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel2)
	start = time.Now()
	_, err = Decode("tall.png", bytes.NewReader(file), Limits{Context: ctx2})
	if !errors.Is(err, ErrCanceled) && err != nil {
		t.Fatalf("decode: err %v, want ErrCanceled or success", err)
	}
	if time.Since(start) > time.Second {
		t.Fatalf("decode took %v after cancel", time.Since(start))
	}
}
