package model

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/vitgo/vit/internal/kernels"
)

// param is one parameter of the model as the reference modules name it,
// bound to the checkpoint tensors that hold it (several stacked along rows
// for q|k|v) until it is materialized.
type param struct {
	name   string           // canonical name, for errors
	shape  []int            // canonical shape: [rows, cols] for matrices, [n] for vectors
	parts  []*stTensor      // row blocks, in order; nil parts for Random
	data   []float32        // values [shape...]: in the mapped file or owned; nil for a matrix in several parts (see rows)
	packed *kernels.PackedB // a matrix as the Linear operand (its rows in place)
	scale  *param           // [rows] a layer scale folded into this parameter's rows when it is materialized (nil: none)
}

func (p *param) numel() int { return numel(p.shape) }

// PatchEmbed is the patch projection: a conv with stride P viewed as a
// linear map of flattened [C, P, P] patches.
type PatchEmbed struct {
	W *param // [D, C·P·P]
	B *param // [D] (nil without a patch bias)
}

// Attention is multi-head self-attention with fused q|k|v rows.
type Attention struct {
	QKVW  *param // [3D, D] rows q | k | v
	QKVB  *param // [3D] (nil when the config has no qkv bias; its k third zero with ZeroKBias)
	ProjW *param // [D, D]
	ProjB *param // [D]

	// RelPos is the relative position bias table [(2g−1)²+3, H] stored
	// flat (nil unless RelPosBias); Model.relIndex picks its entries.
	RelPos *param // [((2g−1)²+3)·H]
	// RelMLP computes RelPos when Config.RelPosMLP is set (shared by
	// every block with SharedRelPos).
	RelMLP *RelPosMLP

	NormW, NormB *param    // [D] LayerNorm on the output before ProjW (nil unless AttnNorm)
	Diff         *DiffAttn // nil unless Config.DiffAttn

	// QKVW's q rows [D, D] and k | v rows [2D, D] as separate operands,
	// views set by splitQKV once QKVW is bound (for lastBlock).
	qW, kvW *kernels.PackedB
}

// MLP is fc1 → activation → fc2, or with SwiGLU fc1 → silu(gate) ⊙ x
// → fc2, and an optional LayerNorm before fc2.
type MLP struct {
	FC1W         *param // [F, D], or [2F, D] rows gate | x with SwiGLU
	FC1B         *param // [F] or [2F]
	NormW, NormB *param // [F] (nil unless MLPNorm)
	FC2W         *param // [D, F]
	FC2B         *param // [D]
}

// Block is one pre-norm encoder block. With layer scale, LS1 and LS2
// are folded into the rows of Attn.Proj and MLP.FC2 when loading
// (γ⊙(W·a + b) = (diag(γ)·W)·a + γ⊙b).
type Block struct {
	Norm1W, Norm1B *param // [D]
	Attn           Attention
	LS1            *param // [D] (nil without layer scale)
	Norm2W, Norm2B *param // [D]
	MLP            MLP
	LS2            *param // [D] (nil without layer scale)
}

// Head is a linear classifier.
type Head struct {
	W *param // [L, D]
	B *param // [L]
}

// weights is the whole encoder and its head(s).
type weights struct {
	Patch              PatchEmbed
	Cls                *param // [D] (nil with NoClassToken)
	Dist               *param // [D] distillation token (nil unless Distilled)
	Reg                *param // [R, D] register tokens (nil without)
	Mask               *param // [D] HF Dinov2's mask token, for masked pre-training only (nil elsewhere)
	Pos                *param // [posPrefix + g², D] for the native grid (nil with NoPosEmbed)
	PreNormW, PreNormB *param // [D] LayerNorm on the embeddings (nil unless PreNorm)
	Blocks             []Block
	NormW, NormB       *param     // [D] final LayerNorm on the tokens (nil with NoFinalNorm)
	FCNormW, FCNormB   *param     // [D'] LayerNorm on the pooled vector (nil unless FCNorm)
	MAP                *MAPHead   // nil unless Pool is PoolMAP
	SharedRelMLP       *RelPosMLP // every block's RelMLP with SharedRelPos (nil otherwise)
	SharedRelPos       *param     // every block's Attn.RelPos with a shared table (HF Beit; nil otherwise)
	RopeFreqs          *param     // [2·layers·H·Dh/2] mixed rotary frequencies (nil unless Rope.Mixed)
	Head               Head       // W [L, D'], D' = headIn
	DistHead           Head       // W nil unless Config.DistHead

	prec kernels.Precision // of the blocks' matrices (see convert)
}

