package model

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// renameEntries maps every entry name through f; "" drops it.
func renameEntries(es []stEntry, f func(string) string) []stEntry {
	var out []stEntry
	for _, e := range es {
		if n := f(e.name); n != "" {
			e.name = n
			out = append(out, e)
		}
	}
	return out
}

// checkFastVsReference runs both paths of m on the native-grid golden
// input of dir and, if hidden is set, compares the blocks with the golden.
func checkFastVsReference(t *testing.T, m *Model, dir string, hidden bool) {
	t.Helper()
	g := readTensors(t, filepath.Join(fixtures, dir, "golden.safetensors"))
	pix, b, ih, iw := images(t, g["pixels"])
	hs, want, err := m.referenceForward(pix, b, ih, iw)
	if err != nil {
		t.Fatal(err)
	}
	if hidden {
		for i, h := range hs {
			checkClose(t, "hidden."+strconv.Itoa(i), h, g["hidden."+strconv.Itoa(i)].data)
		}
	}
	logits := make([]float32, b*m.Config.NumClasses)
	if err := m.Forward(pix, b, ih, iw, logits); err != nil {
		t.Fatal(err)
	}
	checkClose(t, "logits", logits, want)
}

// TestDeiTWithoutTeacher binds DeiTForImageClassification (one classifier
// on the class token; the distillation token still runs through the
// encoder).
func TestDeiTWithoutTeacher(t *testing.T) {
	const dir = "hf-deit-distilled-bf16"
	es := renameEntries(fixtureEntries(t, dir), func(n string) string {
		switch {
		case strings.HasPrefix(n, "distillation_classifier."):
			return ""
		case strings.HasPrefix(n, "cls_classifier."):
			return strings.TrimPrefix(n, "cls_")
		}
		return n
	})
	cfg := fixtureConfig(t, dir)
	cfg["architectures"] = []string{"DeiTForImageClassification"}
	m, err := load(writeModel(t, cfg, map[string][]byte{"model.safetensors": encodeST(es)}), nil, Options{Threads: 1}, loadOpts{skipRecipe: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if c := m.Config; !c.Distilled || c.DistHead || c.Layout != LayoutHFDeiT {
		t.Fatalf("config %+v", c)
	}
	checkFastVsReference(t, m, dir, true)
}

// TestTimmDistilled binds the DeiT fixture in timm's distilled layout
// (dist_token, fused qkv, head_dist); timm's GELU is the erf form, so only
// the two forward paths are compared.
func TestTimmDistilled(t *testing.T) {
	const dir = "hf-deit-distilled-bf16"
	es := fixtureEntries(t, dir)
	byName := map[string]stEntry{}
	for _, e := range es {
		byName[e.name] = e
	}
	simple := map[string]string{
		"deit.embeddings.cls_token": "cls_token", "deit.embeddings.distillation_token": "dist_token",
		"deit.embeddings.position_embeddings":                "pos_embed",
		"deit.embeddings.patch_embeddings.projection.weight": "patch_embed.proj.weight",
		"deit.embeddings.patch_embeddings.projection.bias":   "patch_embed.proj.bias",
		"deit.layernorm.weight":                              "norm.weight", "deit.layernorm.bias": "norm.bias",
		"cls_classifier.weight": "head.weight", "cls_classifier.bias": "head.bias",
		"distillation_classifier.weight": "head_dist.weight", "distillation_classifier.bias": "head_dist.bias",
	}
	block := map[string]string{
		"layernorm_before": "norm1", "layernorm_after": "norm2", "attention.output.dense": "attn.proj",
		"intermediate.dense": "mlp.fc1", "output.dense": "mlp.fc2",
	}
	var out []stEntry
	for _, e := range es {
		if n, ok := simple[e.name]; ok {
			e.name = n
			out = append(out, e)
			continue
		}
		rest, _ := strings.CutPrefix(e.name, "deit.encoder.layer.")
		i, rest, _ := strings.Cut(rest, ".")
		mod, param, _ := strings.Cut(rest[:strings.LastIndexByte(rest, '.')]+"|"+rest[strings.LastIndexByte(rest, '.')+1:], "|")
		switch {
		case mod == "attention.attention.query":
			q := byName[e.name]
			k := byName[strings.Replace(e.name, "query", "key", 1)]
			v := byName[strings.Replace(e.name, "query", "value", 1)]
			raw := bytes.Join([][]byte{q.raw, k.raw, v.raw}, nil)
			out = append(out, stEntry{name: "blocks." + i + ".attn.qkv." + param, dtype: "F32", shape: []int{3 * q.shape[0], q.shape[1]}, raw: raw})
		case strings.HasPrefix(mod, "attention.attention."):
		default:
			e.name = "blocks." + i + "." + block[mod] + "." + param
			out = append(out, e)
		}
	}
	cfg := map[string]any{
		"architecture": "deit_tiny_distilled_patch16_224", "num_classes": 7,
		"model_args": map[string]any{"img_size": 48, "patch_size": 16, "embed_dim": 48, "depth": 2, "num_heads": 3, "mlp_ratio": 2.0, "qkv_bias": false},
	}
	m, err := load(writeModel(t, cfg, map[string][]byte{"model.safetensors": encodeST(out)}), nil, Options{Threads: 1}, loadOpts{skipRecipe: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if c := m.Config; !c.Distilled || !c.DistHead || c.Layout != LayoutTimm || c.QKVBias || c.Intermediate != 96 || c.LayerNormEps != 1e-6 {
		t.Fatalf("config %+v", c)
	}
	checkFastVsReference(t, m, dir, false)

	// Both paths above share the timm binding, so also hold it to the HF
	// binding (checked against PyTorch by TestGolden) run with timm's
	// activation and LayerNorm eps: the two references must agree.
	hf, err := load(filepath.Join(fixtures, dir), nil, Options{Threads: 1}, loadOpts{skipRecipe: true})
	if err != nil {
		t.Fatal(err)
	}
	defer hf.Close()
	hf.Config.HiddenAct, hf.Config.LayerNormEps = "gelu", m.Config.LayerNormEps
	g := readTensors(t, filepath.Join(fixtures, dir, "golden.safetensors"))
	pix, b, ih, iw := images(t, g["pixels"])
	gotH, got, err := m.referenceForward(pix, b, ih, iw)
	if err != nil {
		t.Fatal(err)
	}
	wantH, want, err := hf.referenceForward(pix, b, ih, iw)
	if err != nil {
		t.Fatal(err)
	}
	for i := range wantH {
		checkClose(t, "hidden."+strconv.Itoa(i), gotH[i], wantH[i])
	}
	checkClose(t, "logits", got, want)
}

func TestTimmConfig(t *testing.T) {
	for _, c := range []struct {
		arch string
		want string
	}{
		{"vit_base_patch16_224", "D768 L12 H12 F3072 224/16 dist=false"},
		{"vit_base_patch16_384.augreg_in21k_ft_in1k", "D768 L12 H12 F3072 384/16 dist=false"},
		{"vit_huge_patch14_224", "D1280 L32 H16 F5120 224/14 dist=false"},
		{"vit_small_patch8_224", "D384 L12 H6 F1536 224/8 dist=false"},
		{"deit_base_distilled_patch16_384", "D768 L12 H12 F3072 384/16 dist=true"},
		{"vit_large_patch32_384", "D1024 L24 H16 F4096 384/32 dist=false"},
	} {
		thousand := 1000 // vit_huge_patch14_224's default tag has no head
		cfg, err := parseTimmConfig(&configJSON{Architecture: c.arch, NumClasses: &thousand})
		if err != nil {
			t.Errorf("%s: %v", c.arch, err)
			continue
		}
		got := "D" + strconv.Itoa(cfg.Hidden) + " L" + strconv.Itoa(cfg.Layers) + " H" + strconv.Itoa(cfg.Heads) +
			" F" + strconv.Itoa(cfg.Intermediate) + " " + strconv.Itoa(cfg.ImageSize) + "/" + strconv.Itoa(cfg.PatchSize) +
			" dist=" + strconv.FormatBool(cfg.Distilled)
		if got != c.want || cfg.NumClasses != 1000 || cfg.Labels[999] != "toilet tissue" || cfg.LayerNormEps != 1e-6 {
			t.Errorf("%s: %s (%d classes, last %q), want %s", c.arch, got, cfg.NumClasses, cfg.Labels[len(cfg.Labels)-1], c.want)
		}
	}
	for arch, want := range map[string]string{
		"vit_base_patch16_xp_224":             "unsupported: RmsNorm normalization",
		"convnext_tiny":                       "unsupported timm architecture",
		"vit_base_patch16_rope_mixed_224":     "", // mixed RoPE
		"vit_dpwee_patch16_reg1_gap_256":      "", // differential parallel block
		"vit_pwee_patch16_reg1_gap_256":       "", // parallel block
		"vit_dwee_patch16_reg1_gap_256":       "", // differential attention
		"eva02_enormous_patch14_clip_224":     "", // post-norm blocks
		"vit_relpos_base_patch16_rpn_224":     "",
		"vit_base_patch16_siglip_gap_224":     "", // global average pooling
		"vit_base_patch16_clip_quickgelu_224": "",
	} {
		_, err := parseTimmConfig(&configJSON{Architecture: arch})
		if (want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", arch, err, want)
		}
	}
	gp := "avg"
	if _, err := parseTimmConfig(&configJSON{Architecture: "vit_base_patch16_224", GlobalPool: &gp}); err == nil || !strings.Contains(err.Error(), `global_pool "avg", but vit_base_patch16_224 pools by "token"`) {
		t.Errorf("global_pool avg: %v", err)
	}
	if _, err := parseTimmConfig(&configJSON{Architecture: "vit_base_patch16_224", ModelArgs: map[string]json.RawMessage{"class_token": json.RawMessage("false")}}); err == nil || !strings.Contains(err.Error(), `token pooling without a class token`) {
		t.Errorf("class_token: %v", err)
	}
	if _, err := parseTimmConfig(&configJSON{Architecture: "vit_base_patch16_224", ModelArgs: map[string]json.RawMessage{"frobnicate": json.RawMessage("1")}}); err == nil || !strings.Contains(err.Error(), `unsupported: timm argument frobnicate`) {
		t.Errorf("unknown argument: %v", err)
	}
}

func TestHFActivations(t *testing.T) {
	for name, want := range map[string]string{"gelu": "1", "gelu_new": "2", "gelu_pytorch_tanh": "2", "gelu_fast": "2", "quick_gelu": "3", "relu": "4"} {
		a, err := actByName(name)
		if err != nil || strconv.Itoa(int(a)) != want {
			t.Errorf("%s: %v %v", name, a, err)
		}
	}
}
