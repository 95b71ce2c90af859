package model

import (
	"errors"
	"io/fs"

	"github.com/vitgo/vit/internal/preprocess"
)

// Config holds the dimensions and options that change the math.
type Config struct {
	Hidden, Layers, Heads, Intermediate int
	ImageSize, PatchSize, Channels      int
	NumClasses                          int
	Labels                              []string // [L]
}

// Options tune loading.
type Options struct {
	Threads int // ≤ 0: all cores
}

// Model is a loaded encoder with its head(s) and preprocessing recipe.
type Model struct {
	Config Config
	Recipe preprocess.Recipe
}

// Load opens a model directory (config.json + safetensors).
func Load(dir string, opt Options) (*Model, error) {
	return nil, errors.New("model: Load: not implemented")
}

// LoadFS opens a model directory inside fsys (the embedded built-in model).
func LoadFS(fsys fs.FS, dir string, opt Options) (*Model, error) {
	return nil, errors.New("model: LoadFS: not implemented")
}

// Forward runs b images given as patches [B, gh·gw, C·P·P] and writes
// logits [B, L].
func (m *Model) Forward(patches []float32, b, gh, gw int, logits []float32) error {
	return errors.New("model: Forward: not implemented")
}

// Close releases the checkpoint mapping and workers.
func (m *Model) Close() error { return nil }
