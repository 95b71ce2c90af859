package model

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
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
// plus the float32 path's own 1e-4. Attention runs in bf16 too
// (kernels.AttentionPanelsAt): its two products (q·kᵀ, then the
// probabilities times v) are two more on that path, of bf16's ε each:
// 2L·(ε + ε_bf16). That last term is first order: it leaves out the
// softmax's gain on large scores (the score error grows with Σ|q·k|/√dh),
// which kernels' attentionBF16Bound carries for the attention alone; the
// golden models' largest error uses about half of this bound. A wrong
// scale or a missed zero point moves the logits by O(1) of that magnitude.
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
					// the matrices' step, plus attention's, which runs in bf16
					eps := precisionStep(prec) + precisionStep(kernels.BF16)
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

// TestLowPrecisionLoad loads checkpoints straight into bf16 and int8 and
// checks that every converted matrix and the logits are bit for bit those
// of the route that expands every matrix to float32 first and converts it
// afterwards (the float32 load, then convert), on each dtype (BF16 used
// in place, F16 decoded, F32 read in place or, unaligned, decoded) and
// each way a layout binds a matrix: Hugging Face's separate q, k, v;
// timm's fused qkv; a layer scale folded in; row and column ranges of
// shared tensors. The BF16 timm checkpoints are fixtures rewritten with
// their values rounded to bf16. It also checks the converted matrices
// keep no float32 copy and that param.rows still decodes them from the
// checkpoint.
func TestLowPrecisionLoad(t *testing.T) {
	for _, c := range []struct {
		fixture string
		rewrite string // "bf16": the tensors rewritten as BF16; "unaligned": as F32 at odd offsets
	}{
		{"hf-deit-distilled-bf16", ""}, // BF16, q, k, v
		{"hf-vit-tiny", ""},            // F32 in place, q, k, v
		{"hf-vit-tiny", "unaligned"},   // F32 decoded, q, k, v
		{"timm-vit-tiny-f16", ""},      // F16, fused qkv
		{"timm-vit-tiny-f16", "bf16"},  // BF16, fused qkv
		{"timm-deit3", "bf16"},         // BF16, layer scale folded in
		{"timm-diff-parallel", "bf16"}, // BF16, row and column ranges
	} {
		dir, name := filepath.Join(fixtures, c.fixture), c.fixture
		switch c.rewrite {
		case "bf16":
			dir, name = bf16Fixture(t, c.fixture), c.fixture+"-as-bf16"
		case "unaligned":
			dir, name = unalignedFixture(t, c.fixture), c.fixture+"-unaligned"
		}
		g := readTensors(t, filepath.Join(fixtures, c.fixture, "golden.safetensors"))
		pix, b, h, w := images(t, g["pixels"])
		for _, prec := range []kernels.Precision{kernels.BF16, kernels.Int8} {
			t.Run(fmt.Sprintf("%v/%s", prec, name), func(t *testing.T) {
				ref, err := load(dir, nil, Options{Threads: 2}, loadOpts{skipRecipe: true})
				if err != nil {
					t.Fatal(err)
				}
				defer ref.Close()
				ref.w.convert(prec)
				ref.w.splitQKV()
				m, err := load(dir, nil, Options{Threads: 2, Precision: prec}, loadOpts{skipRecipe: true})
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				refLow, low := ref.w.lowMatrices(), m.w.lowMatrices()
				for i, p := range low {
					if p.data != nil {
						t.Errorf("%s: float32 values kept after conversion", p.name)
					}
					if d := linearBitsDiff(m.pool, p.packed, refLow[i].packed); d != "" {
						t.Errorf("%s: %s", p.name, d)
					}
					if !slices.Equal(p.rows(), refLow[i].rows()) {
						t.Errorf("%s: rows() differ from the float32 load's", p.name)
					}
				}
				got := make([]float32, b*m.Config.NumClasses)
				want := make([]float32, len(got))
				if err := m.Forward(pix, b, h, w, got); err != nil {
					t.Fatal(err)
				}
				if err := ref.Forward(pix, b, h, w, want); err != nil {
					t.Fatal(err)
				}
				if !slices.EqualFunc(got, want, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) }) {
					t.Errorf("logits %v, want %v", got[:min(4, len(got))], want[:min(4, len(want))])
				}
			})
		}
	}
}

