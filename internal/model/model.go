package model

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/vitgo/vit/internal/kernels"
	"github.com/vitgo/vit/internal/preprocess"
	"github.com/vitgo/vit/internal/safetensors"
)

// Options tune loading.
type Options struct {
	Threads int // ≤ 0: all cores

	// Precision of the encoder blocks' matrices (q|k|v, output
	// projection, fc1, fc2: all but a sliver of the FLOPs), converted once
	// at load into owned memory, one checkpoint tensor at a time (see
	// kernels.NewLowB); attention runs in bf16 (kernels.AttentionPanelsAt;
	// the last block's prefix attention and differential attention in
	// float32); the patch projection, the head, LayerNorm and softmax
	// stay float32, and GELU is computed in float32 from a polynomial
	// (kernels' geluLow). The zero value is FP32.
	Precision kernels.Precision
}

// loadOpts are the knobs tests use.
type loadOpts struct {
	skipRecipe bool // do not parse the preprocessing recipe
}

// Model is a loaded encoder with its head(s) and preprocessing recipe.
type Model struct {
	Config Config
	Recipe preprocess.Recipe

	w       *weights
	ck      *checkpoint // the mapped files the weights point into (nil for Random)
	params  int64
	pool    *kernels.Pool
	pos     map[[2]int][]float32 // [T, D] position embeddings per non-native grid (gh, gw)
	relBias map[*param][]float32 // [H, T, T] relative position bias of the native grid per table (RelPosBias; set on first use)
	rope    map[[2]int]*ropeTab  // the rotary embedding per grid (gh, gw)
	ws      workspace

	attnHook AttnHook // nil unless SetAttnHook
}

// Load opens a model directory: config.json, model.safetensors (or the
// shards of model.safetensors.index.json) and, when present,
// preprocessor_config.json. The safetensors files are memory-mapped and
// stay mapped until Close: F32 weights are used in place, so opening reads
// only the headers and the small tensors.
func Load(dir string, opt Options) (*Model, error) {
	return load(dir, nil, opt, loadOpts{})
}

// LoadFS opens a model directory inside fsys (the embedded built-in model).
func LoadFS(fsys fs.FS, dir string, opt Options) (*Model, error) {
	return load(dir, fsys, opt, loadOpts{})
}

func load(dir string, fsys fs.FS, opt Options, lo loadOpts) (*Model, error) {
	m, err := load1(dir, fsys, opt, lo)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	return m, nil
}

func load1(dir string, fsys fs.FS, opt Options, lo loadOpts) (*Model, error) {
	join := joiner(dir, fsys)
	cj, err := readConfigJSON(fsys, join("config.json"))
	if err != nil {
		return nil, err
	}
	ck, err := openCheckpoint(dir, fsys)
	if err != nil {
		return nil, err
	}
	keep := false // set once the Model owns ck
	defer func() {
		if !keep {
			ck.close()
		}
	}()
	has := func(k string) bool { _, ok := ck.byName[k]; return ok }
	layout := detectLayout(has)
	if layout == "" {
		return nil, fmt.Errorf("no known checkpoint layout: %s; the checkpoint has %s", expectedLayouts, strings.Join(head(ck.names(), 6), ", "))
	}
	var cfg Config
	if cj.isTimm() {
		if layout != LayoutTimm {
			return nil, fmt.Errorf("config.json names the timm architecture %q but the tensors are in the %s layout", cj.Architecture, layout)
		}
		if cfg, err = parseTimmConfig(cj); err != nil {
			return nil, fmt.Errorf("config.json: %w", err)
		}
	} else {
		want := hfModelTypes[cj.ModelType]
		if want == "" {
			return nil, unsupportedModelType(cj.ModelType)
		}
		if want != layout {
			return nil, fmt.Errorf("config.json has model_type %q but the tensors are in the %s layout", cj.ModelType, layout)
		}
		if cfg, err = parseHFConfig(cj); err != nil {
			return nil, fmt.Errorf("config.json: %w", err)
		}
		cfg.Layout = layout
		if layout == LayoutHFDeiT {
			cfg.Distilled = true
			cfg.DistHead = has("cls_classifier.weight")
		}
	}
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("config.json: %w", err)
	}
	w := newWeights(&cfg)
	if err := bind(ck, &cfg, w); err != nil {
		return nil, err
	}
	m := &Model{Config: cfg, w: w, ck: ck}
	if !lo.skipRecipe {
		if m.Recipe, err = loadRecipe(fsys, join, &cfg, cj); err != nil {
			return nil, err
		}
		if err := checkRecipe(&m.Recipe, &cfg); err != nil {
			return nil, err
		}
	}
	m.pool = kernels.NewPool(opt.Threads)
	m.materialize(opt.Precision)
	w.splitQKV()
	keep = true
	return m, nil
}

