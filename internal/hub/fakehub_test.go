package hub

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeFile is one file of a fake repository.
type fakeFile struct {
	data []byte
	lfs  bool // large file: redirect to the CDN, etag = SHA-256
}

// fakeRepo is one model repository at one commit.
type fakeRepo struct {
	commit      string
	refs        map[string]string // branch/tag → commit
	files       map[string]fakeFile
	gated       bool // needs the hub token
	relRedirect bool // LFS redirect is relative, to /lfs-rel/<sha> on the hub itself
}

// fakeHub imitates huggingface.co: /{org}/{name}/resolve/{rev}/{file} on
// the hub server, LFS blobs on a second "CDN" server at /lfs/<sha256> (or on
// the hub at /lfs-rel/<sha256>).
type fakeHub struct {
	t     *testing.T
	hub   *httptest.Server
	cdn   *httptest.Server
	token string
	repos map[string]*fakeRepo

	mu        sync.Mutex
	hubReqs   int            // requests to /…/resolve/…
	gets      map[string]int // body GETs per etag (hub and CDN)
	hubAuth   []string       // Authorization seen on resolve requests
	cdnAuth   []string       // Authorization seen by the CDN
	ranges    []string       // Range headers seen on blob GETs
	truncate  map[string]bool
	corrupt   map[string]bool
	block     map[string]bool // send half the body, then wait for the client to go away
	noRange   bool            // ignore Range: always answer 200 with the whole body
	blobDelay time.Duration   // wait this long before a blob's headers
	headDelay time.Duration   // wait this long before answering a HEAD
	trickle   time.Duration   // send a blob's body one byte per trickle
}

func newFakeHub(t *testing.T) *fakeHub {
	f := &fakeHub{
		t:        t,
		token:    "hf_secret",
		repos:    map[string]*fakeRepo{},
		gets:     map[string]int{},
		truncate: map[string]bool{},
		corrupt:  map[string]bool{},
		block:    map[string]bool{},
	}
	f.hub = httptest.NewServer(f.synced(f.serveHub))
	f.cdn = httptest.NewServer(f.synced(f.serveCDN))
	t.Cleanup(func() {
		f.hub.Close()
		f.cdn.Close()
	})
	return f
}

// synced has each request take f.mu before h runs, so that it sees the
// repositories and settings a test set up under f.mu while the servers
// were already listening (requests from other processes carry no
// ordering the race detector can see).
func (f *fakeHub) synced(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		//lint:ignore SA2001 an empty critical section is the barrier
		f.mu.Unlock()
		h(w, r)
	})
}

func (f *fakeHub) client(cache string) *Client {
	return &Client{Endpoint: f.hub.URL, CacheDir: cache, HTTP: f.hub.Client()}
}

func gitBlobSHA1(b []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(b))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

