package main

import (
	"io"

	"github.com/vitgo/vit/internal/preprocess"
)

// geometry is a model's input: C channels of H×W pixels cut into P×P patches.
type geometry struct{ C, H, W, P int }

// grid returns the patch grid, gh rows by gw columns.
func (g geometry) grid() (gh, gw int) { return g.H / g.P, g.W / g.P }

// patchesLen is the length of one image's patches [gh·gw, C·P·P].
func (g geometry) patchesLen() int {
	gh, gw := g.grid()
	return gh * gw * g.C * g.P * g.P
}

// classifier is what the classify pipeline needs from a model.
type classifier interface {
	Geometry() geometry
	Labels() []string // [L]
	// Prepare decodes one image from r and writes its patches
	// [gh·gw, C·P·P] to patches, using pix [C, H, W] as scratch. It is safe
	// for concurrent use with distinct buffers.
	Prepare(name string, r io.Reader, lim preprocess.Limits, pix, patches []float32) error
	// Forward maps b images' patches [B, gh·gw, C·P·P] to logits [B, L].
	// Not safe for concurrent use.
	Forward(patches []float32, b int, logits []float32) error
	Close() error
}

// modelOptions is how the command opens a model.
type modelOptions struct {
	Threads int  // inference threads (≥ 1)
	Offline bool // never download
}
