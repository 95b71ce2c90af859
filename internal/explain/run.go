package explain

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"

	"github.com/disintegration/imaging"
	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/kernels"
	"github.com/vitgo/vit/internal/model"
	"github.com/vitgo/vit/internal/preprocess"
)

// Options configure the model side of an explain run.
type Options struct {
	Method Method
	Size   int // long side of the overlay in pixels (the caption strip is added below); < 16: DefaultSize
	TopK   int // labels in the caption and the record; < 1: 3
}

// DefaultSize is the overlay's long side when Options.Size is not set.
const DefaultSize = 384

// Explained is the Value of an explain run's record.
type Explained struct {
	Grid        [2]int                // gh, gw
	Relevance   []float32             // [gh·gw] the method's relevance of each patch, row-major
	Predictions []classify.Prediction // top-k, best first, the model's own probabilities (as classify's ScoreAuto)
	Overlay     *image.NRGBA          // the image with the heat map blended over it
	Captioned   *image.NRGBA          // Overlay with the caption strip: what is written
}

// Run adapts a loaded model to classify.Run for explaining: Prepare keeps
// a copy of the image (upright, its long side Options.Size) next to the
// model's input, Forward runs the Explainer, and Record draws each
// image's overlay. Its rows:
//
//	input [C·H·W + 2 + 3·S·S]   the recipe's pixels, then the copy's width
//	                            and height and its RGB values (0–255)
//	out   [L + Np + 2 + 3·S·S]  logits, relevance, then the copy as above
//
// (S = Options.Size). Run's Labels is nil, so Options.Record must be
// Run.Record.
type Run struct {
	m       *model.Model
	e       *Explainer
	o       Options
	c, h, w int // model input shape
	gh, gw  int // patch grid
	l       int // classes

	pix    []float32 // [B, C, H, W] the batch's pixels, packed
	logits []float32 // [B, L]
	rel    []float64 // [B, Np]
}

// NewRun prepares an explain run of m; Close takes its hook off.
func NewRun(m *model.Model, o Options) (*Run, error) {
	if o.Size < 16 {
		o.Size = DefaultSize
	}
	if o.TopK < 1 {
		o.TopK = 3
	}
	if o.Method == "" {
		o.Method = Rollout
	}
	c, h, w := m.InputShape()
	if err := m.Config.CheckImage(c, h, w); err != nil {
		return nil, fmt.Errorf("model input from its preprocessing: %w", err)
	}
	p := m.Config.PatchSize
	return &Run{m: m, e: New(m, o.Method), o: o, c: c, h: h, w: w, gh: h / p, gw: w / p, l: m.Config.NumClasses}, nil
}

// Close takes the attention hook off the model.
func (r *Run) Close() { r.e.Close() }

func (r *Run) chw() int         { return r.c * r.h * r.w }
func (r *Run) dispLen() int     { return 2 + 3*r.o.Size*r.o.Size }
func (r *Run) InputLen() int    { return r.chw() + r.dispLen() }
func (r *Run) OutLen() int      { return r.l + r.gh*r.gw + r.dispLen() }
func (r *Run) Labels() []string { return nil }

// Prepare decodes the image, writes the model's pixels and the upright
// copy for the overlay.
func (r *Run) Prepare(name string, rd io.Reader, lim preprocess.Limits, input []float32) error {
	img, err := preprocess.Decode(name, rd, lim)
	if err != nil {
		return err
	}
	if err := r.m.Recipe.Pixels(img, input[:r.chw()]); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	src, o := img, 1
	if d, ok := img.(*preprocess.Decoded); ok {
		src, o = d.Raw, d.Orientation
	}
	b := img.Bounds() // upright
	dw, dh := fitLong(b.Dx(), b.Dy(), r.o.Size)
	rw, rh := dw, dh
	if o >= 5 {
		rw, rh = dh, dw
	}
	disp := imaging.Clone(Orient(shrink(src, rw, rh), o)) // [dh, dw] NRGBA
	out := input[r.chw():]
	out[0], out[1] = float32(dw), float32(dh)
	px := out[2:]
	for y := range dh {
		row := disp.Pix[y*disp.Stride:]
		for x := range dw {
			for k := range 3 {
				px[(y*dw+x)*3+k] = float32(row[x*4+k])
			}
		}
	}
	return nil
}

