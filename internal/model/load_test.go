package model

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"unsafe"

	"github.com/vitgo/vit/internal/safetensors"
)

// fixtureEntries reads a fixture checkpoint back as F32 entries, sorted.
func fixtureEntries(t *testing.T, dir string) []stEntry {
	ts := readTensors(t, filepath.Join(fixtures, dir, "model.safetensors"))
	var es []stEntry
	for name, v := range ts {
		es = append(es, stEntry{name: name, dtype: "F32", shape: v.shape, raw: f32Bytes(v.data)})
	}
	sort.Slice(es, func(i, j int) bool { return es[i].name < es[j].name })
	return es
}

// writeModel writes config (JSON) and files into a new directory.
func writeModel(t *testing.T, config any, files map[string][]byte) string {
	dir := t.TempDir()
	cfg, err := json.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func fixtureConfig(t *testing.T, dir string) map[string]any {
	b, err := os.ReadFile(filepath.Join(fixtures, dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func without(es []stEntry, name string) []stEntry {
	return slices.DeleteFunc(slices.Clone(es), func(e stEntry) bool { return e.name == name })
}

func TestLoadErrors(t *testing.T) {
	es := fixtureEntries(t, "hf-vit-tiny")
	cfg := fixtureConfig(t, "hf-vit-tiny")
	with := func(kv ...any) map[string]any {
		c := map[string]any{}
		for k, v := range cfg {
			c[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			c[kv[i].(string)] = kv[i+1]
		}
		return c
	}
	good := encodeST(es)
	misshaped := slices.Clone(es)
	for i, e := range misshaped {
		if e.name == "vit.encoder.layer.1.attention.attention.query.weight" {
			misshaped[i] = stEntry{name: e.name, dtype: "F32", shape: []int{64, 32}, raw: e.raw[:64*32*4]}
		}
	}
	timmLike := []stEntry{{name: "cls_token", dtype: "F32", shape: []int{1, 1, 2}, raw: make([]byte, 8)}}
	unknown := []stEntry{{name: "model.encoder.w", dtype: "F32", shape: []int{1}, raw: make([]byte, 4)}}
	cases := []struct {
		name   string
		config any
		files  map[string][]byte
		want   string
	}{
		{"no config", nil, map[string][]byte{"model.safetensors": good}, "config.json: no such file"},
		{"no weights", cfg, nil, "model.safetensors: no such file"},
		{"truncated data", cfg, map[string][]byte{"model.safetensors": good[:len(good)-100]}, "run past the"},
		{"truncated header", cfg, map[string][]byte{"model.safetensors": good[:20]}, "runs past the end of the file (20 bytes)"},
		{"missing tensor", cfg, map[string][]byte{"model.safetensors": encodeST(without(es, "vit.layernorm.weight"))}, "missing tensor vit.layernorm.weight, want shape [64]"},
		{"extra tensor", cfg, map[string][]byte{"model.safetensors": encodeST(append(slices.Clone(es), stEntry{name: "vit.pooler.dense.bias", dtype: "F32", shape: []int{64}, raw: make([]byte, 256)}))}, "unexpected tensor vit.pooler.dense.bias, shape [64], in a hf-vit checkpoint with 2 layers"},
		{"extra layer", with("num_hidden_layers", 1), map[string][]byte{"model.safetensors": good}, "unexpected tensor vit.encoder.layer.1.attention.attention.key.bias, shape [64], in a hf-vit checkpoint with 1 layers (and 15 more"},
		{"missing layer", with("num_hidden_layers", 3), map[string][]byte{"model.safetensors": good}, "missing tensor vit.encoder.layer.2.layernorm_before.weight, want shape [64]"},
		{"mis-shaped", cfg, map[string][]byte{"model.safetensors": encodeST(misshaped)}, "tensor vit.encoder.layer.1.attention.attention.query.weight: shape [64 32], want [64 64]"},
		{"wrong width", with("hidden_size", 32, "num_attention_heads", 4), map[string][]byte{"model.safetensors": good}, "tensor vit.embeddings.cls_token: shape [1 1 64], want [1 1 32]"},
		{"wrong image size", with("image_size", 64), map[string][]byte{"model.safetensors": good}, "tensor vit.embeddings.position_embeddings: shape [1 17 64], want [1 65 64]"},
		{"labels vs head", with("id2label", map[string]string{"0": "a", "1": "b"}), map[string][]byte{"model.safetensors": good}, "tensor classifier.weight: shape [10 64], want [2 64]"},
		{"no qkv bias", with("qkv_bias", false), map[string][]byte{"model.safetensors": good}, "unexpected tensor vit.encoder.layer.0.attention.attention.key.bias"},
		{"unknown layout", cfg, map[string][]byte{"model.safetensors": encodeST(unknown)}, "no known checkpoint layout: want a Hugging Face ViT (vit.embeddings.cls_token"},
		{"layout vs model_type", with("model_type", "deit"), map[string][]byte{"model.safetensors": good}, `config.json has model_type "deit" but the tensors are in the hf-vit layout`},
		{"unsupported model_type", with("model_type", "swin"), map[string][]byte{"model.safetensors": good}, `model_type "swin" is not supported (want one of beit, data2vec-vision, deit, dinov2, dinov2_with_registers, vit, vit_msn, or a timm config`},
		{"timm config, HF keys", map[string]any{"architecture": "vit_base_patch16_224"}, map[string][]byte{"model.safetensors": good}, `names the timm architecture "vit_base_patch16_224" but the tensors are in the hf-vit layout`},
		{"timm arch", map[string]any{"architecture": "convnext_tiny"}, map[string][]byte{"model.safetensors": encodeST(append(timmLike, stEntry{name: "blocks.0.attn.qkv.weight", dtype: "F32", shape: []int{1}, raw: make([]byte, 4)}))}, `unsupported timm architecture "convnext_tiny"`},
		{"hidden_act", with("hidden_act", "swish"), map[string][]byte{"model.safetensors": good}, `unsupported hidden_act "swish"`},
		{"heads", with("num_attention_heads", 5), map[string][]byte{"model.safetensors": good}, "hidden_size 64 is not a multiple of num_attention_heads 5"},
		{"id2label key", with("id2label", map[string]string{"0": "a", "7": "b"}), map[string][]byte{"model.safetensors": good}, `id2label key "7": want an integer in [0, 2)`},
		{"bad config", "[", map[string][]byte{"model.safetensors": good}, "config.json: json: cannot unmarshal string"},
		{"bad dtype", cfg, map[string][]byte{"model.safetensors": encodeST([]stEntry{{name: "a", dtype: "I64", shape: []int{1}, raw: make([]byte, 8)}})}, `model.safetensors: header: tensor "a": unsupported dtype "I64" (want F32, F16 or BF16)`},
		{"U8 tensor", cfg, map[string][]byte{"model.safetensors": encodeST([]stEntry{{name: "a", dtype: "U8", shape: []int{1}, raw: make([]byte, 1)}})}, `model.safetensors: header: tensor "a": unsupported dtype "U8" (want F32, F16 or BF16)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if c.config != nil {
				dir = writeModel(t, c.config, c.files)
			} else {
				for name, b := range c.files {
					os.WriteFile(filepath.Join(dir, name), b, 0o644)
				}
			}
			m, err := load(dir, nil, Options{Threads: 1}, loadOpts{skipRecipe: true})
			if err == nil {
				m.Close()
				t.Fatalf("loaded, want an error containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "load "+dir+": ") {
				t.Fatalf("error %q\nwant it to start with %q and contain %q", err, "load "+dir+": ", c.want)
			}
		})
	}
}

// shards splits es into two files and an index.
func shards(es []stEntry) map[string][]byte {
	a, b := es[:len(es)/2], es[len(es)/2:]
	wm := map[string]string{}
	for _, e := range a {
		wm[e.name] = "model-00001-of-00002.safetensors"
	}
	for _, e := range b {
		wm[e.name] = "model-00002-of-00002.safetensors"
	}
	idx, _ := json.Marshal(map[string]any{"metadata": map[string]any{}, "weight_map": wm})
	return map[string][]byte{
		"model-00001-of-00002.safetensors": encodeST(a),
		"model-00002-of-00002.safetensors": encodeST(b),
		"model.safetensors.index.json":     idx,
	}
}

// TestSharded loads a checkpoint split in two and checks it computes the
// same logits as the single file; then breaks the index.
func TestSharded(t *testing.T) {
	es := fixtureEntries(t, "hf-vit-tiny")
	cfg := fixtureConfig(t, "hf-vit-tiny")
	files := shards(es)
	dir := writeModel(t, cfg, files)
	m, err := load(dir, nil, Options{Threads: 1}, loadOpts{skipRecipe: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	checkGoldenLogits(t, m, "hf-vit-tiny")
	if params, _, err := Inspect(os.DirFS(dir), "."); err != nil || params != m.Params() {
		t.Errorf("Inspect of the shards: %d params, %v; want %d", params, err, m.Params())
	}

	bad := func(mut func(wm map[string]string), want string) {
		t.Helper()
		var idx struct {
			WeightMap map[string]string `json:"weight_map"`
		}
		json.Unmarshal(files["model.safetensors.index.json"], &idx)
		mut(idx.WeightMap)
		f2 := map[string][]byte{}
		for k, v := range files {
			f2[k] = v
		}
		f2["model.safetensors.index.json"], _ = json.Marshal(idx)
		_, err := load(writeModel(t, cfg, f2), nil, Options{Threads: 1}, loadOpts{skipRecipe: true})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to contain %q", err, want)
		}
	}
	bad(func(wm map[string]string) { wm["vit.layernorm.weight"] = "../x.safetensors" }, `shard name "../x.safetensors" is not a plain file name`)
	bad(func(wm map[string]string) { wm["vit.extra"] = "model-00001-of-00002.safetensors" }, `tensor "vit.extra" is listed for model-00001-of-00002.safetensors but not stored there`)
	bad(func(wm map[string]string) { delete(wm, "vit.layernorm.weight") }, `tensor "vit.layernorm.weight" of`)
	bad(func(wm map[string]string) {
		for k := range wm {
			if k == "classifier.bias" {
				wm[k] = map[string]string{"model-00001-of-00002.safetensors": "model-00002-of-00002.safetensors", "model-00002-of-00002.safetensors": "model-00001-of-00002.safetensors"}[wm[k]]
			}
		}
	}, `tensor "classifier.bias" is listed for`)
	bad(func(wm map[string]string) { wm["vit.layernorm.weight"] = "missing.safetensors" }, "missing.safetensors: no such file")
}

// TestLoadFS loads a model from an fs.FS, as the embedded built-in model is.
func TestLoadFS(t *testing.T) {
	dir := filepath.Join(fixtures, "hf-deit-distilled-bf16")
	fsys := fstest.MapFS{}
	for _, name := range []string{"config.json", "model.safetensors"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		fsys["deit/"+name] = &fstest.MapFile{Data: b}
	}
	m, err := LoadFS(fsys, "deit", Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	checkGoldenLogits(t, m, "hf-deit-distilled-bf16")
	if _, err := LoadFS(fsys, "nope", Options{}); err == nil || !strings.Contains(err.Error(), "load nope: ") {
		t.Errorf("LoadFS of a missing dir: %v", err)
	}
}

func TestForwardErrors(t *testing.T) {
	m, err := load(filepath.Join(fixtures, "hf-vit-tiny"), nil, Options{Threads: 1}, loadOpts{skipRecipe: true})
	if err != nil {
		t.Fatal(err)
	}
	p := make([]float32, 2*3*32*32) // [B 2, C 3, H 32, W 32]
	l := make([]float32, 20)
	for _, c := range []struct {
		b, h, w int
		p, l    []float32
		want    string
	}{
		{0, 32, 32, p, l, "batch 0: want 1 to 65536"},
		{1, 0, 32, p, l, "input 0×32: not a whole number of 8×8 patches"},
		{1, 32, 36, p, l, "input 32×36: not a whole number of 8×8 patches"},
		{1, 8, 8 << 17, p, l, "more than 65536 patches"},
		{3, 32, 32, p, l, "pixels has 6144 values, want 9216 (B 3 × 3×32×32)"},
		{2, 32, 32, p, l[:19], "logits has 19 values, want 20 (B 2 × 10 classes)"},
	} {
		if err := m.Forward(c.p, c.b, c.h, c.w, c.l); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Forward(b=%d, %d×%d): %v, want %q", c.b, c.h, c.w, err, c.want)
		}
	}
	if err := m.Config.CheckImage(1, 32, 32); err == nil || !strings.Contains(err.Error(), "input has 1 channels, the model wants 3") {
		t.Errorf("CheckImage(1 channel): %v", err)
	}
	m.Close()
	if err := m.Forward(p, 2, 32, 32, l); err == nil {
		t.Error("Forward after Close: no error")
	}
}

// FuzzConfig loads the tiny fixture's weights under arbitrary config.json
// bytes: Load must return a model or an error, never panic or allocate
// without bound.
func FuzzConfig(f *testing.F) {
	weights, err := os.ReadFile(filepath.Join(fixtures, "hf-vit-tiny", "model.safetensors"))
	if err != nil {
		f.Fatal(err)
	}
	for _, dir := range goldenDirs {
		if b, err := os.ReadFile(filepath.Join(fixtures, dir, "config.json")); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"model_type":"vit","num_labels":1000000000}`))
	f.Add([]byte(`{"architecture":"vit_tiny_patch16_224","model_args":{"img_size":[32,32]}}`))
	f.Fuzz(func(t *testing.T, cfg []byte) {
		fsys := fstest.MapFS{
			"m/config.json":       &fstest.MapFile{Data: cfg},
			"m/model.safetensors": &fstest.MapFile{Data: weights},
		}
		m, err := load("m", fsys, Options{Threads: 1}, loadOpts{skipRecipe: true})
		if err == nil {
			m.Close()
		}
	})
}

// TestUnalignedF32 loads F32 tensors that start at odd byte offsets (a
// header whose length is not a multiple of 4): they cannot be read in
// place and are converted, with the same logits.
func TestUnalignedF32(t *testing.T) {
	m, err := load(unalignedFixture(t, "hf-vit-tiny"), nil, Options{Threads: 2}, loadOpts{skipRecipe: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	f := m.ck.files[0]
	if a := uintptrOf(f.data) + uintptr(f.dataStart); a%4 == 0 {
		t.Fatalf("data section at %#x is aligned", a)
	}
	checkGoldenLogits(t, m, "hf-vit-tiny")
}

// unalignedFixture writes the fixture checkpoint dir as F32 with a
// header one byte longer than a multiple of 4 (so no tensor is 4-byte
// aligned), and its config.json, into a new directory.
func unalignedFixture(t *testing.T, dir string) string {
	st := encodeST(fixtureEntries(t, dir))
	sf, err := safetensors.Parse(st)
	if err != nil {
		t.Fatal(err)
	}
	hdr := append(append([]byte(nil), st[8:sf.DataStart]...), ' ')
	return writeModel(t, fixtureConfig(t, dir), map[string][]byte{"model.safetensors": rawST(hdr, st[sf.DataStart:])})
}

// TestWeightsInPlace checks that aligned F32 matrices are read in place
// from the file's bytes, mapped or (without mmap) read whole, so Load
// copies none of them, and that Close releases those bytes.
func TestWeightsInPlace(t *testing.T) {
	m, err := load(filepath.Join(fixtures, "hf-vit-tiny"), nil, Options{Threads: 1}, loadOpts{skipRecipe: true})
	if err != nil {
		t.Fatal(err)
	}
	f := m.ck.files[0]
	lo, hi := uintptrOf(f.data), uintptrOf(f.data)+uintptr(len(f.data))
	inFile := func(p *param) bool {
		a := uintptr(unsafe.Pointer(unsafe.SliceData(p.data)))
		return a >= lo && a < hi
	}
	b := &m.w.Blocks[0]
	for _, p := range []*param{m.w.Patch.W, b.Attn.ProjW, b.MLP.FC1W, b.MLP.FC2W, m.w.Head.W} {
		if !inFile(p) {
			t.Errorf("%s: copied, want it in place in the file's bytes", p.name)
		}
	}
	if b.Attn.QKVW.data != nil {
		t.Errorf("q|k|v rows concatenated at load, want them read in place")
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if m.ck != nil || f.data != nil {
		t.Error("Close left the checkpoint mapped")
	}
}

// TestProblemType: problem_type multi_label_classification in an HF
// config.json sets MultiLabel; single_label and none do not.
func TestProblemType(t *testing.T) {
	dir := filepath.Join(fixtures, "hf-vit-tiny")
	weights, err := os.ReadFile(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	for pt, want := range map[string]bool{"multi_label_classification": true, "single_label_classification": false, "": false} {
		cfg := fixtureConfig(t, "hf-vit-tiny")
		if pt != "" {
			cfg["problem_type"] = pt
		}
		b, _ := json.Marshal(cfg)
		fsys := fstest.MapFS{"m/config.json": {Data: b}, "m/model.safetensors": {Data: weights}}
		m, err := LoadFS(fsys, "m", Options{Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		if m.Config.MultiLabel != want {
			t.Errorf("problem_type %q: MultiLabel %v, want %v", pt, m.Config.MultiLabel, want)
		}
		m.Close()
	}
}
