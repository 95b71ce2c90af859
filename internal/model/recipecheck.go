package model

import (
	"fmt"

	"github.com/vitgo/vit/internal/preprocess"
)

// MaxTokens is the most patches one image may become: Forward refuses
// larger grids, so a recipe asking for one fails when the model loads.
const MaxTokens = 1 << 16

// checkRecipe checks, at load, every recipe size that drives a per-image
// allocation against the model: the channels the patch embedding reads,
// an input of at least one patch, and a patch grid of at most MaxTokens.
func checkRecipe(r *preprocess.Recipe, c *Config) error {
	if err := r.Validate(); err != nil {
		return err
	}
	h, w := r.Size()
	P := c.PatchSize
	switch {
	case r.Channels != c.Channels:
		return fmt.Errorf("recipe %s: %d channels, the model reads %d", r.Source, r.Channels, c.Channels)
	case h < P || w < P:
		return fmt.Errorf("recipe %s: input %d×%d is smaller than one %d×%d patch", r.Source, h, w, P, P)
	case int64(h/P)*int64(w/P) > MaxTokens:
		return fmt.Errorf("recipe %s: input %d×%d is a %d×%d patch grid, more than %d patches", r.Source, h, w, h/P, w/P, MaxTokens)
	}
	return nil
}
