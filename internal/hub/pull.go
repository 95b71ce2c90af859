package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

const (
	// metaTimeout bounds each metadata (HEAD) request, like
	// huggingface_hub's HF_HUB_ETAG_TIMEOUT.
	metaTimeout = 10 * time.Second
	// headerTimeout bounds the wait for a GET's response headers.
	headerTimeout = 30 * time.Second
	// rateWindow and minRate: a download must receive minRate bytes a
	// second on average over every rateWindow, or it is stopped.
	rateWindow = 30 * time.Second
	minRate    = 1 << 10
	// maxRedirects bounds the relative redirects a HEAD follows.
	maxRedirects = 10
	userAgent    = "vit"
)

// etagName is a blob name that is safe as a single path element.
var etagName = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$`)

// Client downloads models from a Hugging Face hub into the cache. The zero
// value needs only CacheDir; ClientFromEnv fills every field from the
// environment. A Client is safe for concurrent use, and concurrent pulls of
// one model (from goroutines or processes, vit or huggingface_hub) exclude
// each other per blob with a file lock under <cache>/.locks/.
type Client struct {
	Endpoint string       // hub URL; "" means DefaultEndpoint
	Token    string       // access token sent as "Authorization: Bearer"; "" sends none
	CacheDir string       // hub cache directory (CacheDirFromEnv); required
	HTTP     *http.Client // nil means http.DefaultClient
	// Progress, when not nil, is called as each file downloads with the
	// bytes present so far and the file size, and once with done == total
	// for files already in the cache. It runs on the goroutine that called
	// Pull and must be quick.
	Progress func(file string, done, total int64)
	// Timeouts; zero means the default. MetaTimeout bounds each HEAD
	// (10 s), HeaderTimeout the wait for a GET's response headers (30 s);
	// a download that averages less than MinRate bytes a second over any
	// RateWindow (1 KiB/s over 30 s) is stopped. Each ends the pull with
	// an error matching ErrTimeout; a partial download is kept to resume.
	MetaTimeout, HeaderTimeout, RateWindow time.Duration
	MinRate                                int64
	// Offline makes Pull answer from the cache only (HF_HUB_OFFLINE=1):
	// the snapshot directory if the model is cached, else an error that
	// wraps both ErrNotCached and ErrOfflineMode.
	Offline bool
}

// Pull makes sure the model id ("ORG/NAME[@REVISION]") is in the cache and
// returns its snapshot directory. It fetches config.json,
// preprocessor_config.json when the repository has one, and the safetensors
// weights (model.safetensors, or model.safetensors.index.json and its
// shards), skipping blobs already present and resuming partial ones. Files
// are pinned to the commit that config.json resolved to, so a branch that
// moves during the pull cannot mix two commits; refs/<REVISION> is written
// last. A revision that is a cached commit hash returns without any request.
//
// Errors match ErrBadID, ErrOfflineMode, ErrUnauthorized, ErrNotFound,
// ErrOffline, ErrTimeout, ErrNoSafetensors, ErrSizeMismatch, ErrChecksum or ctx.Err()
// with errors.Is.
func (c *Client) Pull(ctx context.Context, id string) (dir string, err error) {
	repo, rev, err := ParseID(id)
	if err != nil {
		return "", err
	}
	if c.CacheDir == "" {
		return "", fmt.Errorf("pull %s: no cache directory", id)
	}
	if c.Offline {
		dir, err := Resolve(c.CacheDir, id)
		if err != nil {
			return "", fmt.Errorf("%w; cannot download: %w", err, ErrOfflineMode)
		}
		return dir, nil
	}
	if IsCommitHash(rev) {
		if dir, err := Resolve(c.CacheDir, id); err == nil {
			return dir, nil
		}
	}
	endpoint := strings.TrimRight(c.Endpoint, "/")
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	eu, err := url.Parse(endpoint)
	if err != nil || eu.Host == "" {
		return "", fmt.Errorf("pull %s: bad hub endpoint %q", id, c.Endpoint)
	}
	p := &puller{
		c:        c,
		id:       id,
		repo:     repo,
		rev:      rev,
		endpoint: endpoint,
		host:     eu.Host,
		storage:  filepath.Join(c.CacheDir, RepoFolderName(repo)),
		fetched:  map[string]bool{},
	}
	dir, err = p.run(ctx)
	if err != nil {
		return "", fmt.Errorf("pull %s: %w", id, err)
	}
	return dir, nil
}

// puller is the state of one Pull.
type puller struct {
	c              *Client
	id, repo, rev  string
	endpoint, host string
	storage        string          // <cache>/models--ORG--NAME
	fetched        map[string]bool // repo files already linked
	commit         string          // pinned by the first HEAD
	hc, headClient *http.Client
	noExist        []string // files the hub answered 404 for
}

// fileMeta is what a HEAD on resolve/{rev}/{file} tells.
type fileMeta struct {
	file     string // path in the repository, slash-separated
	commit   string // X-Repo-Commit
	etag     string // X-Linked-Etag, else ETag, unquoted: blob name
	size     int64  // X-Linked-Size, else Content-Length
	location string // URL to GET: the CDN target of a redirect, else the resolve URL
}

func (p *puller) run(ctx context.Context) (string, error) {
	p.hc = p.c.HTTP
	if p.hc == nil {
		p.hc = http.DefaultClient
	}
	hc := *p.hc
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	p.headClient = &hc

	cfg, err := p.head(ctx, p.rev, ConfigFile)
	if err != nil {
		return "", err
	}
	p.commit = cfg.commit
	files := []fileMeta{cfg}

	pre, err := p.head(ctx, p.commit, PreprocessorFile)
	switch {
	case err == nil:
		files = append(files, pre)
	case errors.Is(err, ErrNotFound):
		p.noExist = append(p.noExist, PreprocessorFile)
	default:
		return "", err
	}

	weights, err := p.weights(ctx)
	if err != nil {
		return "", err
	}
	files = append(files, weights...)

	for _, m := range files {
		if err := p.fetch(ctx, m); err != nil {
			return "", err
		}
	}
	for _, f := range p.noExist {
		// huggingface_hub's marker for "absent at this commit"; best effort.
		marker := filepath.Join(p.storage, ".no_exist", p.commit, filepath.FromSlash(f))
		if os.MkdirAll(filepath.Dir(marker), 0o755) == nil {
			if mf, err := os.OpenFile(marker, os.O_WRONLY|os.O_CREATE, 0o644); err == nil {
				mf.Close()
			}
		}
	}
	if p.rev != p.commit {
		if err := writeRef(p.storage, p.rev, p.commit); err != nil {
			return "", err
		}
	}
	dir := filepath.Join(p.storage, "snapshots", p.commit)
	if missing := checkSnapshot(dir); missing != "" {
		return "", fmt.Errorf("snapshot %s %s after download", dir, missing)
	}
	return dir, nil
}

// weights finds the safetensors files: model.safetensors, else the sharded
// index (downloaded here to read its shard list) and its shards.
func (p *puller) weights(ctx context.Context) ([]fileMeta, error) {
	single, err := p.head(ctx, p.commit, WeightsFile)
	if err == nil {
		return []fileMeta{single}, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	p.noExist = append(p.noExist, WeightsFile)

	index, err := p.head(ctx, p.commit, WeightsIndexFile)
	if errors.Is(err, ErrNotFound) {
		p.noExist = append(p.noExist, WeightsIndexFile)
		for _, f := range []string{PickleFile, PickleIndexFile} {
			_, perr := p.head(ctx, p.commit, f)
			if perr == nil {
				return nil, &kindError{kind: ErrNoSafetensors, msg: fmt.Sprintf(
					"%s@%s has only %s (a PyTorch pickle) and no %s; vit reads safetensors only: "+
						"convert the checkpoint, or look for a refs/pr/N revision with %s (the hub's conversion bot opens one)",
					p.repo, p.rev, f, WeightsFile, WeightsFile)}
			}
			if !errors.Is(perr, ErrNotFound) {
				return nil, perr
			}
		}
		return nil, &kindError{kind: ErrNotFound, msg: fmt.Sprintf("no %s or %s in %s@%s", WeightsFile, WeightsIndexFile, p.repo, p.rev)}
	}
	if err != nil {
		return nil, err
	}
	if err := p.fetch(ctx, index); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(p.storage, "snapshots", p.commit, WeightsIndexFile))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", WeightsIndexFile, err)
	}
	shards, err := parseShardIndex(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", WeightsIndexFile, err)
	}
	var out []fileMeta
	for _, s := range shards {
		m, err := p.head(ctx, p.commit, s)
		if err != nil {
			return nil, fmt.Errorf("%s lists %s: %w", WeightsIndexFile, s, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// fileURL is {endpoint}/{repo}/resolve/{rev}/{file}, with rev escaped as
// one path element ("refs/pr/1" → "refs%2Fpr%2F1") as huggingface_hub does.
func (p *puller) fileURL(rev, file string) string {
	return p.endpoint + "/" + escapeSegments(p.repo) + "/resolve/" + url.PathEscape(rev) + "/" + escapeSegments(file)
}

func escapeSegments(s string) string {
	parts := strings.Split(s, "/")
	for i, part := range parts {
		parts[i] = url.PathEscape(part)
	}
	return strings.Join(parts, "/")
}

func (p *puller) setHeaders(req *http.Request, auth bool) {
	req.Header.Set("User-Agent", userAgent)
	// The real size is wanted, and a transparently gunzipped body would
	// not match X-Linked-Size or Content-Length.
	req.Header.Set("Accept-Encoding", "identity")
	if auth && p.c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+p.c.Token)
	}
}

// head reads the metadata of one file without following redirects to other
// hosts (relative ones are followed, as for a renamed repository).
func (p *puller) head(ctx context.Context, rev, file string) (fileMeta, error) {
	m := fileMeta{file: file}
	timeout := orDefault(p.c.MetaTimeout, metaTimeout)
	hctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u := p.fileURL(rev, file)
	var linkedEtag, linkedSize string
	var resp *http.Response
	for hop := 0; ; hop++ {
		if hop > maxRedirects {
			return m, fmt.Errorf("%s: more than %d redirects from %s", file, maxRedirects, p.fileURL(rev, file))
		}
		req, err := http.NewRequestWithContext(hctx, http.MethodHead, u, nil)
		if err != nil {
			return m, fmt.Errorf("%s: %w", file, err)
		}
		p.setHeaders(req, true)
		resp, err = p.headClient.Do(req)
		if err != nil {
			if ctx.Err() == nil && hctx.Err() != nil {
				return m, fmt.Errorf("%s: %w: no answer to HEAD %s within %v", file, ErrTimeout, u, timeout)
			}
			return m, p.netError(ctx, file, u, err)
		}
		resp.Body.Close()
		h := resp.Header
		if v := h.Get("X-Repo-Commit"); v != "" {
			m.commit = v
		}
		if v := h.Get("X-Linked-Etag"); v != "" {
			linkedEtag = v
		}
		if v := h.Get("X-Linked-Size"); v != "" {
			linkedSize = v
		}
		if resp.StatusCode < 300 || resp.StatusCode > 399 {
			m.location = u
			break
		}
		loc := h.Get("Location")
		target, err := url.Parse(loc)
		if loc == "" || err != nil {
			return m, fmt.Errorf("%s: HTTP %d with bad Location %q", file, resp.StatusCode, loc)
		}
		next := req.URL.ResolveReference(target).String()
		if target.Host == "" {
			u = next
			continue
		}
		m.location = next // large file on a CDN: GET it there
		break
	}
	if resp.StatusCode/100 != 2 && resp.StatusCode/100 != 3 {
		return m, p.statusError(resp, file)
	}

	m.etag = normalizeEtag(linkedEtag)
	if m.etag == "" {
		m.etag = normalizeEtag(resp.Header.Get("ETag"))
	}
	size := linkedSize
	if size == "" && resp.StatusCode/100 == 2 {
		size = resp.Header.Get("Content-Length")
		if size == "" && resp.ContentLength >= 0 {
			size = strconv.FormatInt(resp.ContentLength, 10)
		}
	}
	switch {
	case !IsCommitHash(m.commit):
		return m, fmt.Errorf("%s: answer from %s has no valid X-Repo-Commit (%q): is HF_ENDPOINT a Hugging Face hub?", file, p.host, m.commit)
	case p.commit != "" && m.commit != p.commit:
		return m, fmt.Errorf("%s: commit %s, want %s", file, m.commit, p.commit)
	case !etagName.MatchString(m.etag):
		return m, fmt.Errorf("%s: no usable ETag (%q) from %s", file, m.etag, p.host)
	}
	n, err := strconv.ParseInt(size, 10, 64)
	if err != nil || n < 0 {
		return m, fmt.Errorf("%s: no usable X-Linked-Size or Content-Length (%q) from %s", file, size, p.host)
	}
	m.size = n
	return m, nil
}

// normalizeEtag strips a weak-validator prefix and the quotes:
// W/"abc" → abc, "abc" → abc.
func normalizeEtag(v string) string {
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(v, "W/")
	return strings.Trim(v, `"`)
}

