package model

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/vitgo/vit/internal/kernels"
)

// Config holds the dimensions and options that change the math.
type Config struct {
	Arch                                string   // HF architectures[0] (or model_type), timm architecture, or a Random name
	Layout                              string   // LayoutHFViT, LayoutHFDeiT or LayoutTimm; "random" for Random
	Hidden, Layers, Heads, Intermediate int      // D, depth, H, F
	ImageSize, PatchSize, Channels      int      // native input size, P, C
	NumClasses                          int      // L
	Labels                              []string // [L]
	MultiLabel                          bool     // HF problem_type multi_label_classification: classes scored by sigmoid, not softmax

	HiddenAct    string      // activation as named by the config ("gelu", "gelu_new", …)
	Act          kernels.Act // the MLP activation HiddenAct selects
	LayerNormEps float64     // ε of every LayerNorm
	QKVBias      bool        // the q, k, v projections have biases
	Distilled    bool        // a distillation token follows the class token (DeiT)
	DistHead     bool        // logits = (head(class) + head_dist(distillation)) / 2
	TimmPosEmbed bool        // resample position embeddings like timm (antialiased bicubic)
}

// Layout names of the checkpoints Load understands.
const (
	LayoutHFViT  = "hf-vit"  // transformers ViTForImageClassification
	LayoutHFDeiT = "hf-deit" // transformers DeiTForImageClassification(WithTeacher)
	LayoutTimm   = "timm"    // timm VisionTransformer / distilled DeiT
)

// maxClasses bounds the label count a config may declare.
const maxClasses = 1 << 20

// prefix is the number of tokens before the patches (class, distillation).
func (c *Config) prefix() int {
	if c.Distilled {
		return 2
	}
	return 1
}

// grid returns the native patch grid side.
func (c *Config) grid() int { return c.ImageSize / c.PatchSize }

func (c *Config) check() error {
	switch {
	case c.Hidden <= 0 || c.Layers <= 0 || c.Heads <= 0 || c.Intermediate <= 0:
		return fmt.Errorf("hidden_size %d, num_hidden_layers %d, num_attention_heads %d, intermediate_size %d: all must be positive", c.Hidden, c.Layers, c.Heads, c.Intermediate)
	case c.Hidden%c.Heads != 0:
		return fmt.Errorf("hidden_size %d is not a multiple of num_attention_heads %d", c.Hidden, c.Heads)
	case c.PatchSize <= 0 || c.ImageSize < c.PatchSize:
		return fmt.Errorf("image_size %d and patch_size %d: want 0 < patch_size ≤ image_size", c.ImageSize, c.PatchSize)
	case c.Channels <= 0:
		return fmt.Errorf("num_channels %d must be positive", c.Channels)
	case c.NumClasses <= 0:
		return fmt.Errorf("%d classes: the checkpoint has no classifier head", c.NumClasses)
	case !(c.LayerNormEps > 0):
		return fmt.Errorf("layer_norm_eps %g must be positive", c.LayerNormEps)
	case c.Hidden > 1<<16 || c.Intermediate > 1<<18 || c.Layers > 1024 || c.ImageSize > 1<<14 || c.Channels > 64 || c.NumClasses > maxClasses:
		return fmt.Errorf("dimensions out of range (hidden %d, intermediate %d, layers %d, image %d, channels %d, classes %d)", c.Hidden, c.Intermediate, c.Layers, c.ImageSize, c.Channels, c.NumClasses)
	}
	return nil
}

// actByName maps HF hidden_act names to kernel activations.
func actByName(name string) (kernels.Act, error) {
	switch name {
	case "gelu", "gelu_python":
		return kernels.ActGELU, nil
	case "gelu_new", "gelu_pytorch_tanh", "gelu_fast":
		return kernels.ActGELUTanh, nil
	case "quick_gelu":
		return kernels.ActQuickGELU, nil
	case "relu":
		return kernels.ActReLU, nil
	}
	return 0, fmt.Errorf("unsupported hidden_act %q (want gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, quick_gelu or relu)", name)
}

// configJSON is the union of the HF and timm config.json fields Load reads.
type configJSON struct {
	// Hugging Face transformers
	ModelType        string            `json:"model_type"`
	Architectures    []string          `json:"architectures"`
	HiddenSize       *int              `json:"hidden_size"`
	NumHiddenLayers  *int              `json:"num_hidden_layers"`
	NumAttentionHead *int              `json:"num_attention_heads"`
	IntermediateSize *int              `json:"intermediate_size"`
	HiddenAct        *string           `json:"hidden_act"`
	LayerNormEps     *float64          `json:"layer_norm_eps"`
	ImageSize        json.RawMessage   `json:"image_size"`
	PatchSize        json.RawMessage   `json:"patch_size"`
	NumChannels      *int              `json:"num_channels"`
	QKVBias          *bool             `json:"qkv_bias"`
	ID2Label         map[string]string `json:"id2label"`
	NumLabels        *int              `json:"num_labels"`
	ProblemType      string            `json:"problem_type"`

	// timm
	Architecture  string                     `json:"architecture"`
	NumClasses    *int                       `json:"num_classes"`
	GlobalPool    *string                    `json:"global_pool"`
	LabelNames    []string                   `json:"label_names"`
	PretrainedCfg json.RawMessage            `json:"pretrained_cfg"`
	ModelArgs     map[string]json.RawMessage `json:"model_args"`
}

