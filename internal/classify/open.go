package classify

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
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
// default, whatever the current directory holds), an existing directory, a
// built-in name, a Hugging Face id ORG/NAME[@REV] given to hubDir. It
// returns the model, loaded with opt, and where it was found. A spec
// written as a path (starting with /, ./, ../ or ~, or ending with /) that
// is no directory is an error saying so; a spec that is none of these is a
// *SpecError; with hubDir nil, Hugging Face ids are not looked up.
func OpenModel(ctx context.Context, spec string, opt model.Options, hubDir HubDir) (*model.Model, ModelSource, error) {
	if spec == "" {
		return openBuiltin(models.Default, opt)
	}
	fi, statErr := os.Stat(spec)
	if statErr == nil && fi.IsDir() {
		m, err := model.Load(spec, opt) // its errors say "load DIR"
		if err != nil {
			return nil, ModelSource{}, err
		}
		src := ModelSource{Name: spec, Kind: "directory", Dir: spec}
		if abs, err := filepath.Abs(spec); err == nil {
			src.Dir = abs
		}
		return m, src, nil
	}
	if looksLikePath(spec) {
		if statErr == nil {
			return nil, ModelSource{}, fmt.Errorf("model %s: not a directory (a model is a directory with config.json and model.safetensors)", spec)
		}
		if errors.Is(statErr, fs.ErrNotExist) {
			return nil, ModelSource{}, fmt.Errorf("model %s: no such directory", spec)
		}
		return nil, ModelSource{}, fmt.Errorf("model %s: %w", spec, statErr)
	}
	if slices.Contains(models.Names(), spec) {
		return openBuiltin(spec, opt)
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
		return nil, ModelSource{}, fmt.Errorf("model %s: %w", spec, err) // "load DIR: …"
	}
	return m, ModelSource{Name: spec, Kind: "cache", Dir: dir}, nil
}

func openBuiltin(name string, opt model.Options) (*model.Model, ModelSource, error) {
	m, err := model.LoadFS(models.FS, name, opt)
	if err != nil {
		return nil, ModelSource{}, fmt.Errorf("built-in model: %w", err) // "load NAME: …"
	}
	return m, ModelSource{Name: name, Kind: "built-in"}, nil
}

// looksLikePath reports whether spec is written as a file system path, not
// a name or an id: it starts with /, ./, ../ or ~, is . or .., or ends
// with a separator.
func looksLikePath(spec string) bool {
	sep := string(os.PathSeparator)
	for _, p := range []string{"/", "./", "../", "~", sep, "." + sep, ".." + sep} {
		if strings.HasPrefix(spec, p) {
			return true
		}
	}
	return spec == "." || spec == ".." || strings.HasSuffix(spec, "/") || strings.HasSuffix(spec, sep)
}
