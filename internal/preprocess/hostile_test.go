package preprocess

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/vitgo/vit/internal/preprocess/hostile"
	"github.com/vitgo/vit/internal/preprocess/jpeg"
)

// The hostile corpus: files of a few hundred bytes to a few hundred
// kilobytes that claim, or inflate to, far more memory than they are
// worth. Each is synthesized here, so nothing large is committed.

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
		{"tall png", bytesOf(hostile.TallPNG(1_000_000)), Limits{MaxMemory: 64 * mib}, &rgb224, nil, 64 * mib},
		// A 100000² header with a tiny body and --max-pixels raised.
		{"huge png header", bytesOf(hostile.PNG(100000, 100000, 2, hostile.ZlibZeros(100))), Limits{MaxPixels: 1 << 40}, nil, ErrOverBudget, mib},
		// Within the budget but far too small for its size.
		{"thin png body", bytesOf(hostile.PNG(5000, 5000, 2, hostile.ZlibZeros(100))), Limits{}, nil, ErrTruncated, mib},
		// The 901-byte 10000² progressive CMYK bomb's header.
		{"progressive cmyk bomb", bytesOf(hostile.ProgressiveJPEG(10000, 10000, 4)), Limits{}, nil, ErrOverBudget, mib},
		{"progressive gray in budget", bytesOf(hostile.ProgressiveJPEG(4000, 4000, 1)), Limits{MaxMemory: 32 * mib}, nil, ErrOverBudget, mib},
		// 1001 scans of an 8×8 image.
		{"scan bomb", bytesOf(hostile.ScanBombJPEG(jpeg.MaxScans + 1)), Limits{}, nil, ErrCorrupt, 4 * mib},
		// A 2000² gray TIFF whose strip inflates to 8 bytes a pixel.
		{"tiff deflate bomb", bytesOf(hostile.DeflateTIFF(2000, 2000, 2000*2000*8)), Limits{MaxMemory: 64 * mib}, nil, ErrOverBudget, 2 * mib},
		// A Zstandard strip inflating to 8 bytes a pixel; measuring it,
		// the decoder's history takes about 8 MiB.
		{"tiff zstd bomb", bytesOf(hostile.GrayTIFF(2000, 2000, 50000, hostile.ZstdZeros(2000*2000*8))), Limits{MaxMemory: 64 * mib}, nil, ErrOverBudget, 12 * mib},
		{"tiff lzma bomb", bytesOf(hostile.GrayTIFF(2000, 2000, 34925, hostile.XZZeros(2000*2000*8))), Limits{MaxMemory: 64 * mib}, nil, ErrOverBudget, 12 * mib},
		// An honest deflate TIFF of noise: its strip is measured, not
		// assumed to inflate to 8 bytes a pixel.
		{"honest deflate tiff", bytesOf(hostile.GrayTIFF(2000, 2000, 8, hostile.ZlibNoise(2000*2000))), Limits{MaxMemory: 64 * mib}, nil, nil, 64 * mib},
		// A white Group 4 fax: a bit a row, so 7.5 KB claim 60000×1000
		// pixels and 7.5 MB of decoded rows besides the 60 MB image.
		{"white fax over budget", bytesOf(hostile.WhiteFaxTIFF(60000, 1000)), Limits{MaxMemory: 64 * mib}, nil, ErrOverBudget, mib},
		{"white fax in budget", bytesOf(hostile.WhiteFaxTIFF(4000, 4000)), Limits{MaxMemory: 64 * mib}, nil, nil, 24 * mib},
		{"thin uncompressed tiff", bytesOf(hostile.GrayTIFF(8000, 8000, 1, make([]byte, 100))), Limits{}, nil, ErrTruncated, mib},
		{"huge gif header", bytesOf(hostile.GIFHeader(20000, 20000)), Limits{MaxPixels: 1 << 40}, nil, ErrOverBudget, mib},
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
	_, err := Decode("bomb.jpg", bytes.NewReader(hostile.ProgressiveJPEG(10000, 10000, 4)), Limits{})
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
	file := hostile.TallPNG(4_000_000)
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
	// A context that turns done at its n-th look stops the decode there,
	// whatever the machine's speed: each look is one check between the
	// decoder's reads. Every look of a whole decode is tried.
	whole := &doneAfter{n: -1, done: make(chan struct{})}
	if _, err := Decode("tall.png", bytes.NewReader(file), Limits{Context: whole}); err != nil || whole.calls < 3 {
		t.Fatalf("decode: err %v after %d looks at the context, want success after several", err, whole.calls)
	}
	for n := 1; n <= whole.calls; n++ {
		ctx := &doneAfter{n: n, done: make(chan struct{})}
		_, err = Decode("tall.png", bytes.NewReader(file), Limits{Context: ctx})
		if !errors.Is(err, ErrCanceled) || !errors.Is(err, context.Canceled) {
			t.Errorf("decode canceled at look %d: err %v, want ErrCanceled", n, err)
		}
	}
}

// doneAfter is a context that turns done at the n-th call of Done (never
// for n < 1) and stays so: cancellation at a chosen point of a decode.
type doneAfter struct {
	context.Context // nil: only Done and Err are called
	n, calls        int
	done            chan struct{}
}

func (c *doneAfter) Done() <-chan struct{} {
	if c.calls++; c.calls == c.n {
		close(c.done)
	}
	return c.done
}

func (c *doneAfter) Err() error {
	if c.n >= 1 && c.calls >= c.n {
		return context.Canceled
	}
	return nil
}
