//go:build unix

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFilesFromFIFOProgress: with the progress bar on, a --files-from FIFO
// is read once, by the run: every listed input gets its record.
func TestFilesFromFIFOProgress(t *testing.T) {
	t.Chdir(t.TempDir())
	var list strings.Builder
	for i := range 200 {
		p := filepath.Join("imgs", fmt.Sprintf("%03d.png", i))
		writePNG(t, p, 4, 4, i)
		list.WriteString(p + "\n")
	}
	if err := syscall.Mkfifo("list", 0o600); err != nil {
		t.Skip(err)
	}
	go func() {
		f, err := os.OpenFile("list", os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		// Small writes, as find does, so a second reader gets a chance.
		for _, line := range strings.SplitAfter(list.String(), "\n") {
			f.WriteString(line)
		}
	}()
	ta := newTestApp("")
	if code := ta.run("classify", "--progress", "always", "-f", "jsonl", "--files-from", "list"); code != exitOK {
		t.Fatalf("exit %d: %s", code, ta.err.String())
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(ta.out.String()), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil {
			n++
		}
	}
	if n != 200 {
		t.Errorf("%d records, want 200 (the progress count read the list too)", n)
	}
	if !strings.Contains(ta.err.String(), "classify") {
		t.Errorf("stderr %q: want a progress bar (a count without a total)", ta.err.String())
	}
}

// TestInterruptWhileBlocked: an interrupt ends the run within a second
// even when it waits on standard input or a FIFO nobody writes: the
// finished records are written, the JSON array closed, exit 130.
func TestInterruptWhileBlocked(t *testing.T) {
	t.Chdir(t.TempDir())
	writePNG(t, "a.png", 4, 4, 1)
	if err := syscall.Mkfifo("fifo", 0o600); err != nil {
		t.Skip(err)
	}
	for _, args := range [][]string{
		{"--files-from", "-"},       // a list on a silent standard input
		{"--files-from", "-", "-0"}, // the same, NUL-separated
		{"a.png", "-"},              // an image on a silent standard input
		{"--files-from", "fifo"},    // a FIFO with no writer: its open blocks
		{"a.png", "fifo"},           // an image that is such a FIFO
	} {
		pr, pw := io.Pipe() // never written: reads block
		ta := newTestApp("")
		ta.stdin = pr
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int, 1)
		go func() {
			done <- ta.main(ctx, append([]string{"classify", "-f", "json", "--progress", "always"}, args...))
		}()
		time.Sleep(200 * time.Millisecond)
		cancel()
		select {
		case code := <-done:
			if code != exitInterrupt {
				t.Errorf("%q: exit %d, want %d: %s", args, code, exitInterrupt, ta.err.String())
			}
			var recs []map[string]any
			if err := json.Unmarshal(ta.out.Bytes(), &recs); err != nil {
				t.Errorf("%q: output is not a closed JSON array: %v\n%s", args, err, ta.out.String())
			}
		case <-time.After(time.Second):
			t.Errorf("%q: still running 1 s after the interrupt", args)
		}
		pw.Close()
	}
}