func (p *puller) statusError(resp *http.Response, file string) error {
	return &StatusError{
		Repo:     p.repo,
		Rev:      p.rev,
		File:     file,
		Status:   resp.StatusCode,
		Code:     resp.Header.Get("X-Error-Code"),
		Message:  resp.Header.Get("X-Error-Message"),
		Endpoint: p.endpoint,
		HasToken: p.c.Token != "",
	}
}

// netError classifies a failed request: the caller's cancellation stays
// ctx.Err(); an unreachable host wraps ErrOffline.
func (p *puller) netError(ctx context.Context, file, u string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", file, ctx.Err())
	}
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err
	}
	if isNetDown(err) {
		return fmt.Errorf("%s: %w", file, &offlineError{url: u, cause: cause})
	}
	if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() && !errors.Is(err, context.DeadlineExceeded) {
		// Connected, then no answer in time: slow, not unreachable.
		return fmt.Errorf("%s: %w: %s (%v)", file, ErrTimeout, hostOf(u), cause)
	}
	return fmt.Errorf("%s: %w", file, err)
}

// isNetDown reports a failure to connect at all: name resolution or the
// dial (refused, unreachable, no connection within the dial timeout). A
// timeout once connected is not one (netError: ErrTimeout).
func isNetDown(err error) bool {
	var dns *net.DNSError
	var op *net.OpError
	return errors.As(err, &dns) || errors.As(err, &op) && op.Op == "dial"
}