// loadRecipe reads preprocessor_config.json when present, else timm's
// pretrained_cfg, else the HF processor defaults.
func loadRecipe(fsys fs.FS, join func(string) string, c *Config, cj *configJSON) (preprocess.Recipe, error) {
	p := join("preprocessor_config.json")
	b, err := readFileFS(fsys, p)
	switch {
	case err == nil:
		return preprocess.ParseHF(b) // its errors name the file
	case !isNotExist(err):
		return preprocess.Recipe{}, err
	case c.Layout == LayoutTimm:
		r, err := preprocess.ParseTimm(cj.PretrainedCfg)
		if err != nil {
			return r, fmt.Errorf("config.json pretrained_cfg: %w", err)
		}
		return r, nil
	}
	return preprocess.DefaultHF(cj.ModelType, c.ImageSize, c.Channels), nil
}

// isMatrix reports whether p is multiplied by activations (a Linear weight).
func (w *weights) isMatrix(p *param) bool {
	if p == w.Pos {
		return false
	}
	return len(p.shape) == 2
}

// materialize binds every parameter to its values. A matrix stored as
// aligned little-endian F32 is used in place in the mapped file (no page
// is touched until Forward reads it); other matrices (F16, BF16,
// unaligned) are converted once into owned memory. Matrices split over
// several tensors (Hugging Face's q, k, v) stay separate row blocks of one
// kernels operand, with p.data nil. Vectors, tokens and position
// embeddings (a small share of the file) are always copied. With prec
// bf16 or int8 the lowMatrices go straight to that form (materializeLow).
func (m *Model) materialize(prec kernels.Precision) {
	type span struct {
		f          *stFile
		begin, end int64
	}
	counted := map[span]bool{} // tensor bytes already counted (one tensor may feed two parameters)
	low := map[*param]bool{}   // the matrices converted to prec
	if prec != kernels.FP32 {
		for _, p := range m.w.lowMatrices() {
			low[p] = true
		}
	}
	m.w.prec = prec
	var scratch []float32 // [numel] the float32 values of one tensor materializeLow converts
	for _, p := range m.w.all() {
		for _, t := range p.parts {
			if t != nil && !counted[span{t.file, t.begin, t.end}] { // BEiT's zero k bias is no parameter
				counted[span{t.file, t.begin, t.end}] = true
				m.params += (t.end - t.begin) / t.dtype.Size()
			}
		}
		switch {
		case !m.w.isMatrix(p):
			p.data = make([]float32, p.numel()) // [numel]
			p.fill(p.data)
			p.release()
			p.scaleRows(p.data, 0)
			continue
		case low[p]:
			p.materializeLow(prec, &scratch)
			continue
		}
		cols := p.shape[1]
		blocks := make([]*kernels.PackedB, len(p.parts))
		row := 0 // first row of the current part
		for i, t := range p.parts {
			v := p.partValues(t, row, nil)
			row += t.numel() / cols
			blocks[i] = kernels.PackB(v, len(v)/cols, cols, cols)
			if len(p.parts) == 1 {
				p.data = v
			}
		}
		p.packed = blocks[0]
		if len(blocks) > 1 {
			p.packed = kernels.StackB(blocks...)
		}
	}
}

