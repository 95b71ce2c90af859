package main

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vitgo/vit/internal/classify"

	"github.com/vitgo/vit/models"
)

// End-to-end tests with the real built-in model, the real model loader and
// a Hugging Face cache on disk.

// newRealApp is a test app that opens real models.
func newRealApp(stdin string) *testApp {
	ta := newTestApp(stdin)
	ta.openClassifier = openModelClassifier
	return ta
}

var fashionLabels = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

func parseJSONL(t *testing.T, s string) []classify.JSONRecord {
	t.Helper()
	var recs []classify.JSONRecord
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if l == "" {
			continue
		}
		var r classify.JSONRecord
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		recs = append(recs, r)
	}
	return recs
}

func checkFashionRecords(t *testing.T, recs []classify.JSONRecord, k int) {
	t.Helper()
	for _, r := range recs {
		if r.Error != "" {
			t.Errorf("%s: %s", r.Path, r.Error)
			continue
		}
		if len(r.Predictions) != k {
			t.Errorf("%s: %d predictions, want %d", r.Path, len(r.Predictions), k)
		}
		prev := 2.0
		for _, p := range r.Predictions {
			if p.Index < 0 || p.Index >= 10 || p.Label != fashionLabels[p.Index] {
				t.Errorf("%s: prediction %+v", r.Path, p)
			}
			if s := float64(p.Score); s < 0 || s > 1 || s > prev {
				t.Errorf("%s: scores not descending probabilities: %+v", r.Path, r.Predictions)
			}
			prev = float64(p.Score)
		}
	}
}

// TestBuiltinModelClassify runs the default model on generated images, the
// committed examples when there are some, and standard input.
func TestBuiltinModelClassify(t *testing.T) {
	examples, _ := filepath.Abs(filepath.Join("..", "..", "models", models.Default, "examples"))
	t.Chdir(t.TempDir())
	for i := range 5 {
		writePNG(t, filepath.Join("imgs", "g"+itoa(i)+".png"), 28+i*20, 28, i)
	}
	args := []string{"classify", "-f", "jsonl", "-k", "3", "imgs"}
	n := 5
	if ents, err := os.ReadDir(examples); err == nil {
		args = append(args, examples)
		for _, e := range ents {
			if classify.IsImageName(e.Name()) {
				n++
			}
		}
	}
	ta := newRealApp("")
	if code := ta.run(args...); code != exitOK {
		t.Fatalf("exit %d: %s", code, ta.err.String())
	}
	recs := parseJSONL(t, ta.out.String())
	if len(recs) != n {
		t.Errorf("%d records, want %d", len(recs), n)
	}
	checkFashionRecords(t, recs, 3)

	img, _ := os.ReadFile("imgs/g0.png")
	ta = newRealApp(string(img))
	if code := ta.run("classify", "-f", "jsonl", "-k", "0", "-m", models.Default, "-"); code != exitOK {
		t.Fatalf("stdin: exit %d: %s", code, ta.err.String())
	}
	recs = parseJSONL(t, ta.out.String())
	checkFashionRecords(t, recs, 10)
	var sum float64
	for _, p := range recs[0].Predictions {
		sum += float64(p.Score)
	}
	if sum < 0.999 || sum > 1.001 {
		t.Errorf("probabilities sum to %g", sum)
	}
}

// writeCachedModel writes the built-in model into cache as the snapshot
// of repo at commit, with refs/main, the way huggingface_hub lays it out.
func writeCachedModel(t *testing.T, cache, repo, commit string) {
	t.Helper()
	storage := filepath.Join(cache, "models--"+strings.ReplaceAll(repo, "/", "--"))
	snap := filepath.Join(storage, "snapshots", commit)
	for _, d := range []string{filepath.Join(storage, "blobs"), filepath.Join(storage, "refs"), snap} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"config.json", "preprocessor_config.json", "model.safetensors"} {
		b, err := fs.ReadFile(models.FS, models.Default+"/"+f)
		if err != nil {
			t.Fatal(err)
		}
		blob := gitSHA1(b)
		os.WriteFile(filepath.Join(storage, "blobs", blob), b, 0o644)
		if err := os.Symlink(filepath.Join("..", "..", "blobs", blob), filepath.Join(snap, f)); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(storage, "refs", "main"), []byte(commit), 0o644)
}