// orDefault is d, or def when d is not positive.
func orDefault[T time.Duration | int64](d, def T) T {
	if d <= 0 {
		return def
	}
	return d
}

func (p *puller) progress(file string, done, total int64) {
	if p.c.Progress != nil {
		p.c.Progress(file, done, total)
	}
}

// fetch puts one file in the cache: blobs/<etag> (downloaded unless
// present), then the snapshot link to it, both under the blob's lock.
func (p *puller) fetch(ctx context.Context, m fileMeta) error {
	if p.fetched[m.file] {
		return nil
	}
	blob := filepath.Join(p.storage, "blobs", m.etag)
	pointer := filepath.Join(p.storage, "snapshots", m.commit, filepath.FromSlash(m.file))
	if pointerOK(pointer, blob, m.size) {
		p.fetched[m.file] = true
		p.progress(m.file, m.size, m.size)
		return nil
	}
	lockDir := filepath.Join(p.c.CacheDir, ".locks", RepoFolderName(p.repo))
	for _, d := range []string{filepath.Dir(blob), filepath.Dir(pointer), lockDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("%s: %w", m.file, err)
		}
	}
	unlock, err := lockFile(ctx, filepath.Join(lockDir, m.etag+".lock"))
	if err != nil {
		return fmt.Errorf("%s: %w", m.file, err)
	}
	defer unlock()
	if st, err := os.Stat(blob); err == nil && st.Mode().IsRegular() && st.Size() == m.size {
		p.progress(m.file, m.size, m.size)
	} else if err := p.download(ctx, m, blob); err != nil {
		return err
	}
	if err := linkPointer(blob, pointer); err != nil {
		return fmt.Errorf("%s: %w", m.file, err)
	}
	p.fetched[m.file] = true
	return nil
}