// newWeights allocates the parameter descriptors for c (no values).
func newWeights(c *Config) *weights {
	d, f, l := c.Hidden, c.Intermediate, c.NumClasses
	cpp := c.Channels * c.PatchSize * c.PatchSize
	t0 := c.posPrefix() + c.grid()*c.grid()
	np := func(name string, shape ...int) *param { return &param{name: name, shape: shape} }
	w := &weights{
		Patch: PatchEmbed{W: np("patch.w", d, cpp)},
		Head:  Head{W: np("head.w", l, c.headIn()), B: np("head.b", l)},
	}
	if !c.NoPatchBias {
		w.Patch.B = np("patch.b", d)
	}
	if !c.NoClassToken {
		w.Cls = np("cls", d)
	}
	if c.RegTokens > 0 {
		w.Reg = np("reg", c.RegTokens, d)
	}
	if c.Layout == LayoutHFDinov2 || c.Layout == LayoutHFBeit {
		w.Mask = np("mask", d)
	}
	if !c.NoPosEmbed {
		w.Pos = np("pos", t0, d)
	}
	if c.PreNorm {
		w.PreNormW, w.PreNormB = np("norm_pre.w", d), np("norm_pre.b", d)
	}
	if !c.NoFinalNorm {
		w.NormW, w.NormB = np("norm.w", d), np("norm.b", d)
	}
	if c.FCNorm {
		w.FCNormW, w.FCNormB = np("fc_norm.w", c.headIn()), np("fc_norm.b", c.headIn())
	}
	if c.Pool == PoolMAP {
		w.MAP = newMAPHead(c, np)
	}
	if c.Rope != nil && c.Rope.Mixed {
		w.RopeFreqs = np("rope.freqs", 2*c.Layers*c.Hidden/2)
	}
	if c.Distilled {
		w.Dist = np("dist", d)
	}
	if c.DistHead {
		w.DistHead = Head{W: np("head_dist.w", l, d), B: np("head_dist.b", l)}
	}
	w.Blocks = make([]Block, c.Layers)
	for i := range w.Blocks {
		s := "blocks." + strconv.Itoa(i) + "."
		b := &w.Blocks[i]
		b.Norm1W, b.Norm1B = np(s+"norm1.w", d), np(s+"norm1.b", d)
		b.Norm2W, b.Norm2B = np(s+"norm2.w", d), np(s+"norm2.b", d)
		b.Attn = Attention{QKVW: np(s+"qkv.w", 3*d, d), ProjW: np(s+"proj.w", d, d), ProjB: np(s+"proj.b", d)}
		if c.QKVBias {
			b.Attn.QKVB = np(s+"qkv.b", 3*d)
		}
		b.MLP = MLP{FC1W: np(s+"fc1.w", c.fc1Rows(), d), FC1B: np(s+"fc1.b", c.fc1Rows()), FC2W: np(s+"fc2.w", d, f), FC2B: np(s+"fc2.b", d)}
		if c.AttnNorm {
			b.Attn.NormW, b.Attn.NormB = np(s+"attn.norm.w", d), np(s+"attn.norm.b", d)
		}
		if c.Parallel { // one LayerNorm feeds both branches
			b.Norm2W, b.Norm2B = nil, nil
		}
		if c.DiffAttn {
			dh := d / (2 * c.Heads)
			b.Attn.Diff = &DiffAttn{LambdaQ1: np(s+"attn.lambda_q1", dh), LambdaK1: np(s+"attn.lambda_k1", dh),
				LambdaQ2: np(s+"attn.lambda_q2", dh), LambdaK2: np(s+"attn.lambda_k2", dh), SubNormW: np(s+"attn.sub_norm.w", 2*dh)}
		}
		if c.MLPNorm {
			b.MLP.NormW, b.MLP.NormB = np(s+"mlp.norm.w", f), np(s+"mlp.norm.b", f)
		}
		if c.LayerScale {
			b.LS1, b.LS2 = np(s+"ls1", d), np(s+"ls2", d)
			b.Attn.ProjW.scale, b.Attn.ProjB.scale = b.LS1, b.LS1
			b.MLP.FC2W.scale, b.MLP.FC2B.scale = b.LS2, b.LS2
		}
		switch {
		case c.RelPosBias && c.SharedRelPos && c.RelPosMLP == 0:
			if i == 0 {
				w.SharedRelPos = np("shared_relpos", c.relPosRows()*c.Heads)
			}
			b.Attn.RelPos = w.SharedRelPos
		case c.RelPosBias:
			b.Attn.RelPos = np(s+"relpos", c.relPosRows()*c.Heads)
		}
		if c.RelPosMLP > 0 {
			if c.SharedRelPos {
				if i == 0 {
					w.SharedRelMLP = newRelPosMLP(c, np, "shared_rel_pos.")
				}
				b.Attn.RelMLP = w.SharedRelMLP
			} else {
				b.Attn.RelMLP = newRelPosMLP(c, np, s+"attn.rel_pos.")
			}
		}
	}
	return w
}

// splitQKV sets each block's qW and kvW from its bound QKVW.
func (w *weights) splitQKV() {
	for i := range w.Blocks {
		a := &w.Blocks[i].Attn
		d := a.QKVW.shape[1]
		a.qW, a.kvW = a.QKVW.packed.RowRange(0, d), a.QKVW.packed.RowRange(d, 3*d)
	}
}

// all lists every parameter once, in checkpoint order.
func (w *weights) all() []*param {
	ps := []*param{w.Patch.W, w.Patch.B, w.Cls, w.Dist, w.Reg, w.Mask, w.Pos, w.RopeFreqs, w.PreNormW, w.PreNormB}
	for i := range w.Blocks {
		b := &w.Blocks[i]
		if b.Attn.RelMLP != nil && (i == 0 || b.Attn.RelMLP != w.Blocks[0].Attn.RelMLP) {
			ps = append(ps, b.Attn.RelMLP.params()...)
		}
		relPos := b.Attn.RelPos
		if i > 0 && relPos == w.SharedRelPos {
			relPos = nil // listed with block 0
		}
		if b.Attn.Diff != nil {
			ps = append(ps, b.Attn.Diff.params()...)
		}
		ps = append(ps, b.Norm1W, b.Norm1B, b.Attn.QKVW, b.Attn.QKVB, relPos, b.Attn.NormW, b.Attn.NormB, b.Attn.ProjW, b.Attn.ProjB, b.LS1,
			b.Norm2W, b.Norm2B, b.MLP.FC1W, b.MLP.FC1B, b.MLP.NormW, b.MLP.NormB, b.MLP.FC2W, b.MLP.FC2B, b.LS2)
	}
	ps = append(ps, w.NormW, w.NormB, w.FCNormW, w.FCNormB)
	if w.MAP != nil {
		ps = append(ps, w.MAP.params()...)
	}
	ps = append(ps, w.Head.W, w.Head.B, w.DistHead.W, w.DistHead.B)
	out := ps[:0]
	for _, p := range ps {
		if p != nil {
			out = append(out, p)
		}
	}
	return out
}

// key binds one checkpoint key to a row block of a parameter.
type key struct {
	name  string   // checkpoint key; %d is the block index
	shape []string // stored shape in symbols: D, F, 3D, C, P, T, L or a number
	dst   func(w *weights, b *Block) *param
	part  int // row block of dst (q=0, k=1, v=2), of nparts
	parts int // 0 or 1: the whole parameter
	when  func(c *Config) bool
	opt   bool      // may be absent from the checkpoint
	rows  [2]string // when set, dst gets rows [rows[0], rows[1]) of the tensor only (symbols)
	cols  [2]string // when set, dst gets columns [cols[0], cols[1]) of the matrix only (copied)
}

// colRange binds columns [lo, hi) of k's matrix tensor.
func colRange(k key, lo, hi string) key { k.cols = [2]string{lo, hi}; return k }

