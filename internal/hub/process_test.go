package hub

import (
	"context"
	"os"
	"os/exec"
	"testing"
)

// TestPullProcesses runs two pulls of one model in two processes (this test
// binary re-executed) against one cache: the file lock, not memory, keeps
// each blob to one download.
func TestPullProcesses(t *testing.T) {
	if os.Getenv("HUB_TEST_CACHE") != "" {
		t.Skip("helper process")
	}
	f := newFakeHub(t)
	repo := shardedRepo()
	f.mu.Lock() // the handlers take f.mu before they read these (synced)
	f.repos["acme/big"] = repo
	f.blobDelay = 50e6 // 50 ms per blob request: the processes overlap
	f.mu.Unlock()
	cache := t.TempDir()
	var cmds []*exec.Cmd
	for range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPullHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), "HUB_TEST_CACHE="+cache, "HUB_TEST_ENDPOINT="+f.hub.URL)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("process %d: %v", i, err)
		}
	}
	for etag, k := range getCounts(f) {
		if k != 1 {
			t.Errorf("blob %s downloaded %d times", etag, k)
		}
	}
	checkShardedCache(t, cache, repo)
}

// TestPullHelperProcess is the child of TestPullProcesses.
func TestPullHelperProcess(t *testing.T) {
	cache := os.Getenv("HUB_TEST_CACHE")
	if cache == "" {
		t.Skip("run by TestPullProcesses")
	}
	c := &Client{Endpoint: os.Getenv("HUB_TEST_ENDPOINT"), CacheDir: cache}
	if _, err := c.Pull(context.Background(), "acme/big"); err != nil {
		t.Fatal(err)
	}
}
