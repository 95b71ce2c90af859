package preprocess

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vitgo/vit/internal/preprocess/jpeg"
)

// TestJPEGFixtures compares the scaled decodes of the fixtures of
// scripts/make_jpeg_fixtures.py at 1/2, 1/4 and 1/8 with PIL's
// Image.draft, byte for byte. The arithmetic-coded JPEGs are decoder
// fixtures, compared after normalization in TestDecodeFixtures.
func TestJPEGFixtures(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "preprocess", "jpeg")
	want := readFixture(t, filepath.Join(dir, "expected.safetensors"))
	if len(want) != 12 {
		t.Fatalf("%d cases, want 4 files at 3 scales", len(want))
	}
	for key, exp := range want {
		name, scale, ok := strings.Cut(key, "/1:")
		s, err := strconv.Atoi(scale)
		if !ok || err != nil {
			t.Fatalf("%s: not <file>/1:<scale>", key)
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.DecodeOptions(data, jpeg.Options{Scale: s})
		if err != nil {
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
