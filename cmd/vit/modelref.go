package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/vitgo/vit/internal/model"
	"github.com/vitgo/vit/internal/preprocess"
)

// modelClassifier runs a loaded model with its own preprocessing recipe.
type modelClassifier struct {
	m   *model.Model
	geo geometry
}

func newModelClassifier(m *model.Model) (*modelClassifier, error) {
	c := m.Config
	geo := geometry{C: m.Recipe.Channels, H: m.Recipe.Height, W: m.Recipe.Width, P: c.PatchSize}
	if geo.C <= 0 || geo.H <= 0 || geo.W <= 0 || geo.P <= 0 || geo.H%geo.P != 0 || geo.W%geo.P != 0 {
		m.Close()
		return nil, fmt.Errorf("model input %d×%d×%d with patch %d: not a whole number of patches", geo.C, geo.H, geo.W, geo.P)
	}
	if geo.C != c.Channels {
		m.Close()
		return nil, fmt.Errorf("preprocessing gives %d channels, the model wants %d", geo.C, c.Channels)
	}
	return &modelClassifier{m: m, geo: geo}, nil
}

// inputSize returns the image size H×W that m's preprocessing produces,
// or the config's square image_size when the recipe gives none.
func inputSize(m *model.Model) (h, w int) {
	if m.Recipe.Height > 0 && m.Recipe.Width > 0 {
		return m.Recipe.Height, m.Recipe.Width
	}
	return m.Config.ImageSize, m.Config.ImageSize
}

func (c *modelClassifier) Geometry() geometry { return c.geo }
func (c *modelClassifier) Labels() []string   { return c.m.Config.Labels }
func (c *modelClassifier) Close() error       { return c.m.Close() }

func (c *modelClassifier) Prepare(name string, r io.Reader, lim preprocess.Limits, pix, patches []float32) error {
	return prepareImage(&c.m.Recipe, c.geo, name, r, lim, pix, patches)
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

func (c *modelClassifier) Forward(patches []float32, b int, logits []float32) error {
	gh, gw := c.geo.grid()
	return c.m.Forward(patches, b, gh, gw, logits)
}

// openModelClassifier opens -m/--model for classify.
func openModelClassifier(ctx context.Context, a *app, spec string, opt modelOptions) (classifier, error) {
	m, _, err := a.openModel(ctx, spec, opt)
	if err != nil {
		return nil, err
	}
	return newModelClassifier(m)
}

// modelSource says where openModel found a model.
type modelSource struct {
	Name string // the spec, or the built-in default's name
	Kind string // "directory", "built-in" or "cache"
	Dir  string // the directory read (absolute when Kind is "directory"); "" for built-in
}

// openModel resolves a model spec, in this order: "" (the built-in
// default), an existing directory, a built-in name, a Hugging Face id
// ORG/NAME[@REV] (from the cache, downloaded when missing unless offline).
// It returns the model and where it was found.
func (a *app) openModel(ctx context.Context, spec string, opt modelOptions) (*model.Model, modelSource, error) {
	mo := model.Options{Threads: opt.Threads}
	if spec == "" {
		spec = builtinDefault()
	}
	if fi, err := os.Stat(spec); err == nil && fi.IsDir() {
		m, err := model.Load(spec, mo)
		if err != nil {
			return nil, modelSource{}, fmt.Errorf("model %s: %w", spec, err)
		}
		src := modelSource{Name: spec, Kind: "directory", Dir: spec}
		if abs, err := filepath.Abs(spec); err == nil {
			src.Dir = abs
		}
		return m, src, nil
	}
	if isBuiltin(spec) {
		m, err := loadBuiltin(spec, mo)
		if err != nil {
			return nil, modelSource{}, fmt.Errorf("built-in model %s: %w", spec, err)
		}
		return m, modelSource{Name: spec, Kind: "built-in"}, nil
	}
	dir, err := a.resolveHub(ctx, spec, opt.Offline)
	if err != nil {
		return nil, modelSource{}, err
	}
	m, err := model.Load(dir, mo)
	if err != nil {
		return nil, modelSource{}, fmt.Errorf("model %s (%s): %w", spec, dir, err)
	}
	return m, modelSource{Name: spec, Kind: "cache", Dir: dir}, nil
}