// pointerOK reports whether pointer already resolves to blob (or, where
// symlinks are unavailable, is a copy) of the expected size.
func pointerOK(pointer, blob string, size int64) bool {
	lst, err := os.Lstat(pointer)
	if err != nil {
		return false
	}
	if lst.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(pointer)
		rel, rerr := filepath.Rel(filepath.Dir(pointer), blob)
		if err != nil || rerr != nil || target != rel {
			return false
		}
	}
	st, err := os.Stat(pointer)
	return err == nil && st.Mode().IsRegular() && st.Size() == size
}

// download writes blob via blob+".incomplete": it resumes a partial file with
// a Range request, checks the size and, when the etag is a SHA-256, the
// digest, then renames it into place. A partial file that may be resumed is
// kept; one that cannot be right is removed.
func (p *puller) download(ctx context.Context, m fileMeta, blob string) error {
	inc := blob + ".incomplete"
	// Only a regular file is resumed; anything else in its place (a
	// symlink planted to redirect the write) is removed, and the open
	// does not follow a link made in between.
	if st, err := os.Lstat(inc); err == nil && !st.Mode().IsRegular() {
		if err := os.Remove(inc); err != nil {
			return fmt.Errorf("%s: %s is not a regular file: %w", m.file, inc, err)
		}
	}
	f, err := os.OpenFile(inc, os.O_RDWR|os.O_CREATE|oNoFollow, 0o644)
	if err != nil {
		return fmt.Errorf("%s: %w", m.file, err)
	}
	defer f.Close()
	off, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("%s: %w", m.file, err)
	}
	var h hash.Hash // nil unless the etag is a SHA-256 (an LFS file)
	if sha256Hex.MatchString(m.etag) {
		h = sha256.New()
	}
	if off > m.size {
		off = 0
	}
	if off > 0 && h != nil {
		if _, err := io.Copy(h, io.NewSectionReader(f, 0, off)); err != nil {
			return fmt.Errorf("%s: read %s: %w", m.file, inc, err)
		}
	}
	if off < m.size || m.size == 0 {
		if off, err = p.get(ctx, m, f, off, h); err != nil {
			return err
		}
	}
	if off != m.size {
		// Only a short body gets here; a long one failed in get.
		return fmt.Errorf("%s: %w: got %d of %d bytes (truncated download; pull again to resume)", m.file, ErrSizeMismatch, off, m.size)
	}
	if err := f.Truncate(off); err != nil {
		return fmt.Errorf("%s: %w", m.file, err)
	}
	if h != nil {
		if got := hex.EncodeToString(h.Sum(nil)); got != m.etag {
			f.Close()
			os.Remove(inc)
			return fmt.Errorf("%s: %w: sha256 %s, want %s", m.file, ErrChecksum, got, m.etag)
		}
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("%s: %w", m.file, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: %w", m.file, err)
	}
	if err := os.Rename(inc, blob); err != nil {
		return fmt.Errorf("%s: %w", m.file, err)
	}
	return nil
}