// materializeLow gives the matrix p the operand of precision prec (bf16
// or int8), one checkpoint tensor at a time: a BF16 tensor's bits go in
// as they are (bf16) or are quantized a row at a time (int8); any other
// part is read as float32, in place or decoded into *buf (one buffer for
// every matrix: at most one tensor's float32 values exist at once, and no
// garbage piles up between collections), and converted. Each tensor's
// mapped pages are released once converted and p.data stays nil:
// param.rows decodes the checkpoint again when asked.
func (p *param) materializeLow(prec kernels.Precision, buf *[]float32) {
	cols := p.shape[1]
	w := kernels.NewLowB(prec, p.shape[0], cols)
	row := 0 // first row of the current part
	for _, t := range p.parts {
		n := t.numel() / cols
		if t.dtype == safetensors.BF16 && t.cols[1] == 0 && p.scale == nil {
			w.SetRowsBF16(row, t.file.bytes(t), n)
		} else {
			w.SetRows(row, p.partValues(t, row, buf), n, cols)
		}
		t.file.release(t)
		row += n
	}
	p.packed = w
}

// partValues returns the float32 values [rows, cols] of t, the part of
// the matrix p whose first row is row r0 of p: in place in the file for an
// aligned F32 tensor that p takes whole and unscaled, else decoded into
// owned memory (its selected columns, p's layer scale applied) with the
// tensor's mapped pages released: into *buf, grown as needed, when buf is
// not nil, else into new memory.
func (p *param) partValues(t *stTensor, r0 int, buf *[]float32) []float32 {
	v := f32View(t.file.bytes(t))
	switch {
	case t.cols[1] > 0:
		v = t.columns()
		p.scaleRows(v, r0)
	case t.dtype != safetensors.F32 || v == nil || p.scale != nil:
		if buf != nil {
			*buf = kernels.Grow(*buf, t.numel())
			v = *buf
		} else {
			v = make([]float32, t.numel()) // [rows, cols]
		}
		decode(v, t.file.bytes(t), t.dtype)
		t.file.release(t)
		p.scaleRows(v, r0)
	}
	return v
}

// lowMatrices lists the matrices a low precision applies to: the encoder
// blocks' q|k|v, output projection, fc1 and fc2.
func (w *weights) lowMatrices() []*param {
	var ps []*param
	for i := range w.Blocks {
		b := &w.Blocks[i]
		ps = append(ps, b.Attn.QKVW, b.Attn.ProjW, b.MLP.FC1W, b.MLP.FC2W)
	}
	return ps
}

// convert gives the lowMatrices of weights bound to float32 operands
// (Random's) precision prec; p.data keeps their float32 values.
func (w *weights) convert(prec kernels.Precision) {
	if prec == kernels.FP32 {
		return
	}
	w.prec = prec
	for _, p := range w.lowMatrices() {
		p.packed = p.packed.Convert(prec)
	}
}

// Precision returns the precision of the encoder blocks' matrices.
func (m *Model) Precision() kernels.Precision { return m.w.prec }

// WeightBytes returns the bytes of matrix values Forward reads: 4 per
// float32 value, 2 per bf16, 1 per int8 plus per-row scales.
func (m *Model) WeightBytes() int64 {
	var n int64
	for _, p := range m.w.all() {
		if p.packed != nil {
			n += p.packed.Bytes()
		}
	}
	return n
}

// fill decodes p's checkpoint tensors, stacked along rows, into dst
// [numel]; a part with no tensor (BEiT's k bias) is zeros.
func (p *param) fill(dst []float32) {
	off, n := 0, len(dst)/max(len(p.parts), 1)
	for _, t := range p.parts {
		if t == nil {
			clear(dst[off : off+n])
			off += n
			continue
		}
		n = t.numel()
		if t.cols[1] > 0 {
			copy(dst[off:off+n], t.columns())
		} else {
			decode(dst[off:off+n], t.file.bytes(t), t.dtype)
		}
		off += n
	}
}