func sha256Of(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// etagOf is the blob name the hub announces for a file.
func etagOf(ff fakeFile) string {
	if ff.lfs {
		return sha256Of(ff.data)
	}
	return gitBlobSHA1(ff.data)
}

func (f *fakeHub) serveHub(w http.ResponseWriter, r *http.Request) {
	if sha, ok := strings.CutPrefix(r.URL.Path, "/lfs-rel/"); ok {
		f.serveBlob(w, r, sha)
		return
	}
	parts := strings.SplitN(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/", 5)
	if len(parts) != 5 || parts[2] != "resolve" {
		http.NotFound(w, r)
		return
	}
	for i := range parts {
		var err error
		if parts[i], err = url.PathUnescape(parts[i]); err != nil {
			http.Error(w, "bad path", http.StatusBadRequest)
			return
		}
	}
	id, rev, file := parts[0]+"/"+parts[1], parts[3], parts[4]
	if r.Method == http.MethodHead && f.headDelay > 0 {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(f.headDelay):
		}
	}
	f.mu.Lock()
	f.hubReqs++
	f.hubAuth = append(f.hubAuth, r.Header.Get("Authorization"))
	f.mu.Unlock()

	h := w.Header()
	repo := f.repos[id]
	if repo == nil {
		h.Set("X-Error-Code", "RepoNotFound")
		h.Set("X-Error-Message", "Repository not found")
		w.WriteHeader(http.StatusNotFound)
		return
	}
	if repo.gated && r.Header.Get("Authorization") != "Bearer "+f.token {
		h.Set("X-Error-Code", "GatedRepo")
		h.Set("X-Error-Message", "Access to model "+id+" is restricted.")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	commit := repo.refs[rev]
	if rev == repo.commit {
		commit = rev
	}
	if commit == "" {
		h.Set("X-Error-Code", "RevisionNotFound")
		w.WriteHeader(http.StatusNotFound)
		return
	}
	h.Set("X-Repo-Commit", commit)
	ff, ok := repo.files[file]
	if !ok {
		h.Set("X-Error-Code", "EntryNotFound")
		h.Set("X-Error-Message", "Entry not found")
		w.WriteHeader(http.StatusNotFound)
		return
	}
	if ff.lfs {
		sha := sha256Of(ff.data)
		pointer := fmt.Sprintf("version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n", sha, len(ff.data))
		h.Set("ETag", `"`+gitBlobSHA1([]byte(pointer))+`"`) // the pointer's, not the blob's
		h.Set("X-Linked-Etag", `"`+sha+`"`)
		h.Set("X-Linked-Size", strconv.Itoa(len(ff.data)))
		if repo.relRedirect {
			h.Set("Location", "/lfs-rel/"+sha)
		} else {
			h.Set("Location", f.cdn.URL+"/lfs/"+sha+"?X-Amz-Signature=abc")
		}
		w.WriteHeader(http.StatusFound)
		return
	}
	etag := gitBlobSHA1(ff.data)
	h.Set("ETag", `W/"`+etag+`"`)
	h.Set("Content-Length", strconv.Itoa(len(ff.data)))
	if r.Method == http.MethodGet {
		f.mu.Lock()
		f.gets[etag]++
		f.mu.Unlock()
		w.Write(ff.data)
	}
}

func (f *fakeHub) serveCDN(w http.ResponseWriter, r *http.Request) {
	sha, ok := strings.CutPrefix(r.URL.Path, "/lfs/")
	if !ok || r.URL.Query().Get("X-Amz-Signature") != "abc" {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	f.cdnAuth = append(f.cdnAuth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	f.serveBlob(w, r, sha)
}

func (f *fakeHub) serveBlob(w http.ResponseWriter, r *http.Request, sha string) {
	var data []byte
	for _, repo := range f.repos {
		for _, ff := range repo.files {
			if ff.lfs && sha256Of(ff.data) == sha {
				data = ff.data
			}
		}
	}
	if data == nil {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	if r.Method == http.MethodGet {
		f.gets[sha]++
		f.ranges = append(f.ranges, r.Header.Get("Range"))
	}
	truncate, corrupt, block, noRange, delay, trickle := f.truncate[sha], f.corrupt[sha], f.block[sha], f.noRange, f.blobDelay, f.trickle
	f.mu.Unlock()
	select {
	case <-r.Context().Done():
		return
	case <-time.After(delay):
	}
	switch {
	case trickle > 0 && r.Method == http.MethodGet:
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.WriteHeader(http.StatusOK)
		for i := 0; i < len(data); i++ {
			w.Write(data[i : i+1])
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(trickle):
			}
		}
		return
	case corrupt:
		data = bytes.Clone(data)
		data[len(data)/3] ^= 0x40
	case truncate || block:
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.WriteHeader(http.StatusOK)
		w.Write(data[:len(data)/2])
		w.(http.Flusher).Flush()
		if block {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}
		panic(http.ErrAbortHandler) // drop the connection mid-body
	}
	if noRange {
		r.Header.Del("Range")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

// cacheTree lists every entry below root, sorted: "D dir/", "L link -> target",
// "F file <len> <content or sha256>".
func cacheTree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out = append(out, "L "+rel+" -> "+filepath.ToSlash(target))
		case d.IsDir():
			out = append(out, "D "+rel+"/")
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out = append(out, fileLine(rel, b))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	sort.Strings(out)
	return out
}

func fileLine(rel string, b []byte) string {
	if len(b) <= 80 {
		return fmt.Sprintf("F %s %d %q", rel, len(b), b)
	}
	return fmt.Sprintf("F %s %d sha256:%s", rel, len(b), sha256Of(b))
}

// wantTree is the cache tree huggingface_hub would write after downloading
// files of repo id at the repo's commit, with refs for revs and .no_exist
// markers for absent.
func wantTree(id string, repo *fakeRepo, files, revs, absent []string) []string {
	folder := RepoFolderName(id)
	set := map[string]bool{}
	add := func(s string) { set[s] = true }
	add("D .locks/")
	add("D .locks/" + folder + "/")
	add("D " + folder + "/")
	add("D " + folder + "/blobs/")
	add("D " + folder + "/snapshots/")
	add("D " + folder + "/snapshots/" + repo.commit + "/")
	for _, name := range files {
		ff := repo.files[name]
		etag := etagOf(ff)
		add(fileLine(".locks/"+folder+"/"+etag+".lock", nil))
		add(fileLine(folder+"/blobs/"+etag, ff.data))
		up := strings.Repeat("../", 2+strings.Count(name, "/"))
		add("L " + folder + "/snapshots/" + repo.commit + "/" + name + " -> " + up + "blobs/" + etag)
		for d := parentDir(name); d != ""; d = parentDir(d) {
			add("D " + folder + "/snapshots/" + repo.commit + "/" + d + "/")
		}
	}
	if len(revs) > 0 {
		add("D " + folder + "/refs/")
	}
	for _, rev := range revs {
		add(fileLine(folder+"/refs/"+rev, []byte(repo.commit)))
		for d := parentDir(rev); d != ""; d = parentDir(d) {
			add("D " + folder + "/refs/" + d + "/")
		}
	}
	if len(absent) > 0 {
		add("D " + folder + "/.no_exist/")
		add("D " + folder + "/.no_exist/" + repo.commit + "/")
	}
	for _, name := range absent {
		add(fileLine(folder+"/.no_exist/"+repo.commit+"/"+name, nil))
	}
	var out []string
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func parentDir(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ""
	}
	return p[:i]
}

func diffTree(t *testing.T, got, want []string) {
	t.Helper()
	g := map[string]bool{}
	for _, s := range got {
		g[s] = true
	}
	w := map[string]bool{}
	for _, s := range want {
		w[s] = true
	}
	bad := false
	for _, s := range want {
		if !g[s] {
			t.Errorf("missing: %s", s)
			bad = true
		}
	}
	for _, s := range got {
		if !w[s] {
			t.Errorf("unexpected: %s", s)
			bad = true
		}
	}
	if bad {
		t.Logf("tree:\n%s", strings.Join(got, "\n"))
	}
}

// checkNoHalfFiles fails if any entry under snapshots/ is anything but a
// symlink to a complete blob (a blob named by a SHA-256 must hash to it).
func checkNoHalfFiles(t *testing.T, cache string) {
	t.Helper()
	snaps, _ := filepath.Glob(filepath.Join(cache, "models--*", "snapshots"))
	for _, s := range snaps {
		filepath.WalkDir(s, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if d.Type()&fs.ModeSymlink == 0 {
				t.Errorf("%s: not a symlink", p)
				return nil
			}
			real, err := filepath.EvalSymlinks(p)
			if err != nil {
				t.Errorf("%s: dangling: %v", p, err)
				return nil
			}
			if filepath.Base(filepath.Dir(real)) != "blobs" || strings.HasSuffix(real, ".incomplete") {
				t.Errorf("%s → %s: not a complete blob", p, real)
			}
			if name := filepath.Base(real); sha256Hex.MatchString(name) {
				b, _ := os.ReadFile(real)
				if sha256Of(b) != name {
					t.Errorf("%s → %s: content does not match its name", p, real)
				}
			}
			return nil
		})
	}
}

// randomBytes returns n deterministic pseudo-random bytes.
func randomBytes(n int, seed uint32) []byte {
	b := make([]byte, n)
	x := seed | 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// tinyFiles are the files of tinyRepo.
var tinyFiles = []string{ConfigFile, PreprocessorFile, WeightsFile}

// checkShardedCache checks that cache holds shardedRepo as pulled at main:
// the index and its shards, and neither preprocessor_config.json nor
// model.safetensors.
func checkShardedCache(t *testing.T, cache string, repo *fakeRepo) {
	t.Helper()
	files := []string{ConfigFile, WeightsIndexFile, "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}
	diffTree(t, cacheTree(t, cache), wantTree("acme/big", repo, files, []string{"main"}, []string{PreprocessorFile, WeightsFile}))
}

// tinyRepo is a one-file model: config, preprocessor config, LFS weights.
func tinyRepo(commit string) *fakeRepo {
	return &fakeRepo{
		commit: commit,
		refs:   map[string]string{"main": commit, "v1": commit},
		files: map[string]fakeFile{
			ConfigFile:       {data: []byte(`{"model_type": "vit", "hidden_size": 8}` + "\n")},
			PreprocessorFile: {data: []byte(`{"do_resize": true, "size": {"height": 32, "width": 32}}` + "\n")},
			WeightsFile:      {data: randomBytes(700_000, 1), lfs: true},
		},
	}
}

const (
	commitA = "0123456789abcdef0123456789abcdef01234567"
	commitB = "89abcdef0123456789abcdef0123456789abcdef"
)
