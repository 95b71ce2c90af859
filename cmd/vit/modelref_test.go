package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/models"
)

// writeCachedRepo writes files into the cache as the snapshot of repo at
// testCommit with refs/main.
func writeCachedRepo(t *testing.T, cache, repo string, files map[string][]byte) {
	t.Helper()
	snap := filepath.Join(cache, "models--"+strings.ReplaceAll(repo, "/", "--"), "snapshots", testCommit)
	os.MkdirAll(snap, 0o755)
	for name, b := range files {
		os.WriteFile(filepath.Join(snap, name), b, 0o644)
	}
	os.MkdirAll(filepath.Join(cache, "models--"+strings.ReplaceAll(repo, "/", "--"), "refs"), 0o755)
	os.WriteFile(filepath.Join(cache, "models--"+strings.ReplaceAll(repo, "/", "--"), "refs", "main"), []byte(testCommit), 0o644)
}

func builtinFile(t *testing.T, name string) []byte {
	b, err := fs.ReadFile(models.FS, models.Default+"/"+name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestModelsListMarks: models list marks the cached repositories vit
// cannot run (another architecture, pickle weights only) with the reason,
// incomplete ones as such, and a pickle-only repository's error does not
// advise pulling it.
func TestModelsListMarks(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "hub")
	writeCachedModel(t, cache, "acme/tiny-vit", testCommit)
	weights := builtinFile(t, "model.safetensors")
	writeCachedRepo(t, cache, "acme/bert", map[string][]byte{
		"config.json":       []byte(`{"model_type": "bert", "architectures": ["BertForMaskedLM"], "hidden_size": 64}`),
		"model.safetensors": weights,
	})
	writeCachedRepo(t, cache, "acme/pickle", map[string][]byte{
		"config.json":       builtinFile(t, "config.json"),
		"pytorch_model.bin": []byte("PK\x03\x04 pickle"),
	})
	writeCachedRepo(t, cache, "acme/partial", map[string][]byte{"config.json": builtinFile(t, "config.json")})
	env := map[string]string{"HF_HUB_CACHE": cache, "HF_HUB_OFFLINE": "1"}

	ta := newRealApp("")
	ta.env = env
	if code := ta.run("models", "list"); code != exitOK {
		t.Fatalf("exit %d: %s", code, ta.err.String())
	}
	lines := map[string]string{}
	for _, l := range strings.Split(ta.out.String(), "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			lines[f[0]] = l
		}
	}
	for id, want := range map[string]string{
		"acme/bert":     `cannot run: config.json: model_type "bert" is not supported`,
		"acme/pickle":   "cannot run: PyTorch pickle weights only (pytorch_model.bin); vit reads safetensors",
		"acme/partial":  "(incomplete)",
		"acme/tiny-vit": "",
	} {
		l, ok := lines[id]
		switch {
		case !ok:
			t.Errorf("%s not listed:\n%s", id, ta.out.String())
		case want == "" && (strings.Contains(l, "cannot run") || strings.Contains(l, "incomplete")):
			t.Errorf("%s marked: %q", id, l)
		case want != "" && !strings.Contains(l, want):
			t.Errorf("%s: %q, want it to say %q", id, l, want)
		}
	}

	ta = newRealApp("")
	ta.env = env
	ta.run("models", "list", "-f", "json")
	var rows []classify.ModelRow
	if err := json.Unmarshal(ta.out.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		want := r.ID != "acme/bert" && r.ID != "acme/pickle"
		if r.Runnable != want {
			t.Errorf("%s: runnable %v, want %v (%s)", r.ID, r.Runnable, want, r.Problem)
		}
	}

	// The pickle-only repository, offline or not (the endpoint is closed:
	// nothing is downloaded either way).
	writePNG(t, filepath.Join(dir, "x.png"), 28, 28, 1)
	for _, e := range []map[string]string{env, {"HF_HUB_CACHE": cache, "HF_ENDPOINT": "http://127.0.0.1:1"}} {
		ta = newRealApp("")
		ta.env = e
		code := ta.run("classify", "-m", "acme/pickle", filepath.Join(dir, "x.png"))
		msg := ta.err.String()
		if code != exitFailure || !strings.Contains(msg, "has only pytorch_model.bin (a PyTorch pickle)") || strings.Contains(msg, "pull") || strings.Count(msg, "\n") != 1 {
			t.Errorf("pickle-only repo (env %v): exit %d, %q", e, code, msg)
		}
	}
}

