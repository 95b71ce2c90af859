package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vitgo/vit/internal/preprocess"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/cli")

// goldenDir is testdata/cli, absolute because tests change directory.
var goldenDir = func() string {
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "cli"))
	if err != nil {
		panic(err)
	}
	return p
}()

// fakeClassifier stands in for a model: 1 channel of 4×4 pixels, four
// classes, logits a fixed linear function of the pixels; the
// real decoder and HF's default preprocessing.
type fakeClassifier struct {
	closed   bool
	forwards int // Forward calls
	maxBatch int
}

var fakeLabels = []string{"cat", "dog", "bird, small", `red "fox"`}

func (f *fakeClassifier) InputShape() (c, h, w int) { return 1, 4, 4 }
func (f *fakeClassifier) Labels() []string          { return fakeLabels }
func (f *fakeClassifier) Close() error              { f.closed = true; return nil }

func (f *fakeClassifier) Prepare(name string, r io.Reader, lim preprocess.Limits, pix []float32) error {
	rec := preprocess.DefaultHF("vit", 4, 1)
	return rec.Load(name, r, lim, pix)
}

// Forward gives class j of each image the score Σₖ v[k]·((k+3j)%5 − 2),
// v the image's pixels read as 2×2 patches in row-major order.
func (f *fakeClassifier) Forward(pix []float32, b int, logits []float32) error {
	f.forwards++
	f.maxBatch = max(f.maxBatch, b)
	if len(pix) != b*16 || len(logits) != b*4 {
		return fmt.Errorf("fake forward: %d pixels and %d logits for %d images", len(pix), len(logits), b)
	}
	for i := range b {
		for j := range 4 {
			var s float32
			for k := range 16 { // patch k/4, its pixel k%4
				y, x := (k/8)*2+(k%4)/2, (k/4%2)*2+k%2
				s += pix[i*16+y*4+x] * float32((k+3*j)%5-2)
			}
			logits[i*4+j] = s
		}
	}
	return nil
}

// testApp is an app with buffers for its streams and a fake model.
type testApp struct {
	*app
	out, err bytes.Buffer
	env      map[string]string
	fake     *fakeClassifier
}

func newTestApp(stdin string) *testApp {
	t := &testApp{env: map[string]string{}, fake: &fakeClassifier{}}
	t.app = &app{
		stdin:  strings.NewReader(stdin),
		stdout: &t.out,
		stderr: &t.err,
		getenv: func(k string) string { return t.env[k] },
		numCPU: 2,
		openClassifier: func(ctx context.Context, a *app, spec string, opt modelOptions) (classifier, error) {
			if spec != "" && spec != "fake" {
				return nil, errors.New("no such model")
			}
			return t.fake, nil
		},
	}
	return t
}

func (t *testApp) run(args ...string) int { return t.main(context.Background(), args) }

// checkGolden compares got with testdata/cli/name, rewriting it under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join(goldenDir, name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/vit -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test ./cmd/vit -run %s -update rewrites it):\n--- got\n%s\n--- want\n%s", name, t.Name(), got, want)
	}
}

// writePNG writes a w×h PNG whose pixels are a function of seed.
func writePNG(t testing.TB, path string, w, h, seed int) {
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

func crc32IEEE(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
