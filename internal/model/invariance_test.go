package model

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/vitgo/vit/internal/kernels"
)

// modelCase is a model to open for TestForwardBatchInvariant and the
// image size to run it at (0: its own).
type modelCase struct {
	name string
	open func(opt Options) (*Model, error)
	h, w int
}

// TestForwardBatchInvariant runs the same images through Forward at batch
// sizes 1 to 9, from several first images (so an image's tokens start at
// different lanes of the token panels), on 1, 2 and 3 threads and every
// kernel family and precision, and requires each image's logits to be
// the same bits as when it runs alone on one thread: ViT-Ti cut to two
// blocks on a 6×6 grid (37 tokens: sequences straddle panels) and the
// distilled DeiT fixture (two prefix tokens, two heads).
func TestForwardBatchInvariant(t *testing.T) {
	cases := []modelCase{
		{"vit-ti16", func(opt Options) (*Model, error) {
			m, err := random("vit-ti16", 7, opt)
			if err == nil {
				m.w.Blocks = m.w.Blocks[:2]
				m.Config.Layers = 2
			}
			return m, err
		}, 96, 96},
		{"deit", func(opt Options) (*Model, error) {
			return load(filepath.Join(fixtures, "hf-deit-distilled-bf16"), nil, opt, loadOpts{skipRecipe: true})
		}, 0, 0},
	}
	for _, isa := range kernels.ISAs() {
		for _, prec := range []kernels.Precision{kernels.FP32, kernels.BF16, kernels.Int8} {
			t.Run(isa+"/"+prec.String(), func(t *testing.T) {
				defer kernels.SetISA(isa)()
				forwardBatchInvariant(t, cases, prec)
			})
		}
	}
	// the int8 and bf16 kernels the CPU does not pick (Int8Kernel, BF16Kernel)
	for _, k := range kernels.Int8Kernels() {
		if k != kernels.Int8Kernel() {
			t.Run("int8/"+k, func(t *testing.T) {
				defer kernels.SetInt8Kernel(k)()
				forwardBatchInvariant(t, cases, kernels.Int8)
			})
		}
	}
	for _, k := range kernels.BF16Kernels() {
		if k != kernels.BF16Kernel() {
			t.Run("bf16/"+k, func(t *testing.T) {
				defer kernels.SetBF16Kernel(k)()
				forwardBatchInvariant(t, cases, kernels.BF16)
			})
		}
	}
}

// forwardBatchInvariant is TestForwardBatchInvariant on the current
// kernel family in precision prec.
func forwardBatchInvariant(t *testing.T, cases []modelCase, prec kernels.Precision) {
	const nimg = 12
	for _, mc := range cases {
		var ms []*Model // [threads−1]
		for threads := 1; threads <= 3; threads++ {
			m, err := mc.open(Options{Threads: threads, Precision: prec})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			ms = append(ms, m)
		}
		c := &ms[0].Config
		h, w := mc.h, mc.w
		if h == 0 {
			h, w = c.ImageSize, c.ImageSize
		}
		n, l := c.Channels*h*w, c.NumClasses
		rng := rand.New(rand.NewPCG(5, 6))
		pix := make([]float32, nimg*n) // [nimg, C, H, W]
		for i := range pix {
			pix[i] = rng.Float32()*2 - 1
		}
		want := make([]float32, nimg*l) // [nimg, L] each image alone
		for i := 0; i < nimg; i++ {
			if err := ms[0].Forward(pix[i*n:], 1, h, w, want[i*l:]); err != nil {
				t.Fatal(err)
			}
		}
		got := make([]float32, nimg*l)
		for b := 1; b <= 9; b++ {
			for _, s0 := range []int{0, 1, 3, nimg - b} {
				m := ms[(b+s0)%len(ms)]
				if err := m.Forward(pix[s0*n:], b, h, w, got); err != nil {
					t.Fatal(err)
				}
				for i := range got[:b*l] {
					if math.Float32bits(got[i]) != math.Float32bits(want[s0*l+i]) {
						t.Fatalf("%s: images %d…%d on %d threads: image %d logit %d = %v, alone %v",
							mc.name, s0, s0+b-1, (b+s0)%len(ms)+1, s0+i/l, i%l, got[i], want[s0*l+i])
					}
				}
			}
		}
	}
}