// rowRange binds rows [lo, hi) of k's tensor (a row block is contiguous),
// so that one checkpoint tensor can feed several parameters.
func rowRange(k key, lo, hi string) key { k.rows = [2]string{lo, hi}; return k }

// optional marks k as a key the checkpoint may lack.
func optional(k key) key { k.opt = true; return k }

func always(*Config) bool            { return true }
func mapPool(c *Config) bool         { return c.Pool == PoolMAP }
func diffAttn(c *Config) bool        { return c.DiffAttn && !c.Parallel }
func parDiff(c *Config) bool         { return c.DiffAttn && c.Parallel }
func parSep(c *Config) bool          { return c.Parallel && !c.DiffAttn }
func parFused(c *Config) bool        { return c.Parallel && c.DiffAttn } // timm fuses the output projection there
func serial(c *Config) bool          { return !c.Parallel }
func par(c *Config) bool             { return c.Parallel }
func parQKVB(c *Config) bool         { return c.Parallel && c.QKVBias }
func parMLPB(c *Config) bool         { return c.Parallel && !c.QKVBias }
func parLS(c *Config) bool           { return c.Parallel && c.LayerScale }
func relPosTable(c *Config) bool     { return c.RelPosBias && c.RelPosMLP == 0 }
func relPosBlockMLP(c *Config) bool  { return c.RelPosMLP > 0 && !c.SharedRelPos }
func relPosSharedMLP(c *Config) bool { return c.RelPosMLP > 0 && c.SharedRelPos }
func qkvBias(c *Config) bool         { return c.QKVBias && !c.ZeroKBias }
func qvBias(c *Config) bool          { return c.QKVBias && c.ZeroKBias }
func clsTok(c *Config) bool          { return !c.NoClassToken }
func regTok(c *Config) bool          { return c.RegTokens > 0 }
func posEmb(c *Config) bool          { return !c.NoPosEmbed }
func patchB(c *Config) bool          { return !c.NoPatchBias }
func preNorm(c *Config) bool         { return c.PreNorm }
func finNorm(c *Config) bool         { return !c.NoFinalNorm }
func fcNorm(c *Config) bool          { return c.FCNorm }
func lsTimm(c *Config) bool          { return c.LayerScale && !gammaLS(c) && !c.Parallel }
func lsBeit(c *Config) bool          { return c.LayerScale && gammaLS(c) }
func gammaLS(c *Config) bool         { return c.timmClass == "Beit" || c.timmClass == "Eva" } // gamma_1/2, not ls1/2
func fusedQKV(c *Config) bool        { return !c.separateQKV }
func sepQKV(c *Config) bool          { return c.separateQKV }
func sepQBias(c *Config) bool        { return c.separateQKV && c.QKVBias }
func sepKBias(c *Config) bool        { return c.separateQKV && c.QKVBias && !c.ZeroKBias }
func attnNorm(c *Config) bool        { return c.AttnNorm }
func mlpNorm(c *Config) bool         { return c.MLPNorm }
func plainMLP(c *Config) bool        { return !c.SwiGLU || c.packedGLU }
func sepGLU(c *Config) bool          { return c.SwiGLU && !c.packedGLU }
func distTok(c *Config) bool         { return c.Distilled }
func distHd(c *Config) bool          { return c.DistHead }
func oneHead(c *Config) bool         { return !c.DistHead }

// hfKeys is the transformers ViT/DeiT key table; p is "vit" or "deit".
func hfKeys(p string) (global, block []key) {
	g := func(name string, shape []string, dst func(*weights, *Block) *param, when func(*Config) bool) key {
		return key{name: name, shape: shape, dst: dst, when: when}
	}
	global = []key{
		g(p+".embeddings.cls_token", []string{"1", "1", "D"}, func(w *weights, _ *Block) *param { return w.Cls }, always),
		g(p+".embeddings.distillation_token", []string{"1", "1", "D"}, func(w *weights, _ *Block) *param { return w.Dist }, distTok),
		g(p+".embeddings.position_embeddings", []string{"1", "T", "D"}, func(w *weights, _ *Block) *param { return w.Pos }, always),
		g(p+".embeddings.patch_embeddings.projection.weight", []string{"D", "C", "P", "P"}, func(w *weights, _ *Block) *param { return w.Patch.W }, always),
		g(p+".embeddings.patch_embeddings.projection.bias", []string{"D"}, func(w *weights, _ *Block) *param { return w.Patch.B }, always),
		g(p+".layernorm.weight", []string{"D"}, func(w *weights, _ *Block) *param { return w.NormW }, always),
		g(p+".layernorm.bias", []string{"D"}, func(w *weights, _ *Block) *param { return w.NormB }, always),
		g("classifier.weight", []string{"L", "D"}, func(w *weights, _ *Block) *param { return w.Head.W }, oneHead),
		g("classifier.bias", []string{"L"}, func(w *weights, _ *Block) *param { return w.Head.B }, oneHead),
		g("cls_classifier.weight", []string{"L", "D"}, func(w *weights, _ *Block) *param { return w.Head.W }, distHd),
		g("cls_classifier.bias", []string{"L"}, func(w *weights, _ *Block) *param { return w.Head.B }, distHd),
		g("distillation_classifier.weight", []string{"L", "D"}, func(w *weights, _ *Block) *param { return w.DistHead.W }, distHd),
		g("distillation_classifier.bias", []string{"L"}, func(w *weights, _ *Block) *param { return w.DistHead.B }, distHd),
	}
	l := p + ".encoder.layer.%d."
	b := blockKeys(l)
	block = []key{
		b("layernorm_before.weight", []string{"D"}, func(b *Block) *param { return b.Norm1W }, 0, 1, always),
		b("layernorm_before.bias", []string{"D"}, func(b *Block) *param { return b.Norm1B }, 0, 1, always),
		b("attention.attention.query.weight", []string{"D", "D"}, func(b *Block) *param { return b.Attn.QKVW }, 0, 3, always),
		b("attention.attention.key.weight", []string{"D", "D"}, func(b *Block) *param { return b.Attn.QKVW }, 1, 3, always),
		b("attention.attention.value.weight", []string{"D", "D"}, func(b *Block) *param { return b.Attn.QKVW }, 2, 3, always),
		b("attention.attention.query.bias", []string{"D"}, func(b *Block) *param { return b.Attn.QKVB }, 0, 3, qkvBias),
		b("attention.attention.key.bias", []string{"D"}, func(b *Block) *param { return b.Attn.QKVB }, 1, 3, qkvBias),
		b("attention.attention.value.bias", []string{"D"}, func(b *Block) *param { return b.Attn.QKVB }, 2, 3, qkvBias),
		b("attention.output.dense.weight", []string{"D", "D"}, func(b *Block) *param { return b.Attn.ProjW }, 0, 1, always),
		b("attention.output.dense.bias", []string{"D"}, func(b *Block) *param { return b.Attn.ProjB }, 0, 1, always),
		b("layernorm_after.weight", []string{"D"}, func(b *Block) *param { return b.Norm2W }, 0, 1, always),
		b("layernorm_after.bias", []string{"D"}, func(b *Block) *param { return b.Norm2B }, 0, 1, always),
		b("intermediate.dense.weight", []string{"F", "D"}, func(b *Block) *param { return b.MLP.FC1W }, 0, 1, always),
		b("intermediate.dense.bias", []string{"F"}, func(b *Block) *param { return b.MLP.FC1B }, 0, 1, always),
		b("output.dense.weight", []string{"D", "F"}, func(b *Block) *param { return b.MLP.FC2W }, 0, 1, always),
		b("output.dense.bias", []string{"D"}, func(b *Block) *param { return b.MLP.FC2B }, 0, 1, always),
	}
	return global, block
}

