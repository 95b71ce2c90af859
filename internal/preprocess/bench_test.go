package preprocess

import (
	"bytes"
	"github.com/vitgo/vit/internal/rusage"
	"image"
	"image/jpeg"
	"os"
	"sync"
	"testing"
	"time"
)

// reportCPU adds cpu-ms/op to a benchmark started at t0 (rusage.CPUTime), where
// the CPU time is known.
func reportCPU(b *testing.B, t0 time.Duration) {
	if t1 := rusage.CPUTime(); t1 > 0 {
		b.ReportMetric(float64(t1-t0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	}
}

var (
	bigJPEGOnce sync.Once
	bigJPEG     []byte
)

// photoJPEG is a 4000×3000 4:2:0 JPEG with photo-like content (smooth
// gradients, edges and noise), made once per test binary.
func photoJPEG(b *testing.B) []byte {
	bigJPEGOnce.Do(func() {
		const w, h = 4000, 3000
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		seed := uint32(1)
		for y := 0; y < h; y++ {
			row := img.Pix[y*img.Stride:]
			for x := 0; x < w; x++ {
				seed = seed*1664525 + 1013904223
				n := uint8(seed>>28) * 2
				r := uint8(x*255/w) + n
				g := uint8(y*255/h) + n
				bl := uint8((x/97+y/61)%2*160) + n
				row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = r, g, bl, 255
			}
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
			b.Fatal(err)
		}
		bigJPEG = buf.Bytes()
	})
	return bigJPEG
}

// BenchmarkPipeline is one 4000×3000 JPEG end to end: decode, convert,
// resize to 224×224 (HF ViT recipe, bilinear), normalize.
func BenchmarkPipeline(b *testing.B) {
	data := photoJPEG(b)
	// The same photo as a phone would store it: EXIF orientation 6.
	exif := []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00")
	app1 := append([]byte{0xff, 0xe1, 0, byte(2 + 6 + len(exif))}, "Exif\x00\x00"...)
	rotated := append(append(append([]byte{}, data[:2]...), append(app1, exif...)...), data[2:]...)
	for _, rc := range []struct {
		name string
		r    Recipe
		data []byte
	}{
		{"vit224", DefaultHF("vit", 224, 3), data},
		{"deit224", DefaultHF("deit", 224, 3), data},
		{"vit224-exif6", DefaultHF("vit", 224, 3), rotated},
	} {
		r, data := rc.r, rc.data
		dst := make([]float32, 3*224*224) // [C, H, W]
		b.Run(rc.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			t0 := rusage.CPUTime()
			defer reportCPU(b, t0)
			for i := 0; i < b.N; i++ {
				if err := r.Load("photo.jpg", bytes.NewReader(data), Limits{}, dst); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStages splits the pipeline to show where the time goes.
func BenchmarkStages(b *testing.B) {
	data := photoJPEG(b)
	r := DefaultHF("vit", 224, 3)
	img, err := DecodeBytes("photo.jpg", data, Limits{})
	if err != nil {
		b.Fatal(err)
	}
	raw := img.(*Decoded).Raw
	ras, _ := toRaster(raw, 3)
	src := rasterSource(ras)
	dst := make([]float32, 3*224*224)
	b.Run("decode", func(b *testing.B) {
		defer reportCPU(b, rusage.CPUTime())
		for i := 0; i < b.N; i++ {
			if _, err := DecodeBytes("photo.jpg", data, Limits{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("convert", func(b *testing.B) {
		defer reportCPU(b, rusage.CPUTime())
		for i := 0; i < b.N; i++ {
			toRaster(raw, 3)
		}
	})
	b.Run("resize+normalize", func(b *testing.B) {
		defer reportCPU(b, rusage.CPUTime())
		for i := 0; i < b.N; i++ {
			if err := r.fromSource(src, dst, &pixelJob{lim: Limits{}.resolve()}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestBenchExifOrientation(t *testing.T) {
	exif := []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00")
	app1 := append([]byte{0xff, 0xe1, 0, byte(2 + 6 + len(exif))}, "Exif\x00\x00"...)
	data := encodeJPEG(t, 16, 8)
	rotated := append(append(append([]byte{}, data[:2]...), append(app1, exif...)...), data[2:]...)
	img, err := DecodeBytes("r.jpg", rotated, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if d := img.(*Decoded); d.Orientation != 6 || d.Bounds().Dx() != 8 {
		t.Fatalf("orientation %d, bounds %v", d.Orientation, d.Bounds())
	}
}

// BenchmarkFile runs the pipeline of BenchmarkPipeline (vit224) on the
// file named by $VIT_BENCH_JPEG, so scripts/bench_decode.py can time it
// beside PIL; VIT_BENCH_DRAFT=1 sets Limits.Draft.
func BenchmarkFile(b *testing.B) {
	path := os.Getenv("VIT_BENCH_JPEG")
	if path == "" {
		b.Skip("VIT_BENCH_JPEG not set")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	r := DefaultHF("vit", 224, 3)
	lim := Limits{Draft: os.Getenv("VIT_BENCH_DRAFT") == "1"}
	dst := make([]float32, 3*224*224) // [C, H, W]
	b.SetBytes(int64(len(data)))
	defer reportCPU(b, rusage.CPUTime())
	for i := 0; i < b.N; i++ {
		if err := r.Load(path, bytes.NewReader(data), lim, dst); err != nil {
			b.Fatal(err)
		}
	}
}
