package model

import "fmt"

// EmbedDim is the width of the vectors Embed writes, the width the
// classifier head reads: D, or 2D when the head reads the class token and
// the mean of the patch tokens (HF Dinov2).
func (m *Model) EmbedDim() int { return m.Config.headIn() }

// Embed runs b images given as normalized pixels [B, C, H, W], like
// Forward, and writes the pooled representation the classifier head reads,
// out [B, D'] (D' = EmbedDim): what the head reads, as timm's
// forward_head(pre_logits=True) returns (the pooled tokens, see
// poolTokens), or, for a model with a distillation head (DeiT distilled),
// the mean of the final-normed class and distillation tokens. Not safe
// for concurrent use.
func (m *Model) Embed(pix []float32, b, h, w int, out []float32) error {
	c := &m.Config
	if m.pool == nil {
		return errClosed
	}
	if err := c.CheckImage(c.Channels, h, w); err != nil {
		return fmt.Errorf("embed: %w", err)
	}
	d, n := m.EmbedDim(), c.Channels*h*w
	switch {
	case b <= 0 || b > 1<<16:
		return fmt.Errorf("embed: batch %d: want 1 to 65536", b)
	case len(pix) < b*n:
		return fmt.Errorf("embed: pixels has %d values, want %d (B %d × %d×%d×%d)", len(pix), b*n, b, c.Channels, h, w)
	case len(out) < b*d:
		return fmt.Errorf("embed: out has %d values, want %d (B %d × %d)", len(out), b*d, b, d)
	}
	m.headInput(pix, b, h, w, nil)
	cls := m.ws.cls[:b*d] // [B, D']
	if !c.DistHead {
		copy(out, cls)
		return nil
	}
	dist := m.ws.dist[:b*d] // [B, D]
	for i := range cls {
		out[i] = (cls[i] + dist[i]) / 2
	}
	return nil
}
