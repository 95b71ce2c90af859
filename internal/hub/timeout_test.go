package hub

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPullTimeouts: a hub that never sends a GET's headers, one that
// trickles a byte at a time, and one that never answers a HEAD each end
// the pull with ErrTimeout, a message saying which, and never ErrOffline.
func TestPullTimeouts(t *testing.T) {
	cases := []struct {
		name  string
		setup func(f *fakeHub)
		want  string
	}{
		{"silent GET", func(f *fakeHub) { f.blobDelay = 10 * time.Second }, "no response headers from"},
		{"trickle", func(f *fakeHub) { f.trickle = 20 * time.Millisecond }, "slower than 1000 bytes/s over 200ms"},
		{"silent HEAD", func(f *fakeHub) { f.headDelay = 10 * time.Second }, "no answer to HEAD"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeHub(t)
			f.repos["acme/tiny"] = tinyRepo(commitA)
			c.setup(f)
			cl := f.client(t.TempDir())
			cl.MetaTimeout, cl.HeaderTimeout = 200*time.Millisecond, 200*time.Millisecond
			cl.RateWindow, cl.MinRate = 200*time.Millisecond, 1000
			start := time.Now()
			_, err := cl.Pull(context.Background(), "acme/tiny")
			if !errors.Is(err, ErrTimeout) || errors.Is(err, ErrOffline) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v\nwant ErrTimeout, not ErrOffline, saying %q", err, c.want)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Fatalf("took %v", d)
			}
		})
	}
}

// TestPullIncompleteSymlink: a symlink planted as the partial download
// is replaced, never written through.
func TestPullIncompleteSymlink(t *testing.T) {
	f := newFakeHub(t)
	repo := tinyRepo(commitA)
	f.repos["acme/tiny"] = repo
	cache := t.TempDir()
	blobs := filepath.Join(cache, "models--acme--tiny", "blobs")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	inc := filepath.Join(blobs, etagOf(repo.files[WeightsFile])+".incomplete")
	if err := os.Symlink(victim, inc); err != nil {
		t.Skip(err)
	}
	if _, err := f.client(cache).Pull(context.Background(), "acme/tiny"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep me" {
		t.Fatalf("the symlink's target was written: %d bytes", len(b))
	}
}

// TestPullShardSubdir: an index naming a shard in a subdirectory is
// refused at pull, since the loader reads shards beside the index only.
func TestPullShardSubdir(t *testing.T) {
	f := newFakeHub(t)
	repo := tinyRepo(commitA)
	delete(repo.files, WeightsFile)
	repo.files[WeightsIndexFile] = fakeFile{data: []byte(`{"weight_map": {"a": "sub/x.safetensors"}}`)}
	repo.files["sub/x.safetensors"] = fakeFile{data: randomBytes(1000, 2), lfs: true}
	f.repos["acme/tiny"] = repo
	_, err := f.client(t.TempDir()).Pull(context.Background(), "acme/tiny")
	if err == nil || !strings.Contains(err.Error(), `shard "sub/x.safetensors" is in a subdirectory`) {
		t.Fatalf("err %v, want the subdirectory shard refused", err)
	}
}

// timeoutErr is a net.Error that timed out after connecting.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "read tcp 10.0.0.1:443: i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// TestNetErrorKinds: a read timeout is ErrTimeout, never "cannot be
// reached"; a failed dial or lookup is ErrOffline, and no message claims
// the network is unreachable unless the cause says so.
func TestNetErrorKinds(t *testing.T) {
	p := &puller{}
	ctx := context.Background()
	u := "https://huggingface.co/x/y/resolve/main/config.json"
	err := p.netError(ctx, "config.json", u, &url.Error{Op: "Get", URL: u, Err: timeoutErr{}})
	if !errors.Is(err, ErrTimeout) || errors.Is(err, ErrOffline) || strings.Contains(err.Error(), "unreachable") || strings.Contains(err.Error(), "cannot be reached") {
		t.Errorf("read timeout: %v; want ErrTimeout", err)
	}
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	err = p.netError(ctx, "config.json", u, &url.Error{Op: "Get", URL: u, Err: dial})
	if !errors.Is(err, ErrOffline) || strings.Contains(err.Error(), "unreachable") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("refused dial: %v; want ErrOffline with the cause", err)
	}
}
