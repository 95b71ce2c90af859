package model

import "fmt"

// InputShape returns the image Forward takes for this model: c channels
// of h×w pixels, as its preprocessing recipe (Model.Recipe) produces them,
// or the config's channels and square image_size when the recipe gives no
// size. Forward also takes other sizes that are whole numbers of patches.
func (m *Model) InputShape() (c, h, w int) {
	c, h, w = m.Config.Channels, m.Config.ImageSize, m.Config.ImageSize
	if m.Recipe.Channels > 0 {
		c = m.Recipe.Channels
	}
	if m.Recipe.Height > 0 && m.Recipe.Width > 0 {
		h, w = m.Recipe.Height, m.Recipe.Width
	}
	return c, h, w
}

// CheckImage reports whether Forward takes images of ch channels of h×w
// pixels: the model's channels, and sides that are positive whole numbers
// of patches on a grid of at most 65 536 patches.
func (c *Config) CheckImage(ch, h, w int) error {
	p := c.PatchSize
	switch {
	case ch != c.Channels:
		return fmt.Errorf("input has %d channels, the model wants %d", ch, c.Channels)
	case h <= 0 || w <= 0 || h%p != 0 || w%p != 0:
		return fmt.Errorf("input %d×%d: not a whole number of %d×%d patches", h, w, p, p)
	case h/p > 1<<16 || w/p > 1<<16 || (h/p)*(w/p) > 1<<16:
		return fmt.Errorf("input %d×%d: more than 65536 patches of %d×%d", h, w, p, p)
	}
	return nil
}

// patchify cuts one image src [C, H, W] into its patches dst [Np, C·P·P]
// (Np = (H/P)·(W/P), in row-major grid order), each row in the order of
// the patch embedding's conv weight [D, C, P, P]: dst[gy·gw + gx,
// (ch·P + y)·P + x] = src[ch, gy·P + y, gx·P + x]. Then the patch
// embedding Conv2d(C, D, P, stride P) is the GEMM dst · W[D, C·P·P]ᵀ.
//
// It copies runs of P values: 3×224×224 pixels in 0.1–0.16 ms on a busy
// 2-core machine (BenchmarkPatchify), about 0.1% of a ViT-B/16 forward
// pass at batch 1, so it is not fused into the GEMM's packing of its
// operand (which would save one pass over the same 600 KB).
func patchify(src []float32, c, h, w, p int, dst []float32) {
	gh, gw := h/p, w/p
	cpp := c * p * p
	_ = src[c*h*w-1]
	_ = dst[gh*gw*cpp-1]
	for gy := 0; gy < gh; gy++ {
		for ch := 0; ch < c; ch++ {
			for y := 0; y < p; y++ {
				srow := src[(ch*h+gy*p+y)*w : (ch*h+gy*p+y+1)*w] // [W] one pixel row
				off := (ch*p + y) * p                            // its place in a patch row
				for gx := 0; gx < gw; gx++ {
					d := dst[(gy*gw+gx)*cpp+off:]
					copy(d[:p], srow[gx*p:gx*p+p])
				}
			}
		}
	}
}
