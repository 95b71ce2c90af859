package model

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
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

	// Options of the timm and Hugging Face variants; the zero value of
	// each is the plain ViT (see doc.go for where each term enters).
	NoClassToken bool   // no class token leads the sequence (timm class_token=False)
	RegTokens    int    // register tokens after the class (and before the patches)
	NoEmbedClass bool   // the position table covers the patches only (timm no_embed_class)
	RegNoPos     bool   // the position table covers the class token and the patches, not the registers (HF Dinov2WithRegisters)
	NoPosEmbed   bool   // no absolute position embedding (BEiT with relative position bias)
	NoPatchBias  bool   // the patch projection has no bias (timm pre_norm, CLIP)
	PreNorm      bool   // LayerNorm on the embeddings before the first block (timm norm_pre)
	NoFinalNorm  bool   // no LayerNorm on the tokens after the last block (timm norm)
	FCNorm       bool   // LayerNorm on the pooled vector before the head (timm fc_norm)
	Pool         string // what the head reads: PoolToken (""), PoolAvg or PoolTokenAvg
	LayerScale   bool   // each residual branch is scaled by a learned vector (timm ls1/ls2, BEiT gamma_1/2)
	ZeroKBias    bool   // with QKVBias, the k bias is zero (BEiT: q_bias and v_bias only)
	RelPosBias   bool   // attention adds a learned relative position bias per block (BEiT)
	RelPosMLP    int    // with RelPosBias: the table comes from an MLP of log relative coordinates of this width (timm RelPosMlp), prefix tokens get none
	SharedRelPos bool   // one relative position bias for every block (timm shared_rel_pos, HF Beit use_shared_relative_position_bias)
	Parallel     bool   // x += Attn(LN(x)) + MLP(LN(x)), one LayerNorm (timm ParallelScalingBlock)
	DiffAttn     bool   // differential attention (timm attn_layer "diff", see DiffAttn)
	PostNorm     bool   // blocks are x += LN1(Attn(x)); x += LN2(MLP(x)) (timm ResPostBlock, Eva use_post_norm)
	AttnNorm     bool   // LayerNorm on the attention output before proj (timm scale_attn_norm, Eva scale_attn_inner)
	MLPNorm      bool   // LayerNorm on the MLP hidden before fc2 (timm scale_mlp_norm, Eva scale_mlp)
	SwiGLU       bool   // MLP hidden = silu(gate) ⊙ x, fc1 rows gate | x [2F, D] (Eva swiglu_mlp)
	Rope         *Rope  // rotary position embedding of q and k of the patch tokens (nil: none)
	PoolPrefix   bool   // PoolAvg and PoolMAP read the prefix tokens too (timm pool_include_prefix; Eva's MAP)
	MAPHeads     int    // PoolMAP: heads of the pooling attention
	MAPHidden    int    // PoolMAP: width of the pooling MLP

	timmClass   string // timm model class (VisionTransformer, Beit…), which names some keys
	separateQKV bool   // q, k, v are separate checkpoint matrices (Eva qkv_fused=False)
	packedGLU   bool   // SwiGLU's gate | x rows are one checkpoint matrix mlp.fc1 (timm GluMlp)
}

// Rope is timm's RotaryEmbeddingCat (Eva rope_type "cat", not in
// pixels): per patch at grid (y, x) and head feature pair j < Dh/2, the
// angle t·ω with ω = temperature^(−(j mod Dh/4)/(Dh/4)) and t the first
// grid coordinate (y with "ij" indexing, x with "xy") for j < Dh/4, the
// other for the rest; coordinates are index + Offset, scaled by
// Ref/grid per axis when Ref is set. q and k of the patch tokens (prefix
// tokens unchanged) rotate each pair (x₂ⱼ, x₂ⱼ₊₁) by its angle.
type Rope struct {
	Temperature float64
	Offset      float64
	Ref         [2]int // reference grid (h, w) the angles are scaled to; 0: none
	XY          bool   // grid_indexing "xy"
	// Mixed is RotaryEmbeddingMixed (rope_type "mixed"): learned
	// frequencies per block and head (rope.freqs [2, layers, H, Dh/2]), the
	// angle t₀·fx + t₁·fy; Temperature, Offset and Ref do not apply.
	Mixed bool
}

// Pooling of the final tokens into what the head reads.
const (
	PoolToken    = ""          // the class token (and the distillation token for DeiT)
	PoolAvg      = "avg"       // the mean of the patch tokens (prefix tokens excluded)
	PoolTokenAvg = "token+avg" // the class token and the mean of the patch tokens, concatenated (HF Dinov2)
	PoolMAP      = "map"       // a learned latent query attending to every token, then an MLP (MAPHead)
)

