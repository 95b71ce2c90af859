package model

import (
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"
)

// TestFLOPsParams checks the analytic FLOP count against
// the peer benchmarks' vit_configs.py flops_per_image and the parameter count
// against torchvision's models, at 224×224.
func TestFLOPsParams(t *testing.T) {
	want := map[string]struct {
		flops  float64
		params int64
	}{
		"vit-ti16": {2507366400, 5717416},
		"vit-s16":  {9197764608, 22050664},
		"vit-b32":  {8818372608, 88224232},
		"vit-b16":  {35127656448, 86567656},
		"vit-l16":  {123109425152, 304326632},
	}
	for name, w := range want {
		cfg, err := randomConfig(name)
		if err != nil {
			t.Fatal(err)
		}
		m := &Model{Config: cfg}
		g := 224 / cfg.PatchSize
		if got := m.FLOPs(g, g); got != w.flops {
			t.Errorf("%s: FLOPs = %.0f, want %.0f", name, got, w.flops)
		}
		if name == "vit-b16" {
			// The last block for the class token only saves, in
			// multiply-adds, q for 196 tokens (196·768²), q·kᵀ and
			// attention·v for 196 queries (2·196·197·768), the output
			// projection (196·768²) and the MLP (2·196·768·3072):
			// 1215363072, twice that in FLOPs.
			if got, want := m.ForwardFLOPs(g, g), w.flops-2*1215363072; got != want {
				t.Errorf("%s: ForwardFLOPs = %.0f, want %.0f", name, got, want)
			}
		}
		var n int64
		for _, p := range newWeights(&cfg).all() {
			n += int64(p.numel())
		}
		if n != w.params {
			t.Errorf("%s: %d parameters, want %d", name, n, w.params)
		}
	}
	if _, err := Random("vit-h14", 1, Options{}); err == nil {
		t.Error("Random(vit-h14): no error")
	}
}

// TestRandomFastMatchesReference runs the smallest named model on a small
// grid (resampled position embeddings) through both paths.
func TestRandomFastMatchesReference(t *testing.T) {
	m, err := random("vit-ti16", 7, Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Params() != 5717416 || len(m.Config.Labels) != 1000 || m.Config.Labels[1] != "goldfish" {
		t.Fatalf("params %d, labels %d", m.Params(), len(m.Config.Labels))
	}
	const b, h, w = 2, 3 * 16, 2 * 16 // a 3×2 grid
	rng := rand.New(rand.NewPCG(1, 2))
	pix := make([]float32, b*3*h*w) // [B, C, H, W]
	for i := range pix {
		pix[i] = rng.Float32()*2 - 1
	}
	hidden, want, err := m.referenceForward(pix, b, h, w)
	if err != nil {
		t.Fatal(err)
	}
	logits := make([]float32, b*1000)
	for range 2 { // the second call reuses the buffers
		forwardEveryBlock(t, m, pix, b, h, w, logits, func(i int, x []float32) {
			checkClose(t, "hidden."+strconv.Itoa(i), x, hidden[i])
		})
		checkClose(t, "logits", logits, want)
		clear(logits)
		if err := m.Forward(pix, b, h, w, logits); err != nil { // last block for the class tokens only
			t.Fatal(err)
		}
		checkClose(t, "logits", logits, want)
	}
	if allocs := testing.AllocsPerRun(2, func() { m.Forward(pix, b, h, w, logits) }); allocs != 0 {
		t.Errorf("Forward allocates %v times per call after warm-up", allocs)
	}
}

// TestSingleBlockForward runs models cut to their first block, where the
// last block (run for the prefix tokens only) is also the first and reads
// the embeddings: ViT-Ti on two images of a non-native grid, and the
// distilled DeiT fixture (two prefix tokens, both heads), against the
// float64 reference.
func TestSingleBlockForward(t *testing.T) {
	vit, err := random("vit-ti16", 7, Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer vit.Close()
	rng := rand.New(rand.NewPCG(3, 4))
	pix := make([]float32, 2*3*48*32) // [B 2, C 3, H 48, W 32]: a 3×2 grid
	for i := range pix {
		pix[i] = rng.Float32()*2 - 1
	}
	deit, err := load(filepath.Join(fixtures, "hf-deit-distilled-bf16"), nil, Options{Threads: 2}, loadOpts{skipRecipe: true})
	if err != nil {
		t.Fatal(err)
	}
	defer deit.Close()
	if c := deit.Config; !c.Distilled || !c.DistHead {
		t.Fatalf("deit config %+v: want a distillation token and head", c)
	}
	g := readTensors(t, filepath.Join(fixtures, "hf-deit-distilled-bf16", "golden.safetensors"))
	dp, db, dh, dw := images(t, g["pixels"])
	for _, c := range []struct {
		name    string
		m       *Model
		pix     []float32
		b, h, w int
	}{
		{"vit-ti16", vit, pix, 2, 48, 32},
		{"deit", deit, dp, db, dh, dw},
	} {
		m := c.m
		m.w.Blocks = m.w.Blocks[:1]
		m.Config.Layers = 1
		_, want, err := m.referenceForward(c.pix, c.b, c.h, c.w)
		if err != nil {
			t.Fatal(err)
		}
		logits := make([]float32, c.b*m.Config.NumClasses)
		if err := m.Forward(c.pix, c.b, c.h, c.w, logits); err != nil {
			t.Fatal(err)
		}
		checkClose(t, c.name+" logits", logits, want)
	}
}