var (
	errSlow      = errors.New("download too slow")
	errNoHeaders = errors.New("no response headers")
)

// hostOf is the host of u, or u.
func hostOf(u string) string {
	if pu, err := url.Parse(u); err == nil && pu.Host != "" {
		return pu.Host
	}
	return u
}

// get streams the body of m into f from offset off (asking for a Range when
// off > 0) and returns the new length of f.
func (p *puller) get(ctx context.Context, m fileMeta, f *os.File, off int64, h hash.Hash) (int64, error) {
	dctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(dctx, http.MethodGet, m.location, nil)
	if err != nil {
		return off, fmt.Errorf("%s: %w", m.file, err)
	}
	// A signed CDN URL must not receive the hub token.
	p.setHeaders(req, req.URL.Host == p.host)
	if off > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", off))
	}
	htimeout := orDefault(p.c.HeaderTimeout, headerTimeout)
	noHeaders := time.AfterFunc(htimeout, func() { cancel(errNoHeaders) })
	resp, err := p.hc.Do(req)
	noHeaders.Stop()
	if err != nil {
		if ctx.Err() == nil && errors.Is(context.Cause(dctx), errNoHeaders) {
			return off, fmt.Errorf("%s: %w: no response headers from %s within %v", m.file, ErrTimeout, hostOf(m.location), htimeout)
		}
		return off, p.netError(ctx, m.file, m.location, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent && off > 0:
		start, ok := contentRangeStart(resp.Header.Get("Content-Range"))
		if !ok || start != off {
			return off, fmt.Errorf("%s: resume at byte %d answered with Content-Range %q", m.file, off, resp.Header.Get("Content-Range"))
		}
	case resp.StatusCode == http.StatusOK:
		if off > 0 { // no Range support: start over
			off = 0
			if h != nil {
				h.Reset()
			}
		}
		if err := f.Truncate(0); err != nil {
			return off, fmt.Errorf("%s: %w", m.file, err)
		}
	default:
		return off, p.statusError(resp, m.file)
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return off, fmt.Errorf("%s: %w", m.file, err)
	}
	p.progress(m.file, off, m.size)

	// Every window, the bytes received in it must reach rate·window.
	window, rate := orDefault(p.c.RateWindow, rateWindow), orDefault(p.c.MinRate, minRate)
	want := max(int64(float64(rate)*window.Seconds()), 1)
	var got atomic.Int64 // bytes received in the current window
	slow := time.NewTicker(window)
	defer slow.Stop()
	go func() {
		for {
			select {
			case <-dctx.Done():
				return
			case <-slow.C:
				if got.Swap(0) < want {
					cancel(errSlow)
					return
				}
			}
		}
	}()
	buf := make([]byte, 256<<10) // [256 KiB] one read of the body
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			got.Add(int64(n))
			if off+int64(n) > m.size {
				f.Close()
				os.Remove(f.Name())
				return off, fmt.Errorf("%s: %w: more than the %d bytes announced", m.file, ErrSizeMismatch, m.size)
			}
			if _, err := f.Write(buf[:n]); err != nil {
				return off, fmt.Errorf("%s: write %s: %w", m.file, f.Name(), err)
			}
			if h != nil {
				h.Write(buf[:n])
			}
			off += int64(n)
			p.progress(m.file, off, m.size)
		}
		if rerr == io.EOF {
			return off, nil
		}
		if rerr != nil {
			switch {
			case ctx.Err() != nil:
				return off, fmt.Errorf("%s: %w", m.file, ctx.Err())
			case errors.Is(context.Cause(dctx), errSlow):
				return off, fmt.Errorf("%s: %w: download from %s slower than %d bytes/s over %v, after %d of %d bytes; pull again to resume",
					m.file, ErrTimeout, hostOf(m.location), rate, window, off, m.size)
			}
			return off, fmt.Errorf("%s: %w: got %d of %d bytes (%v); pull again to resume", m.file, ErrSizeMismatch, off, m.size, rerr)
		}
	}
}

