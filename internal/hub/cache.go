package hub

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Files of a model repository that vit reads.
const (
	ConfigFile       = "config.json"
	PreprocessorFile = "preprocessor_config.json" // optional
	WeightsFile      = "model.safetensors"
	WeightsIndexFile = "model.safetensors.index.json" // sharded weights
	PickleFile       = "pytorch_model.bin"            // not readable by vit
	PickleIndexFile  = "pytorch_model.bin.index.json"
)

// Resolve returns the snapshot directory of id ("ORG/NAME[@REVISION]") in
// the cache at cacheDir without touching the network. A branch or tag is
// looked up in refs/<REVISION>; a 40-hex commit hash names
// snapshots/<hash> directly. The snapshot must hold config.json and the
// safetensors weights (model.safetensors, or model.safetensors.index.json
// and every shard it lists); otherwise the error wraps ErrNotCached and says
// what is missing.
func Resolve(cacheDir, id string) (dir string, err error) {
	repo, rev, err := ParseID(id)
	if err != nil {
		return "", err
	}
	commit, err := resolveCommit(cacheDir, repo, rev)
	if err != nil {
		return "", fmt.Errorf("%s: %w", id, err)
	}
	dir = filepath.Join(cacheDir, RepoFolderName(repo), "snapshots", commit)
	if pickleOnly(dir) {
		return "", &kindError{kind: ErrNoSafetensors, msg: fmt.Sprintf(
			"%s: the cached snapshot %s has only %s (a PyTorch pickle) and no %s; vit reads safetensors only: "+
				"convert the checkpoint, or use a revision with %s (the hub's conversion bot opens a refs/pr/N one)",
			id, commit[:min(len(commit), 12)], PickleFile, WeightsFile, WeightsFile)}
	}
	if missing := checkSnapshot(dir); missing != "" {
		return "", fmt.Errorf("%s: %w %s: snapshot %s %s", id, ErrNotCached, cacheDir, commit, missing)
	}
	return dir, nil
}

// resolveCommit maps rev to the commit of an existing snapshot directory.
// Errors wrap ErrNotCached.
func resolveCommit(cacheDir, repo, rev string) (string, error) {
	storage := filepath.Join(cacheDir, RepoFolderName(repo))
	if st, err := os.Stat(storage); err != nil || !st.IsDir() {
		return "", fmt.Errorf("%w %s", ErrNotCached, cacheDir)
	}
	commit := rev
	if !IsCommitHash(rev) {
		ref := filepath.Join(storage, "refs", filepath.FromSlash(rev))
		b, err := os.ReadFile(ref)
		if err != nil {
			return "", fmt.Errorf("%w %s: no refs/%s", ErrNotCached, cacheDir, rev)
		}
		commit = strings.TrimSpace(string(b))
		if !IsCommitHash(commit) {
			return "", fmt.Errorf("%w %s: %s holds %q, not a commit hash", ErrNotCached, cacheDir, ref, commit)
		}
	}
	if st, err := os.Stat(filepath.Join(storage, "snapshots", commit)); err != nil || !st.IsDir() {
		return "", fmt.Errorf("%w %s: no snapshot %s", ErrNotCached, cacheDir, commit)
	}
	return commit, nil
}

// pickleOnly reports whether the snapshot dir has PyTorch pickle weights
// (pytorch_model.bin or its index) and no safetensors weights: what
// transformers downloads for a repository without safetensors. vit cannot
// read it, and pulling again does not help.
func pickleOnly(dir string) bool {
	has := func(name string) bool {
		st, err := os.Stat(filepath.Join(dir, name))
		return err == nil && st.Mode().IsRegular()
	}
	return (has(PickleFile) || has(PickleIndexFile)) && !has(WeightsFile) && !has(WeightsIndexFile)
}

// checkSnapshot returns "" when dir holds config.json and the safetensors
// weights, else a phrase naming what is missing.
func checkSnapshot(dir string) string {
	has := func(name string) bool {
		st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name)))
		return err == nil && st.Mode().IsRegular()
	}
	if !has(ConfigFile) {
		return "has no " + ConfigFile
	}
	if has(WeightsFile) {
		return ""
	}
	if has(WeightsIndexFile) {
		b, err := os.ReadFile(filepath.Join(dir, WeightsIndexFile))
		if err != nil {
			return fmt.Sprintf("has an unreadable %s: %v", WeightsIndexFile, err)
		}
		shards, err := parseShardIndex(b)
		if err != nil {
			return fmt.Sprintf("has a bad %s: %v", WeightsIndexFile, err)
		}
		for _, s := range shards {
			if !has(s) {
				return "lacks shard " + s
			}
		}
		return ""
	}
	if pickleOnly(dir) {
		return "has " + PickleFile + " but no " + WeightsFile + " (vit reads safetensors only)"
	}
	return "has no " + WeightsFile
}

// parseShardIndex returns the sorted distinct shard file names of a
// model.safetensors.index.json ({"weight_map": {tensor: file}}).
func parseShardIndex(b []byte) ([]string, error) {
	var idx struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, err
	}
	if len(idx.WeightMap) == 0 {
		return nil, errors.New("empty weight_map")
	}
	seen := map[string]bool{}
	var shards []string
	for tensor, f := range idx.WeightMap {
		if !validRepoFile(f) {
			return nil, fmt.Errorf("tensor %s: bad shard name %q", tensor, f)
		}
		if strings.Contains(f, "/") {
			// The loader reads shards beside the index only.
			return nil, fmt.Errorf("tensor %s: shard %q is in a subdirectory; vit reads shards beside the index only", tensor, f)
		}
		if !seen[f] {
			seen[f] = true
			shards = append(shards, f)
		}
	}
	sort.Strings(shards)
	return shards, nil
}

