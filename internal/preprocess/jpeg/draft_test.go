package jpeg

import (
	"bytes"
	"fmt"
	"image"
	"os/exec"
	"strconv"
	"testing"
)

// readPNM parses djpeg's binary PGM or PPM output: width, height,
// channels and samples [H, W, C].
func readPNM(t *testing.T, data []byte) (w, h, c int, pix []byte) {
	var fields []string
	i := 0
	for len(fields) < 4 {
		for i < len(data) && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r') {
			i++
		}
		j := i
		for j < len(data) && !(data[j] == ' ' || data[j] == '\n' || data[j] == '\t' || data[j] == '\r') {
			j++
		}
		fields = append(fields, string(data[i:j]))
		i = j
	}
	c = map[string]int{"P5": 1, "P6": 3}[fields[0]]
	w, _ = strconv.Atoi(fields[1])
	h, _ = strconv.Atoi(fields[2])
	pix = data[i+1:]
	if c == 0 || len(pix) != w*h*c {
		t.Fatalf("djpeg output: header %v, %d bytes", fields, len(pix))
	}
	return w, h, c, pix
}

// rgbOf converts a decoded gray or 4:4:4 YCbCr image to samples [H, W, C]
// with libjpeg's tables; other layouts return nil.
func rgbOf(img image.Image) (c int, pix []byte) {
	switch m := img.(type) {
	case *image.Gray:
		b := m.Rect
		for y := b.Min.Y; y < b.Max.Y; y++ {
			pix = append(pix, m.Pix[m.PixOffset(b.Min.X, y):m.PixOffset(b.Max.X, y)]...)
		}
		return 1, pix
	case *image.YCbCr:
		if m.SubsampleRatio != image.YCbCrSubsampleRatio444 {
			return 0, nil
		}
		b := m.Rect
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				yy := int32(m.Y[m.YOffset(x, y)])
				ci := m.COffset(x, y)
				cb, cr := m.Cb[ci], m.Cr[ci]
				pix = append(pix, clamp8(yy+YCC.CrR[cr]), clamp8(yy+(YCC.CbG[cb]+YCC.CrG[cr])>>16), clamp8(yy+YCC.CbB[cb]))
			}
		}
		return 3, pix
	}
	return 0, nil
}

// TestDraftDjpeg compares the scaled decode with libjpeg-turbo's
// (djpeg -scale 1/s, the decode PIL's Image.draft runs) on the corpus's
// gray, 4:4:4 and 4:2:0 files, sequential and progressive, at 1/2, 1/4
// and 1/8. Skipped without djpeg.
func TestDraftDjpeg(t *testing.T) {
	if _, err := exec.LookPath("djpeg"); err != nil {
		t.Skip("djpeg (libjpeg-turbo-progs) not installed")
	}
	n := 0
	for name, data := range corpus(t) {
		for _, s := range []int{2, 4, 8} {
			img, err := DecodeOptions(data, Options{Scale: s})
			if err != nil {
				continue // files the decoder refuses are tested elsewhere
			}
			c, got := rgbOf(img)
			if got == nil {
				continue
			}
			cmd := exec.Command("djpeg", "-scale", fmt.Sprintf("1/%d", s), "-dct", "int", "-pnm")
			cmd.Stdin = bytes.NewReader(data)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: djpeg: %v", name, err)
			}
			w, h, wc, want := readPNM(t, out)
			if b := img.Bounds(); b.Dx() != w || b.Dy() != h || c != wc {
				t.Fatalf("%s 1/%d: %v×%d channels, djpeg %d×%d×%d", name, s, b, c, w, h, wc)
			}
			if !bytes.Equal(got, want) {
				worst, at := 0, 0
				for i := range got {
					if d := int(got[i]) - int(want[i]); d*d > worst*worst {
						worst, at = d, i
					}
				}
				t.Errorf("%s 1/%d: differs from djpeg, worst %d at sample %d", name, s, worst, at)
			}
			n++
		}
	}
	t.Logf("%d scaled decodes equal djpeg's", n)
	if n < 20 {
		t.Fatalf("only %d scaled decodes compared", n)
	}
}
