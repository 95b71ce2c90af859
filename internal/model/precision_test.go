package model

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/vitgo/vit/internal/kernels"
)

// precisionStep is ε, the relative error one low-precision matmul may
// add to its output: bf16 rounds both operands to 8 significant bits
// (2·2⁻⁸); int8 steps each activation by 1/255 of its token's range and
// each weight by 1/127 of its row's largest magnitude: one step of each,
// 1/255 + 1/127 (the rounding is half a step, but measured against the
// output, whose magnitude is that of typical values rather than the
// range, the error of a dot product grows by the range's ratio to them).
func precisionStep(p kernels.Precision) float64 {
	if p == kernels.BF16 {
		return 2.0 / 256
	}
	return 1.0/255 + 1.0/127
}

// TestGoldenPrecision runs every golden fixture in bf16 and int8 and
// compares the logits with PyTorch's float64 ones. The tolerance: each
// block has two matmuls in series on the residual path (attention's
// q|k|v → projection, fc1 → fc2), so after L blocks the logits may be off
// by 2L·ε relative to their largest magnitude (ε from precisionStep),
// plus the float32 path's own 1e-4. Where attention runs in bf16 too
// (kernels.AttentionBF16), its two products (q·kᵀ, then the
// probabilities times v) are two more on that path, of bf16's ε each:
// 2L·(ε + ε_bf16). A wrong scale or a missed zero point moves the logits
// by O(1) of that magnitude.
func TestGoldenPrecision(t *testing.T) {
	for _, prec := range []kernels.Precision{kernels.BF16, kernels.Int8} {
		for _, dir := range goldenDirs {
			t.Run(fmt.Sprintf("%v/%s", prec, dir), func(t *testing.T) {
				m, err := load(filepath.Join(fixtures, dir), nil, Options{Threads: 2, Precision: prec}, loadOpts{skipRecipe: true})
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				if m.Precision() != prec {
					t.Fatalf("Precision() = %v, want %v", m.Precision(), prec)
				}
				for _, gf := range goldenFiles(t, dir) {
					g := readTensors(t, gf)
					pix, b, h, w := images(t, g["pixels"])
					want := g["logits"].data
					got := make([]float32, b*m.Config.NumClasses)
					if err := m.Forward(pix, b, h, w, got); err != nil {
						t.Fatal(err)
					}
					var scale, worst float64
					for i := range want {
						scale = max(scale, math.Abs(float64(want[i])))
						worst = max(worst, math.Abs(float64(got[i]-want[i])))
					}
					eps := precisionStep(prec)
					if kernels.AttentionBF16() {
						eps += precisionStep(kernels.BF16)
					}
					tol := (2*float64(m.Config.Layers)*eps + 1e-4) * scale
					t.Logf("%s: largest logit error %.3g of %.3g (%.2f%% of the bound)", filepath.Base(gf), worst, scale, 100*worst/tol)
					if !(worst <= tol) {
						t.Errorf("%s: largest logit error %.3g, want ≤ %.3g", filepath.Base(gf), worst, tol)
					}
				}
			})
		}
	}
}