// columns decodes the selected columns of t (see stTensor.cols) into a
// new [rows, cols[1]−cols[0]] slice.
func (t *stTensor) columns() []float32 {
	rows := t.shape[0]
	full := make([]float32, (t.end-t.begin)/t.dtype.Size()) // [rows, n]
	decode(full, t.file.bytes(t), t.dtype)
	t.file.release(t)
	n, w := len(full)/rows, t.cols[1]-t.cols[0]
	v := make([]float32, rows*w)
	for r := 0; r < rows; r++ {
		copy(v[r*w:(r+1)*w], full[r*n+t.cols[0]:r*n+t.cols[1]])
	}
	return v
}

// scaleRows multiplies the rows of v [rows, cols] (a vector: rows = 1
// value each), whose first row is row r0 of p, by p.scale: the layer
// scale folded into the projection before it.
func (p *param) scaleRows(v []float32, r0 int) {
	if p.scale == nil {
		return
	}
	g := make([]float32, p.scale.numel()) // [rows of p]
	p.scale.fill(g)
	cols := 1
	if len(p.shape) == 2 {
		cols = p.shape[1]
	}
	for i := range v {
		v[i] *= g[r0+i/cols]
	}
}

// release drops the mapped pages of p's tensors from the resident set
// once they have been copied.
func (p *param) release() {
	for _, t := range p.parts {
		if t != nil {
			t.file.release(t)
		}
	}
}

// Params returns the number of parameters (as torch's sum of numel).
func (m *Model) Params() int64 { return m.params }

// FLOPs returns the floating-point operations of one image on a gh×gw
// patch grid: twice the multiply-accumulates of the patch projection, the
// q|k|v and output projections, q·kᵀ, attention·v, the MLP and the head(s).
// Elementwise work (LayerNorm, softmax, GELU, residuals) is not counted.
func (m *Model) FLOPs(gh, gw int) float64 {
	c := &m.Config
	np := float64(gh * gw)
	n := np + float64(c.prefix())
	macs := np * float64(c.Hidden) * float64(c.Channels*c.PatchSize*c.PatchSize)
	macs += float64(c.Layers) * c.blockMACs(n, n)
	heads := 1.0
	if c.DistHead {
		heads = 2
	}
	macs += heads * float64(c.headIn()) * float64(c.NumClasses)
	if c.Pool == PoolMAP { // latent q, k|v of every token, scores and weights, proj, MLP
		d, mf := float64(c.Hidden), float64(c.MAPHidden)
		macs += d*d + n*2*d*d + 2*n*d + d*d + 2*d*mf
	}
	return 2 * macs
}

// ForwardFLOPs returns the floating-point operations Forward performs for
// one image on a gh×gw patch grid, counted as FLOPs counts them: fewer
// with token pooling, because the last block runs only for the prefix
// tokens (their k and v still for every token).
func (m *Model) ForwardFLOPs(gh, gw int) float64 {
	c := &m.Config
	if c.Layers == 0 || !c.prefixLastBlock() {
		return m.FLOPs(gh, gw) // the last block runs whole
	}
	n, pre := float64(gh*gw+c.prefix()), float64(c.prefix())
	return m.FLOPs(gh, gw) - 2*(c.blockMACs(n, n)-c.blockMACs(pre, n))
}

// blockMACs returns the multiply-accumulates of one encoder block over n
// tokens that computes the outputs of q of them: k and v for all n, then
// q, q·kᵀ, attention·v, the output projection and the MLP for the q rows
// (q = n is the whole block).
func (c *Config) blockMACs(q, n float64) float64 {
	d, f := float64(c.Hidden), float64(c.Intermediate)
	return n*d*2*d + q*d*d + 2*q*n*d + q*d*d + 2*q*d*f
}

// Close releases the workers and unmaps the checkpoint; Forward then
// returns an error.
func (m *Model) Close() error {
	if m.pool != nil {
		m.pool.Close()
		m.pool = nil
	}
	var err error
	if m.ck != nil {
		err = m.ck.close()
		m.ck = nil
	}
	return err
}

var errClosed = errors.New("forward: model is closed")
