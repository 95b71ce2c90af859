package model

import (
	"path/filepath"
	"strconv"
	"testing"
)

// TestFamilyForwardNoAlloc: once its buffers have grown, Forward
// allocates nothing for the optional terms either (relative position
// bias gathered per block, rotary tables cached per grid, SwiGLU, the MAP
// head, average pooling, post-norm blocks, registers).
func TestFamilyForwardNoAlloc(t *testing.T) {
	for _, dir := range []string{"timm-beitv2", "timm-eva02", "timm-rope-mixed", "timm-pe-core", "timm-siglip-map", "timm-respost", "timm-srelpos", "timm-diff-attn", "timm-parallel", "timm-diff-parallel", "hf-dinov2-reg"} {
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

// TestAttnHookFamilies compares the probabilities the attention hook sees
// with timm's own (attn.safetensors: the input of each block's attention
// dropout) where the scores carry more than q·kᵀ: BEiT's relative
// position bias, and the rotary embedding of q and k.
func TestAttnHookFamilies(t *testing.T) {
	for _, dir := range []string{"timm-beitv2", "timm-rope-xy"} {
		m, err := load(filepath.Join(fixtures, dir), nil, Options{Threads: 2}, loadOpts{skipRecipe: true})
		if err != nil {
			t.Fatal(err)
		}
		g := readTensors(t, filepath.Join(fixtures, dir, "golden.safetensors"))
		want := readTensors(t, filepath.Join(fixtures, dir, "attn.safetensors"))
		pix, b, h, w := images(t, g["pixels"])
		logits := make([]float32, b*m.Config.NumClasses)
		calls := 0
		m.SetAttnHook(func(layer int, p []float32) {
			calls++
			wl := want["attn."+strconv.Itoa(layer)].data
			if i, ok := within(p, wl, 1e-5); !ok {
				t.Errorf("%s block %d: probability %d = %v, timm %v", dir, layer, i, p[max(i, 0)], wl[max(i, 0)])
			}
		})
		if err := m.Forward(pix, b, h, w, logits); err != nil {
			t.Fatal(err)
		}
		if calls != m.Config.Layers {
			t.Errorf("%s: hook called %d times, want %d", dir, calls, m.Config.Layers)
		}
		checkClose(t, dir+" logits with the hook", logits, g["logits"].data)
		m.Close()
	}
}
