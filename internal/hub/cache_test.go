package hub

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeHFRepo writes a repository the way huggingface_hub does: blobs named
// by etag, snapshots/<commit>/<file> → ../../blobs/<etag>, refs/<rev>
// holding the commit without a newline.
func writeHFRepo(t *testing.T, cache, repo string, snaps map[string]map[string][]byte, refs map[string]string) {
	t.Helper()
	storage := filepath.Join(cache, RepoFolderName(repo))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for commit, files := range snaps {
		for name, data := range files {
			etag := gitBlobSHA1(data)
			if len(data) > 1000 {
				etag = sha256Of(data)
			}
			blob := filepath.Join(storage, "blobs", etag)
			must(os.MkdirAll(filepath.Dir(blob), 0o755))
			must(os.WriteFile(blob, data, 0o644))
			pointer := filepath.Join(storage, "snapshots", commit, filepath.FromSlash(name))
			must(os.MkdirAll(filepath.Dir(pointer), 0o755))
			rel, err := filepath.Rel(filepath.Dir(pointer), blob)
			must(err)
			must(os.Symlink(rel, pointer))
		}
	}
	for rev, commit := range refs {
		ref := filepath.Join(storage, "refs", filepath.FromSlash(rev))
		must(os.MkdirAll(filepath.Dir(ref), 0o755))
		must(os.WriteFile(ref, []byte(commit), 0o644))
	}
}

