package classify

import (
	"io/fs"
	"os"
	"strings"

	"github.com/vitgo/vit/internal/hub"
	"github.com/vitgo/vit/internal/model"
	"github.com/vitgo/vit/models"
)

// ModelRow describes one model vit can open without downloading: a
// built-in model or a snapshot in the Hugging Face cache (`vit models list`).
type ModelRow struct {
	ID       string `json:"id"`
	Revision string `json:"revision"`         // "built-in", the refs naming it, or the commit
	Commit   string `json:"commit,omitempty"` // cached models
	Size     int64  `json:"size"`             // bytes on disk (embedded, for built-in models)
	Params   int64  `json:"parameters"`       // tensor elements in the weights files; -1 unknown
	Classes  int    `json:"classes"`          // labels in config.json; -1 unknown
	Complete bool   `json:"complete"`         // config and weights present
	Runnable bool   `json:"runnable"`         // vit can run it (once complete): a ViT config it reads and safetensors weights
	Dir      string `json:"dir,omitempty"`
	Problem  string `json:"problem,omitempty"` // why it cannot run, or why parameters or classes are unknown
}

// ListModels lists the built-in models, then the snapshots in the Hugging
// Face cache at cacheDir. A model vit cannot run (another architecture,
// PyTorch pickle weights only, files it cannot read) is listed with
// Runnable false and the reason in Problem; the error is for the cache as
// a whole (with the rows found so far).
func ListModels(cacheDir string) ([]ModelRow, error) {
	var rows []ModelRow
	for _, name := range models.Names() {
		r := ModelRow{ID: name, Revision: "built-in", Complete: true}
		sub, err := fs.Sub(models.FS, name)
		if err == nil {
			r.Size = fsSize(sub)
			r.Params, r.Classes, err = model.Inspect(sub, ".")
		}
		if err != nil {
			r.Problem = err.Error()
		}
		r.Runnable = err == nil
		rows = append(rows, r)
	}
	cached, err := hub.List(cacheDir)
	if err != nil {
		return rows, err
	}
	for _, c := range cached {
		for _, rev := range c.Revisions {
			r := ModelRow{ID: c.ID, Commit: rev.Commit, Size: rev.Size, Complete: rev.Complete, Dir: rev.Dir}
			r.Revision = strings.Join(rev.Refs, ",")
			if r.Revision == "" {
				r.Revision = rev.Commit[:min(len(rev.Commit), 12)]
			}
			var err error
			r.Params, r.Classes, err = model.Inspect(os.DirFS(rev.Dir), ".")
			switch {
			case rev.PickleOnly:
				r.Problem = "PyTorch pickle weights only (" + hub.PickleFile + "); vit reads safetensors"
			case err != nil:
				r.Problem = err.Error()
			}
			// An incomplete snapshot of a ViT runs once pulled (Inspect
			// fails on its missing weights); a pickle or another
			// architecture (no classes: its config was refused) never does.
			r.Runnable = !rev.PickleOnly && (err == nil || !rev.Complete && r.Classes >= 0)
			rows = append(rows, r)
		}
	}
	return rows, nil
}

// fsSize is the total size of the regular files in fsys.
func fsSize(fsys fs.FS) int64 {
	var n int64
	fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := fs.Stat(fsys, p); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// ModelInfo describes a loaded model (`vit models info`, also as JSON).
type ModelInfo struct {
	ID            string   `json:"id"`
	Source        string   `json:"source"` // built-in | directory | cache
	Dir           string   `json:"dir,omitempty"`
	Arch          string   `json:"architecture"`
	Layout        string   `json:"layout"`
	ImageSize     int      `json:"image_size"`
	PatchSize     int      `json:"patch_size"`
	Channels      int      `json:"channels"`
	Hidden        int      `json:"hidden_size"`
	Layers        int      `json:"layers"`
	Heads         int      `json:"heads"`
	Intermediate  int      `json:"intermediate_size"`
	Activation    string   `json:"activation"`
	LayerNormEps  float64  `json:"layer_norm_eps"`
	Distilled     bool     `json:"distilled"`
	PrefixTokens  string   `json:"prefix_tokens"` // the tokens before the patches, e.g. "class token and 4 registers"
	Params        int64    `json:"parameters"`
	GFLOPPerImage float64  `json:"gflop_per_image"`
	Input         [3]int   `json:"input"` // [C, H, W] after preprocessing
	Preprocess    string   `json:"preprocessing"`
	NumClasses    int      `json:"num_classes"`
	Labels        []string `json:"labels"`
}

// Describe returns what ModelInfo says of m, found at src.
func Describe(m *model.Model, src ModelSource) ModelInfo {
	c := m.Config
	info := ModelInfo{
		ID: src.Name, Source: src.Kind, Dir: src.Dir,
		Arch: c.Arch, Layout: c.Layout,
		ImageSize: c.ImageSize, PatchSize: c.PatchSize, Channels: c.Channels,
		Hidden: c.Hidden, Layers: c.Layers, Heads: c.Heads, Intermediate: c.Intermediate,
		Activation: c.MLPActivation(), LayerNormEps: c.LayerNormEps, Distilled: c.Distilled,
		PrefixTokens: c.PrefixTokens(),
		Params:       m.Params(),
		Preprocess:   m.Recipe.String(),
		NumClasses:   c.NumClasses, Labels: c.Labels,
	}
	ch, h, w := m.InputShape()
	info.Input = [3]int{ch, h, w}
	info.GFLOPPerImage = m.FLOPs(h/c.PatchSize, w/c.PatchSize) / 1e9
	return info
}
