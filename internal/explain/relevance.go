package explain

import (
	"fmt"
	"strings"
)

// Method is how the relevance of the patches is read from the attention.
type Method string

const (
	// Rollout is attention rollout (Abnar & Zuidema, 2020): per block
	// Â = (mean over heads of A + I) / 2, the identity standing for the
	// residual connection and the halving renormalizing the rows; the
	// product Â_L···Â_1 read at the query rows.
	Rollout Method = "rollout"
	// Last is the last block's attention at the query rows, averaged
	// over heads: where the class token looked last, and nothing of how
	// the earlier blocks mixed the tokens.
	Last Method = "last"
	// Logit is rollout for the top-1 class: the last block's heads are
	// weighted by their direct contribution to that class's logit
	// (model.HeadContrib, kept where positive and normalized to sum 1)
	// instead of averaged. Without backpropagation this is the part of
	// the class decision that can be attributed exactly: the last
	// attention's output reaches the head only through the output
	// projection, the residual stream and the final LayerNorm, which is
	// linearized at the token's actual input. Heads that push towards
	// other classes then add no relevance. When no head contributes
	// positively it is plain rollout.
	Logit Method = "logit"
)

// Methods lists the methods, the default first.
var Methods = []Method{Rollout, Last, Logit}

// MethodNames returns the names of Methods, in order.
func MethodNames() []string {
	names := make([]string, len(Methods))
	for i, m := range Methods {
		names[i] = string(m)
	}
	return names
}

// ParseMethod returns the method named s.
func ParseMethod(s string) (Method, error) {
	for _, m := range Methods {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("method %q: want one of %s", s, strings.Join(MethodNames(), ", "))
}

// Attention is what the methods read of one image's attention, gathered
// block by block (Add) from the model's hook.
type Attention struct {
	Layers, Heads, T int
	Pre              int   // prefix tokens: the patches are tokens Pre to T−1
	Queries          []int // the tokens whose rows are read (Q of them)

	all  bool      // keep every block (not only the last)
	mean []float64 // [Layers−1, T, T] head mean of every block but the last (rollout, logit)
	last []float64 // [H, Q, T] the last block's rows at the queries, per head
}

// NewAttention returns the store of one image's attention for method m.
// queries are the tokens whose rows are read: the prefix tokens the
// classifier head reads, or for a model without a class token (which
// pools all tokens) every token, whose mean row is the attention of the
// pooled query.
func NewAttention(m Method, layers, heads, t, pre int, queries []int) *Attention {
	a := &Attention{Layers: layers, Heads: heads, T: t, Pre: pre, Queries: queries, all: m != Last}
	if a.all && layers > 1 {
		a.mean = make([]float64, (layers-1)*t*t)
	}
	a.last = make([]float64, heads*len(queries)*t)
	return a
}

// Add records block layer's attention probabilities p [H, T, T].
func (a *Attention) Add(layer int, p []float32) {
	t, nh := a.T, a.Heads
	if layer == a.Layers-1 {
		for h := range nh {
			for qi, q := range a.Queries {
				dst := a.last[(h*len(a.Queries)+qi)*t : (h*len(a.Queries)+qi+1)*t]
				for j, v := range p[(h*t+q)*t : (h*t+q+1)*t] {
					dst[j] = float64(v)
				}
			}
		}
		return
	}
	if !a.all {
		return
	}
	m := a.mean[layer*t*t : (layer+1)*t*t] // [T, T]
	clear(m)
	for h := range nh {
		for i, v := range p[h*t*t : (h+1)*t*t] {
			m[i] += float64(v)
		}
	}
	for i := range m {
		m[i] /= float64(nh)
	}
}

// Relevance returns the relevance of the patches, rel [Np] (Np = T − Pre,
// in row-major grid order), by method m. weights [Q, H], used by Logit
// only, replaces the last block's head mean at each query row (nil: the
// mean). Rollout and Logit values are the shares of the query rows of the
// rolled-out attention that reach each patch (the prefix tokens hold the
// rest); Last's are the attention weights themselves.
func (a *Attention) Relevance(m Method, weights []float64) []float64 {
	t, nh, nq := a.T, a.Heads, len(a.Queries)
	v := make([]float64, t) // [T] the query rows' mean, rolled out
	for qi, q := range a.Queries {
		w := 1 / float64(nh)
		for h := range nh {
			if m == Logit && weights != nil {
				w = weights[qi*nh+h]
			}
			for j, x := range a.last[(h*nq+qi)*t : (h*nq+qi+1)*t] {
				v[j] += w * x
			}
		}
		if m != Last {
			v[q]++ // the identity: the residual
		}
	}
	scale := 1 / float64(nq)
	if m != Last {
		scale /= 2
	}
	for j := range v {
		v[j] *= scale
	}
	if m != Last {
		u := make([]float64, t) // [T]
		for l := a.Layers - 2; l >= 0; l-- {
			// u = v · (M_l + I) / 2
			mat := a.mean[l*t*t : (l+1)*t*t]
			clear(u)
			for i, vi := range v {
				if vi == 0 {
					continue
				}
				for j, x := range mat[i*t : (i+1)*t] {
					u[j] += vi * x
				}
			}
			for j := range u {
				u[j] = (u[j] + v[j]) / 2
			}
			v, u = u, v
		}
	}
	return v[a.Pre:]
}

// HeadWeights turns head contributions c [Q, H] into the Logit method's
// weights [Q, H]: each row's positive parts normalized to sum 1, or the
// plain mean when none is positive.
func HeadWeights(c []float64, heads int) []float64 {
	w := make([]float64, len(c))
	for r := 0; r+heads <= len(c); r += heads {
		var s float64
		for _, x := range c[r : r+heads] {
			s += max(x, 0)
		}
		for h := range heads {
			if s > 0 {
				w[r+h] = max(c[r+h], 0) / s
			} else {
				w[r+h] = 1 / float64(heads)
			}
		}
	}
	return w
}