// validRepoFile accepts a relative, slash-separated file path inside a
// repository.
func validRepoFile(f string) bool {
	if f == "" || strings.ContainsAny(f, "\\\x00") || path.IsAbs(f) || f != path.Clean(f) {
		return false
	}
	for _, seg := range strings.Split(f, "/") {
		if seg == ".." || seg == "." {
			return false
		}
	}
	return true
}

// Cached is one model repository found in the cache.
type Cached struct {
	ID        string     // "ORG/NAME"
	RepoDir   string     // <cache>/models--ORG--NAME
	Size      int64      // bytes on disk: complete blobs (plus plain files in snapshots/)
	Revisions []Revision // the snapshot refs/main names first, then newest first
}

// Revision is one snapshot of a cached repository.
type Revision struct {
	Commit     string    // 40-hex snapshot name
	Refs       []string  // branches and tags pointing to it, sorted ("main", "v1.0", "refs/pr/1")
	Dir        string    // <cache>/models--ORG--NAME/snapshots/<commit>
	Size       int64     // bytes of the files it holds, each blob counted once
	Modified   time.Time // modification time of the snapshot directory
	Complete   bool      // config.json and all safetensors weights present
	PickleOnly bool      // PyTorch pickle weights and no safetensors: vit cannot read it
}

// Default returns the revision that Resolve uses for the bare id (the one
// refs/main names); ok is false when there is none.
func (c Cached) Default() (rev Revision, ok bool) {
	for _, r := range c.Revisions {
		for _, ref := range r.Refs {
			if ref == DefaultRevision {
				return r, true
			}
		}
	}
	return Revision{}, false
}

// List returns the model repositories in the cache at cacheDir, sorted by
// id. A missing cache directory is an empty list; datasets and spaces are
// skipped; revisions include incomplete snapshots (Complete false).
func List(cacheDir string) ([]Cached, error) {
	entries, err := os.ReadDir(cacheDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list cache %s: %w", cacheDir, err)
	}
	var out []Cached
	for _, e := range entries {
		repo, ok := repoFromFolder(e.Name())
		if !ok || !e.IsDir() {
			continue
		}
		c, err := scanRepo(filepath.Join(cacheDir, e.Name()), repo)
		if err != nil {
			return nil, fmt.Errorf("list cache %s: %w", cacheDir, err)
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func scanRepo(storage, repo string) (Cached, error) {
	c := Cached{ID: repo, RepoDir: storage}

	// refs/ may nest (refs/refs/pr/1); map commit → ref names.
	refs := map[string][]string{}
	refsDir := filepath.Join(storage, "refs")
	err := filepath.WalkDir(refsDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil // a directory, or a temporary file of writeRef
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(refsDir, p)
		if err != nil {
			return err
		}
		commit := strings.TrimSpace(string(b))
		refs[commit] = append(refs[commit], filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return c, fmt.Errorf("%s: refs: %w", repo, err)
	}

	blobs, err := os.ReadDir(filepath.Join(storage, "blobs"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return c, fmt.Errorf("%s: blobs: %w", repo, err)
	}
	for _, b := range blobs {
		if strings.HasSuffix(b.Name(), ".incomplete") || !b.Type().IsRegular() {
			continue
		}
		if info, err := b.Info(); err == nil {
			c.Size += info.Size()
		}
	}

	snaps, err := os.ReadDir(filepath.Join(storage, "snapshots"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return c, fmt.Errorf("%s: snapshots: %w", repo, err)
	}
	for _, s := range snaps {
		if !s.IsDir() {
			continue
		}
		r := Revision{Commit: s.Name(), Dir: filepath.Join(storage, "snapshots", s.Name())}
		r.Refs = refs[r.Commit]
		sort.Strings(r.Refs)
		if info, err := s.Info(); err == nil {
			r.Modified = info.ModTime()
		}
		seen := map[string]bool{}
		err := filepath.WalkDir(r.Dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			st, err := os.Stat(p)
			if err != nil || !st.Mode().IsRegular() {
				return nil // dangling link: not counted
			}
			if d.Type().IsRegular() {
				c.Size += st.Size() // a plain copy, not a link into blobs/
			}
			real, err := filepath.EvalSymlinks(p)
			if err != nil {
				real = p
			}
			if !seen[real] {
				seen[real] = true
				r.Size += st.Size()
			}
			return nil
		})
		if err != nil {
			return c, fmt.Errorf("%s: snapshot %s: %w", repo, r.Commit, err)
		}
		r.Complete = checkSnapshot(r.Dir) == ""
		r.PickleOnly = pickleOnly(r.Dir)
		c.Revisions = append(c.Revisions, r)
	}
	sort.SliceStable(c.Revisions, func(i, j int) bool {
		a, b := c.Revisions[i], c.Revisions[j]
		am, bm := hasRef(a.Refs, DefaultRevision), hasRef(b.Refs, DefaultRevision)
		if am != bm {
			return am
		}
		if !a.Modified.Equal(b.Modified) {
			return a.Modified.After(b.Modified)
		}
		return a.Commit < b.Commit
	})
	return c, nil
}

func hasRef(refs []string, name string) bool {
	for _, r := range refs {
		if r == name {
			return true
		}
	}
	return false
}
