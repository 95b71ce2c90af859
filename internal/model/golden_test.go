package model

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/vitgo/vit/internal/preprocess"
)

// The fixtures come from scripts/make_model_fixtures.py: torchvision ViTs
// with random weights remapped to each layout, and PyTorch's residual
// stream after every block and logits in float64.
var goldenDirs = []string{"hf-vit-tiny", "timm-vit-tiny-f16", "hf-deit-distilled-bf16", "hf-vit-224-12h", "hf-vit-12blocks-f16",
	// scripts/make_timm_fixtures.py: timm's own models, one per family
	// feature (see that script).
	"timm-deit3", "timm-reg-gap", "timm-clip-quickgelu", "timm-gap-norm", "timm-dinov2-reg", "timm-beitv2",
	"timm-beit3", "timm-eva-giant", "timm-eva02", "timm-eva02-clip", "timm-eva02-glu", "timm-rope-xy", "timm-rope-reg-gap", "timm-siglip-map", "timm-map-prefix", "timm-pe-core", "timm-relpos-cls", "timm-srelpos", "timm-respost", "timm-eva-postnorm", "timm-rope-mixed", "timm-diff-attn", "timm-parallel", "timm-diff-parallel",
	// The same script: Hugging Face classes with a timm model's weights
	// under transformers' key names.
	"hf-dinov2", "hf-dinov2-reg", "hf-vit-msn", "hf-beit", "hf-data2vec"}

const fixtures = "../../testdata/model"

// tensor is a float32 array with its shape, read from a fixture.
type tensor struct {
	shape []int
	data  []float32
}

// readTensors reads every tensor of a safetensors file as float32.
func readTensors(t testing.TB, path string) map[string]tensor {
	t.Helper()
	f, err := openST(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.close()
	out := map[string]tensor{}
	for _, st := range f.hdr.tensors {
		v := make([]float32, st.numel())
		decode(v, f.bytes(st), st.dtype)
		out[st.name] = tensor{shape: st.shape, data: v}
	}
	return out
}

// images returns a fixture's pixels [B, C, H, W] as Forward takes them,
// with B, H and W.
func images(t testing.TB, px tensor) ([]float32, int, int, int) {
	t.Helper()
	if len(px.shape) != 4 {
		t.Fatalf("pixels of shape %v, want [B, C, H, W]", px.shape)
	}
	return px.data, px.shape[0], px.shape[2], px.shape[3]
}

// within reports the first index where |got−want| > tol·max(1, |want|).
func within(got, want []float32, tol float64) (int, bool) {
	if len(got) != len(want) {
		return -1, false
	}
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		if !(math.Abs(g-w) <= tol*math.Max(1, math.Abs(w))) {
			return i, false
		}
	}
	return 0, true
}

func checkClose(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if i, ok := within(got, want, 1e-4); !ok {
		if i < 0 {
			t.Errorf("%s: %d values, want %d", what, len(got), len(want))
			return
		}
		var worst float64
		for j := range want {
			worst = math.Max(worst, math.Abs(float64(got[j]-want[j]))/math.Max(1, math.Abs(float64(want[j]))))
		}
		t.Errorf("%s[%d] = %g, want %g (worst relative error %.3g)", what, i, got[i], want[i], worst)
	}
}

// checkGoldenLogits runs m on the native-grid golden input of fixture dir
// and compares its logits with PyTorch's.
func checkGoldenLogits(t *testing.T, m *Model, dir string) {
	t.Helper()
	g := readTensors(t, filepath.Join(fixtures, dir, "golden.safetensors"))
	pix, b, h, w := images(t, g["pixels"])
	logits := make([]float32, b*m.Config.NumClasses)
	if err := m.Forward(pix, b, h, w, logits); err != nil {
		t.Fatal(err)
	}
	checkClose(t, "logits", logits, g["logits"].data)
}

// forwardEveryBlock runs m.ForwardHidden and fails unless hidden was
// called once for every block, in order.
func forwardEveryBlock(t *testing.T, m *Model, pix []float32, b, h, w int, logits []float32, hidden func(i int, x []float32)) {
	t.Helper()
	next := 0 // the block whose hidden state is due
	err := m.ForwardHidden(pix, b, h, w, logits, func(i int, x []float32) {
		if i != next {
			t.Errorf("hidden called for block %d, want %d", i, next)
		}
		next = i + 1
		hidden(i, x)
	})
	if err != nil {
		t.Fatal(err)
	}
	if next != m.Config.Layers {
		t.Errorf("hidden called up to block %d, want every one of %d blocks", next, m.Config.Layers)
	}
}