// TestModelRefs: a path that is no directory says so; the built-in
// default is not shadowed by a folder of its name; --offline=false
// overrides HF_HUB_OFFLINE; errors name each path once.
func TestModelRefs(t *testing.T) {
	t.Chdir(t.TempDir())
	writePNG(t, "x.png", 28, 28, 1)
	for spec, want := range map[string]string{
		"./nodir":    "vit: model ./nodir: no such directory\n",
		"nodir/":     "vit: model nodir/: no such directory\n",
		"../nodir":   "vit: model ../nodir: no such directory\n",
		"./x.png":    "vit: model ./x.png: not a directory (a model is a directory with config.json and model.safetensors)\n",
		"not-an-id!": "", // not a path: the usage error lists what -m takes
	} {
		ta := newRealApp("")
		code := ta.run("classify", "-m", spec, "x.png")
		if want == "" {
			if code != exitUsage || !strings.Contains(ta.err.String(), "not a directory, a built-in model") {
				t.Errorf("-m %s: exit %d, %q", spec, code, ta.err.String())
			}
			continue
		}
		if code != exitFailure || ta.err.String() != want {
			t.Errorf("-m %s: exit %d, %q; want 1, %q", spec, code, ta.err.String(), want)
		}
	}

	// A folder named as the built-in model (even an empty one) does not
	// shadow the default.
	os.Mkdir(models.Default, 0o755)
	ta := newRealApp("")
	if code := ta.run("classify", "-f", "jsonl", "x.png"); code != exitOK {
		t.Errorf("default model beside a folder %s: exit %d, %q", models.Default, code, ta.err.String())
	}
	ta = newRealApp("")
	if code := ta.run("models", "info"); code != exitOK || !strings.Contains(ta.out.String(), "(built-in)") {
		t.Errorf("models info: exit %d, %q %q", code, ta.out.String(), ta.err.String())
	}

	// A model directory with a bad preprocessor_config.json: the error
	// names the directory once and the file once.
	os.Mkdir("m", 0o755)
	for _, f := range []string{"config.json", "model.safetensors"} {
		os.WriteFile(filepath.Join("m", f), builtinFile(t, f), 0o644)
	}
	os.WriteFile("m/preprocessor_config.json", []byte("{bad"), 0o644)
	ta = newRealApp("")
	ta.run("classify", "-m", "m", "x.png")
	if msg := ta.err.String(); strings.Count(msg, "preprocessor_config.json") != 1 || strings.Count(msg, "m:") != 1 || !strings.HasPrefix(msg, "vit: load m: preprocessor_config.json: ") {
		t.Errorf("bad preprocessor config: %q", msg)
	}
	os.Remove("m/config.json")
	ta = newRealApp("")
	ta.run("classify", "-m", "m", "x.png")
	if msg := ta.err.String(); msg != "vit: load m: open config.json: no such file or directory\n" {
		t.Errorf("no config.json: %q", msg)
	}

	// --offline=false overrides HF_HUB_OFFLINE=1: the model is looked for
	// on the hub (closed here) instead of refused as offline.
	for _, args := range [][]string{
		{"classify", "--offline=false", "-m", "acme/missing", "x.png"},
		{"models", "info", "--offline=false", "acme/missing"},
		{"bench", "--offline=false", "-m", "acme/missing", "--iters", "1"},
	} {
		ta = newRealApp("")
		ta.env = map[string]string{"HF_HUB_CACHE": t.TempDir(), "HF_HUB_OFFLINE": "1", "HF_ENDPOINT": "http://127.0.0.1:1"}
		ta.run(args...)
		if msg := ta.err.String(); strings.Contains(msg, "offline") && !strings.Contains(msg, "HF_HUB_OFFLINE=1 to use only the cache") || !strings.Contains(msg, "cannot be reached") {
			t.Errorf("%q with HF_HUB_OFFLINE=1: %q; want a download attempt", args, msg)
		}
		// Without the flag the environment holds.
		var plain []string
		for _, a := range args {
			if a != "--offline=false" {
				plain = append(plain, a)
			}
		}
		ta = newRealApp("")
		ta.env = map[string]string{"HF_HUB_CACHE": t.TempDir(), "HF_HUB_OFFLINE": "1", "HF_ENDPOINT": "http://127.0.0.1:1"}
		ta.run(plain...)
		if msg := ta.err.String(); !strings.Contains(msg, "so not downloading") {
			t.Errorf("%q with HF_HUB_OFFLINE=1: %q; want it refused as offline", plain, msg)
		}
	}
}

// TestOutputErrors: -o and --paths errors name the flag and the file
// once, and the directory when the temporary file cannot be made.
func TestOutputErrors(t *testing.T) {
	t.Chdir(t.TempDir())
	writePNG(t, "a.png", 4, 4, 1)
	os.Mkdir("adir", 0o755)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"classify", "-o", "nodir/out.csv", "a.png"}, "vit: -o nodir/out.csv: cannot create a file in nodir: no such file or directory\n"},
		{[]string{"classify", "-o", "adir", "a.png"}, "vit: -o adir: is a directory\n"},
		{[]string{"classify", "--resume", "-f", "jsonl", "-o", "nodir/x.jsonl", "a.png"}, "vit: -o nodir/x.jsonl: no such file or directory\n"},
		{[]string{"embed", "-f", "npy", "-o", "e.npy", "--paths", "nodir/p.txt", "a.png"}, "vit: --paths nodir/p.txt: cannot create a file in nodir: no such file or directory\n"},
	} {
		ta := newTestApp("")
		if code := ta.run(tt.args...); code != exitFailure || ta.err.String() != tt.want {
			t.Errorf("%q: exit %d, %q; want 1, %q", tt.args, code, ta.err.String(), tt.want)
		}
	}
}