// timmKeys is the timm VisionTransformer (and distilled DeiT) key table.
func timmKeys() (global, block []key) {
	g := func(name string, shape []string, dst func(*weights) *param, when func(*Config) bool) key {
		return key{name: name, shape: shape, dst: func(w *weights, _ *Block) *param { return dst(w) }, when: when}
	}
	global = []key{
		g("cls_token", []string{"1", "1", "D"}, func(w *weights) *param { return w.Cls }, clsTok),
		g("reg_token", []string{"1", "R", "D"}, func(w *weights) *param { return w.Reg }, regTok),
		g("dist_token", []string{"1", "1", "D"}, func(w *weights) *param { return w.Dist }, distTok),
		g("pos_embed", []string{"1", "T", "D"}, func(w *weights) *param { return w.Pos }, posEmb),
		g("patch_embed.proj.weight", []string{"D", "C", "P", "P"}, func(w *weights) *param { return w.Patch.W }, always),
		g("patch_embed.proj.bias", []string{"D"}, func(w *weights) *param { return w.Patch.B }, patchB),
		g("shared_rel_pos.mlp.fc1.weight", []string{"RH", "2"}, func(w *weights) *param { return w.SharedRelMLP.FC1W }, relPosSharedMLP),
		g("shared_rel_pos.mlp.fc1.bias", []string{"RH"}, func(w *weights) *param { return w.SharedRelMLP.FC1B }, relPosSharedMLP),
		g("shared_rel_pos.mlp.fc2.weight", []string{"H", "RH"}, func(w *weights) *param { return w.SharedRelMLP.FC2W }, relPosSharedMLP),
		g("shared_rel_pos.mlp.fc2.bias", []string{"H"}, func(w *weights) *param { return w.SharedRelMLP.FC2B }, relPosSharedMLP),
		g("rope.freqs", []string{"2", "NL", "H", "DH2"}, func(w *weights) *param { return w.RopeFreqs }, func(c *Config) bool { return c.Rope != nil && c.Rope.Mixed }),
		g("norm_pre.weight", []string{"D"}, func(w *weights) *param { return w.PreNormW }, preNorm),
		g("norm_pre.bias", []string{"D"}, func(w *weights) *param { return w.PreNormB }, preNorm),
		g("norm.weight", []string{"D"}, func(w *weights) *param { return w.NormW }, finNorm),
		g("norm.bias", []string{"D"}, func(w *weights) *param { return w.NormB }, finNorm),
		g("fc_norm.weight", []string{"HD"}, func(w *weights) *param { return w.FCNormW }, fcNorm),
		g("fc_norm.bias", []string{"HD"}, func(w *weights) *param { return w.FCNormB }, fcNorm),
		g("attn_pool.latent", []string{"1", "1", "D"}, func(w *weights) *param { return w.MAP.Latent }, mapPool),
		g("attn_pool.q.weight", []string{"D", "D"}, func(w *weights) *param { return w.MAP.QW }, mapPool),
		g("attn_pool.q.bias", []string{"D"}, func(w *weights) *param { return w.MAP.QB }, mapPool),
		g("attn_pool.kv.weight", []string{"2D", "D"}, func(w *weights) *param { return w.MAP.KVW }, mapPool),
		g("attn_pool.kv.bias", []string{"2D"}, func(w *weights) *param { return w.MAP.KVB }, mapPool),
		g("attn_pool.proj.weight", []string{"D", "D"}, func(w *weights) *param { return w.MAP.ProjW }, mapPool),
		g("attn_pool.proj.bias", []string{"D"}, func(w *weights) *param { return w.MAP.ProjB }, mapPool),
		g("attn_pool.norm.weight", []string{"D"}, func(w *weights) *param { return w.MAP.NormW }, mapPool),
		g("attn_pool.norm.bias", []string{"D"}, func(w *weights) *param { return w.MAP.NormB }, mapPool),
		g("attn_pool.mlp.fc1.weight", []string{"MF", "D"}, func(w *weights) *param { return w.MAP.FC1W }, mapPool),
		g("attn_pool.mlp.fc1.bias", []string{"MF"}, func(w *weights) *param { return w.MAP.FC1B }, mapPool),
		g("attn_pool.mlp.fc2.weight", []string{"D", "MF"}, func(w *weights) *param { return w.MAP.FC2W }, mapPool),
		g("attn_pool.mlp.fc2.bias", []string{"D"}, func(w *weights) *param { return w.MAP.FC2B }, mapPool),
		g("head.weight", []string{"L", "HD"}, func(w *weights) *param { return w.Head.W }, always),
		g("head.bias", []string{"L"}, func(w *weights) *param { return w.Head.B }, always),
		g("head_dist.weight", []string{"L", "D"}, func(w *weights) *param { return w.DistHead.W }, distHd),
		g("head_dist.bias", []string{"L"}, func(w *weights) *param { return w.DistHead.B }, distHd),
	}
	b := func(name string, shape []string, dst func(*Block) *param, when func(*Config) bool) key {
		return key{name: "blocks.%d." + name, shape: shape, dst: func(_ *weights, b *Block) *param { return dst(b) }, when: when}
	}
	part := func(k key, part, parts int) key { k.part, k.parts = part, parts; return k }
	block = []key{
		b("norm1.weight", []string{"D"}, func(b *Block) *param { return b.Norm1W }, serial),
		b("norm1.bias", []string{"D"}, func(b *Block) *param { return b.Norm1B }, serial),
		b("attn.qkv.weight", []string{"3D", "D"}, func(b *Block) *param { return b.Attn.QKVW }, func(c *Config) bool { return fusedQKV(c) && serial(c) }),
		b("attn.qkv.bias", []string{"3D"}, func(b *Block) *param { return b.Attn.QKVB }, func(c *Config) bool { return qkvBias(c) && fusedQKV(c) && serial(c) }),
		part(b("attn.q_bias", []string{"D"}, func(b *Block) *param { return b.Attn.QKVB }, func(c *Config) bool { return qvBias(c) && fusedQKV(c) }), 0, 3),
		part(b("attn.v_bias", []string{"D"}, func(b *Block) *param { return b.Attn.QKVB }, func(c *Config) bool { return qvBias(c) && fusedQKV(c) }), 2, 3),
		part(b("attn.q_proj.weight", []string{"D", "D"}, func(b *Block) *param { return b.Attn.QKVW }, sepQKV), 0, 3),
		part(b("attn.k_proj.weight", []string{"D", "D"}, func(b *Block) *param { return b.Attn.QKVW }, sepQKV), 1, 3),
		part(b("attn.v_proj.weight", []string{"D", "D"}, func(b *Block) *param { return b.Attn.QKVW }, sepQKV), 2, 3),
		part(b("attn.q_proj.bias", []string{"D"}, func(b *Block) *param { return b.Attn.QKVB }, sepQBias), 0, 3),
		part(b("attn.k_proj.bias", []string{"D"}, func(b *Block) *param { return b.Attn.QKVB }, sepKBias), 1, 3),
		part(b("attn.v_proj.bias", []string{"D"}, func(b *Block) *param { return b.Attn.QKVB }, sepQBias), 2, 3),
		b("attn.lambda_q1", []string{"DH2"}, func(b *Block) *param { return b.Attn.Diff.LambdaQ1 }, diffAttn),
		b("attn.lambda_k1", []string{"DH2"}, func(b *Block) *param { return b.Attn.Diff.LambdaK1 }, diffAttn),
		b("attn.lambda_q2", []string{"DH2"}, func(b *Block) *param { return b.Attn.Diff.LambdaQ2 }, diffAttn),
		b("attn.lambda_k2", []string{"DH2"}, func(b *Block) *param { return b.Attn.Diff.LambdaK2 }, diffAttn),
		b("attn.sub_norm.weight", []string{"DH"}, func(b *Block) *param { return b.Attn.Diff.SubNormW }, diffAttn),
		b("attn.norm.weight", []string{"D"}, func(b *Block) *param { return b.Attn.NormW }, attnNorm),
		b("attn.norm.bias", []string{"D"}, func(b *Block) *param { return b.Attn.NormB }, attnNorm),
		b("mlp.norm.weight", []string{"F"}, func(b *Block) *param { return b.MLP.NormW }, mlpNorm),
		b("mlp.norm.bias", []string{"F"}, func(b *Block) *param { return b.MLP.NormB }, mlpNorm),
		part(b("mlp.fc1_g.weight", []string{"F", "D"}, func(b *Block) *param { return b.MLP.FC1W }, sepGLU), 0, 2),
		part(b("mlp.fc1_x.weight", []string{"F", "D"}, func(b *Block) *param { return b.MLP.FC1W }, sepGLU), 1, 2),
		part(b("mlp.fc1_g.bias", []string{"F"}, func(b *Block) *param { return b.MLP.FC1B }, sepGLU), 0, 2),
		part(b("mlp.fc1_x.bias", []string{"F"}, func(b *Block) *param { return b.MLP.FC1B }, sepGLU), 1, 2),
		b("attn.relative_position_bias_table", []string{"RP", "H"}, func(b *Block) *param { return b.Attn.RelPos }, relPosTable),
		b("attn.rel_pos.mlp.fc1.weight", []string{"RH", "2"}, func(b *Block) *param { return b.Attn.RelMLP.FC1W }, relPosBlockMLP),
		b("attn.rel_pos.mlp.fc1.bias", []string{"RH"}, func(b *Block) *param { return b.Attn.RelMLP.FC1B }, relPosBlockMLP),
		b("attn.rel_pos.mlp.fc2.weight", []string{"H", "RH"}, func(b *Block) *param { return b.Attn.RelMLP.FC2W }, relPosBlockMLP),
		b("attn.rel_pos.mlp.fc2.bias", []string{"H"}, func(b *Block) *param { return b.Attn.RelMLP.FC2B }, relPosBlockMLP),
		b("ls1.gamma", []string{"D"}, func(b *Block) *param { return b.LS1 }, lsTimm),
		b("ls2.gamma", []string{"D"}, func(b *Block) *param { return b.LS2 }, lsTimm),
		b("gamma_1", []string{"D"}, func(b *Block) *param { return b.LS1 }, lsBeit),
		b("gamma_2", []string{"D"}, func(b *Block) *param { return b.LS2 }, lsBeit),
		b("attn.proj.weight", []string{"D", "D"}, func(b *Block) *param { return b.Attn.ProjW }, serial),
		b("attn.proj.bias", []string{"D"}, func(b *Block) *param { return b.Attn.ProjB }, serial),
		b("norm2.weight", []string{"D"}, func(b *Block) *param { return b.Norm2W }, serial),
		b("norm2.bias", []string{"D"}, func(b *Block) *param { return b.Norm2B }, serial),
		b("mlp.fc1.weight", []string{"F1", "D"}, func(b *Block) *param { return b.MLP.FC1W }, func(c *Config) bool { return plainMLP(c) && serial(c) }),
		b("mlp.fc1.bias", []string{"F1"}, func(b *Block) *param { return b.MLP.FC1B }, func(c *Config) bool { return plainMLP(c) && serial(c) }),
		// ParallelScalingBlock: one in_proj of rows fc1 | q | k | v, two
		// output projections, one layer scale.
		b("in_norm.weight", []string{"D"}, func(b *Block) *param { return b.Norm1W }, par),
		b("in_norm.bias", []string{"D"}, func(b *Block) *param { return b.Norm1B }, par),
		rowRange(b("in_proj.weight", []string{"F3D", "D"}, func(b *Block) *param { return b.MLP.FC1W }, par), "0", "F"),
		rowRange(b("in_proj.weight", []string{"F3D", "D"}, func(b *Block) *param { return b.Attn.QKVW }, par), "F", "F3D"),
		rowRange(b("in_proj.bias", []string{"F3D"}, func(b *Block) *param { return b.MLP.FC1B }, parQKVB), "0", "F"),
		rowRange(b("in_proj.bias", []string{"F3D"}, func(b *Block) *param { return b.Attn.QKVB }, parQKVB), "F", "F3D"),
		b("mlp_bias", []string{"F"}, func(b *Block) *param { return b.MLP.FC1B }, parMLPB),
		b("attn_out_proj.weight", []string{"D", "D"}, func(b *Block) *param { return b.Attn.ProjW }, parSep),
		b("attn_out_proj.bias", []string{"D"}, func(b *Block) *param { return b.Attn.ProjB }, parSep),
		b("mlp_out_proj.weight", []string{"D", "F"}, func(b *Block) *param { return b.MLP.FC2W }, parSep),
		b("mlp_out_proj.bias", []string{"D"}, func(b *Block) *param { return b.MLP.FC2B }, parSep),
		// DiffParallelScalingBlock: one out_proj over [attn | mlp]; its
		// bias goes with the attention's projection.
		colRange(b("out_proj.weight", []string{"D", "DF"}, func(b *Block) *param { return b.Attn.ProjW }, parFused), "0", "D"),
		colRange(b("out_proj.weight", []string{"D", "DF"}, func(b *Block) *param { return b.MLP.FC2W }, parFused), "D", "DF"),
		b("out_proj.bias", []string{"D"}, func(b *Block) *param { return b.Attn.ProjB }, parFused),
		b("lambda_q1", []string{"DH2"}, func(b *Block) *param { return b.Attn.Diff.LambdaQ1 }, parDiff),
		b("lambda_k1", []string{"DH2"}, func(b *Block) *param { return b.Attn.Diff.LambdaK1 }, parDiff),
		b("lambda_q2", []string{"DH2"}, func(b *Block) *param { return b.Attn.Diff.LambdaQ2 }, parDiff),
		b("lambda_k2", []string{"DH2"}, func(b *Block) *param { return b.Attn.Diff.LambdaK2 }, parDiff),
		b("sub_norm.weight", []string{"DH"}, func(b *Block) *param { return b.Attn.Diff.SubNormW }, parDiff),
		b("ls.gamma", []string{"D"}, func(b *Block) *param { return b.LS1 }, parLS),
		b("ls.gamma", []string{"D"}, func(b *Block) *param { return b.LS2 }, parLS),
		b("mlp.fc2.weight", []string{"D", "F"}, func(b *Block) *param { return b.MLP.FC2W }, serial),
		b("mlp.fc2.bias", []string{"D"}, func(b *Block) *param { return b.MLP.FC2B }, serial),
	}
	return global, block
}

