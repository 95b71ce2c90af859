package classify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vitgo/vit/internal/hub"
	"github.com/vitgo/vit/internal/model"
	"github.com/vitgo/vit/models"
)

// ModelSource says where OpenModel found a model.
type ModelSource struct {
	Name string // the spec, or the built-in default's name
	Kind string // "directory", "built-in" or "cache"
	Dir  string // the directory read (absolute when Kind is "directory"); "" for built-in
}

// SpecError is a model spec that is neither a directory, a built-in model
// nor a Hugging Face id.
type SpecError struct{ Spec string }

func (e *SpecError) Error() string {
	return fmt.Sprintf("model %q: not a directory, a built-in model (%s) or a Hugging Face id ORG/NAME[@REVISION]",
		e.Spec, strings.Join(models.Names(), ", "))
}

// HubDir finds a Hugging Face id ORG/NAME[@REV] on disk (in the cache,
// downloading it if it may) and returns its snapshot directory.
type HubDir func(ctx context.Context, id string) (dir string, err error)

// OpenModel resolves a model spec, in this order: "" (the built-in
// default), an existing directory, a built-in name, a Hugging Face id
// ORG/NAME[@REV] given to hubDir. It returns the model, loaded with opt,
// and where it was found. A spec that is none of these is a *SpecError;
// with hubDir nil, Hugging Face ids are not looked up.
func OpenModel(ctx context.Context, spec string, opt model.Options, hubDir HubDir) (*model.Model, ModelSource, error) {
	if spec == "" {
		spec = models.Default
	}
	if fi, err := os.Stat(spec); err == nil && fi.IsDir() {
		m, err := model.Load(spec, opt)
		if err != nil {
			return nil, ModelSource{}, fmt.Errorf("model %s: %w", spec, err)
		}
		src := ModelSource{Name: spec, Kind: "directory", Dir: spec}
		if abs, err := filepath.Abs(spec); err == nil {
			src.Dir = abs
		}
		return m, src, nil
	}
	if slices.Contains(models.Names(), spec) {
		m, err := model.LoadFS(models.FS, spec, opt)
		if err != nil {
			return nil, ModelSource{}, fmt.Errorf("built-in model %s: %w", spec, err)
		}
		return m, ModelSource{Name: spec, Kind: "built-in"}, nil
	}
	if _, _, err := hub.ParseID(spec); err != nil {
		return nil, ModelSource{}, &SpecError{Spec: spec}
	}
	if hubDir == nil {
		return nil, ModelSource{}, fmt.Errorf("model %s: no Hugging Face cache to look it up in", spec)
	}
	dir, err := hubDir(ctx, spec)
	if err != nil {
		return nil, ModelSource{}, err
	}
	m, err := model.Load(dir, opt)
	if err != nil {
		return nil, ModelSource{}, fmt.Errorf("model %s (%s): %w", spec, dir, err)
	}
	return m, ModelSource{Name: spec, Kind: "cache", Dir: dir}, nil
}
