package explain

import (
	"math"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/vitgo/vit/internal/model"
	"github.com/vitgo/vit/internal/safetensors"
)

const fixtures = "../../testdata/model"

// The fixtures of scripts/make_explain_fixtures.py: PyTorch's relevance in
// float64 from nn.MultiheadAttention's weights; "attn" when the file also
// holds those weights.
var explainFixtures = []struct {
	dir  string
	attn bool
}{{"hf-vit-tiny", true}, {"hf-deit-distilled-bf16", true}, {"hf-vit-224-12h", false}}

type tensor struct {
	shape []int
	data  []float32
}

func readTensors(t *testing.T, path string) map[string]tensor {
	t.Helper()
	f, err := safetensors.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]tensor{}
	for _, st := range f.Tensors() {
		v, err := st.Float32s()
		if err != nil {
			t.Fatal(err)
		}
		out[st.Name] = tensor{st.Shape, v}
	}
	return out
}

// rolloutRef is the specification: the matrices Â_l = (mean_h A_l + I)/2
// multiplied out in full, R = Â_L···Â_1 [T, T], the mean of R's query
// rows over the patch columns. lastW [Q, H] weights the last block's heads
// per query (nil: mean). attn is [layers][H, T, T].
func rolloutRef(attn [][]float32, nh, t, pre int, queries []int, lastW []float64) []float64 {
	hat := func(a []float32, w []float64) []float64 {
		m := make([]float64, t*t)
		for h := range nh {
			for i := range t {
				for j := range t {
					wt := 1 / float64(nh)
					if w != nil {
						wt = w[h]
					}
					m[i*t+j] += wt * float64(a[(h*t+i)*t+j])
				}
			}
		}
		for i := range t {
			for j := range t {
				m[i*t+j] /= 2
			}
			m[i*t+i] += 0.5
		}
		return m
	}
	out := make([]float64, t-pre)
	for qi, q := range queries {
		r := make([]float64, t*t) // R, starting from I
		for i := range t {
			r[i*t+i] = 1
		}
		for l, a := range attn {
			var w []float64
			if l == len(attn)-1 && lastW != nil {
				w = lastW[qi*nh : (qi+1)*nh]
			}
			m := hat(a, w)
			next := make([]float64, t*t)
			for i := range t {
				for k := range t {
					for j := range t {
						next[i*t+j] += m[i*t+k] * r[k*t+j]
					}
				}
			}
			r = next
		}
		for j := pre; j < t; j++ {
			out[j-pre] += r[q*t+j] / float64(len(queries))
		}
	}
	return out
}

func checkWithin(t *testing.T, what string, got []float64, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	var worst float64
	for i := range want {
		worst = math.Max(worst, math.Abs(got[i]-float64(want[i])))
	}
	t.Logf("%s: worst |got−want| %.3g", what, worst)
	if !(worst <= tol) {
		t.Errorf("%s: differs from PyTorch by up to %.3g, want ≤ %g", what, worst, tol)
	}
}

// TestRelevanceFromAttention feeds PyTorch's attention weights to
// Attention and to the full-matrix rollout, and compares both with
// PyTorch's relevance.
func TestRelevanceFromAttention(t *testing.T) {
	for _, fx := range explainFixtures {
		if !fx.attn {
			continue
		}
		t.Run(fx.dir, func(t *testing.T) {
			x := readTensors(t, filepath.Join(fixtures, fx.dir, "explain.safetensors"))
			var attn []tensor
			for l := 0; ; l++ {
				a, ok := x["attn."+strconv.Itoa(l)]
				if !ok {
					break
				}
				attn = append(attn, a)
			}
			b, nh, tt := attn[0].shape[0], attn[0].shape[1], attn[0].shape[2]
			pre := tt - x["rollout"].shape[1]
			queries := []int{0}
			if pre == 2 {
				queries = []int{0, 1} // the fixture's DeiT has a distillation head
			}
			np := tt - pre
			for bi := range b {
				img := make([][]float32, len(attn)) // [layers][H, T, T]
				for l, a := range attn {
					img[l] = a.data[bi*nh*tt*tt : (bi+1)*nh*tt*tt]
				}
				c := make([]float64, pre*nh)
				for i, v := range x["contrib"].data[bi*pre*nh : (bi+1)*pre*nh] {
					c[i] = float64(v)
				}
				w := HeadWeights(c, nh)
				for _, m := range Methods {
					a := NewAttention(m, len(attn), nh, tt, pre, queries)
					for l := range img {
						a.Add(l, img[l])
					}
					var mw []float64
					if m == Logit {
						mw = w
					}
					want := x[string(m)].data[bi*np : (bi+1)*np]
					checkWithin(t, "image "+strconv.Itoa(bi)+" "+string(m), a.Relevance(m, mw), want, 1e-6)
				}
				checkWithin(t, "image "+strconv.Itoa(bi)+" full-matrix rollout", rolloutRef(img, nh, tt, pre, queries, nil), x["rollout"].data[bi*np:(bi+1)*np], 1e-6)
				checkWithin(t, "image "+strconv.Itoa(bi)+" full-matrix logit", rolloutRef(img, nh, tt, pre, queries, w), x["logit"].data[bi*np:(bi+1)*np], 1e-6)
			}
		})
	}
}

// TestExplainGolden runs the model's float32 forward with the hook on the
// golden pixels and compares every method with PyTorch's float64 relevance.
func TestExplainGolden(t *testing.T) {
	for _, fx := range explainFixtures {
		t.Run(fx.dir, func(t *testing.T) {
			dir := filepath.Join(fixtures, fx.dir)
			m, err := model.Load(dir, model.Options{Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			g := readTensors(t, filepath.Join(dir, "golden.safetensors"))
			x := readTensors(t, filepath.Join(dir, "explain.safetensors"))
			px := g["pixels"]
			b, h, w := px.shape[0], px.shape[2], px.shape[3]
			np := x["rollout"].shape[1]
			for _, method := range Methods {
				e := New(m, method)
				logits := make([]float32, b*m.Config.NumClasses)
				rel := make([]float64, b*np)
				if err := e.Explain(px.data, b, h, w, logits, rel); err != nil {
					t.Fatal(err)
				}
				e.Close()
				for bi := range b {
					if got, want := argmax(logits[bi*m.Config.NumClasses:(bi+1)*m.Config.NumClasses]), int(x["class"].data[bi]); got != want {
						t.Errorf("image %d: top-1 class %d, want %d", bi, got, want)
					}
				}
				checkWithin(t, string(method), rel, x[string(method)].data, 1e-5)
			}
		})
	}
}
