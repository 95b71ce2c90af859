package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/vitgo/vit/internal/kernels"
	"github.com/vitgo/vit/internal/preprocess"
)

// Options tune loading.
type Options struct {
	Threads int // ≤ 0: all cores
}

// loadOpts are the knobs tests use.
type loadOpts struct {
	keepRaw    bool // keep the float32 values of packed matrices (for the reference forward)
	skipRecipe bool // do not parse the preprocessing recipe
}

// Model is a loaded encoder with its head(s) and preprocessing recipe.
type Model struct {
	Config Config
	Recipe preprocess.Recipe

	w      *weights
	params int64
	pool   *kernels.Pool
	pos    map[[2]int][]float32 // [T, D] position embeddings per non-native grid (gh, gw)
	ws     workspace
}

// Load opens a model directory: config.json, model.safetensors (or the
// shards of model.safetensors.index.json) and, when present,
// preprocessor_config.json. The safetensors files are memory-mapped while
// their tensors are converted and packed, then unmapped.
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
	join := func(name string) string {
		if fsys != nil {
			return path.Join(dir, name)
		}
		return filepath.Join(dir, name)
	}
	raw, err := readFileFS(fsys, join("config.json"))
	if err != nil {
		return nil, err
	}
	var cj configJSON
	if err := json.Unmarshal(raw, &cj); err != nil {
		return nil, fmt.Errorf("config.json: %w", err)
	}
	ck, err := openCheckpoint(dir, fsys)
	if err != nil {
		return nil, err
	}
	defer ck.close()
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
		if cfg, err = parseTimmConfig(&cj); err != nil {
			return nil, fmt.Errorf("config.json: %w", err)
		}
	} else {
		want := map[string]string{"vit": LayoutHFViT, "deit": LayoutHFDeiT}[cj.ModelType]
		if want == "" {
			return nil, fmt.Errorf("config.json: model_type %q is not supported (want \"vit\" or \"deit\", or a timm config with \"architecture\")", cj.ModelType)
		}
		if want != layout {
			return nil, fmt.Errorf("config.json has model_type %q but the tensors are in the %s layout", cj.ModelType, layout)
		}
		if cfg, err = parseHFConfig(&cj); err != nil {
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
	m := &Model{Config: cfg, w: w}
	if !lo.skipRecipe {
		if m.Recipe, err = loadRecipe(fsys, join, &cfg, &cj); err != nil {
			return nil, err
		}
	}
	m.pool = kernels.NewPool(opt.Threads)
	m.materialize(lo.keepRaw)
	return m, nil
}

// loadRecipe reads preprocessor_config.json when present, else timm's
// pretrained_cfg, else the HF processor defaults.
func loadRecipe(fsys fs.FS, join func(string) string, c *Config, cj *configJSON) (preprocess.Recipe, error) {
	p := join("preprocessor_config.json")
	b, err := readFileFS(fsys, p)
	switch {
	case err == nil:
		r, err := preprocess.ParseHF(b)
		if err != nil {
			return r, fmt.Errorf("preprocessor_config.json: %w", err)
		}
		return r, nil
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

// isMatrix reports whether p is multiplied by activations (and so packed).
func (w *weights) isMatrix(p *param) bool {
	if p == w.Pos {
		return false
	}
	return len(p.shape) == 2
}

// materialize converts every bound tensor to float32 once. Matrices are
// packed for the GEMM kernel straight from the mapped file when it holds
// aligned little-endian F32, else through a per-worker scratch buffer; the
// float32 copy is kept only if keepRaw. Each tensor's mapped pages are
// dropped from the resident set as soon as it is converted.
func (m *Model) materialize(keepRaw bool) {
	ps := m.w.all()
	for _, p := range ps {
		m.params += int64(p.numel())
	}
	// Largest first, so the workers finish together.
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].numel() > ps[j].numel() })
	jobs := make(chan *param)
	var wg sync.WaitGroup
	for range max(1, min(m.pool.Threads(), len(ps))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var scratch []float32 // [max numel] reused
			for p := range jobs {
				n := p.numel()
				switch {
				case !m.w.isMatrix(p) || keepRaw:
					p.data = make([]float32, n) // [numel]
					p.fill(p.data)
					if m.w.isMatrix(p) {
						p.packed = kernels.PackB(p.data, p.shape[0], p.shape[1], p.shape[1])
					}
				default:
					src := p.view()
					if src == nil {
						if cap(scratch) < n {
							scratch = make([]float32, n)
						}
						src = scratch[:n]
						p.fill(src)
					}
					p.packed = kernels.PackB(src, p.shape[0], p.shape[1], p.shape[1])
				}
				for _, t := range p.parts {
					t.file.release(t)
				}
			}
		}()
	}
	for _, p := range ps {
		jobs <- p
	}
	close(jobs)
	wg.Wait()
}

// fill decodes p's checkpoint tensors, stacked along rows, into dst [numel].
func (p *param) fill(dst []float32) {
	off := 0
	for _, t := range p.parts {
		n := t.numel()
		decode(dst[off:off+n], t.file.bytes(t), t.dtype)
		off += n
	}
}

// view returns p's values in place in the mapped file, when p is one
// aligned F32 tensor on a little-endian host; else nil.
func (p *param) view() []float32 {
	if len(p.parts) != 1 || p.parts[0].dtype != dtF32 {
		return nil
	}
	t := p.parts[0]
	return f32View(t.file.bytes(t))
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
	d, f := float64(c.Hidden), float64(c.Intermediate)
	macs := np * d * float64(c.Channels*c.PatchSize*c.PatchSize)
	perLayer := n*d*3*d + 2*n*n*d + n*d*d + 2*n*d*f
	macs += float64(c.Layers) * perLayer
	heads := 1.0
	if c.DistHead {
		heads = 2
	}
	macs += heads * d * float64(c.NumClasses)
	return 2 * macs
}

// Close releases the workers. The checkpoint was unmapped by Load.
func (m *Model) Close() error {
	if m.pool != nil {
		m.pool.Close()
		m.pool = nil
	}
	return nil
}

var errClosed = errors.New("forward: model is closed")