func goldenFiles(t *testing.T, dir string) []string {
	g, err := filepath.Glob(filepath.Join(fixtures, dir, "golden*.safetensors"))
	if err != nil || len(g) == 0 {
		t.Fatalf("no golden files in %s: %v", dir, err)
	}
	sort.Strings(g)
	return g
}

func TestGolden(t *testing.T) {
	for _, dir := range goldenDirs {
		t.Run(dir, func(t *testing.T) {
			m, err := load(filepath.Join(fixtures, dir), nil, Options{Threads: 2}, loadOpts{skipRecipe: true})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			for _, gf := range goldenFiles(t, dir) {
				name := strings.TrimSuffix(filepath.Base(gf), ".safetensors")
				g := readTensors(t, gf)
				pix, b, h, w := images(t, g["pixels"])
				want := g["logits"]
				nh := 0
				for k := range g {
					if strings.HasPrefix(k, "hidden.") {
						nh++
					}
				}
				if nh != m.Config.Layers {
					t.Fatalf("%s: %d hidden.* tensors, want one per block (%d)", gf, nh, m.Config.Layers)
				}
				t.Run(name+"/reference", func(t *testing.T) {
					hidden, logits, err := m.referenceForward(pix, b, h, w)
					if err != nil {
						t.Fatal(err)
					}
					if len(hidden) != m.Config.Layers {
						t.Errorf("reference returned %d hidden states, want %d", len(hidden), m.Config.Layers)
					}
					for i, h := range hidden {
						checkClose(t, "hidden."+strconv.Itoa(i), h, g["hidden."+strconv.Itoa(i)].data)
					}
					checkClose(t, "logits", logits, want.data)
				})
				t.Run(name+"/fast", func(t *testing.T) {
					logits := make([]float32, b*m.Config.NumClasses)
					forwardEveryBlock(t, m, pix, b, h, w, logits, func(i int, x []float32) {
						checkClose(t, "hidden."+strconv.Itoa(i), x, g["hidden."+strconv.Itoa(i)].data)
					})
					checkClose(t, "logits", logits, want.data)
				})
				t.Run(name+"/prefix-last-block", func(t *testing.T) {
					// Forward runs the last block for the prefix tokens only.
					logits := make([]float32, b*m.Config.NumClasses)
					if err := m.Forward(pix, b, h, w, logits); err != nil {
						t.Fatal(err)
					}
					checkClose(t, "logits", logits, want.data)
				})
			}
		})
	}
}

