package hub

import (
	"context"
	"errors"
	"maps"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestPullTree(t *testing.T) {
	f := newFakeHub(t)
	repo := tinyRepo(commitA)
	f.repos["acme/tiny"] = repo
	cache := t.TempDir()
	c := f.client(cache)
	c.Token = f.token // sent to the hub, never to the CDN
	last := map[string][2]int64{}
	c.Progress = func(file string, done, total int64) { last[file] = [2]int64{done, total} }

	dir, err := c.Pull(context.Background(), "acme/tiny")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(cache, "models--acme--tiny", "snapshots", commitA); dir != want {
		t.Errorf("dir %s, want %s", dir, want)
	}
	diffTree(t, cacheTree(t, cache), wantTree("acme/tiny", repo, tinyFiles, []string{"main"}, nil))
	for _, name := range tinyFiles {
		n := int64(len(repo.files[name].data))
		if last[name] != [2]int64{n, n} {
			t.Errorf("last progress of %s: %v, want [%d %d]", name, last[name], n, n)
		}
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != string(repo.files[name].data) {
			t.Errorf("%s: content differs (%v)", name, err)
		}
	}
	for _, a := range f.hubAuth {
		if a != "Bearer "+f.token {
			t.Errorf("hub request with Authorization %q", a)
		}
	}
	if len(f.cdnAuth) != 1 || f.cdnAuth[0] != "" {
		t.Errorf("CDN saw Authorization %q, want one request without it", f.cdnAuth)
	}
	if got, err := Resolve(cache, "acme/tiny"); err != nil || got != dir {
		t.Errorf("Resolve = %s, %v; want %s", got, err, dir)
	}

	// Again: only HEADs, no body.
	gets := len(f.gets)
	before := sumGets(f)
	if _, err := c.Pull(context.Background(), "acme/tiny"); err != nil {
		t.Fatal(err)
	}
	if sumGets(f) != before || len(f.gets) != gets {
		t.Errorf("second pull downloaded again: %v", f.gets)
	}
	// A tag adds refs/v1 and nothing else.
	if _, err := c.Pull(context.Background(), "acme/tiny@v1"); err != nil {
		t.Fatal(err)
	}
	diffTree(t, cacheTree(t, cache), wantTree("acme/tiny", repo, tinyFiles, []string{"main", "v1"}, nil))
	// A cached commit needs no request at all.
	reqs := f.hubReqs
	if got, err := c.Pull(context.Background(), "acme/tiny@"+commitA); err != nil || got != dir {
		t.Errorf("Pull @commit = %s, %v", got, err)
	}
	if f.hubReqs != reqs {
		t.Errorf("Pull of a cached commit made %d requests", f.hubReqs-reqs)
	}

	// main moves to a new commit with the same files: new links to the
	// blobs already present, refs/main updated, nothing downloaded.
	before = sumGets(f)
	repo.commit = commitB
	repo.refs["main"] = commitB
	dirB, err := c.Pull(context.Background(), "acme/tiny")
	if err != nil {
		t.Fatal(err)
	}
	if sumGets(f) != before {
		t.Errorf("pull of an unchanged blob downloaded it")
	}
	repoA := *repo
	repoA.commit = commitA
	want := append(wantTree("acme/tiny", &repoA, tinyFiles, []string{"v1"}, nil), wantTree("acme/tiny", repo, tinyFiles, []string{"main"}, nil)...)
	diffTree(t, cacheTree(t, cache), want)
	if got, err := Resolve(cache, "acme/tiny"); err != nil || got != dirB {
		t.Errorf("Resolve after main moved = %s, %v; want %s", got, err, dirB)
	}
	if got, err := Resolve(cache, "acme/tiny@v1"); err != nil || got != dir {
		t.Errorf("Resolve @v1 = %s, %v; want %s", got, err, dir)
	}
}

// getCounts returns a copy of f.gets, taken under f.mu: the handlers'
// goroutines may still be returning when the clients are done.
func getCounts(f *fakeHub) map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.gets)
}

func sumGets(f *fakeHub) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, v := range f.gets {
		n += v
	}
	return n
}