func (j *configJSON) isTimm() bool { return j.Architecture != "" }

// intOrSquare reads an int or a [h, w] pair with h == w.
func intOrSquare(raw json.RawMessage, def int, field string) (int, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return def, nil
	}
	var n int
	if err := json.Unmarshal(raw, &n); err == nil {
		return n, nil
	}
	var hw []int
	if err := json.Unmarshal(raw, &hw); err != nil || len(hw) != 2 {
		return 0, fmt.Errorf("%s %s: want an integer or [h, w]", field, raw)
	}
	if hw[0] != hw[1] {
		return 0, fmt.Errorf("%s %v: only square sizes are supported", field, hw)
	}
	return hw[0], nil
}

func intOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

// parseHFConfig reads the math-relevant fields of a transformers ViT or
// DeiT config.json, applying the transformers defaults.
func parseHFConfig(j *configJSON) (Config, error) {
	c := Config{
		Arch:         j.ModelType,
		Hidden:       intOr(j.HiddenSize, 768),
		Layers:       intOr(j.NumHiddenLayers, 12),
		Heads:        intOr(j.NumAttentionHead, 12),
		Intermediate: intOr(j.IntermediateSize, 3072),
		Channels:     intOr(j.NumChannels, 3),
		HiddenAct:    "gelu",
		LayerNormEps: 1e-12,
		QKVBias:      true,
	}
	if len(j.Architectures) > 0 {
		c.Arch = j.Architectures[0]
	}
	var err error
	if c.ImageSize, err = intOrSquare(j.ImageSize, 224, "image_size"); err != nil {
		return c, err
	}
	if c.PatchSize, err = intOrSquare(j.PatchSize, 16, "patch_size"); err != nil {
		return c, err
	}
	if j.HiddenAct != nil {
		c.HiddenAct = *j.HiddenAct
	}
	if c.Act, err = actByName(c.HiddenAct); err != nil {
		return c, err
	}
	if j.LayerNormEps != nil {
		c.LayerNormEps = *j.LayerNormEps
	}
	if j.QKVBias != nil {
		c.QKVBias = *j.QKVBias
	}
	n := 2 // PretrainedConfig's default num_labels
	if j.ID2Label != nil {
		n = len(j.ID2Label)
	} else if j.NumLabels != nil {
		n = *j.NumLabels
	}
	if n < 0 || n > maxClasses {
		return c, fmt.Errorf("num_labels %d out of range", n)
	}
	c.NumClasses = n
	c.MultiLabel = j.ProblemType == "multi_label_classification"
	c.Labels = defaultLabels(n)
	for k, v := range j.ID2Label {
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || i >= n {
			return c, fmt.Errorf("id2label key %q: want an integer in [0, %d)", k, n)
		}
		c.Labels[i] = v
	}
	return c, nil
}

// timmSizes is timm's ViT family: width, depth and heads by size name
// (timm/models/vision_transformer.py and deit.py; MLP ratio 4 throughout).
var timmSizes = map[string]struct{ hidden, layers, heads int }{
	"tiny":  {192, 12, 3},
	"small": {384, 12, 6},
	"base":  {768, 12, 12},
	"large": {1024, 24, 16},
	"huge":  {1280, 32, 16},
}

// timmArch matches the supported timm architecture names, e.g.
// vit_base_patch16_224, vit_huge_patch14_224, deit_small_distilled_patch16_224.
var timmArch = regexp.MustCompile(`^(vit|deit)_(tiny|small|base|large|huge)_(distilled_)?patch(8|14|16|32)_(224|384)$`)

//go:embed imagenet_labels.txt
var imagenetLabelsTxt []byte

// imagenetLabels returns the 1000 ImageNet-1k class names in index order
// (torchvision's list).
func imagenetLabels() []string {
	s := strings.Split(strings.TrimRight(string(imagenetLabelsTxt), "\n"), "\n")
	return s
}

// timmModelArgs are the model_args keys that keep the plain ViT math; any
// other key is refused.
var timmModelArgs = map[string]bool{
	"img_size": true, "patch_size": true, "embed_dim": true, "depth": true, "num_heads": true,
	"mlp_ratio": true, "num_classes": true, "global_pool": true, "qkv_bias": true, "dynamic_img_size": true,
}

