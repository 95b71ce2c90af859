//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
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