// Layout names of the checkpoints Load understands.
const (
	LayoutHFViT  = "hf-vit"  // transformers ViTForImageClassification
	LayoutHFDeiT = "hf-deit" // transformers DeiTForImageClassification(WithTeacher)
	// transformers Dinov2ForImageClassification and
	// Dinov2WithRegistersForImageClassification
	LayoutHFDinov2 = "hf-dinov2"
	// transformers BeitForImageClassification and
	// Data2VecVisionForImageClassification
	LayoutHFBeit = "hf-beit"
	LayoutTimm   = "timm" // timm VisionTransformer / distilled DeiT
)

// maxClasses bounds the label count a config may declare.
const maxClasses = 1 << 20

// prefix is the number of tokens before the patches (class, then
// distillation or registers).
func (c *Config) prefix() int {
	n := c.RegTokens
	if !c.NoClassToken {
		n++
	}
	if c.Distilled {
		n++
	}
	return n
}

// PrefixTokens describes the tokens before the patches, e.g. "1 class
// token", "class token and 4 registers", "no prefix token".
func (c *Config) PrefixTokens() string {
	regs := fmt.Sprintf("%d register", c.RegTokens)
	if c.RegTokens != 1 {
		regs += "s"
	}
	switch {
	case c.Distilled:
		return "class and distillation tokens"
	case !c.NoClassToken && c.RegTokens > 0:
		return "class token and " + regs
	case !c.NoClassToken:
		return "1 class token"
	case c.RegTokens > 0:
		return regs
	}
	return "no prefix token"
}

// MLPActivation names the MLP's nonlinearity: the activation, or
// "swiglu" (silu(gate) ⊙ x) with SwiGLU.
func (c *Config) MLPActivation() string {
	if c.SwiGLU {
		return "swiglu"
	}
	return c.HiddenAct
}

// posPrefix is the number of leading prefix tokens the position table
// covers (it covers every patch).
func (c *Config) posPrefix() int {
	switch {
	case c.NoEmbedClass:
		return 0
	case c.RegNoPos:
		return c.prefix() - c.RegTokens
	}
	return c.prefix()
}

// relPosRows is the number of rows of BEiT's relative position bias
// table: every offset within the native grid, plus class→patch,
// patch→class and class→class.
func (c *Config) relPosRows() int {
	g := 2*c.grid() - 1
	return g*g + 3
}

// prefixLastBlock reports whether Forward runs the last block for the
// prefix tokens only (lastBlock): the head reads the class token, and the
// block has none of the terms lastBlock does not implement.
func (c *Config) prefixLastBlock() bool {
	return c.Pool == PoolToken && !c.RelPosBias && c.Rope == nil && !c.AttnNorm && !c.MLPNorm && !c.SwiGLU && !c.PostNorm && !c.DiffAttn && !c.Parallel
}

// poolStart is the first token average and attention pooling read:
// after the prefix tokens unless PoolPrefix.
func (c *Config) poolStart() int {
	if c.PoolPrefix {
		return 0
	}
	return c.prefix()
}

// fc1Rows is the number of rows of the MLP's first matrix: F, or 2F
// (gate | x) with SwiGLU.
func (c *Config) fc1Rows() int {
	if c.SwiGLU {
		return 2 * c.Intermediate
	}
	return c.Intermediate
}

