package classify

import (
	"fmt"
	"io"

	"github.com/vitgo/vit/internal/model"
	"github.com/vitgo/vit/internal/preprocess"
)

// Model is what Run needs from a model: an image in, a row of OutLen
// values out. For a classifier the row is the logits [L] and Labels names
// them; other runs (embeddings, attention maps) read their own rows with
// Options.Record. This file is the only place that knows how a model's
// input is laid out; the pipeline moves opaque rows of InputLen values.
type Model interface {
	// InputLen is the number of values Prepare writes for one image.
	InputLen() int
	// OutLen is the number of values Forward writes for one image ([O]):
	// L logits for a classifier, D for an embedding.
	OutLen() int
	// Labels names the classes when the outputs are logits ([L],
	// L = OutLen); nil when they are not.
	Labels() []string
	// Prepare decodes one image from r (name is for errors) and writes
	// its model input, InputLen values, to input. It is safe for
	// concurrent use with distinct input buffers.
	Prepare(name string, r io.Reader, lim preprocess.Limits, input []float32) error
	// Forward maps b images' inputs [B, InputLen] to out [B, OutLen]. Run
	// calls it from one goroutine at a time.
	Forward(inputs []float32, b int, out []float32) error
}

// IsMultiLabel reports whether m's classes are independent (Hugging Face
// problem_type multi_label_classification), so that its scores are each
// class's sigmoid rather than a softmax over them: m has a MultiLabel
// method that says so.
func IsMultiLabel(m Model) bool {
	ml, ok := m.(interface{ MultiLabel() bool })
	return ok && ml.MultiLabel()
}

// modelAdapter runs a loaded model with its own preprocessing recipe. Its
// input rows are normalized pixels [C, H, W]; the model cuts them into
// patches itself.
type modelAdapter struct {
	m       *model.Model
	c, h, w int // the input shape
}

// NewModel adapts a loaded model to Run: Prepare applies m.Recipe, Forward
// runs m.Forward. It fails when the recipe's output does not fit the
// model (channels, a whole number of patches). The caller keeps ownership
// of m and closes it after the last use.
func NewModel(m *model.Model) (Model, error) {
	c, h, w := m.InputShape()
	if err := m.Config.CheckImage(c, h, w); err != nil {
		return nil, fmt.Errorf("model input from its preprocessing: %w", err)
	}
	return &modelAdapter{m: m, c: c, h: h, w: w}, nil
}

func (a *modelAdapter) InputLen() int    { return a.c * a.h * a.w }
func (a *modelAdapter) OutLen() int      { return a.m.Config.NumClasses }
func (a *modelAdapter) Labels() []string { return a.m.Config.Labels }
func (a *modelAdapter) MultiLabel() bool { return a.m.Config.MultiLabel }

func (a *modelAdapter) Prepare(name string, r io.Reader, lim preprocess.Limits, input []float32) error {
	return a.m.Recipe.Load(name, r, lim, input)
}

func (a *modelAdapter) Forward(inputs []float32, b int, logits []float32) error {
	return a.m.Forward(inputs, b, a.h, a.w, logits)
}

// embedder runs a loaded model's Embed: rows of D values, no labels.
type embedder struct{ modelAdapter }

// NewEmbedder adapts a loaded model to Run for embeddings: Prepare as
// NewModel's, Forward writes m.Embed's pooled vectors [B, D]. Pair it with
// Options.Record = EmbedRecord(...).
func NewEmbedder(m *model.Model) (Model, error) {
	c, err := NewModel(m)
	if err != nil {
		return nil, err
	}
	return &embedder{*c.(*modelAdapter)}, nil
}

func (e *embedder) OutLen() int      { return e.m.EmbedDim() }
func (e *embedder) Labels() []string { return nil }

func (e *embedder) Forward(inputs []float32, b int, out []float32) error {
	return e.m.Embed(inputs, b, e.h, e.w, out)
}
