package explain

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"sync"

	"github.com/disintegration/imaging"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Opacity is the heat map's weight where it is blended over the image.
const Opacity = 0.55

// Viridis returns the viridis colour of v in [0, 1] (clamped; NaN is 0),
// interpolated linearly between the 256 entries of the published table.
func Viridis(v float64) color.NRGBA {
	if !(v > 0) {
		v = 0
	}
	v = min(v, 1) * 255
	i := min(int(v), 254)
	f := v - float64(i)
	var c [3]uint8
	for k := range c {
		x := viridis[i][k]*(1-f) + viridis[i+1][k]*f
		c[k] = uint8(math.Round(255 * x))
	}
	return color.NRGBA{c[0], c[1], c[2], 255}
}

// Normalize maps rel to [0, 1] by its minimum and maximum, in a new slice;
// a constant (or empty) grid maps to zeros. Non-finite values count as
// the minimum.
func Normalize(rel []float64) []float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range rel {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	out := make([]float64, len(rel))
	if !(hi > lo) {
		return out
	}
	for i, v := range rel {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			out[i] = (v - lo) / (hi - lo)
		}
	}
	return out
}

// Heatmap draws the relevance grid rel [gh, gw] (row-major) as a w×h
// viridis image: the grid, normalized (Normalize), is an 8-bit gray image
// of gh×gw pixels resized smoothly (bilinear) to w×h, then coloured.
func Heatmap(rel []float64, gh, gw, w, h int) *image.NRGBA {
	g := image.NewGray(image.Rect(0, 0, gw, gh))
	for i, v := range Normalize(rel[:gh*gw]) {
		g.Pix[i/gw*g.Stride+i%gw] = uint8(math.Round(255 * v))
	}
	big := imaging.Resize(g, w, h, imaging.Linear)
	var lut [256]color.NRGBA
	for i := range lut {
		lut[i] = Viridis(float64(i) / 255)
	}
	for i := 0; i < len(big.Pix); i += 4 {
		c := lut[big.Pix[i]] // gray: R = G = B
		big.Pix[i], big.Pix[i+1], big.Pix[i+2], big.Pix[i+3] = c.R, c.G, c.B, 255
	}
	return big
}

// Overlay blends the heat map of rel [gh, gw] over img (at img's size)
// with weight Opacity.
func Overlay(img image.Image, rel []float64, gh, gw int) *image.NRGBA {
	b := img.Bounds()
	return imaging.Overlay(img, Heatmap(rel, gh, gw, b.Dx(), b.Dy()), b.Min, Opacity)
}

var (
	fontOnce sync.Once
	fontData *opentype.Font
	fontErr  error
)

// face returns Go Regular (golang.org/x/image/font/gofont) at size px.
func face(px float64) (font.Face, error) {
	fontOnce.Do(func() { fontData, fontErr = opentype.Parse(goregular.TTF) })
	if fontErr != nil {
		return nil, fontErr
	}
	return opentype.NewFace(fontData, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingFull})
}

// Caption returns img with a strip below it holding lines of text, one a
// line, in Go Regular at px pixels, dark on white; a line wider than img
// is cut with "…".
func Caption(img image.Image, lines []string, px float64) (*image.NRGBA, error) {
	f, err := face(px)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := img.Bounds()
	m := f.Metrics()
	lh := (m.Height + fixed.I(2)).Ceil() // line height
	pad := max(int(px/3), 2)
	out := imaging.New(b.Dx(), b.Dy()+len(lines)*lh+2*pad, color.White)
	draw.Draw(out, image.Rect(0, 0, b.Dx(), b.Dy()), img, b.Min, draw.Src)
	d := &font.Drawer{Dst: out, Src: image.NewUniform(color.NRGBA{20, 20, 20, 255}), Face: f}
	maxW := fixed.I(b.Dx() - 2*pad)
	for i, s := range lines {
		if d.MeasureString(s) > maxW {
			r := []rune(s)
			for len(r) > 0 && d.MeasureString(string(r)+"…") > maxW {
				r = r[:len(r)-1]
			}
			s = string(r) + "…"
		}
		d.Dot = fixed.P(pad, b.Dy()+pad+i*lh+m.Ascent.Ceil())
		d.DrawString(s)
	}
	return out, nil
}

// Orient returns img turned upright by its EXIF orientation o (1–8; 1
// and anything else: as is).
func Orient(img image.Image, o int) image.Image {
	switch o {
	case 2:
		return imaging.FlipH(img)
	case 3:
		return imaging.Rotate180(img)
	case 4:
		return imaging.FlipV(img)
	case 5:
		return imaging.Transpose(img)
	case 6:
		return imaging.Rotate270(img)
	case 7:
		return imaging.Transverse(img)
	case 8:
		return imaging.Rotate90(img)
	}
	return img
}

// Sheet lays tiles out in a grid of cols columns (each cell the size of
// the largest tile, tiles centred in it, gap pixels apart) on white.
func Sheet(tiles []image.Image, cols, gap int) *image.NRGBA {
	cw, ch := 1, 1
	for _, t := range tiles {
		cw, ch = max(cw, t.Bounds().Dx()), max(ch, t.Bounds().Dy())
	}
	cols = max(min(cols, len(tiles)), 1)
	rows := max((len(tiles)+cols-1)/cols, 1)
	out := imaging.New(cols*cw+(cols+1)*gap, rows*ch+(rows+1)*gap, color.White)
	for i, t := range tiles {
		x := gap + i%cols*(cw+gap) + (cw-t.Bounds().Dx())/2
		y := gap + i/cols*(ch+gap) + (ch-t.Bounds().Dy())/2
		draw.Draw(out, image.Rect(x, y, x+t.Bounds().Dx(), y+t.Bounds().Dy()), t, t.Bounds().Min, draw.Src)
	}
	return out
}
