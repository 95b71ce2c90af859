package preprocess

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/vitgo/vit/internal/preprocess/hostile"
	"github.com/vitgo/vit/internal/preprocess/jpeg"
)

// FuzzDecodeBudget decodes and preprocesses any file with the pixel limit
// lifted (headers of any size get through to the budget) and checks that
// no input makes Decode and Pixels allocate more than the budget, beyond
// the file's own bytes held twice.
func FuzzDecodeBudget(f *testing.F) {
	for _, b := range [][]byte{
		hostile.TallPNG(5000), hostile.PNG(100000, 100000, 2, hostile.ZlibZeros(100)), hostile.PNG(300, 300, 2, hostile.ZlibZeros(100)),
		hostile.ProgressiveJPEG(10000, 10000, 4), hostile.ProgressiveJPEG(600, 600, 3), hostile.ScanBombJPEG(jpeg.MaxScans + 1),
		hostile.DeflateTIFF(500, 500, 500*500*8), hostile.GIFHeader(20000, 20000), hostile.GIFHeader(300, 300),
	} {
		f.Add(b)
	}
	seeds, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "preprocess", "*"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil && len(b) < 1<<16 && filepath.Ext(p) != ".json" && filepath.Ext(p) != ".md" {
			f.Add(b)
		}
	}
	const budget = 16 << 20
	lim := Limits{MaxPixels: 1 << 40, MaxMemory: budget}
	dst := make([]float32, 3*224*224)
	f.Fuzz(func(t *testing.T, data []byte) {
		var a, b runtime.MemStats
		runtime.ReadMemStats(&a)
		img, err := Decode("fuzz", bytes.NewReader(data), lim)
		if err == nil {
			rgb224.Pixels(img, dst)
		}
		runtime.ReadMemStats(&b)
		if n := b.TotalAlloc - a.TotalAlloc; n > budget+2*uint64(len(data))+1<<20 {
			t.Fatalf("allocated %d bytes for a %d-byte file, budget %d (err %v)", n, len(data), budget, err)
		}
	})
}