// linearBitsDiff multiplies random activations by the operands a and b
// [N, K] and describes the first output whose bits differ, or returns ""
// (equal weights give equal bits: each output's summation order depends
// on K alone).
func linearBitsDiff(pool *kernels.Pool, a, b *kernels.PackedB) string {
	if a.N != b.N || a.K != b.K || a.Precision() != b.Precision() {
		return fmt.Sprintf("%v [%d, %d], want %v [%d, %d]", a.Precision(), a.N, a.K, b.Precision(), b.N, b.K)
	}
	const m = 37 // tokens: a full panel and a partial one
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, m*a.K) // [m, K]
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	ya, yb := make([]float32, m*a.N), make([]float32, m*a.N) // [m, N]
	kernels.Linear(pool, m, x, a.K, a, nil, kernels.ActNone, false, ya, a.N)
	kernels.Linear(pool, m, x, b.K, b, nil, kernels.ActNone, false, yb, b.N)
	for i := range ya {
		if math.Float32bits(ya[i]) != math.Float32bits(yb[i]) {
			return fmt.Sprintf("output [%d, %d] = %g, want %g", i/a.N, i%a.N, ya[i], yb[i])
		}
	}
	return ""
}

// bf16Fixture writes the fixture checkpoint dir with every tensor
// rounded to bf16 and stored as BF16, and its config.json, into a new
// directory.
func bf16Fixture(t *testing.T, dir string) string {
	es := fixtureEntries(t, dir)
	for i, e := range es {
		raw := make([]byte, len(e.raw)/2)
		for j := range len(e.raw) / 4 {
			u := binary.LittleEndian.Uint32(e.raw[4*j:])
			binary.LittleEndian.PutUint16(raw[2*j:], bf16Bits(u))
		}
		es[i].dtype, es[i].raw = "BF16", raw
	}
	return writeModel(t, fixtureConfig(t, dir), map[string][]byte{"model.safetensors": encodeST(es)})
}

// bf16Bits rounds the float32 of bits u to bf16, nearest, ties to even.
func bf16Bits(u uint32) uint16 { return uint16((u + 0x7fff + (u>>16)&1) >> 16) }

// TestBF16KernelsAgree runs the golden fixtures in bf16 on the FMA and
// the VDPBF16PS kernels (kernels.SetBF16Kernel, AMX off for both) and
// requires the same logits, bit for bit: both sum each output in the
// generic code's order.
func TestBF16KernelsAgree(t *testing.T) {
	if !slices.Contains(kernels.BF16Kernels(), "dpbf16") {
		t.Skip("no VDPBF16PS")
	}
	for _, dir := range goldenDirs {
		var first []float32
		for _, k := range []string{"fma", "dpbf16"} {
			got := func() (got []float32) { // the kernel restored and the model closed even on Fatal
				defer kernels.SetBF16Kernel(k)()
				m, err := load(filepath.Join(fixtures, dir), nil, Options{Threads: 2, Precision: kernels.BF16}, loadOpts{skipRecipe: true})
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				for _, gf := range goldenFiles(t, dir) {
					pix, b, h, w := images(t, readTensors(t, gf)["pixels"])
					out := make([]float32, b*m.Config.NumClasses)
					if err := m.Forward(pix, b, h, w, out); err != nil {
						t.Fatal(err)
					}
					got = append(got, out...)
				}
				return got
			}()
			if first == nil {
				first = got
			} else if !slices.EqualFunc(got, first, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) }) {
				t.Errorf("%s: bf16 logits on %s differ from the fma kernel's", dir, k)
			}
		}
	}
}