// headIn is the width of the pooled vector the head reads: D, or 2D for
// PoolTokenAvg.
func (c *Config) headIn() int {
	if c.Pool == PoolTokenAvg {
		return 2 * c.Hidden
	}
	return c.Hidden
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
	case c.RegTokens < 0 || c.RegTokens > 1024 || c.RelPosMLP < 0 || c.RelPosMLP > 1<<16:
		return fmt.Errorf("%d register tokens, relative position MLP width %d: out of range", c.RegTokens, c.RelPosMLP)
	case c.DiffAttn && c.Hidden%(2*c.Heads) != 0:
		return fmt.Errorf("differential attention needs hidden_size %d divisible by twice the %d heads", c.Hidden, c.Heads)
	case c.Rope != nil && !c.Rope.Mixed && !(c.Rope.Temperature > 0):
		return fmt.Errorf("rope_temperature %g must be positive", c.Rope.Temperature)
	case c.Rope != nil && (c.Hidden/c.Heads)%4 != 0:
		return fmt.Errorf("rotary position embedding needs a head width divisible by 4, not %d", c.Hidden/c.Heads)
	case c.Pool == PoolMAP && (c.MAPHeads <= 0 || c.Hidden%c.MAPHeads != 0 || c.MAPHidden <= 0 || c.MAPHidden > 1<<18):
		return fmt.Errorf("attention pool: %d heads, MLP %d for width %d", c.MAPHeads, c.MAPHidden, c.Hidden)
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
	ModelType         string            `json:"model_type"`
	Architectures     []string          `json:"architectures"`
	HiddenSize        *int              `json:"hidden_size"`
	NumHiddenLayers   *int              `json:"num_hidden_layers"`
	NumAttentionHead  *int              `json:"num_attention_heads"`
	IntermediateSize  *int              `json:"intermediate_size"`
	HiddenAct         *string           `json:"hidden_act"`
	LayerNormEps      *float64          `json:"layer_norm_eps"`
	ImageSize         json.RawMessage   `json:"image_size"`
	PatchSize         json.RawMessage   `json:"patch_size"`
	NumChannels       *int              `json:"num_channels"`
	QKVBias           *bool             `json:"qkv_bias"`
	ID2Label          map[string]string `json:"id2label"`
	NumLabels         *int              `json:"num_labels"`
	MLPRatio          *float64          `json:"mlp_ratio"`                         // Dinov2
	UseSwiGLU         *bool             `json:"use_swiglu_ffn"`                    // Dinov2
	NumRegisterTokens *int              `json:"num_register_tokens"`               // Dinov2WithRegisters
	UseAbsPos         *bool             `json:"use_absolute_position_embeddings"`  // Beit
	UseRelPos         *bool             `json:"use_relative_position_bias"`        // Beit
	UseSharedRelPos   *bool             `json:"use_shared_relative_position_bias"` // Beit
	LayerScaleInit    *float64          `json:"layer_scale_init_value"`            // Beit
	UseMeanPooling    *bool             `json:"use_mean_pooling"`                  // Beit
	ProblemType       string            `json:"problem_type"`

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

// hfModelTypes maps the transformers model_type values Load accepts to
// their checkpoint layouts (ViTMSN has ViT's keys).
var hfModelTypes = map[string]string{
	"vit": LayoutHFViT, "vit_msn": LayoutHFViT, "deit": LayoutHFDeiT,
	"dinov2": LayoutHFDinov2, "dinov2_with_registers": LayoutHFDinov2,
	"beit": LayoutHFBeit, "data2vec-vision": LayoutHFBeit,
}

// unsupportedModelType is the error for a Hugging Face config of another
// architecture (a BERT, a ResNet); it lists the model types of
// hfModelTypes.
func unsupportedModelType(t string) error {
	return fmt.Errorf("config.json: model_type %q is not supported (want one of %s, or a timm config with \"architecture\")",
		t, strings.Join(slices.Sorted(maps.Keys(hfModelTypes)), ", "))
}

// parseHFConfig reads the math-relevant fields of a transformers ViT,
// ViTMSN, DeiT or DINOv2 config.json, applying the transformers defaults
// of its model_type (configuration_*.py).
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
	patch := 16
	switch j.ModelType {
	case "vit_msn":
		c.LayerNormEps = 1e-6
	case "beit", "data2vec-vision":
		// BeitConfig / Data2VecVisionConfig: query and value biases, no key
		// bias; layer scale lambda_1/2 unless layer_scale_init_value is 0;
		// mean pooling with the pooler's LayerNorm, else the final
		// LayerNorm and the class token.
		c.ZeroKBias = true
		c.NoPosEmbed = j.UseAbsPos == nil || !*j.UseAbsPos
		shared := j.UseSharedRelPos != nil && *j.UseSharedRelPos
		c.RelPosBias = shared || j.UseRelPos != nil && *j.UseRelPos
		c.SharedRelPos = shared
		c.LayerScale = j.LayerScaleInit == nil || *j.LayerScaleInit > 0
		if j.UseMeanPooling == nil || *j.UseMeanPooling {
			c.Pool, c.NoFinalNorm, c.FCNorm = PoolAvg, true, true
		}
	case "dinov2", "dinov2_with_registers":
		// Dinov2Config: mlp_ratio instead of intermediate_size, layer
		// scale, patch 14, the head reads the class token and the mean
		// of the patch tokens.
		c.LayerNormEps, patch = 1e-6, 14
		ratio := 4.0
		if j.MLPRatio != nil {
			ratio = *j.MLPRatio
		}
		c.Intermediate = int(float64(c.Hidden) * ratio)
		c.LayerScale, c.Pool = true, PoolTokenAvg
		if j.UseSwiGLU != nil && *j.UseSwiGLU {
			return c, fmt.Errorf("unsupported: SwiGLU MLP (use_swiglu_ffn)")
		}
		if j.ModelType == "dinov2_with_registers" {
			c.RegTokens, c.RegNoPos = intOr(j.NumRegisterTokens, 4), true
		}
	}
	if len(j.Architectures) > 0 {
		c.Arch = j.Architectures[0]
	}
	var err error
	if c.ImageSize, err = intOrSquare(j.ImageSize, 224, "image_size"); err != nil {
		return c, err
	}
	if c.PatchSize, err = intOrSquare(j.PatchSize, patch, "patch_size"); err != nil {
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

//go:embed imagenet_labels.txt
var imagenetLabelsTxt []byte

// imagenetLabels returns the 1000 ImageNet-1k class names in index order
// (torchvision's list).
func imagenetLabels() []string {
	s := strings.Split(strings.TrimRight(string(imagenetLabelsTxt), "\n"), "\n")
	return s
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