// TestLoadFixtures opens every fixture through the public API, recipe
// included, and checks the config that reached the model.
func TestLoadFixtures(t *testing.T) {
	want := map[string]string{
		"hf-vit-tiny":            "hf-vit ViTForImageClassification D64 L2 H4 F128 img32/8 C3 L10 gelu eps1e-12 qkvbias=true dist=false/false label0=class 0",
		"timm-vit-tiny-f16":      "timm vit_tiny_patch16_224 D64 L2 H4 F128 img32/8 C3 L10 gelu eps1e-06 qkvbias=true dist=false/false label0=LABEL_0",
		"hf-deit-distilled-bf16": "hf-deit DeiTForImageClassificationWithTeacher D48 L2 H3 F96 img48/16 C3 L7 gelu_pytorch_tanh eps1e-12 qkvbias=false dist=true/true label0=deit 0",
		"hf-vit-224-12h":         "hf-vit ViTForImageClassification D96 L2 H12 F192 img224/16 C3 L5 gelu eps0.05 qkvbias=true dist=false/false label0=c0",
		"hf-vit-12blocks-f16":    "hf-vit ViTForImageClassification D32 L12 H4 F128 img32/8 C3 L10 gelu eps1e-12 qkvbias=true dist=false/false label0=b0",
		"timm-deit3":             "timm deit3_small_patch16_224 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=LABEL_0 | prefix 1 pos 0 pool \"\" ls=true pre=false final=true fc=false kbias0=false relpos=false patchbias=true",
		"timm-reg-gap":           "timm vit_base_patch16_reg4_gap_256 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=LABEL_0 | prefix 4 pos 0 pool \"avg\" ls=false pre=false final=false fc=true kbias0=false relpos=false patchbias=true",
		"timm-clip-quickgelu":    "timm vit_base_patch16_clip_quickgelu_224 D32 L2 H2 F64 img32/8 C3 L5 quick_gelu eps1e-05 qkvbias=true dist=false/false label0=LABEL_0 | prefix 1 pos 1 pool \"\" ls=false pre=true final=true fc=false kbias0=false relpos=false patchbias=false",
		"timm-gap-norm":          "timm vit_medium_patch16_gap_256 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=false dist=false/false label0=LABEL_0 | prefix 0 pos 0 pool \"avg\" ls=true pre=false final=true fc=false kbias0=false relpos=false patchbias=true",
		"timm-dinov2-reg":        "timm vit_small_patch14_reg4_dinov2 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=LABEL_0 | prefix 5 pos 0 pool \"\" ls=true pre=false final=true fc=false kbias0=false relpos=false patchbias=true",
		"timm-beitv2":            "timm beitv2_base_patch16_224 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=LABEL_0 | prefix 1 pos 1 pool \"avg\" ls=true pre=false final=false fc=true kbias0=true relpos=true patchbias=true rope=<nil> attnnorm=false mlpnorm=false swiglu=false nopos=true",
		"timm-beit3":             "timm beit3_base_patch16_224 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-05 qkvbias=true dist=false/false label0=LABEL_0 | prefix 1 pos 1 pool \"avg\" ls=false pre=false final=false fc=true kbias0=false relpos=false patchbias=true rope=<nil> attnnorm=true mlpnorm=true swiglu=false nopos=false",
		"timm-eva-giant":         "timm eva_giant_patch14_224 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=LABEL_0 | prefix 1 pos 1 pool \"avg\" ls=false pre=false final=false fc=true kbias0=true relpos=false patchbias=true",
		"timm-eva02":             "timm eva02_base_patch14_448 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=LABEL_0 | prefix 1 pos 1 pool \"avg\" ls=false pre=false final=false fc=true kbias0=true relpos=false patchbias=true rope=&{Temperature:10000 Offset:0 Ref:[16 16] XY:false Mixed:false} attnnorm=false mlpnorm=true swiglu=true nopos=false",
		"timm-eva02-clip":        "timm eva02_base_patch16_clip_224 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=LABEL_0 | prefix 1 pos 1 pool \"\" ls=false pre=false final=true fc=false kbias0=true relpos=false patchbias=true rope=&{Temperature:10000 Offset:0 Ref:[16 16] XY:false Mixed:false} attnnorm=true mlpnorm=true swiglu=true nopos=false",
		"timm-eva02-glu":         "timm eva02_small_patch14_336 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=LABEL_0 | prefix 1 pos 1 pool \"avg\" ls=false pre=false final=false fc=true kbias0=true relpos=false patchbias=true rope=&{Temperature:10000 Offset:0 Ref:[16 16] XY:false Mixed:false} attnnorm=false mlpnorm=false swiglu=true nopos=false",
		"timm-rope-xy":           "timm vit_base_patch16_rope_224 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=LABEL_0 | prefix 1 pos 1 pool \"\" ls=true pre=false final=true fc=false kbias0=false relpos=false patchbias=true rope=&{Temperature:100 Offset:0 Ref:[0 0] XY:true Mixed:false} attnnorm=false mlpnorm=false swiglu=false nopos=true",
		"timm-rope-reg-gap":      "timm vit_medium_patch16_rope_reg1_gap_256 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=LABEL_0 | prefix 1 pos 1 pool \"avg\" ls=true pre=false final=false fc=true kbias0=true relpos=false patchbias=true rope=&{Temperature:10000 Offset:0 Ref:[16 16] XY:false Mixed:false} attnnorm=false mlpnorm=false swiglu=false nopos=true",
		"timm-siglip-map":        "timm vit_so400m_patch14_siglip_378 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=LABEL_0 | prefix 2 pos 2 pool \"map\" ls=false pre=false final=true fc=false kbias0=false relpos=false patchbias=true map heads 2 mlp 64 from token 2",
		"timm-pe-core":           "timm vit_pe_core_base_patch16_224 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-05 qkvbias=true dist=false/false label0=LABEL_0 | prefix 1 pos 1 pool \"map\" ls=false pre=true final=true fc=false kbias0=false relpos=false patchbias=false map heads 8 mlp 128 from token 0 rope=&{Temperature:10000 Offset:1 Ref:[14 14] XY:true Mixed:false} attnnorm=false mlpnorm=false swiglu=false nopos=false",
		"timm-relpos-cls":        "timm vit_relpos_medium_patch16_cls_224 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=false dist=false/false label0=LABEL_0 | prefix 1 pos 1 pool \"\" ls=true pre=false final=true fc=false kbias0=false relpos=true patchbias=true relpos mlp 256 shared=false rope=<nil> attnnorm=false mlpnorm=false swiglu=false nopos=true",
		"timm-srelpos":           "timm vit_srelpos_small_patch16_224 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=false dist=false/false label0=LABEL_0 | prefix 0 pos 0 pool \"avg\" ls=true pre=false final=true fc=false kbias0=false relpos=true patchbias=true relpos mlp 384 shared=true rope=<nil> attnnorm=false mlpnorm=false swiglu=false nopos=true",
		"timm-map-prefix":        "timm test_vit3 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=LABEL_0 | prefix 1 pos 1 pool \"map\" ls=true pre=false final=true fc=false kbias0=false relpos=false patchbias=true map heads 2 mlp 64 from token 0",
		"timm-respost":           "timm vit_base_patch16_rpn_224 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=false dist=false/false label0=LABEL_0 | prefix 0 pos 0 pool \"avg\" ls=false pre=false final=false fc=true kbias0=false relpos=false patchbias=true post-norm",
		"timm-eva-postnorm":      "timm eva02_enormous_patch14_clip_224 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=LABEL_0 | prefix 1 pos 1 pool \"\" ls=false pre=false final=true fc=false kbias0=true relpos=false patchbias=true post-norm",
		"timm-rope-mixed":        "timm vit_small_patch16_rope_mixed_ape_224 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=LABEL_0 | prefix 1 pos 0 pool \"\" ls=true pre=false final=true fc=false kbias0=false relpos=false patchbias=true rope=&{Temperature:10 Offset:0 Ref:[0 0] XY:true Mixed:true} attnnorm=false mlpnorm=false swiglu=false nopos=false",
		"timm-diff-attn":         "timm vit_dwee_patch16_reg1_gap_256 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=LABEL_0 | prefix 1 pos 0 pool \"avg\" ls=true pre=false final=false fc=true kbias0=false relpos=false patchbias=true diff-attn",
		"timm-parallel":          "timm vit_pwee_patch16_reg1_gap_256 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=LABEL_0 | prefix 1 pos 0 pool \"avg\" ls=true pre=false final=false fc=true kbias0=false relpos=false patchbias=true parallel",
		"timm-diff-parallel":     "timm vit_dpwee_patch16_reg1_gap_256 D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=LABEL_0 | prefix 1 pos 0 pool \"avg\" ls=true pre=false final=false fc=true kbias0=false relpos=false patchbias=true diff-attn parallel",
		"hf-dinov2":              "hf-dinov2 Dinov2ForImageClassification D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=dinov2 0 | prefix 1 pos 1 pool \"token+avg\" ls=true pre=false final=true fc=false kbias0=false relpos=false patchbias=true",
		"hf-dinov2-reg":          "hf-dinov2 Dinov2WithRegistersForImageClassification D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=dinov2_with_registers 0 | prefix 5 pos 1 pool \"token+avg\" ls=true pre=false final=true fc=false kbias0=false relpos=false patchbias=true",
		"hf-beit":                "hf-beit BeitForImageClassification D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=beit 0 | prefix 1 pos 1 pool \"avg\" ls=true pre=false final=false fc=true kbias0=true relpos=true patchbias=true rope=<nil> attnnorm=false mlpnorm=false swiglu=false nopos=true",
		"hf-data2vec":            "hf-beit Data2VecVisionForImageClassification D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=data2vec-vision 0 | prefix 1 pos 1 pool \"\" ls=true pre=false final=true fc=false kbias0=true relpos=true patchbias=true shared relpos table",
		"hf-vit-msn":             "hf-vit ViTMSNForImageClassification D32 L2 H2 F64 img32/8 C3 L5 gelu eps1e-06 qkvbias=true dist=false/false label0=vit_msn 0 | prefix 1 pos 1 pool \"\" ls=false pre=false final=true fc=false kbias0=false relpos=false patchbias=true",
	}
	for _, dir := range goldenDirs {
		m, err := Load(filepath.Join(fixtures, dir), Options{Threads: 1})
		if err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		c := m.Config
		got := fmt.Sprintf("%s %s D%d L%d H%d F%d img%d/%d C%d L%d %s eps%g qkvbias=%v dist=%v/%v label0=%s",
			c.Layout, c.Arch, c.Hidden, c.Layers, c.Heads, c.Intermediate, c.ImageSize, c.PatchSize, c.Channels,
			c.NumClasses, c.HiddenAct, c.LayerNormEps, c.QKVBias, c.Distilled, c.DistHead, c.Labels[0])
		if strings.HasPrefix(dir, "timm-") && dir != "timm-vit-tiny-f16" || strings.HasPrefix(dir, "hf-dinov2") || dir == "hf-vit-msn" || dir == "hf-beit" || dir == "hf-data2vec" {
			got += fmt.Sprintf(" | prefix %d pos %d pool %q ls=%v pre=%v final=%v fc=%v kbias0=%v relpos=%v patchbias=%v",
				c.prefix(), c.posPrefix(), c.Pool, c.LayerScale, c.PreNorm, !c.NoFinalNorm, c.FCNorm, c.ZeroKBias, c.RelPosBias, !c.NoPatchBias)
			if c.PostNorm {
				got += " post-norm"
			}
			if c.DiffAttn {
				got += " diff-attn"
			}
			if c.Parallel {
				got += " parallel"
			}
			if c.SharedRelPos && c.RelPosMLP == 0 {
				got += " shared relpos table"
			}
			if c.RelPosMLP > 0 {
				got += fmt.Sprintf(" relpos mlp %d shared=%v", c.RelPosMLP, c.SharedRelPos)
			}
			if c.Pool == PoolMAP {
				got += fmt.Sprintf(" map heads %d mlp %d from token %d", c.MAPHeads, c.MAPHidden, c.poolStart())
			}
			if c.Rope != nil || c.AttnNorm || c.MLPNorm || c.SwiGLU || c.NoPosEmbed {
				got += fmt.Sprintf(" rope=%+v attnnorm=%v mlpnorm=%v swiglu=%v nopos=%v", c.Rope, c.AttnNorm, c.MLPNorm, c.SwiGLU, c.NoPosEmbed)
			}
		}
		if got != want[dir] {
			t.Errorf("%s: config\n got %s\nwant %s", dir, got, want[dir])
		}
		if h, w := m.Recipe.Size(); m.Recipe.Channels != 3 || h <= 0 || w <= 0 {
			t.Errorf("%s: recipe %+v", dir, m.Recipe)
		}
		m.Close()
	}
}