// hfDinov2Keys is the transformers Dinov2(WithRegisters) key table; p
// is "dinov2" or "dinov2_with_registers". The mask token (optional in
// the checkpoint, config use_mask_token) is bound and unused.
func hfDinov2Keys(p string) (global, block []key) {
	g := func(name string, shape []string, dst func(*weights) *param, when func(*Config) bool) key {
		return key{name: p + "." + name, shape: shape, dst: func(w *weights, _ *Block) *param { return dst(w) }, when: when}
	}
	global = []key{
		g("embeddings.cls_token", []string{"1", "1", "D"}, func(w *weights) *param { return w.Cls }, always),
		optional(g("embeddings.mask_token", []string{"1", "D"}, func(w *weights) *param { return w.Mask }, always)),
		g("embeddings.register_tokens", []string{"1", "R", "D"}, func(w *weights) *param { return w.Reg }, regTok),
		g("embeddings.position_embeddings", []string{"1", "T", "D"}, func(w *weights) *param { return w.Pos }, always),
		g("embeddings.patch_embeddings.projection.weight", []string{"D", "C", "P", "P"}, func(w *weights) *param { return w.Patch.W }, always),
		g("embeddings.patch_embeddings.projection.bias", []string{"D"}, func(w *weights) *param { return w.Patch.B }, always),
		g("layernorm.weight", []string{"D"}, func(w *weights) *param { return w.NormW }, always),
		g("layernorm.bias", []string{"D"}, func(w *weights) *param { return w.NormB }, always),
		{name: "classifier.weight", shape: []string{"L", "HD"}, dst: func(w *weights, _ *Block) *param { return w.Head.W }, when: always},
		{name: "classifier.bias", shape: []string{"L"}, dst: func(w *weights, _ *Block) *param { return w.Head.B }, when: always},
	}
	l := p + ".encoder.layer.%d."
	b := blockKeys(l)
	block = []key{
		b("norm1.weight", []string{"D"}, func(b *Block) *param { return b.Norm1W }, 0, 1, always),
		b("norm1.bias", []string{"D"}, func(b *Block) *param { return b.Norm1B }, 0, 1, always),
		b("attention.attention.query.weight", []string{"D", "D"}, func(b *Block) *param { return b.Attn.QKVW }, 0, 3, always),
		b("attention.attention.key.weight", []string{"D", "D"}, func(b *Block) *param { return b.Attn.QKVW }, 1, 3, always),
		b("attention.attention.value.weight", []string{"D", "D"}, func(b *Block) *param { return b.Attn.QKVW }, 2, 3, always),
		b("attention.attention.query.bias", []string{"D"}, func(b *Block) *param { return b.Attn.QKVB }, 0, 3, qkvBias),
		b("attention.attention.key.bias", []string{"D"}, func(b *Block) *param { return b.Attn.QKVB }, 1, 3, qkvBias),
		b("attention.attention.value.bias", []string{"D"}, func(b *Block) *param { return b.Attn.QKVB }, 2, 3, qkvBias),
		b("attention.output.dense.weight", []string{"D", "D"}, func(b *Block) *param { return b.Attn.ProjW }, 0, 1, always),
		b("attention.output.dense.bias", []string{"D"}, func(b *Block) *param { return b.Attn.ProjB }, 0, 1, always),
		b("layer_scale1.lambda1", []string{"D"}, func(b *Block) *param { return b.LS1 }, 0, 1, always),
		b("norm2.weight", []string{"D"}, func(b *Block) *param { return b.Norm2W }, 0, 1, always),
		b("norm2.bias", []string{"D"}, func(b *Block) *param { return b.Norm2B }, 0, 1, always),
		b("mlp.fc1.weight", []string{"F", "D"}, func(b *Block) *param { return b.MLP.FC1W }, 0, 1, always),
		b("mlp.fc1.bias", []string{"F"}, func(b *Block) *param { return b.MLP.FC1B }, 0, 1, always),
		b("mlp.fc2.weight", []string{"D", "F"}, func(b *Block) *param { return b.MLP.FC2W }, 0, 1, always),
		b("mlp.fc2.bias", []string{"D"}, func(b *Block) *param { return b.MLP.FC2B }, 0, 1, always),
		b("layer_scale2.lambda1", []string{"D"}, func(b *Block) *param { return b.LS2 }, 0, 1, always),
	}
	return global, block
}

