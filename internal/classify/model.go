package classify

import (
	"fmt"
	"io"
	"sync"

	"github.com/vitgo/vit/internal/model"
	"github.com/vitgo/vit/internal/preprocess"
)

// Model is what Run needs from a classifier: an image in, a row of logits
// out. This file is the only place that knows how a model's input is laid
// out; the pipeline moves opaque rows of InputLen values.
type Model interface {
	// InputLen is the number of values Prepare writes for one image.
	InputLen() int
	// Labels names the classes, one per logit ([L]).
	Labels() []string
	// Prepare decodes one image from r (name is for errors) and writes
	// its model input, InputLen values, to input. It is safe for
	// concurrent use with distinct input buffers.
	Prepare(name string, r io.Reader, lim preprocess.Limits, input []float32) error
	// Forward maps b images' inputs [B, InputLen] to logits [B, L]. Run
	// calls it from one goroutine at a time.
	Forward(inputs []float32, b int, logits []float32) error
}

// geometry is a model's input: C channels of H×W pixels cut into P×P patches.
type geometry struct{ C, H, W, P int }

// grid returns the patch grid, gh rows by gw columns.
func (g geometry) grid() (gh, gw int) { return g.H / g.P, g.W / g.P }

// patchesLen is the length of one image's patches [gh·gw, C·P·P].
func (g geometry) patchesLen() int {
	gh, gw := g.grid()
	return gh * gw * g.C * g.P * g.P
}

// modelAdapter runs a loaded model with its own preprocessing recipe. Its
// input rows are patches [gh·gw, C·P·P].
type modelAdapter struct {
	m   *model.Model
	geo geometry
	pix sync.Pool // *[]float32, [C, H, W] scratch for Prepare
}

// NewModel adapts a loaded model to Run: Prepare applies m.Recipe, Forward
// runs m.Forward. It fails when the recipe's output does not fit the
// model (channels, a whole number of patches). The caller keeps ownership
// of m and closes it after the last use.
func NewModel(m *model.Model) (Model, error) {
	c := m.Config
	geo := geometry{C: m.Recipe.Channels, H: m.Recipe.Height, W: m.Recipe.Width, P: c.PatchSize}
	if geo.C <= 0 || geo.H <= 0 || geo.W <= 0 || geo.P <= 0 || geo.H%geo.P != 0 || geo.W%geo.P != 0 {
		return nil, fmt.Errorf("model input %d×%d×%d with patch %d: not a whole number of patches", geo.C, geo.H, geo.W, geo.P)
	}
	if geo.C != c.Channels {
		return nil, fmt.Errorf("preprocessing gives %d channels, the model wants %d", geo.C, c.Channels)
	}
	a := &modelAdapter{m: m, geo: geo}
	a.pix.New = func() any {
		s := make([]float32, geo.C*geo.H*geo.W) // [C, H, W]
		return &s
	}
	return a, nil
}

// InputSize returns the image size H×W that m's preprocessing produces,
// or the config's square image_size when the recipe gives none.
func InputSize(m *model.Model) (h, w int) {
	if m.Recipe.Height > 0 && m.Recipe.Width > 0 {
		return m.Recipe.Height, m.Recipe.Width
	}
	return m.Config.ImageSize, m.Config.ImageSize
}

func (a *modelAdapter) InputLen() int    { return a.geo.patchesLen() }
func (a *modelAdapter) Labels() []string { return a.m.Config.Labels }

func (a *modelAdapter) Prepare(name string, r io.Reader, lim preprocess.Limits, input []float32) error {
	pix := a.pix.Get().(*[]float32)
	defer a.pix.Put(pix)
	return prepareImage(&a.m.Recipe, a.geo, name, r, lim, *pix, input)
}

// prepareImage decodes one image and runs rec on it into pix [C, H, W], then
// cuts that into patches [gh·gw, C·P·P].
func prepareImage(rec *preprocess.Recipe, g geometry, name string, r io.Reader, lim preprocess.Limits, pix, patches []float32) error {
	img, err := preprocess.Decode(name, r, lim)
	if err != nil {
		return err
	}
	if err := rec.Pixels(img, pix); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	preprocess.Patchify(pix, g.C, g.H, g.W, g.P, patches)
	return nil
}

func (a *modelAdapter) Forward(inputs []float32, b int, logits []float32) error {
	gh, gw := a.geo.grid()
	return a.m.Forward(inputs, b, gh, gw, logits)
}
