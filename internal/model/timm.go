package model

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/vitgo/vit/internal/kernels"
)

// timm_archs.json is written by scripts/timm_registry.py from timm's own
// source: for every architecture timm registers in its ViT-family modules,
// the model class and the keyword arguments its constructor passes, each
// class's constructor defaults, and every pretrained tag with its class
// count.
//
//go:embed timm_archs.json
var timmArchsJSON []byte

// timmRegistry is timm_archs.json.
type timmRegistry struct {
	Commit  string                                `json:"timm_commit"`
	Version string                                `json:"timm_version"`
	Classes map[string]map[string]json.RawMessage `json:"classes"` // class → constructor defaults
	Archs   map[string]timmArchEntry              `json:"archs"`   // architecture → class and model_args
	Tags    map[string]timmTag                    `json:"tags"`    // architecture.tag → pretrained cfg
}

type timmArchEntry struct {
	Module string                     `json:"module"`
	Class  string                     `json:"class"`
	Args   map[string]json.RawMessage `json:"args"`
}

type timmTag struct {
	NumClasses int   `json:"num_classes"`
	InputSize  []int `json:"input_size"`
}

var timmReg = sync.OnceValue(func() *timmRegistry {
	var r timmRegistry
	if err := json.Unmarshal(timmArchsJSON, &r); err != nil {
		panic("model: timm_archs.json: " + err.Error()) // embedded at build time
	}
	return &r
})

// timmArgs returns the constructor arguments timm builds architecture
// arch with: its class's defaults, then the architecture's own model_args,
// then those of the checkpoint's config (override).
func timmArgs(arch string, override map[string]json.RawMessage) (string, map[string]json.RawMessage, error) {
	r := timmReg()
	e, ok := r.Archs[arch]
	if !ok {
		return "", nil, fmt.Errorf("unsupported timm architecture %q: not one timm %s registers in vision_transformer, deit, beit, eva or vision_transformer_relpos", arch, r.Version)
	}
	args := map[string]json.RawMessage{}
	for _, src := range []map[string]json.RawMessage{r.Classes[e.Class], e.Args, override} {
		for k, v := range src {
			args[k] = v
		}
	}
	return e.Class, args, nil
}

// targs reads constructor arguments, remembering which were read and the
// first error.
type targs struct {
	m    map[string]json.RawMessage
	used map[string]bool
	err  error
}

func (a *targs) get(k string, dst any) bool {
	a.used[k] = true
	v, ok := a.m[k]
	if !ok || bytes.Equal(v, []byte("null")) {
		return false
	}
	if err := json.Unmarshal(v, dst); err != nil && a.err == nil {
		a.err = fmt.Errorf("timm argument %s = %s: %w", k, v, err)
	}
	return true
}

func (a *targs) int(k string, def int) int    { a.get(k, &def); return def }
func (a *targs) bool(k string, def bool) bool { a.get(k, &def); return def }
func (a *targs) str(k string, def string) string {
	var s string
	if a.get(k, &s) {
		return s
	}
	return def
}
func (a *targs) float(k string, def float64) float64 { a.get(k, &def); return def }

// fail records an unsupported feature.
func (a *targs) fail(format string, v ...any) {
	if a.err == nil {
		a.err = fmt.Errorf("unsupported: "+format, v...)
	}
}

// want fails unless argument k has the JSON value want (or is absent):
// the arguments that select a feature vit does not implement.
func (a *targs) want(k, want, feature string) {
	a.used[k] = true
	if v, ok := a.m[k]; ok && !bytes.Equal(v, []byte(want)) {
		a.fail("%s (timm %s = %s)", feature, k, v)
	}
}

// timmNeutral are the arguments that do not change inference.
var timmNeutral = []string{
	"drop_rate", "pos_drop_rate", "patch_drop_rate", "proj_drop_rate", "attn_drop_rate", "drop_path_rate",
	"weight_init", "fix_init", "head_init_scale", "dynamic_img_size",
}

// norm reads a norm_layer argument: timm's LayerNorm (ε 1e-6) or torch's
// (nn.LayerNorm, ε 1e-5), optionally with eps=…; def when null.
func (a *targs) norm(k string, def float64) float64 {
	s := a.str(k, "")
	if s == "" {
		return def
	}
	eps := 1e-6
	name, kw, _ := strings.Cut(strings.TrimSuffix(s, ")"), "(")
	switch name {
	case "LayerNorm":
	case "nn.LayerNorm":
		eps = 1e-5
	default:
		a.fail("%s normalization (timm %s = %q)", name, k, s)
		return def
	}
	if kw != "" {
		v, ok := strings.CutPrefix(kw, "eps=")
		f, err := strconv.ParseFloat(v, 64)
		if !ok || err != nil {
			a.fail("%s arguments (timm %s = %q)", name, k, s)
			return def
		}
		eps = f
	}
	return eps
}