// contentRangeStart parses the first byte of "bytes START-END/TOTAL".
func contentRangeStart(v string) (int64, bool) {
	rest, ok := strings.CutPrefix(v, "bytes ")
	if !ok {
		return 0, false
	}
	start, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(start, 10, 64)
	return n, err == nil
}

// linkPointer makes pointer a relative symlink to blob, as
// huggingface_hub's _create_symlink does (snapshots/<commit>/<file> →
// ../../blobs/<etag>). Where symlinks cannot be made, the blob is copied
// to a temporary file beside it and renamed to pointer, so pointer is never
// a partial file.
func linkPointer(blob, pointer string) error {
	rel, err := filepath.Rel(filepath.Dir(pointer), blob)
	if err != nil {
		return err
	}
	if target, err := os.Readlink(pointer); err == nil && target == rel {
		return nil
	}
	if err := os.Remove(pointer); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	err = os.Symlink(rel, pointer)
	if err == nil {
		return nil
	}
	if errors.Is(err, fs.ErrExist) {
		if target, rerr := os.Readlink(pointer); rerr == nil && target == rel {
			return nil // linked by a concurrent pull
		}
		return err
	}
	return copyInto(blob, pointer)
}

func copyInto(blob, pointer string) error {
	src, err := os.Open(blob)
	if err != nil {
		return err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(blob), filepath.Base(blob)+".copy-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, src); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), pointer)
}

// writeRef records that rev (a branch, tag or abbreviated commit) is at
// commit: refs/<rev> holds the 40 hex digits without a newline. The file is
// replaced atomically and left alone when already right.
func writeRef(storage, rev, commit string) error {
	ref := filepath.Join(storage, "refs", filepath.FromSlash(rev))
	if b, err := os.ReadFile(ref); err == nil && string(b) == commit {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(ref), 0o755); err != nil {
		return fmt.Errorf("refs/%s: %w", rev, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(ref), "."+filepath.Base(ref)+".tmp-*")
	if err != nil {
		return fmt.Errorf("refs/%s: %w", rev, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(commit); err != nil {
		tmp.Close()
		return fmt.Errorf("refs/%s: %w", rev, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("refs/%s: %w", rev, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("refs/%s: %w", rev, err)
	}
	if err := os.Rename(tmp.Name(), ref); err != nil {
		return fmt.Errorf("refs/%s: %w", rev, err)
	}
	return nil
}