// TestImageToLogits runs the production path on a real 3-channel image
// file: Decode, the model's own Recipe.Pixels, Forward. The fixtures hold
// what PIL/torchvision preprocessing and PyTorch make of the same file
// (HF processor defaults for hf-vit-tiny, timm's eval transform with a
// bicubic resize and center crop for timm-vit-tiny-f16).
func TestImageToLogits(t *testing.T) {
	const image = "../../testdata/preprocess/odd420_101x75.jpg"
	for _, dir := range []string{"hf-vit-tiny", "timm-vit-tiny-f16", "timm-deit3", "timm-reg-gap", "timm-clip-quickgelu", "timm-gap-norm", "timm-dinov2-reg", "timm-beitv2",
		"timm-beit3", "timm-eva-giant", "timm-eva02", "timm-eva02-clip", "timm-eva02-glu", "timm-rope-xy", "timm-rope-reg-gap", "timm-siglip-map", "timm-map-prefix", "timm-pe-core", "timm-relpos-cls", "timm-srelpos", "timm-respost", "timm-eva-postnorm", "timm-rope-mixed", "timm-diff-attn", "timm-parallel", "timm-diff-parallel"} {
		t.Run(dir, func(t *testing.T) {
			m, err := Load(filepath.Join(fixtures, dir), Options{Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			g := readTensors(t, filepath.Join(fixtures, dir, "image.safetensors"))
			c, h, w := m.InputShape()
			if want := g["pixels"].shape; len(want) != 4 || want[1] != c || want[2] != h || want[3] != w {
				t.Fatalf("InputShape %d×%d×%d, the fixture's pixels %v", c, h, w, want)
			}
			f, err := os.Open(image)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			pix := make([]float32, c*h*w) // [C, H, W]
			if err := m.Recipe.Load(image, f, preprocess.Limits{}, pix); err != nil {
				t.Fatal(err)
			}
			// The preprocessing matches PIL/torchvision exactly; a float32
			// rounding of slack.
			if i, ok := within(pix, g["pixels"].data, 1e-6); !ok {
				t.Errorf("pixels[%d] = %g, PIL/torchvision %g (%s)", i, pix[i], g["pixels"].data[i], m.Recipe.String())
			}
			logits := make([]float32, m.Config.NumClasses)
			if err := m.Forward(pix, 1, h, w, logits); err != nil {
				t.Fatal(err)
			}
			checkClose(t, "logits", logits, g["logits"].data)
		})
	}
}

func TestMain(m *testing.M) { os.Exit(m.Run()) }
