package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vitgo/vit/internal/preprocess"
)

// syncBuffer is a bytes.Buffer safe for a writer and a polling reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls until cond holds or a few seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestClassifyStreams: with --files-from on a pipe, each record is written
// (jsonl) while the list is still open, so nothing waits for the whole input.
func TestClassifyStreams(t *testing.T) {
	t.Chdir(t.TempDir())
	for i := range 3 {
		writePNG(t, fmt.Sprintf("%d.png", i), 4, 4, i)
	}
	pr, pw := io.Pipe()
	ta := newTestApp("")
	ta.stdin = pr
	var out syncBuffer
	ta.stdout = &out
	done := make(chan int)
	go func() {
		done <- ta.main(context.Background(), []string{"classify", "-f", "jsonl", "--files-from", "-"})
	}()
	for i := range 3 {
		fmt.Fprintf(pw, "%d.png\n", i)
		waitFor(t, fmt.Sprintf("record %d", i), func() bool { return strings.Count(out.String(), "\n") == i+1 })
	}
	pw.Close()
	if code := <-done; code != exitOK {
		t.Errorf("exit %d: %s", code, ta.err.String())
	}
}

// slowClassifier delays preparing inputs whose name contains "slow", so
// later inputs finish first and the writer must hold them back.
type slowClassifier struct{ fakeClassifier }

func (s *slowClassifier) Prepare(name string, r io.Reader, lim preprocess.Limits, pix []float32) error {
	if strings.Contains(name, "slow") {
		time.Sleep(100 * time.Millisecond)
	}
	return s.fakeClassifier.Prepare(name, r, lim, pix)
}

func TestClassifyKeepsOrder(t *testing.T) {
	t.Chdir(t.TempDir())
	var paths []string
	for i := range 30 {
		name := fmt.Sprintf("img%02d.png", i)
		if i%10 == 0 {
			name = fmt.Sprintf("img%02d-slow.png", i)
		}
		writePNG(t, filepath.Join("d", name), 4, 4, i)
		paths = append(paths, filepath.Join("d", name))
	}
	ta := newTestApp("")
	ta.openClassifier = func(context.Context, *app, string, modelOptions) (classifier, error) { return &slowClassifier{}, nil }
	if code := ta.run("classify", "-f", "csv", "-k", "1", "-t", "4", "-b", "4", "d"); code != exitOK {
		t.Fatalf("exit %d: %s", code, ta.err.String())
	}
	if got := csvPaths(t, ta.out.String()); strings.Join(got, " ") != strings.Join(paths, " ") {
		t.Errorf("order\n got %q\nwant %q", got, paths)
	}
}