// hfBeitKeys is the transformers Beit / Data2VecVision key table; p is
// "beit" or "data2vec_vision". The mask token (use_mask_token) is bound
// and unused.
func hfBeitKeys(p string) (global, block []key) {
	g := func(name string, shape []string, dst func(*weights) *param, when func(*Config) bool) key {
		return key{name: p + "." + name, shape: shape, dst: func(w *weights, _ *Block) *param { return dst(w) }, when: when}
	}
	shared := func(c *Config) bool { return c.RelPosBias && c.SharedRelPos }
	global = []key{
		g("embeddings.cls_token", []string{"1", "1", "D"}, func(w *weights) *param { return w.Cls }, always),
		optional(g("embeddings.mask_token", []string{"1", "1", "D"}, func(w *weights) *param { return w.Mask }, always)),
		g("embeddings.position_embeddings", []string{"1", "T", "D"}, func(w *weights) *param { return w.Pos }, posEmb),
		g("embeddings.patch_embeddings.projection.weight", []string{"D", "C", "P", "P"}, func(w *weights) *param { return w.Patch.W }, always),
		g("embeddings.patch_embeddings.projection.bias", []string{"D"}, func(w *weights) *param { return w.Patch.B }, always),
		g("encoder.relative_position_bias.relative_position_bias_table", []string{"RP", "H"}, func(w *weights) *param { return w.SharedRelPos }, shared),
		g("layernorm.weight", []string{"D"}, func(w *weights) *param { return w.NormW }, finNorm),
		g("layernorm.bias", []string{"D"}, func(w *weights) *param { return w.NormB }, finNorm),
		g("pooler.layernorm.weight", []string{"D"}, func(w *weights) *param { return w.FCNormW }, fcNorm),
		g("pooler.layernorm.bias", []string{"D"}, func(w *weights) *param { return w.FCNormB }, fcNorm),
		{name: "classifier.weight", shape: []string{"L", "D"}, dst: func(w *weights, _ *Block) *param { return w.Head.W }, when: always},
		{name: "classifier.bias", shape: []string{"L"}, dst: func(w *weights, _ *Block) *param { return w.Head.B }, when: always},
	}
	l := p + ".encoder.layer.%d."
	b := blockKeys(l)
	perLayer := func(c *Config) bool { return c.RelPosBias && !c.SharedRelPos }
	ls := func(c *Config) bool { return c.LayerScale }
	block = []key{
		b("layernorm_before.weight", []string{"D"}, func(b *Block) *param { return b.Norm1W }, 0, 1, always),
		b("layernorm_before.bias", []string{"D"}, func(b *Block) *param { return b.Norm1B }, 0, 1, always),
		b("attention.attention.query.weight", []string{"D", "D"}, func(b *Block) *param { return b.Attn.QKVW }, 0, 3, always),
		b("attention.attention.key.weight", []string{"D", "D"}, func(b *Block) *param { return b.Attn.QKVW }, 1, 3, always),
		b("attention.attention.value.weight", []string{"D", "D"}, func(b *Block) *param { return b.Attn.QKVW }, 2, 3, always),
		b("attention.attention.query.bias", []string{"D"}, func(b *Block) *param { return b.Attn.QKVB }, 0, 3, always),
		b("attention.attention.value.bias", []string{"D"}, func(b *Block) *param { return b.Attn.QKVB }, 2, 3, always),
		b("attention.attention.relative_position_bias.relative_position_bias_table", []string{"RP", "H"}, func(b *Block) *param { return b.Attn.RelPos }, 0, 1, perLayer),
		b("attention.output.dense.weight", []string{"D", "D"}, func(b *Block) *param { return b.Attn.ProjW }, 0, 1, always),
		b("attention.output.dense.bias", []string{"D"}, func(b *Block) *param { return b.Attn.ProjB }, 0, 1, always),
		b("lambda_1", []string{"D"}, func(b *Block) *param { return b.LS1 }, 0, 1, ls),
		b("layernorm_after.weight", []string{"D"}, func(b *Block) *param { return b.Norm2W }, 0, 1, always),
		b("layernorm_after.bias", []string{"D"}, func(b *Block) *param { return b.Norm2B }, 0, 1, always),
		b("intermediate.dense.weight", []string{"F", "D"}, func(b *Block) *param { return b.MLP.FC1W }, 0, 1, always),
		b("intermediate.dense.bias", []string{"F"}, func(b *Block) *param { return b.MLP.FC1B }, 0, 1, always),
		b("output.dense.weight", []string{"D", "F"}, func(b *Block) *param { return b.MLP.FC2W }, 0, 1, always),
		b("output.dense.bias", []string{"D"}, func(b *Block) *param { return b.MLP.FC2B }, 0, 1, always),
		b("lambda_2", []string{"D"}, func(b *Block) *param { return b.LS2 }, 0, 1, ls),
	}
	return global, block
}

