package preprocess

import (
	"bytes"
	"image"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vitgo/vit/internal/preprocess/jpeg"
)

// TestJPEGFixtures compares the decoded pixels of the fixtures of
// scripts/make_jpeg_fixtures.py with PIL's, byte for byte: the
// arithmetic-coded files (sequential, progressive, restart markers, gray,
// 4:4:4) and the scaled decodes at 1/2, 1/4 and 1/8 against PIL's
// Image.draft.
func TestJPEGFixtures(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "preprocess", "jpeg")
	want := readFixture(t, filepath.Join(dir, "expected.safetensors"))
	if len(want) < 15 {
		t.Fatalf("%d cases", len(want))
	}
	for key, exp := range want {
		name, scale, _ := strings.Cut(key, "/1:")
		s := 1
		if scale != "" {
			s, _ = strconv.Atoi(scale)
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		var img image.Image
		if s == 1 {
			d, err := DecodeBytes(name, data, Limits{})
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			img = d.(*Decoded).Raw
		} else if img, err = jpeg.DecodeOptions(data, jpeg.Options{Scale: s}); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		h, w, c := exp.Shape[0], exp.Shape[1], exp.Shape[2]
		ras, err := toRaster(img, c)
		if err != nil {
			t.Fatal(err)
		}
		if ras.w != w || ras.h != h || !bytes.Equal(ras.pix, exp.Data) {
			t.Errorf("%s: %d×%d differs from PIL's %d×%d", key, ras.w, ras.h, w, h)
		}
	}
}
