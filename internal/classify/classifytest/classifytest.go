// Package classifytest has test doubles for classify: a small fake model
// and generated images.
package classifytest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/vitgo/vit/internal/preprocess"
)

// Labels are Fake's four classes.
var Labels = []string{"cat", "dog", "bird, small", `red "fox"`}

// Fake stands in for a model: 1 channel of 4×4 pixels in 2×2 patches (an
// input of 16 values), four classes, logits a fixed linear function of the
// input; the real decoder and HF's default preprocessing. It records its
// calls. Set BeforeForward to act inside a forward pass.
type Fake struct {
	// BeforeForward, when set, is called at the start of each Forward
	// with its index (0 for the first) and batch size.
	BeforeForward func(call, b int)
	// Names, when set, replaces Labels (four of them); IsMultiLabel makes
	// it a multi-label model (MultiLabel).
	Names        []string
	IsMultiLabel bool

	mu       sync.Mutex
	prepared int   // Prepare calls that returned
	batches  []int // [Forward calls] batch sizes
	closed   bool
}

// InputLen is 16: one channel of 4×4 pixels [1, 4, 4].
func (f *Fake) InputLen() int { return 16 }
func (f *Fake) Labels() []string {
	if f.Names != nil {
		return f.Names
	}
	return Labels
}

// MultiLabel reports IsMultiLabel: the classes are scored by sigmoid.
func (f *Fake) MultiLabel() bool { return f.IsMultiLabel }

// OutLen is 4: one logit per label.
func (f *Fake) OutLen() int { return 4 }

// Close records that the fake was closed.
func (f *Fake) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

// Prepare decodes r and resizes it to 4×4 gray pixels [1, 4, 4] with HF's
// default recipe.
func (f *Fake) Prepare(name string, r io.Reader, lim preprocess.Limits, input []float32) error {
	img, err := preprocess.Decode(name, r, lim)
	if err != nil {
		return err
	}
	rec := preprocess.DefaultHF("vit", 4, 1)
	if err := rec.Pixels(img, input); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	f.mu.Lock()
	f.prepared++
	f.mu.Unlock()
	return nil
}

// Forward maps pixels [B, 1, 4, 4] to logits [B, 4]: logit j of an image
// is Σ_k v[k]·((k+3j) mod 5 − 2), v the image's pixels read as 2×2 patches
// [4, 4] in row-major order, as a patch embedding reads them.
func (f *Fake) Forward(inputs []float32, b int, logits []float32) error {
	f.mu.Lock()
	call := len(f.batches)
	f.batches = append(f.batches, b)
	f.mu.Unlock()
	if f.BeforeForward != nil {
		f.BeforeForward(call, b)
	}
	if len(inputs) != b*16 || len(logits) != b*4 {
		return fmt.Errorf("fake forward: %d inputs and %d logits for %d images", len(inputs), len(logits), b)
	}
	for i := range b {
		for j := range 4 {
			var s float32
			for k := range 16 { // patch k/4, its pixel k%4
				y, x := (k/8)*2+(k%4)/2, (k/4%2)*2+k%2
				s += inputs[i*16+y*4+x] * float32((k+3*j)%5-2)
			}
			logits[i*4+j] = s
		}
	}
	return nil
}

// Prepared returns the number of Prepare calls that succeeded so far.
func (f *Fake) Prepared() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.prepared
}

// Batches returns the batch size of each Forward call so far.
func (f *Fake) Batches() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int(nil), f.batches...)
}

// Closed reports whether Close was called.
func (f *Fake) Closed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// WritePNG writes a w×h RGBA PNG whose pixels are a function of seed,
// making its directory.
func WritePNG(t testing.TB, path string, w, h, seed int) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := uint8((x*37 + y*91 + seed*53) % 256)
			img.Set(x, y, color.RGBA{v, uint8(seed * 40), 255 - v, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