func TestResolveAndListHandWritten(t *testing.T) {
	cache := t.TempDir()
	const (
		vit     = "google/vit-base-patch16-224"
		cMain   = "3f49326eb077187dfe1c2a2bb15fbd74e6ab91e3"
		cOld    = "1ba429d32753f33a0660b80ac6f43a3c80c18938"
		cShard  = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		cBroken = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	)
	config := []byte(`{"model_type": "vit"}`)
	weights := randomBytes(5000, 4)
	writeHFRepo(t, cache, vit, map[string]map[string][]byte{
		cMain: {ConfigFile: config, PreprocessorFile: []byte(`{"size": 224}`), WeightsFile: weights},
		cOld:  {ConfigFile: config, PickleFile: randomBytes(3000, 5)},
	}, map[string]string{"main": cMain, "v1.0": cOld, "refs/pr/3": cMain})
	// huggingface_hub's other entries: locks, absence markers, other repo types.
	for _, d := range []string{".locks/models--google--vit-base-patch16-224", "datasets--acme--data/snapshots", "models--google--vit-base-patch16-224/.no_exist/" + cMain} {
		if err := os.MkdirAll(filepath.Join(cache, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(cache, "version.txt"), []byte("1"), 0o644)
	os.WriteFile(filepath.Join(cache, "models--google--vit-base-patch16-224", ".no_exist", cMain, "tokenizer.json"), nil, 0o644)

	index := []byte(`{"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}`)
	writeHFRepo(t, cache, "acme/sharded", map[string]map[string][]byte{
		cShard: {ConfigFile: config, WeightsIndexFile: index,
			"model-00001-of-00002.safetensors": randomBytes(2000, 6), "model-00002-of-00002.safetensors": randomBytes(1500, 7)},
		cBroken: {ConfigFile: config, WeightsIndexFile: index, "model-00001-of-00002.safetensors": randomBytes(2000, 6)},
	}, map[string]string{"broken": cBroken})
	// A ref written with a trailing newline by some other tool.
	os.WriteFile(filepath.Join(cache, "models--acme--sharded", "refs", "main"), []byte(cShard+"\n"), 0o644)
	// Make cBroken the newest snapshot.
	old := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(cache, "models--acme--sharded", "snapshots", cShard), old, old)

	snap := func(repo, commit string) string {
		return filepath.Join(cache, RepoFolderName(repo), "snapshots", commit)
	}
	cases := []struct {
		id   string
		want string // snapshot dir, or "" for ErrNotCached (ErrNoSafetensors when says names the pickle)
		says string
	}{
		{vit, snap(vit, cMain), ""},
		{vit + "@main", snap(vit, cMain), ""},
		{vit + "@" + cMain, snap(vit, cMain), ""},
		{vit + "@refs/pr/3", snap(vit, cMain), ""},
		{vit + "@v1.0", "", "pytorch_model.bin"},
		{vit + "@" + cOld, "", "pytorch_model.bin"},
		{vit + "@cccccccccccccccccccccccccccccccccccccccc", "", "no snapshot"},
		{vit + "@nobranch", "", "no refs/nobranch"},
		{"google/vit-large-patch16-224", "", "not in the Hugging Face cache"},
		{"acme/sharded", snap("acme/sharded", cShard), ""},
		{"acme/sharded@broken", "", "lacks shard model-00002-of-00002.safetensors"},
		{"acme/data", "", "not in the Hugging Face cache"},
	}
	for _, tc := range cases {
		got, err := Resolve(cache, tc.id)
		if tc.want != "" {
			if err != nil || got != tc.want {
				t.Errorf("Resolve(%s) = %s, %v; want %s", tc.id, got, err, tc.want)
			}
			continue
		}
		kind := ErrNotCached
		if tc.says == "pytorch_model.bin" {
			// A pickle-only snapshot: no download would help.
			kind = ErrNoSafetensors
			if strings.Contains(err.Error(), "pull") {
				t.Errorf("Resolve(%s): %v; a pickle-only snapshot's error does not advise pulling", tc.id, err)
			}
		}
		if !errors.Is(err, kind) || !strings.Contains(err.Error(), tc.says) || !strings.HasPrefix(err.Error(), tc.id+": ") {
			t.Errorf("Resolve(%s) = %q, %v; want %v saying %q", tc.id, got, err, kind, tc.says)
		}
	}
	if _, err := Resolve(cache, "not-an-id"); !errors.Is(err, ErrBadID) {
		t.Errorf("Resolve(not-an-id): %v, want ErrBadID", err)
	}

	list, err := List(cache)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "acme/sharded" || list[1].ID != vit {
		t.Fatalf("List = %+v", list)
	}
	sh, v := list[0], list[1]
	if sh.Size != 2000+1500+int64(len(config)+len(index)) {
		t.Errorf("acme/sharded size %d", sh.Size)
	}
	if v.Size != int64(len(config)+13+5000+3000) || v.RepoDir != filepath.Join(cache, "models--google--vit-base-patch16-224") {
		t.Errorf("vit: size %d dir %s", v.Size, v.RepoDir)
	}
	if len(v.Revisions) != 2 {
		t.Fatalf("vit revisions %+v", v.Revisions)
	}
	r0, r1 := v.Revisions[0], v.Revisions[1]
	if r0.Commit != cMain || strings.Join(r0.Refs, ",") != "main,refs/pr/3" || !r0.Complete ||
		r0.Dir != snap(vit, cMain) || r0.Size != int64(len(config)+13+5000) {
		t.Errorf("vit main revision %+v", r0)
	}
	if r1.Commit != cOld || strings.Join(r1.Refs, ",") != "v1.0" || r1.Complete || !r1.PickleOnly || r0.PickleOnly || r1.Size != int64(len(config)+3000) {
		t.Errorf("vit v1.0 revision %+v", r1)
	}
	if d, ok := v.Default(); !ok || d.Commit != cMain {
		t.Errorf("vit Default = %+v, %v", d, ok)
	}
	if len(sh.Revisions) != 2 || sh.Revisions[0].Commit != cShard || sh.Revisions[1].Commit != cBroken ||
		!sh.Revisions[0].Complete || sh.Revisions[1].Complete || strings.Join(sh.Revisions[1].Refs, ",") != "broken" {
		t.Errorf("acme/sharded revisions %+v", sh.Revisions)
	}

	if l, err := List(filepath.Join(cache, "absent")); err != nil || len(l) != 0 {
		t.Errorf("List of a missing cache = %v, %v", l, err)
	}
}

// A tree written by Pull is what huggingface_hub reads: the same checks
// from the other side, on a pulled cache.
func TestListPulled(t *testing.T) {
	f := newFakeHub(t)
	repo := tinyRepo(commitA)
	f.repos["acme/tiny"] = repo
	cache := t.TempDir()
	if _, err := f.client(cache).Pull(t.Context(), "acme/tiny@v1"); err != nil {
		t.Fatal(err)
	}
	list, err := List(cache)
	if err != nil || len(list) != 1 {
		t.Fatalf("List = %+v, %v", list, err)
	}
	var size int64
	for _, ff := range repo.files {
		size += int64(len(ff.data))
	}
	c := list[0]
	if c.ID != "acme/tiny" || c.Size != size || len(c.Revisions) != 1 {
		t.Fatalf("List = %+v", c)
	}
	r := c.Revisions[0]
	if r.Commit != commitA || strings.Join(r.Refs, ",") != "v1" || !r.Complete || r.Size != size {
		t.Errorf("revision %+v", r)
	}
	if _, ok := c.Default(); ok {
		t.Errorf("Default without refs/main")
	}
}
