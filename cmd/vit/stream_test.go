package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
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