// act reads act_layer: null is GELU.
func (a *targs) act(c *Config) {
	s := a.str("act_layer", "gelu")
	switch s {
	case "gelu", "GELU", "nn.GELU":
		c.HiddenAct = "gelu"
	case "gelu_tanh", "GELUTanh":
		c.HiddenAct = "gelu_pytorch_tanh"
	case "quick_gelu", "QuickGELU":
		c.HiddenAct = "quick_gelu"
	default:
		a.fail("activation %q", s)
		return
	}
	c.Act, _ = actByName(c.HiddenAct)
}

// square reads img_size or patch_size: an int or a square [h, w].
func (a *targs) square(k string, def int) int {
	a.used[k] = true
	v, ok := a.m[k]
	if !ok {
		return def
	}
	n, err := intOrSquare(v, def, "timm "+k)
	if err != nil && a.err == nil {
		a.err = err
	}
	return n
}

// timmConfig builds the Config of timm class cls from its resolved
// constructor arguments; anything that selects a feature vit does not
// implement is an error naming it.
func timmConfig(cls string, m map[string]json.RawMessage) (Config, error) {
	a := &targs{m: m, used: map[string]bool{}}
	c := Config{Layout: LayoutTimm, TimmPosEmbed: true, QKVBias: true, timmClass: cls}
	switch cls {
	case "VisionTransformer", "VisionTransformerDistilled", "Beit", "Eva", "VisionTransformerRelPos":
	default:
		return c, fmt.Errorf("unsupported: timm model class %s", cls)
	}
	c.Channels = a.int("in_chans", 3)
	c.ImageSize = a.square("img_size", 224)
	c.PatchSize = a.square("patch_size", 16)
	c.Hidden = a.int("embed_dim", 768)
	c.Layers = a.int("depth", 12)
	c.Heads = a.int("num_heads", 12)
	c.NumClasses = a.int("num_classes", 1000)
	c.Intermediate = int(float64(c.Hidden) * a.float("mlp_ratio", 4)) // timm: int(dim * mlp_ratio)
	c.QKVBias = a.bool("qkv_bias", true)
	iv := a.float("init_values", 0)
	c.LayerScale = iv != 0 // timm: LayerScale if init_values else Identity
	for _, k := range timmNeutral {
		a.used[k] = true
	}
	pool := a.str("global_pool", "token")
	var useFCNorm bool
	switch pool {
	case "token":
	case "avg":
		c.Pool = PoolAvg
		useFCNorm = true
	case "map":
		c.Pool = PoolMAP
	case "":
		a.fail("no pooling (timm global_pool = \"\")")
	default:
		a.fail("global_pool %q", pool)
	}
	switch cls {
	case "Eva":
		timmEva(a, &c, useFCNorm)
	case "VisionTransformerRelPos":
		timmRelPos(a, &c)
	case "Beit":
		c.LayerNormEps = a.norm("norm_layer", 1e-6)
		c.HiddenAct, c.Act = "gelu", kernels.ActGELU
		c.ZeroKBias = c.QKVBias // BEiT: q_bias and v_bias, no k bias
		c.NoPosEmbed = !a.bool("use_abs_pos_emb", true)
		c.RelPosBias = a.bool("use_rel_pos_bias", false)
		a.want("use_shared_rel_pos_bias", "false", "shared relative position bias")
		a.want("swiglu_mlp", "false", "SwiGLU MLP")
		a.want("scale_mlp", "false", "LayerNorm inside the MLP")
		c.NoFinalNorm, c.FCNorm = useFCNorm, useFCNorm // Beit: norm or fc_norm
	default:
		c.LayerNormEps = a.norm("norm_layer", 1e-6)
		a.act(&c)
		if cls == "VisionTransformerDistilled" {
			c.Distilled, c.DistHead = true, true
		}
		c.NoClassToken = !a.bool("class_token", true)
		c.RegTokens = a.int("reg_tokens", 0)
		c.NoEmbedClass = a.bool("no_embed_class", false)
		switch pe := a.str("pos_embed", "learn"); pe {
		case "learn":
		case "", "none":
			c.NoPosEmbed = true
		default:
			a.fail("pos_embed %q", pe)
		}
		c.PreNorm = a.bool("pre_norm", false)
		c.NoPatchBias = c.PreNorm // timm: PatchEmbed(bias=not pre_norm)
		finalNorm := a.bool("final_norm", true)
		var fc bool
		if a.get("fc_norm", &fc) {
			useFCNorm = fc
		}
		c.NoFinalNorm = !(finalNorm && !useFCNorm)
		c.FCNorm = finalNorm && useFCNorm
		a.want("qk_norm", "false", "q/k normalization")
		c.AttnNorm = a.bool("scale_attn_norm", false)
		c.MLPNorm = a.bool("scale_mlp_norm", false)
		a.want("proj_bias", "true", "projections without bias")
		c.PoolPrefix = a.bool("pool_include_prefix", false)
		a.want("dynamic_img_pad", "false", "padding inputs to whole patches")
		a.want("embed_layer", `"PatchEmbed"`, "patch embedding layer")
		a.want("embed_norm_layer", "null", "normalized patch embedding")
		switch bf := a.str("block_fn", "Block"); bf {
		case "Block":
		case "ResPostBlock":
			c.PostNorm = true
		case "ParallelScalingBlock":
			c.Parallel = true
		case "DiffParallelScalingBlock":
			c.Parallel, c.DiffAttn = true, true
		default:
			a.fail("block type (timm block_fn = %q)", bf)
		}
		a.want("mlp_layer", `"Mlp"`, "MLP type")
		switch al := a.str("attn_layer", "Attention"); al {
		case "Attention", "attention":
		case "diff", "DiffAttention":
			c.DiffAttn = true
		default:
			a.fail("attention type (timm attn_layer = %q)", al)
		}
		if c.NoClassToken && c.Pool == PoolToken {
			a.fail("token pooling without a class token")
		}
		if c.Parallel && (c.AttnNorm || c.MLPNorm) {
			a.fail("LayerNorms inside a parallel block")
		}
	}
	if c.PostNorm {
		c.LayerScale = false // post-norm blocks have none: init_values sets their norms' gains
	}
	if c.Pool == PoolMAP { // AttentionPoolLatent(num_heads, mlp_ratio) defaults to the model's
		if c.MAPHeads == 0 {
			c.MAPHeads = c.Heads
		}
		if c.MAPHidden == 0 {
			c.MAPHidden = c.Intermediate
		}
	}
	if a.err != nil {
		return c, a.err
	}
	var extra []string
	for k := range m {
		if !a.used[k] {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return c, fmt.Errorf("unsupported: timm argument %s = %s of %s", extra[0], m[extra[0]], cls)
	}
	return c, nil
}

// timmRelPos reads the arguments of timm's VisionTransformerRelPos: no
// absolute position embedding, a relative position bias from an MLP
// (RelPosMlp, "cr" mode) in every block or shared, norm or fc_norm.
func timmRelPos(a *targs, c *Config) {
	c.LayerNormEps = a.norm("norm_layer", 1e-6) // partial(nn.LayerNorm, eps=1e-6)
	a.act(c)
	c.NoClassToken = !a.bool("class_token", false)
	c.NoPosEmbed, c.RelPosBias = true, true
	fc := a.bool("fc_norm", false)
	c.NoFinalNorm, c.FCNorm = fc, fc
	switch rt := a.str("rel_pos_type", "mlp"); rt {
	case "mlp":
	default:
		a.fail("relative position bias of type %q", rt)
	}
	c.RelPosMLP = a.int("rel_pos_dim", 0)
	if c.RelPosMLP == 0 {
		c.RelPosMLP = 128 // RelPosMlp's hidden_dim default
	}
	c.SharedRelPos = a.bool("shared_rel_pos", false)
	a.want("qk_norm", "false", "q/k normalization")
	a.want("embed_layer", `"PatchEmbed"`, "patch embedding layer")
	switch bf := a.str("block_fn", "RelPosBlock"); bf {
	case "RelPosBlock":
	case "ResPostRelPosBlock":
		c.PostNorm = true
	default:
		a.fail("block type (timm block_fn = %q)", bf)
	}
	if c.NoClassToken && c.Pool == PoolToken {
		a.fail("token pooling without a class token")
	}
}

// timmEva reads the arguments of timm's Eva (EVA-01, EVA-02 and the
// ViTs with rotary position embedding built on it).
func timmEva(a *targs, c *Config, useFCNorm bool) {
	c.LayerNormEps = a.norm("norm_layer", 1e-6)
	c.HiddenAct, c.Act = "gelu", kernels.ActGELU
	c.NoClassToken = !a.bool("class_token", true)
	c.RegTokens = a.int("num_reg_tokens", 0)
	c.NoEmbedClass = a.bool("no_embed_class", false)
	c.NoPosEmbed = !a.bool("use_abs_pos_emb", true)
	c.PreNorm = a.bool("use_pre_transformer_norm", false)
	c.NoPatchBias = c.PreNorm
	var fc bool
	if a.get("use_fc_norm", &fc) {
		useFCNorm = fc
	}
	post := !useFCNorm
	a.get("use_post_transformer_norm", &post)
	c.NoFinalNorm, c.FCNorm = !post, useFCNorm
	c.separateQKV = !a.bool("qkv_fused", true)
	switch at := a.str("attn_type", "eva"); at {
	case "eva": // fused: q_bias and v_bias, no k bias; separate: no k_proj bias
		c.ZeroKBias = c.QKVBias
	case "rope": // timm AttentionRope: full q, k, v biases
	default:
		a.fail("attention type %q", at)
	}
	c.AttnNorm = a.bool("scale_attn_inner", false)
	c.MLPNorm = a.bool("scale_mlp", false)
	c.SwiGLU = a.bool("swiglu_mlp", false)
	c.packedGLU = c.SwiGLU && !c.MLPNorm // timm GluMlp: one fc1 of gate | x rows
	a.want("swiglu_align_to", "0", "SwiGLU with aligned width")
	c.PostNorm = a.bool("use_post_norm", false)
	a.want("gated_attn", "false", "gated attention")
	a.want("dynamic_img_pad", "false", "padding inputs to whole patches")
	c.PoolPrefix = c.Pool == PoolMAP // Eva's attention pool reads every token
	c.MAPHeads = a.int("attn_pool_num_heads", 0)
	if r := a.float("attn_pool_mlp_ratio", 0); r > 0 {
		c.MAPHidden = int(float64(c.Hidden) * r)
	}
	if a.bool("use_rot_pos_emb", false) {
		r := &Rope{Temperature: a.float("rope_temperature", 10000), Offset: a.float("rope_grid_offset", 0)}
		switch rt := a.str("rope_type", "cat"); rt {
		case "cat":
		case "mixed":
			r.Mixed = true
		default:
			a.fail("rotary position embedding of type %q", rt)
		}
		switch gi := a.str("rope_grid_indexing", "ij"); gi {
		case "ij":
		case "xy":
			r.XY = true
		default:
			a.fail("rope_grid_indexing %q", gi)
		}
		var ref []int
		if a.get("ref_feat_shape", &ref) && len(ref) == 2 {
			r.Ref = [2]int{ref[0], ref[1]}
		}
		a.want("rope_rotate_half", "false", "rotary position embedding in the half layout")
		c.Rope = r
	} else {
		for _, k := range []string{"rope_type", "rope_temperature", "rope_grid_offset", "rope_grid_indexing", "ref_feat_shape", "rope_rotate_half"} {
			a.used[k] = true
		}
	}
}

// parseTimmConfig reads a timm config.json: the architecture name selects
// timm's constructor arguments (timm_archs.json), model_args (the keyword
// arguments create_model receives) override them, and pretrained_cfg
// gives the input size.
func parseTimmConfig(j *configJSON) (Config, error) {
	arch := j.Architecture
	if i := strings.IndexByte(arch, '.'); i >= 0 {
		arch = arch[:i] // architecture.tag
	}
	cls, args, err := timmArgs(arch, j.ModelArgs)
	if err != nil {
		return Config{}, err
	}
	c, err := timmConfig(cls, args)
	c.Arch = arch
	if err != nil {
		return c, fmt.Errorf("timm %s: %w", arch, err)
	}
	if j.GlobalPool != nil {
		want := map[string]string{PoolToken: "token", PoolAvg: "avg", PoolMAP: "map"}[c.Pool]
		if *j.GlobalPool != want && *j.GlobalPool != "" {
			return c, fmt.Errorf("timm global_pool %q, but %s pools by %q", *j.GlobalPool, arch, want)
		}
	}
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
	c.NumClasses = intOr(j.NumClasses, c.NumClasses)
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

// TimmSupport is one pretrained timm classifier tag and whether Load
// accepts its architecture, with the reason when not.
type TimmSupport struct {
	Tag    string // architecture.tag
	Class  string // timm model class
	Reason string // empty when supported
}

// TimmClassifierTags lists every pretrained classifier tag (num_classes >
// 0) of timm's ViT-family modules, as recorded in timm_archs.json, with
// what Load makes of its architecture.
func TimmClassifierTags() []TimmSupport {
	r := timmReg()
	var out []TimmSupport
	for tag, t := range r.Tags {
		if t.NumClasses <= 0 {
			continue
		}
		arch, _, _ := strings.Cut(tag, ".")
		cls, args, err := timmArgs(arch, nil)
		if err == nil {
			var c Config
			if c, err = timmConfig(cls, args); err == nil {
				c.NumClasses = t.NumClasses
				if len(t.InputSize) == 3 {
					c.Channels, c.ImageSize = t.InputSize[0], t.InputSize[1]
					if t.InputSize[1] != t.InputSize[2] {
						err = fmt.Errorf("unsupported: non-square input %v", t.InputSize)
					}
				}
				if err == nil {
					err = c.check()
				}
			}
		}
		s := TimmSupport{Tag: tag, Class: cls}
		if err != nil {
			s.Reason = err.Error()
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Tag < out[j].Tag })
	return out
}
