package model

import (
	"math"
	"path/filepath"
	"strconv"
	"testing"
)

// explainDirs are the fixtures whose explain.safetensors (from
// scripts/make_explain_fixtures.py) holds PyTorch's attention weights.
var explainDirs = []string{"hf-vit-tiny", "hf-deit-distilled-bf16"}

// TestAttnHook compares the probabilities the hook sees with
// nn.MultiheadAttention's weights computed in float64, and HeadContrib
// with the script's head contributions; the logits must not change.
func TestAttnHook(t *testing.T) {
	for _, dir := range explainDirs {
		t.Run(dir, func(t *testing.T) {
			m, err := load(filepath.Join(fixtures, dir), nil, Options{Threads: 2}, loadOpts{skipRecipe: true})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			g := readTensors(t, filepath.Join(fixtures, dir, "golden.safetensors"))
			x := readTensors(t, filepath.Join(fixtures, dir, "explain.safetensors"))
			pix, b, h, w := images(t, g["pixels"])
			logits := make([]float32, b*m.Config.NumClasses)
			var got [][]float32 // [layers][B·H·T·T]
			m.SetAttnHook(func(layer int, p []float32) {
				if layer != len(got) {
					t.Errorf("hook called for block %d, want %d", layer, len(got))
				}
				got = append(got, append([]float32(nil), p...))
			})
			if err := m.Forward(pix, b, h, w, logits); err != nil {
				t.Fatal(err)
			}
			if len(got) != m.Config.Layers {
				t.Fatalf("hook called %d times, want %d", len(got), m.Config.Layers)
			}
			for l, p := range got {
				want := x["attn."+strconv.Itoa(l)].data
				if len(p) != len(want) {
					t.Fatalf("block %d: %d probabilities, want %d", l, len(p), len(want))
				}
				var worst float64
				for i := range want {
					worst = math.Max(worst, math.Abs(float64(p[i]-want[i])))
				}
				if worst > 1e-5 {
					t.Errorf("block %d: probabilities differ from PyTorch by up to %.3g, want ≤ 1e-5", l, worst)
				}
			}
			checkClose(t, "logits with the hook", logits, g["logits"].data)

			nh, pre := m.Config.Heads, m.Config.prefix()
			for bi := range b {
				class := int(x["class"].data[bi])
				c := make([]float64, pre*nh)
				m.HeadContrib(bi, class, c)
				want := x["contrib"].data[bi*pre*nh : (bi+1)*pre*nh]
				for i := range want {
					if math.Abs(c[i]-float64(want[i])) > 1e-4*math.Max(1, math.Abs(float64(want[i]))) {
						t.Errorf("image %d: contribution[%d] = %.6g, want %.6g", bi, i, c[i], want[i])
					}
				}
			}

			// Off again: the hook is not called.
			m.SetAttnHook(nil)
			n := len(got)
			if err := m.Forward(pix, b, h, w, logits); err != nil {
				t.Fatal(err)
			}
			if len(got) != n {
				t.Errorf("hook called after SetAttnHook(nil)")
			}
			checkClose(t, "logits without the hook", logits, g["logits"].data)
		})
	}
}

// BenchmarkForwardAttnHook is BenchmarkForward's vit-s16 at batch 1 with
// an attention hook that only reads the probabilities: the cost of
// explaining over classifying (every block in full, q·kᵀ twice).
func BenchmarkForwardAttnHook(b *testing.B) {
	m, err := Random("vit-s16", 1, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	pix := make([]float32, 3*224*224) // [C, H, W]
	for i := range pix {
		pix[i] = float32(i%255)/127.5 - 1
	}
	logits := make([]float32, 1000)
	var sink float32
	m.SetAttnHook(func(_ int, p []float32) { sink += p[0] })
	for b.Loop() {
		if err := m.Forward(pix, 1, 224, 224, logits); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/image")
	_ = sink
}
