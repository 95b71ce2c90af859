//go:build unix

package classify_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vitgo/vit/internal/classify"
)

// TestCountOnlyRegularList: Count reads a --files-from list a second time
// only when it is a regular file; a FIFO would lose entries to it.
func TestCountOnlyRegularList(t *testing.T) {
	d := t.TempDir()
	paths := writeImages(t, d, 3)
	list := filepath.Join(d, "list.txt")
	os.WriteFile(list, []byte(strings.Join(paths, "\n")+"\n"), 0o644)
	if n, err := classify.Count(classify.Inputs{FilesFrom: list}, func() bool { return true }); err != nil || n != 3 {
		t.Errorf("regular list: Count %d, %v; want 3", n, err)
	}
	fifo := filepath.Join(d, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	for _, ff := range []string{fifo, "-"} {
		in := classify.Inputs{FilesFrom: ff, Stdin: strings.NewReader(paths[0] + "\n")}
		if in.Recountable() {
			t.Errorf("%s: Recountable, want false", ff)
		}
		// On a FIFO with no writer an open would block: Count must not open it.
		done := make(chan error, 1)
		go func() { _, err := classify.Count(in, func() bool { return true }); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, classify.ErrNotRecountable) {
				t.Errorf("%s: Count error %v, want ErrNotRecountable", ff, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: Count opened the list", ff)
		}
	}
}