// expectedLayouts describes, for errors, what detectLayout looks for.
const expectedLayouts = "want a Hugging Face ViT (vit.embeddings.cls_token, vit.encoder.layer.0.attention.attention.query.weight, classifier.weight), " +
	"a Hugging Face DeiT (deit.embeddings.cls_token, deit.embeddings.distillation_token, cls_classifier.weight or classifier.weight) " +
	"or a timm ViT (patch_embed.proj.weight, blocks.0.attn.qkv.weight, head.weight) checkpoint"

// detectLayout names the layout of the checkpoint keys.
func detectLayout(has func(string) bool) string {
	switch {
	case has("vit.embeddings.cls_token"):
		return LayoutHFViT
	case has("deit.embeddings.cls_token"):
		return LayoutHFDeiT
	case has("dinov2.embeddings.cls_token") || has("dinov2_with_registers.embeddings.cls_token"):
		return LayoutHFDinov2
	case has("beit.embeddings.cls_token") || has("data2vec_vision.embeddings.cls_token"):
		return LayoutHFBeit
	case (has("blocks.0.attn.qkv.weight") || has("blocks.0.attn.q_proj.weight") || has("blocks.0.in_proj.weight")) && (has("patch_embed.proj.weight") || has("cls_token")):
		return LayoutTimm
	}
	return ""
}

