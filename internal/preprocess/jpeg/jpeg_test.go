package jpeg

import (
	"bytes"
	"image"
	stdjpeg "image/jpeg"
	"os"
	"testing"
)

// TestAgainstStdlib checks that only the IDCT rounding differs from
// image/jpeg: same image type and bounds, samples within 3 levels. The
// exact comparison with libjpeg is in package preprocess's fixtures.
func TestAgainstStdlib(t *testing.T) {
	for _, name := range []string{"photo_120x90.jpg", "odd422_77x53.jpg", "progressive_90x70.jpg", "gray_70x50.jpg", "cmyk_64x48.jpg"} {
		data, err := os.ReadFile("../../../testdata/preprocess/" + name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(name, err)
		}
		want, err := stdjpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(name, err)
		}
		if got.Bounds() != want.Bounds() {
			t.Fatalf("%s: bounds %v, want %v", name, got.Bounds(), want.Bounds())
		}
		var a, b []uint8
		switch g := got.(type) {
		case *image.YCbCr:
			w := want.(*image.YCbCr)
			a, b = append(append(g.Y, g.Cb...), g.Cr...), append(append(w.Y, w.Cb...), w.Cr...)
		case *image.Gray:
			a, b = g.Pix, want.(*image.Gray).Pix
		case *image.CMYK:
			a, b = g.Pix, want.(*image.CMYK).Pix
		default:
			t.Fatalf("%s: type %T", name, got)
		}
		for i := range a {
			if d := int(a[i]) - int(b[i]); d < -3 || d > 3 {
				t.Fatalf("%s: sample %d: %d vs %d", name, i, a[i], b[i])
			}
		}
	}
	if _, err := Decode(bytes.NewReader([]byte("\xff\xd8\xff"))); err == nil {
		t.Error("truncated header: no error")
	}
}