func TestPullRelativeRedirect(t *testing.T) {
	f := newFakeHub(t)
	repo := tinyRepo(commitA)
	repo.relRedirect = true
	f.repos["acme/tiny"] = repo
	cache := t.TempDir()
	if _, err := f.client(cache).Pull(context.Background(), "acme/tiny"); err != nil {
		t.Fatal(err)
	}
	diffTree(t, cacheTree(t, cache), wantTree("acme/tiny", repo, tinyFiles, []string{"main"}, nil))
}

func TestPullPRRevision(t *testing.T) {
	f := newFakeHub(t)
	repo := tinyRepo(commitB)
	repo.refs["refs/pr/1"] = commitB
	f.repos["acme/tiny"] = repo
	cache := t.TempDir()
	dir, err := f.client(cache).Pull(context.Background(), "acme/tiny@refs/pr/1")
	if err != nil {
		t.Fatal(err)
	}
	diffTree(t, cacheTree(t, cache), wantTree("acme/tiny", repo, tinyFiles, []string{"refs/pr/1"}, nil))
	if got, err := Resolve(cache, "acme/tiny@refs/pr/1"); err != nil || got != dir {
		t.Errorf("Resolve = %s, %v; want %s", got, err, dir)
	}
	if _, err := Resolve(cache, "acme/tiny"); !errors.Is(err, ErrNotCached) {
		t.Errorf("Resolve main: %v, want ErrNotCached", err)
	}
}

func shardedRepo() *fakeRepo {
	index := `{"metadata": {"total_size": 900000}, "weight_map": {` +
		`"vit.embeddings.cls_token": "model-00001-of-00002.safetensors", ` +
		`"vit.encoder.layer.0.output.dense.weight": "model-00001-of-00002.safetensors", ` +
		`"classifier.weight": "model-00002-of-00002.safetensors"}}` + "\n"
	return &fakeRepo{
		commit: commitB,
		refs:   map[string]string{"main": commitB},
		files: map[string]fakeFile{
			ConfigFile:                          {data: []byte(`{"model_type": "vit"}`)},
			WeightsIndexFile:                    {data: []byte(index)},
			"model-00001-of-00002.safetensors":  {data: randomBytes(500_000, 2), lfs: true},
			"model-00002-of-00002.safetensors":  {data: randomBytes(400_000, 3), lfs: true},
			"pytorch_model.bin":                 {data: []byte("pickle"), lfs: true},
			"model-00003-of-00002.safetensors":  {data: []byte("not listed"), lfs: true},
			"unrelated/model-00001.safetensors": {data: []byte("not listed"), lfs: true},
		},
	}
}

func TestPullSharded(t *testing.T) {
	f := newFakeHub(t)
	repo := shardedRepo()
	f.repos["acme/big"] = repo
	cache := t.TempDir()
	dir, err := f.client(cache).Pull(context.Background(), "acme/big")
	if err != nil {
		t.Fatal(err)
	}
	checkShardedCache(t, cache, repo)
	if got, err := Resolve(cache, "acme/big"); err != nil || got != dir {
		t.Errorf("Resolve = %s, %v; want %s", got, err, dir)
	}
}

