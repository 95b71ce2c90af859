package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/vitgo/vit/internal/kernels"
	"github.com/vitgo/vit/internal/preprocess"
)

// randomConfigs are torchvision's ViT shapes (vit_b_16 etc.; the tiny and
// small ones as the peer benchmarks build them): patch, layers, heads,
// hidden, MLP.
var randomConfigs = map[string][5]int{
	"vit-ti16": {16, 12, 3, 192, 768},
	"vit-s16":  {16, 12, 6, 384, 1536},
	"vit-b16":  {16, 12, 12, 768, 3072},
	"vit-b32":  {32, 12, 12, 768, 3072},
	"vit-l16":  {16, 24, 16, 1024, 4096},
}

// RandomNames lists the configs Random accepts.
func RandomNames() []string {
	s := make([]string, 0, len(randomConfigs))
	for k := range randomConfigs {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// randomConfig returns the Config of a named random model.
func randomConfig(name string) (Config, error) {
	rc, ok := randomConfigs[name]
	if !ok {
		return Config{}, fmt.Errorf("random model %q: want one of %s", name, strings.Join(RandomNames(), ", "))
	}
	return Config{
		Arch: name, Layout: "random",
		PatchSize: rc[0], Layers: rc[1], Heads: rc[2], Hidden: rc[3], Intermediate: rc[4],
		ImageSize: 224, Channels: 3, NumClasses: 1000, Labels: imagenetLabels(),
		HiddenAct: "gelu", Act: kernels.ActGELU, LayerNormEps: 1e-6, QKVBias: true,
	}, nil
}

// Random returns a named model (vit-ti16, vit-s16, vit-b16, vit-b32,
// vit-l16: torchvision shapes, 224×224, 1000 ImageNet classes) with
// weights drawn from seed: matrices, tokens and position embeddings with
// standard deviation 0.02, LayerNorm gains near 1. For benchmarks and tests.
func Random(name string, seed int64, opt Options) (*Model, error) {
	return random(name, seed, opt)
}

func random(name string, seed int64, opt Options) (*Model, error) {
	cfg, err := randomConfig(name)
	if err != nil {
		return nil, err
	}
	w := newWeights(&cfg)
	m := &Model{Config: cfg, w: w, Recipe: preprocess.DefaultHF("vit", cfg.ImageSize, cfg.Channels)}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	// Uniform on [−a, a] with a = 0.02·√3: standard deviation 0.02.
	a := float32(0.02 * math.Sqrt(3))
	for _, p := range w.all() {
		n := p.numel()
		m.params += int64(n)
		v := make([]float32, n)
		gain := strings.HasSuffix(p.name, "norm1.w") || strings.HasSuffix(p.name, "norm2.w") || p.name == "norm.w"
		for i := range v {
			v[i] = a * (2*rng.Float32() - 1)
			if gain {
				v[i] += 1
			}
		}
		if w.isMatrix(p) {
			p.packed = kernels.PackB(v, p.shape[0], p.shape[1], p.shape[1])
		}
		p.data = v
	}
	w.convert(opt.Precision)
	w.splitQKV()
	m.pool = kernels.NewPool(opt.Threads)
	return m, nil
}
