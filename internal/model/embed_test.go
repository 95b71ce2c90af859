package model

import (
	"path/filepath"
	"testing"
)

// TestEmbedGolden compares Embed with PyTorch's pooled representation
// (scripts/make_embed_fixtures.py: the final LayerNorm of the class token,
// averaged with the distillation token's for a DeiT with a distillation
// head) for each fixture's golden pixels.
func TestEmbedGolden(t *testing.T) {
	for _, dir := range goldenDirs {
		t.Run(dir, func(t *testing.T) {
			m, err := load(filepath.Join(fixtures, dir), nil, Options{Threads: 2}, loadOpts{skipRecipe: true})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			g := readTensors(t, filepath.Join(fixtures, dir, "golden.safetensors"))
			want := readTensors(t, filepath.Join(fixtures, dir, "embed.safetensors"))["embedding"]
			pix, b, h, w := images(t, g["pixels"])
			if d := m.EmbedDim(); len(want.shape) != 2 || want.shape[0] != b || want.shape[1] != d {
				t.Fatalf("embedding fixture of shape %v, want [%d %d]", want.shape, b, d)
			}
			out := make([]float32, b*m.EmbedDim())
			if err := m.Embed(pix, b, h, w, out); err != nil {
				t.Fatal(err)
			}
			checkClose(t, "embedding", out, want.data)
			// Embed after Forward (shared buffers) gives the same vectors.
			logits := make([]float32, b*m.Config.NumClasses)
			if err := m.Forward(pix, b, h, w, logits); err != nil {
				t.Fatal(err)
			}
			checkClose(t, "logits", logits, g["logits"].data)
			if err := m.Embed(pix, b, h, w, out); err != nil {
				t.Fatal(err)
			}
			checkClose(t, "embedding after Forward", out, want.data)
		})
	}
}

func TestEmbedChecksShapes(t *testing.T) {
	m, err := load(filepath.Join(fixtures, "hf-vit-tiny"), nil, Options{Threads: 1}, loadOpts{skipRecipe: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	pix := make([]float32, 3*32*32)
	for _, tc := range []struct {
		name    string
		b, h, w int
		out     int
	}{
		{"short out", 1, 32, 32, 63},
		{"zero batch", 0, 32, 32, 64},
		{"short pixels", 2, 32, 32, 128},
		{"not whole patches", 1, 30, 32, 64},
	} {
		if err := m.Embed(pix, tc.b, tc.h, tc.w, make([]float32, tc.out)); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}
