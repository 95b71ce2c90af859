package jpeg

import (
	"bytes"
	"image"
	"os/exec"
	"testing"
)

// TestArithmetic transcodes the corpus losslessly to arithmetic coding
// with jpegtran (sequential, progressive, with restart markers) and checks
// that each decodes to the same pixels as its Huffman original, at full
// and reduced scale. Skipped without jpegtran; the committed fixtures of
// package preprocess cover the same without it.
func TestArithmetic(t *testing.T) {
	if _, err := exec.LookPath("jpegtran"); err != nil {
		t.Skip("jpegtran (libjpeg-turbo-progs) not installed")
	}
	n := 0
	for name, data := range corpus(t) {
		want, err := DecodeOptions(data, Options{})
		if err != nil {
			continue
		}
		for _, args := range [][]string{{"-arithmetic"}, {"-arithmetic", "-progressive"}, {"-arithmetic", "-restart", "2"}} {
			cmd := exec.Command("jpegtran", args...)
			cmd.Stdin = bytes.NewReader(data)
			arith, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s %v: jpegtran: %v", name, args, err)
			}
			got, err := DecodeOptions(arith, Options{})
			if err != nil {
				t.Fatalf("%s %v: %v", name, args, err)
			}
			if got.Bounds() != want.Bounds() || !bytes.Equal(visible(t, got), visible(t, want)) {
				t.Fatalf("%s %v: pixels differ from the Huffman-coded file's", name, args)
			}
			for _, s := range []int{2, 8} {
				w, _ := DecodeOptions(data, Options{Scale: s})
				g, err := DecodeOptions(arith, Options{Scale: s})
				if err != nil || !bytes.Equal(visible(t, g), visible(t, w)) {
					t.Fatalf("%s %v 1/%d: differs (%v)", name, args, s, err)
				}
			}
			n++
		}
	}
	t.Logf("%d arithmetic-coded files equal their Huffman originals", n)
}

// visible returns the samples inside the image's bounds (progressive
// decoding leaves the padding blocks past the edges unset): Y, then Cb
// and Cr, or the gray, grey-and-alpha or CMYK rows. Any other type fails
// the test.
func visible(t *testing.T, img image.Image) []byte {
	var out []byte
	b := img.Bounds()
	switch m := img.(type) {
	case *image.YCbCr:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				ci := m.COffset(x, y)
				out = append(out, m.Y[m.YOffset(x, y)], m.Cb[ci], m.Cr[ci])
			}
		}
	case *image.Gray:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			out = append(out, m.Pix[m.PixOffset(b.Min.X, y):m.PixOffset(b.Max.X, y)]...)
		}
	case *image.NYCbCrA: // 2 components: Y and A
		for y := b.Min.Y; y < b.Max.Y; y++ {
			out = append(out, m.Y[m.YOffset(b.Min.X, y):m.YOffset(b.Max.X, y)]...)
			out = append(out, m.A[m.AOffset(b.Min.X, y):m.AOffset(b.Max.X, y)]...)
		}
	case *image.CMYK:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			out = append(out, m.Pix[m.PixOffset(b.Min.X, y):m.PixOffset(b.Max.X, y)]...)
		}
	case *image.RGBA:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			out = append(out, m.Pix[m.PixOffset(b.Min.X, y):m.PixOffset(b.Max.X, y)]...)
		}
	default:
		t.Fatalf("type %T", img)
	}
	return out
}