// bind attaches every checkpoint tensor to exactly one parameter of w,
// checking shapes; any missing, extra or mis-shaped tensor is an error.
func bind(ck *checkpoint, c *Config, w *weights) error {
	var global, block []key
	switch c.Layout {
	case LayoutHFViT:
		global, block = hfKeys("vit")
	case LayoutHFDeiT:
		global, block = hfKeys("deit")
	case LayoutTimm:
		global, block = timmKeys()
	case LayoutHFBeit:
		p := "beit"
		if c.Arch == "data2vec-vision" || strings.HasPrefix(c.Arch, "Data2VecVision") {
			p = "data2vec_vision"
		}
		global, block = hfBeitKeys(p)
	case LayoutHFDinov2:
		p := "dinov2"
		if c.RegNoPos {
			p = "dinov2_with_registers"
		}
		global, block = hfDinov2Keys(p)
	default:
		return fmt.Errorf("unknown layout %q", c.Layout)
	}
	sym := map[string]int{
		"D": c.Hidden, "3D": 3 * c.Hidden, "F": c.Intermediate, "C": c.Channels, "P": c.PatchSize,
		"T": c.posPrefix() + c.grid()*c.grid(), "L": c.NumClasses,
		"R": c.RegTokens, "H": c.Heads, "HD": c.headIn(), "RP": c.relPosRows(), "F1": c.fc1Rows(), "2D": 2 * c.Hidden, "MF": c.MAPHidden, "RH": c.RelPosMLP, "NL": c.Layers, "DH2": c.Hidden / c.Heads / 2, "DH": c.Hidden / c.Heads, "F3D": c.Intermediate + 3*c.Hidden, "DF": c.Hidden + c.Intermediate,
	}
	used := map[string]bool{}
	one := func(k key, name string, b *Block) error {
		if !k.when(c) {
			return nil
		}
		want := make([]int, len(k.shape))
		for i, s := range k.shape {
			if v, ok := sym[s]; ok {
				want[i] = v
			} else {
				want[i], _ = strconv.Atoi(s)
			}
		}
		t, ok := ck.byName[name]
		if !ok && k.opt {
			return nil
		}
		if !ok {
			return fmt.Errorf("missing tensor %s, want shape %s", name, shapeString(want))
		}
		if !equalShape(t.shape, want) {
			return fmt.Errorf("tensor %s: shape %s, want %s", name, shapeString(t.shape), shapeString(want))
		}
		if k.rows[1] != "" {
			lo, hi := sym[k.rows[0]], sym[k.rows[1]]
			if k.rows[0] == "0" {
				lo = 0
			}
			rb := (t.end - t.begin) / int64(max(t.shape[0], 1)) // bytes per row
			st := *t
			st.shape = append([]int{hi - lo}, t.shape[1:]...)
			st.begin, st.end = t.begin+int64(lo)*rb, t.begin+int64(hi)*rb
			t = &st
		}
		if k.cols[1] != "" {
			lo, hi := sym[k.cols[0]], sym[k.cols[1]]
			if k.cols[0] == "0" {
				lo = 0
			}
			st := *t
			st.shape = []int{t.shape[0], hi - lo}
			st.cols = [2]int{lo, hi}
			t = &st
		}
		p := k.dst(w, b)
		parts := max(k.parts, 1)
		if p.parts == nil {
			p.parts = make([]*stTensor, parts)
		}
		p.parts[k.part] = t
		used[name] = true
		return nil
	}
	for _, k := range global {
		if err := one(k, k.name, nil); err != nil {
			return err
		}
	}
	for i := range w.Blocks {
		for _, k := range block {
			if err := one(k, strings.Replace(k.name, "%d", strconv.Itoa(i), 1), &w.Blocks[i]); err != nil {
				return err
			}
		}
	}
	var extra []string
	for name := range ck.byName {
		if !used[name] {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		t := ck.byName[extra[0]]
		more := ""
		if len(extra) > 1 {
			more = fmt.Sprintf(" (and %d more: %s)", len(extra)-1, strings.Join(head(extra[1:], 4), ", "))
		}
		return fmt.Errorf("unexpected tensor %s, shape %s, in a %s checkpoint with %d layers%s", extra[0], shapeString(t.shape), c.Layout, c.Layers, more)
	}
	return nil
}

func head(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], "…")
	}
	return s
}

func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// blockKeys returns the constructor of the per-block keys of a Hugging
// Face layout whose block tensors are named l (a format with the block
// index) followed by the key's name.
func blockKeys(l string) func(name string, shape []string, dst func(*Block) *param, part, parts int, when func(*Config) bool) key {
	return func(name string, shape []string, dst func(*Block) *param, part, parts int, when func(*Config) bool) key {
		return key{name: l + name, shape: shape, dst: func(_ *weights, b *Block) *param { return dst(b) }, part: part, parts: parts, when: when}
	}
}