func TestPullErrors(t *testing.T) {
	f := newFakeHub(t)
	gated := tinyRepo(commitA)
	gated.gated = true
	f.repos["acme/gated"] = gated
	f.repos["acme/pickle"] = &fakeRepo{
		commit: commitA,
		refs:   map[string]string{"main": commitA},
		files: map[string]fakeFile{
			ConfigFile: {data: []byte(`{}`)},
			PickleFile: {data: []byte("pickle"), lfs: true},
		},
	}
	f.repos["acme/noconfig"] = &fakeRepo{
		commit: commitA,
		refs:   map[string]string{"main": commitA},
		files:  map[string]fakeFile{WeightsFile: {data: []byte("w"), lfs: true}},
	}
	f.repos["acme/noweights"] = &fakeRepo{
		commit: commitA,
		refs:   map[string]string{"main": commitA},
		files:  map[string]fakeFile{ConfigFile: {data: []byte(`{}`)}},
	}
	truncated := tinyRepo(commitA)
	truncated.files[WeightsFile] = fakeFile{data: randomBytes(700_000, 8), lfs: true}
	f.repos["acme/truncated"] = truncated
	f.truncate[etagOf(truncated.files[WeightsFile])] = true
	corrupt := tinyRepo(commitB)
	corrupt.files[WeightsFile] = fakeFile{data: randomBytes(300_000, 9), lfs: true}
	f.repos["acme/corrupt"] = corrupt
	f.corrupt[etagOf(corrupt.files[WeightsFile])] = true

	cases := []struct {
		id, token string
		want      error
		says      []string
	}{
		{"acme/gated", "", ErrUnauthorized, []string{"acme/gated", "gated", "HF_TOKEN", "401"}},
		{"acme/gated", "hf_wrong", ErrUnauthorized, []string{"acme/gated", "refused", "HF_TOKEN"}},
		{"acme/nope", "", ErrNotFound, []string{"no model acme/nope", "404"}},
		{"acme/gated@nobranch", "hf_secret", ErrNotFound, []string{`no revision "nobranch"`, "acme/gated"}},
		{"acme/noconfig", "", ErrNotFound, []string{"no file config.json in acme/noconfig@main"}},
		{"acme/noweights", "", ErrNotFound, []string{"model.safetensors", "acme/noweights"}},
		{"acme/pickle", "", ErrNoSafetensors, []string{"acme/pickle", "pytorch_model.bin", "safetensors"}},
		{"acme/truncated", "", ErrSizeMismatch, []string{"acme/truncated", "model.safetensors", "350000 of 700000"}},
		{"acme/corrupt", "", ErrChecksum, []string{"acme/corrupt", "model.safetensors", "sha256"}},
		{"acme", "", ErrBadID, []string{`"acme"`}},
		{"acme/a--b", "", ErrBadID, []string{"--"}},
	}
	for _, tc := range cases {
		t.Run(strings.ReplaceAll(tc.id, "/", "_")+"_"+tc.token, func(t *testing.T) {
			cache := t.TempDir()
			c := f.client(cache)
			c.Token = tc.token
			dir, err := c.Pull(context.Background(), tc.id)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Pull(%s) = %q, %v; want %v", tc.id, dir, err, tc.want)
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			checkNoHalfFiles(t, cache)
			if _, err := Resolve(cache, tc.id); err == nil {
				t.Errorf("Resolve after a failed pull succeeded")
			}
			t.Logf("%v", err)
		})
	}

	// The corrupt blob is gone; the truncated one stays for resuming.
	cache := t.TempDir()
	c := f.client(cache)
	c.Pull(context.Background(), "acme/corrupt")
	blobs := filepath.Join(cache, "models--acme--corrupt", "blobs")
	if m, _ := filepath.Glob(filepath.Join(blobs, etagOf(corrupt.files[WeightsFile])+"*")); len(m) != 0 {
		t.Errorf("corrupt download left %v", m)
	}

	// The right token opens the gated repository.
	c.Token = f.token
	if _, err := c.Pull(context.Background(), "acme/gated"); err != nil {
		t.Errorf("gated with token: %v", err)
	}
}

func TestPullOffline(t *testing.T) {
	// A port nobody listens on: connection refused, no real network.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + l.Addr().String()
	l.Close()
	cache := t.TempDir()
	c := &Client{Endpoint: endpoint, CacheDir: cache}
	_, err = c.Pull(context.Background(), "acme/tiny")
	if !errors.Is(err, ErrOffline) || !strings.Contains(err.Error(), "HF_HUB_OFFLINE=1") {
		t.Fatalf("Pull with the hub down: %v; want ErrOffline mentioning HF_HUB_OFFLINE=1", err)
	}
	t.Log(err)

	// Offline mode answers from the cache only.
	c.Offline = true
	_, err = c.Pull(context.Background(), "acme/tiny")
	if !errors.Is(err, ErrOfflineMode) || !errors.Is(err, ErrNotCached) {
		t.Fatalf("offline Pull of an uncached model: %v; want ErrOfflineMode and ErrNotCached", err)
	}
	t.Log(err)
	f := newFakeHub(t)
	f.repos["acme/tiny"] = tinyRepo(commitA)
	dir, err := f.client(cache).Pull(context.Background(), "acme/tiny")
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.hubReqs
	c.Endpoint = f.hub.URL
	if got, err := c.Pull(context.Background(), "acme/tiny"); err != nil || got != dir {
		t.Errorf("offline Pull of a cached model = %s, %v; want %s", got, err, dir)
	}
	if f.hubReqs != reqs {
		t.Errorf("offline Pull made requests")
	}
}