func gitSHA1(b []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(b))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

const testCommit = "0123456789abcdef0123456789abcdef01234567"

// TestCachedModels: list, info and classify find a model another tool put
// in the Hugging Face cache, offline.
func TestCachedModels(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "hub")
	writeCachedModel(t, cache, "acme/tiny-vit", testCommit)
	writePNG(t, filepath.Join(dir, "x.png"), 28, 28, 1)
	env := map[string]string{"HF_HUB_CACHE": cache, "HF_HUB_OFFLINE": "1"}

	ta := newRealApp("")
	ta.env = env
	if code := ta.run("models", "list", "-f", "json"); code != exitOK {
		t.Fatalf("list: exit %d: %s", code, ta.err.String())
	}
	var rows []classify.ModelRow
	if err := json.Unmarshal(ta.out.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, r := range rows {
		ids = append(ids, r.ID+"@"+r.Revision)
		if r.Classes != 10 || r.Params < 100_000 || !r.Complete || r.Size == 0 {
			t.Errorf("row %+v", r)
		}
	}
	if !slices.Equal(ids, []string{models.Default + "@built-in", "acme/tiny-vit@main"}) {
		t.Errorf("list: %q", ids)
	}

	ta = newRealApp("")
	ta.env = env
	if code := ta.run("models", "list"); code != exitOK || !strings.Contains(ta.out.String(), "acme/tiny-vit") {
		t.Errorf("list text: exit %d\n%s%s", code, ta.out.String(), ta.err.String())
	}

	ta = newRealApp("")
	ta.env = env
	if code := ta.run("models", "info", "-f", "json", "acme/tiny-vit"); code != exitOK {
		t.Fatalf("info: exit %d: %s", code, ta.err.String())
	}
	var info classify.ModelInfo
	if err := json.Unmarshal(ta.out.Bytes(), &info); err != nil {
		t.Fatal(err)
	}
	if info.Source != "cache" || info.NumClasses != 10 || info.Params != rows[1].Params || info.GFLOPPerImage <= 0 ||
		!strings.HasSuffix(info.Dir, filepath.Join("snapshots", testCommit)) {
		t.Errorf("info %+v (list says %d parameters)", info, rows[1].Params)
	}

	for _, id := range []string{"acme/tiny-vit", "acme/tiny-vit@main", "acme/tiny-vit@" + testCommit} {
		ta = newRealApp("")
		ta.env = env
		if code := ta.run("classify", "-m", id, "-f", "jsonl", filepath.Join(dir, "x.png")); code != exitOK {
			t.Errorf("classify -m %s: exit %d: %s", id, code, ta.err.String())
		}
	}

	ta = newRealApp("")
	ta.env = env
	code := ta.run("classify", "-m", "acme/missing", filepath.Join(dir, "x.png"))
	if code != exitFailure || !strings.Contains(ta.err.String(), "not in the Hugging Face cache") || !strings.Contains(ta.err.String(), "offline") {
		t.Errorf("missing model offline: exit %d, stderr %q", code, ta.err.String())
	}

	ta = newRealApp("")
	ta.env = env
	if code := ta.run("classify", "-m", "no-such-dir", "x.png"); code != exitUsage || !strings.Contains(ta.err.String(), "not a directory, a built-in model") {
		t.Errorf("bad model spec: exit %d, stderr %q", code, ta.err.String())
	}
}