// shrink resizes img to w×h with a smooth filter (Catmull-Rom). imaging's
// two passes hold an intermediate of w × img's height (and its nearest-
// neighbour resize converts the whole image when one side stays), so an
// image more than 4 times larger than w×h on a side is first sampled down
// to at most 4w×4h by nearest neighbour here, which allocates only its
// output: the memory beside the decoded image stays within 16·w·h·4
// bytes (and 2 passes over it) whatever its shape.
func shrink(img image.Image, w, h int) *image.NRGBA {
	b := img.Bounds()
	if sw, sh := min(b.Dx(), 4*w), min(b.Dy(), 4*h); sw < b.Dx() || sh < b.Dy() {
		small := image.NewNRGBA(image.Rect(0, 0, sw, sh)) // [sh, sw] NRGBA
		for y := range sh {
			sy := b.Min.Y + (2*y+1)*b.Dy()/(2*sh)
			for x := range sw {
				sx := b.Min.X + (2*x+1)*b.Dx()/(2*sw)
				small.SetNRGBA(x, y, color.NRGBAModel.Convert(img.At(sx, sy)).(color.NRGBA))
			}
		}
		img = small
	}
	return imaging.Resize(img, w, h, imaging.CatmullRom)
}

// fitLong scales w×h so that its long side is s, keeping the aspect
// ratio (each side at least 1).
func fitLong(w, h, s int) (int, int) {
	if w >= h {
		return s, max(int(math.Round(float64(h)*float64(s)/float64(w))), 1)
	}
	return max(int(math.Round(float64(w)*float64(s)/float64(h))), 1), s
}

// Forward explains b images' rows inputs [B, InputLen] into out [B, OutLen].
func (r *Run) Forward(inputs []float32, b int, out []float32) error {
	chw, in, on, np := r.chw(), r.InputLen(), r.OutLen(), r.gh*r.gw
	r.pix = kernels.Grow(r.pix, b*chw)
	r.logits = kernels.Grow(r.logits, b*r.l)
	if len(r.rel) < b*np {
		r.rel = make([]float64, b*np)
	}
	for i := range b {
		copy(r.pix[i*chw:(i+1)*chw], inputs[i*in:i*in+chw])
	}
	if err := r.e.Explain(r.pix[:b*chw], b, r.h, r.w, r.logits, r.rel); err != nil {
		return err
	}
	for i := range b {
		row := out[i*on : (i+1)*on]
		copy(row, r.logits[i*r.l:(i+1)*r.l])
		for j, v := range r.rel[i*np : (i+1)*np] {
			row[r.l+j] = float32(v)
		}
		copy(row[r.l+np:], inputs[i*in+chw:(i+1)*in])
	}
	return nil
}

// Record is the classify.Options.Record of the run: it reads one image's
// row and sets r.Value to its *Explained (and r.Predictions).
func (r *Run) Record(res *classify.Result, out []float32) error {
	np := r.gh * r.gw
	logits, rel, disp := out[:r.l], out[r.l:r.l+np], out[r.l+np:]
	for _, v := range rel {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return errors.New("relevance is not finite")
		}
	}
	dw, dh := int(disp[0]), int(disp[1])
	img := image.NewNRGBA(image.Rect(0, 0, dw, dh))
	for i := range dw * dh {
		for k := range 3 {
			img.Pix[i*4+k] = uint8(disp[2+i*3+k])
		}
		img.Pix[i*4+3] = 255
	}
	x := &Explained{Grid: [2]int{r.gh, r.gw}, Relevance: append([]float32(nil), rel...)}
	x.Predictions = classify.TopK(logits, r.m.Config.Labels, r.o.TopK, classify.ScoreAuto, r.m.Config.MultiLabel)
	rel64 := make([]float64, np)
	for i, v := range rel {
		rel64[i] = float64(v)
	}
	x.Overlay = Overlay(img, rel64, r.gh, r.gw)
	lines := make([]string, len(x.Predictions))
	for i, p := range x.Predictions {
		lines[i] = fmt.Sprintf("%5.1f%%  %s", 100*p.Score, p.Label)
	}
	var err error
	if x.Captioned, err = Caption(x.Overlay, lines, captionPx(dw)); err != nil {
		return err
	}
	res.Value, res.Predictions = x, x.Predictions
	return nil
}

// captionPx is the caption's font size for an image w pixels wide.
func captionPx(w int) float64 { return math.Max(10, math.Min(18, float64(w)/22)) }