func TestPullResume(t *testing.T) {
	for _, noRange := range []bool{false, true} {
		f := newFakeHub(t)
		repo := tinyRepo(commitA)
		f.repos["acme/tiny"] = repo
		etag := etagOf(repo.files[WeightsFile])
		f.truncate[etag] = true
		cache := t.TempDir()
		c := f.client(cache)
		if _, err := c.Pull(context.Background(), "acme/tiny"); !errors.Is(err, ErrSizeMismatch) {
			t.Fatalf("truncated: %v", err)
		}
		inc := filepath.Join(cache, "models--acme--tiny", "blobs", etag+".incomplete")
		st, err := os.Stat(inc)
		if err != nil || st.Size() != 350_000 {
			t.Fatalf("partial blob: %v %v", st, err)
		}
		f.truncate[etag] = false
		f.noRange = noRange
		f.ranges = nil
		if _, err := c.Pull(context.Background(), "acme/tiny"); err != nil {
			t.Fatal(err)
		}
		if len(f.ranges) != 1 || f.ranges[0] != "bytes=350000-" {
			t.Errorf("resume asked %q, want one Range bytes=350000-", f.ranges)
		}
		diffTree(t, cacheTree(t, cache), wantTree("acme/tiny", repo, tinyFiles, []string{"main"}, nil))
	}
}

func TestPullCancel(t *testing.T) {
	f := newFakeHub(t)
	repo := tinyRepo(commitA)
	f.repos["acme/tiny"] = repo
	etag := etagOf(repo.files[WeightsFile])
	f.block[etag] = true
	cache := t.TempDir()
	c := f.client(cache)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.Progress = func(file string, done, total int64) {
		if file == WeightsFile && done > 0 && done < total {
			cancel()
		}
	}
	_, err := c.Pull(ctx, "acme/tiny")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Pull: %v; want context.Canceled", err)
	}
	checkNoHalfFiles(t, cache)
	weights := filepath.Join(cache, "models--acme--tiny", "snapshots", commitA, WeightsFile)
	if _, err := os.Lstat(weights); err == nil {
		t.Errorf("%s exists after cancel", weights)
	}
	if _, err := Resolve(cache, "acme/tiny"); !errors.Is(err, ErrNotCached) {
		t.Errorf("Resolve after cancel: %v", err)
	}

	f.block[etag] = false
	c.Progress = nil
	if _, err := c.Pull(context.Background(), "acme/tiny"); err != nil {
		t.Fatal(err)
	}
	diffTree(t, cacheTree(t, cache), wantTree("acme/tiny", repo, tinyFiles, []string{"main"}, nil))
}

func TestPullConcurrent(t *testing.T) {
	f := newFakeHub(t)
	repo := shardedRepo()
	f.repos["acme/big"] = repo
	f.blobDelay = 20e6 // 20 ms per blob request: the pulls overlap
	cache := t.TempDir()
	const n = 4
	dirs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := f.client(cache) // separate clients, one cache
			dirs[i], errs[i] = c.Pull(context.Background(), "acme/big")
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || dirs[i] != dirs[0] {
			t.Errorf("pull %d: %s, %v", i, dirs[i], errs[i])
		}
	}
	for etag, k := range getCounts(f) {
		if k != 1 {
			t.Errorf("blob %s downloaded %d times", etag, k)
		}
	}
	checkShardedCache(t, cache, repo)
}