// parseTimmConfig reads a timm config.json: the architecture name selects
// the dimensions from timmSizes, model_args (the keyword arguments timm's
// create_model receives) may override them, and pretrained_cfg gives the
// input size.
func parseTimmConfig(j *configJSON) (Config, error) {
	arch := j.Architecture
	if i := strings.IndexByte(arch, '.'); i >= 0 {
		arch = arch[:i] // architecture.tag
	}
	m := timmArch.FindStringSubmatch(arch)
	if m == nil {
		return Config{}, fmt.Errorf("unsupported timm architecture %q (want vit_ or deit_ + tiny|small|base|large|huge + [distilled_]patch8|14|16|32 + _224|_384)", j.Architecture)
	}
	sz := timmSizes[m[2]]
	c := Config{
		Arch: arch, Layout: LayoutTimm,
		Hidden: sz.hidden, Layers: sz.layers, Heads: sz.heads, Intermediate: 4 * sz.hidden,
		Channels: 3, HiddenAct: "gelu", Act: kernels.ActGELU, LayerNormEps: 1e-6, QKVBias: true,
		Distilled: m[3] != "", DistHead: m[3] != "", TimmPosEmbed: true,
	}
	c.PatchSize, _ = strconv.Atoi(m[4])
	c.ImageSize, _ = strconv.Atoi(m[5])
	if j.GlobalPool != nil && *j.GlobalPool != "token" && *j.GlobalPool != "" {
		return c, fmt.Errorf("timm global_pool %q is not supported (want \"token\")", *j.GlobalPool)
	}
	keys := make([]string, 0, len(j.ModelArgs))
	for k := range j.ModelArgs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	mlpRatio := 4.0
	for _, k := range keys {
		v := j.ModelArgs[k]
		if !timmModelArgs[k] {
			return c, fmt.Errorf("timm model_args %q is not supported", k)
		}
		switch k {
		case "img_size":
			n, err := intOrSquare(v, c.ImageSize, "model_args img_size")
			if err != nil {
				return c, err
			}
			c.ImageSize = n
		case "patch_size", "embed_dim", "depth", "num_heads":
			var n int
			if err := json.Unmarshal(v, &n); err != nil {
				return c, fmt.Errorf("timm model_args %s: %w", k, err)
			}
			*map[string]*int{"patch_size": &c.PatchSize, "embed_dim": &c.Hidden, "depth": &c.Layers, "num_heads": &c.Heads}[k] = n
		case "mlp_ratio":
			if err := json.Unmarshal(v, &mlpRatio); err != nil {
				return c, fmt.Errorf("timm model_args mlp_ratio: %w", err)
			}
		case "qkv_bias":
			if err := json.Unmarshal(v, &c.QKVBias); err != nil {
				return c, fmt.Errorf("timm model_args qkv_bias: %w", err)
			}
		case "global_pool":
			var s string
			if err := json.Unmarshal(v, &s); err != nil || (s != "token" && s != "") {
				return c, fmt.Errorf("timm model_args global_pool %s is not supported (want \"token\")", v)
			}
		}
	}
	c.Intermediate = int(float64(c.Hidden) * mlpRatio) // timm: int(dim * mlp_ratio)
	if len(j.PretrainedCfg) > 0 && !bytes.Equal(j.PretrainedCfg, []byte("null")) {
		var pc struct {
			InputSize []int `json:"input_size"`
		}
		if err := json.Unmarshal(j.PretrainedCfg, &pc); err != nil {
			return c, fmt.Errorf("timm pretrained_cfg: %w", err)
		}
		if len(pc.InputSize) == 3 {
			if pc.InputSize[1] != pc.InputSize[2] {
				return c, fmt.Errorf("timm pretrained_cfg input_size %v: only square inputs are supported", pc.InputSize)
			}
			c.Channels, c.ImageSize = pc.InputSize[0], pc.InputSize[1]
		}
	}
	c.NumClasses = intOr(j.NumClasses, 1000)
	if c.NumClasses < 0 || c.NumClasses > maxClasses {
		return c, fmt.Errorf("num_classes %d out of range", c.NumClasses)
	}
	switch {
	case len(j.LabelNames) > 0:
		if len(j.LabelNames) != c.NumClasses {
			return c, fmt.Errorf("timm label_names has %d names for %d classes", len(j.LabelNames), c.NumClasses)
		}
		c.Labels = j.LabelNames
	case c.NumClasses == 1000:
		c.Labels = imagenetLabels()
	default:
		c.Labels = defaultLabels(c.NumClasses)
	}
	return c, nil
}

// defaultLabels are the names transformers' PretrainedConfig gives n
// classes without id2label: LABEL_0 … LABEL_{n-1}.
func defaultLabels(n int) []string {
	labels := make([]string, n)
	for i := range labels {
		labels[i] = "LABEL_" + strconv.Itoa(i)
	}
	return labels
}
