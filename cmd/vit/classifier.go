package main

import (
	"io"

	"github.com/vitgo/vit/internal/preprocess"
)

// classifier is what the classify pipeline needs from a model.
type classifier interface {
	// InputShape is the image the model takes: c channels of h×w pixels.
	InputShape() (c, h, w int)
	Labels() []string // [L]
	// Prepare decodes one image from r and writes its normalized pixels
	// [C, H, W] to pix. It is safe for concurrent use with distinct
	// buffers.
	Prepare(name string, r io.Reader, lim preprocess.Limits, pix []float32) error
	// Forward maps b images' pixels [B, C, H, W] to logits [B, L].
	// Not safe for concurrent use.
	Forward(pix []float32, b int, logits []float32) error
	Close() error
}

// modelOptions is how the command opens a model.
type modelOptions struct {
	Threads int  // inference threads (≥ 1)
	Offline bool // never download
}
