package model

import (
	"path/filepath"
	"testing"
)

// TestFamilyForwardNoAlloc: once its buffers have grown, Forward
// allocates nothing for the optional terms either (relative position
// bias gathered per block, rotary tables cached per grid, SwiGLU, the MAP
// head, average pooling, post-norm blocks, registers).
func TestFamilyForwardNoAlloc(t *testing.T) {
	for _, dir := range []string{"timm-beitv2", "timm-eva02", "timm-rope-mixed", "timm-pe-core", "timm-siglip-map", "timm-respost", "timm-srelpos", "timm-diff-attn", "hf-dinov2-reg"} {
		m, err := load(filepath.Join(fixtures, dir), nil, Options{Threads: 2}, loadOpts{skipRecipe: true})
		if err != nil {
			t.Fatal(err)
		}
		g := readTensors(t, filepath.Join(fixtures, dir, "golden.safetensors"))
		pix, b, h, w := images(t, g["pixels"])
		logits := make([]float32, b*m.Config.NumClasses)
		if err := m.Forward(pix, b, h, w, logits); err != nil {
			t.Fatal(err)
		}
		if allocs := testing.AllocsPerRun(2, func() { m.Forward(pix, b, h, w, logits) }); allocs != 0 {
			t.Errorf("%s: Forward allocates %v times per call after warm-up", dir, allocs)
		}
		m.Close()
	}
}
