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
	m       *model.Model
	c, h, w int // the input shape
}

func newModelClassifier(m *model.Model) (*modelClassifier, error) {
	c, h, w := m.InputShape()
	if err := m.Config.CheckImage(c, h, w); err != nil {
		m.Close()
		return nil, fmt.Errorf("model input from its preprocessing: %w", err)
	}
	return &modelClassifier{m: m, c: c, h: h, w: w}, nil
}

func (c *modelClassifier) InputShape() (ch, h, w int) { return c.c, c.h, c.w }
func (c *modelClassifier) Labels() []string           { return c.m.Config.Labels }
func (c *modelClassifier) Close() error               { return c.m.Close() }

func (c *modelClassifier) Prepare(name string, r io.Reader, lim preprocess.Limits, pix []float32) error {
	return c.m.Recipe.Load(name, r, lim, pix)
}

func (c *modelClassifier) Forward(pix []float32, b int, logits []float32) error {
	return c.m.Forward(pix, b, c.h, c.w, logits)
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