// TestModelsPull pulls from a local imitation of the hub, then classify
// uses the model offline; a missing repository is a clear error.
func TestModelsPull(t *testing.T) {
	files := map[string][]byte{}
	for _, f := range []string{"config.json", "preprocessor_config.json", "model.safetensors"} {
		b, err := fs.ReadFile(models.FS, models.Default+"/"+f)
		if err != nil {
			t.Fatal(err)
		}
		files[f] = b
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// /{org}/{name}/resolve/{rev}/{file}
		parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 5)
		if len(parts) != 5 || parts[0]+"/"+parts[1] != "acme/tiny-vit" {
			w.Header().Set("X-Error-Code", "RepoNotFound")
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("X-Repo-Commit", testCommit)
		b, ok := files[parts[4]]
		if !ok {
			w.Header().Set("X-Error-Code", "EntryNotFound")
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("ETag", `"`+gitSHA1(b)+`"`)
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		if r.Method == http.MethodGet {
			w.Write(b)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	cache := filepath.Join(dir, "hub")
	env := map[string]string{"HF_HUB_CACHE": cache, "HF_ENDPOINT": srv.URL}

	ta := newRealApp("")
	ta.env = env
	if code := ta.run("models", "pull", "acme/tiny-vit"); code != exitOK {
		t.Fatalf("pull: exit %d: %s", code, ta.err.String())
	}
	snap := strings.TrimSpace(ta.out.String())
	if snap != filepath.Join(cache, "models--acme--tiny-vit", "snapshots", testCommit) {
		t.Errorf("pull printed %q", snap)
	}
	for f, want := range files {
		got, err := os.ReadFile(filepath.Join(snap, f))
		if err != nil || string(got) != string(want) {
			t.Errorf("%s: %v, %d bytes, want %d", f, err, len(got), len(want))
		}
	}
	if !strings.Contains(ta.err.String(), "downloading model.safetensors") {
		t.Errorf("pull: stderr %q, want a line per file", ta.err.String())
	}

	ta = newRealApp("")
	ta.env = env
	if code := ta.run("models", "pull", "acme/nothing"); code != exitFailure || !strings.Contains(ta.err.String(), "no model acme/nothing") {
		t.Errorf("pull missing: exit %d, stderr %q", code, ta.err.String())
	}
	ta = newRealApp("")
	ta.env = env
	if code := ta.run("models", "pull", "not an id"); code != exitUsage {
		t.Errorf("pull bad id: exit %d, stderr %q", code, ta.err.String())
	}

	// classify pulls a missing model by itself.
	cache2 := filepath.Join(dir, "hub2")
	writePNG(t, filepath.Join(dir, "x.png"), 28, 28, 1)
	ta = newRealApp("")
	ta.env = map[string]string{"HF_HUB_CACHE": cache2, "HF_ENDPOINT": srv.URL}
	if code := ta.run("classify", "-m", "acme/tiny-vit", "-f", "jsonl", filepath.Join(dir, "x.png")); code != exitOK {
		t.Fatalf("classify with pull: exit %d: %s", code, ta.err.String())
	}
	if !strings.Contains(ta.err.String(), "is not in the cache") {
		t.Errorf("classify with pull: stderr %q", ta.err.String())
	}
}

// TestModelsInfoSource: models info names where a model came from, the
// same place classify would load it from.
func TestModelsInfoSource(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "hub")
	writeCachedModel(t, cache, "acme/tiny-vit", testCommit)
	snap := filepath.Join(cache, "models--acme--tiny-vit", "snapshots", testCommit)
	env := map[string]string{"HF_HUB_CACHE": cache, "HF_HUB_OFFLINE": "1"}
	for _, tt := range []struct{ spec, source, dir string }{
		{models.Default, "built-in", ""},
		{snap, "directory", snap},
		{"acme/tiny-vit", "cache", snap},
	} {
		ta := newRealApp("")
		ta.env = env
		if code := ta.run("models", "info", "-f", "json", tt.spec); code != exitOK {
			t.Fatalf("info %s: exit %d: %s", tt.spec, code, ta.err.String())
		}
		var info classify.ModelInfo
		if err := json.Unmarshal(ta.out.Bytes(), &info); err != nil {
			t.Fatal(err)
		}
		if info.ID != tt.spec || info.Source != tt.source || info.Dir != tt.dir {
			t.Errorf("info %s: id %q, source %q, dir %q; want %q, %q, %q", tt.spec, info.ID, info.Source, info.Dir, tt.spec, tt.source, tt.dir)
		}
	}
}
