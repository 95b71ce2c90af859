package explain

import (
	"fmt"

	"github.com/vitgo/vit/internal/model"
)

// Explainer runs a model with an attention hook and turns each image's
// attention into the relevance of its patches.
type Explainer struct {
	m       *model.Model
	method  Method
	pre     int
	queries []int        // the query tokens (nil: every token, see NewAttention)
	att     []*Attention // [B] the images of the running batch
	contrib []float64    // [pre, H] head contributions of one image (Logit)
}

// New sets m's attention hook for method; Close takes it off. m must not
// run for anything else meanwhile. The query rows are the class token's,
// and for a model with a distillation head the class and distillation
// tokens' (its logits average both heads); a model without prefix tokens
// (global average pooling) reads the mean of every token's row.
func New(m *model.Model, method Method) *Explainer {
	e := &Explainer{m: m, method: method, pre: m.PrefixTokens()}
	switch {
	case e.pre == 0:
		// every token, set per grid in Explain
	case m.Config.DistHead:
		e.queries = []int{0, 1}
	default:
		e.queries = []int{0}
	}
	e.contrib = make([]float64, e.pre*m.Config.Heads)
	m.SetAttnHook(e.hook)
	return e
}

// Close takes the hook off the model.
func (e *Explainer) Close() { e.m.SetAttnHook(nil) }

func (e *Explainer) hook(layer int, p []float32) {
	if len(e.att) == 0 {
		return
	}
	a := e.att[0]
	n := a.Heads * a.T * a.T
	for bi, a := range e.att {
		a.Add(layer, p[bi*n:(bi+1)*n])
	}
}

// Explain runs b images of normalized pixels pix [B, C, H, W] and writes
// their logits [B, L] and the relevance of their patches rel [B, Np]
// (Np = (H/P)·(W/P), row-major grid order). The Logit method explains
// each image's top-1 class.
func (e *Explainer) Explain(pix []float32, b, h, w int, logits []float32, rel []float64) error {
	c := &e.m.Config
	if h%c.PatchSize != 0 || w%c.PatchSize != 0 {
		return fmt.Errorf("explain: %d×%d is not a whole number of %d-pixel patches", h, w, c.PatchSize)
	}
	np := (h / c.PatchSize) * (w / c.PatchSize)
	t := e.pre + np
	if len(rel) < b*np {
		return fmt.Errorf("explain: rel has %d values, want %d (B %d × %d patches)", len(rel), b*np, b, np)
	}
	q := e.queries
	if q == nil {
		q = make([]int, t)
		for i := range q {
			q[i] = i
		}
	}
	e.att = e.att[:0]
	for range b {
		e.att = append(e.att, NewAttention(e.method, c.Layers, c.Heads, t, e.pre, q))
	}
	defer func() { e.att = e.att[:0] }()
	if err := e.m.Forward(pix, b, h, w, logits); err != nil {
		return err
	}
	l := c.NumClasses
	for bi, a := range e.att {
		var weights []float64
		if e.method == Logit && e.pre > 0 {
			e.m.HeadContrib(bi, argmax(logits[bi*l:(bi+1)*l]), e.contrib)
			// The contributions of the query rows, in Queries order.
			cq := make([]float64, 0, len(q)*c.Heads)
			for _, r := range q {
				cq = append(cq, e.contrib[r*c.Heads:(r+1)*c.Heads]...)
			}
			weights = HeadWeights(cq, c.Heads)
		}
		copy(rel[bi*np:(bi+1)*np], a.Relevance(e.method, weights))
	}
	return nil
}

// argmax returns the index of the largest of x (the first of equals).
func argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}
