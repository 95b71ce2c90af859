package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vitgo/vit/internal/classify"
)

// TestClassifyInterrupt: on interrupt the finished results are printed in
// order (an unbroken prefix of the input), the JSON array is closed, and
// the exit code is 130.
func TestClassifyInterrupt(t *testing.T) {
	t.Chdir(t.TempDir())
	for i := range 200 {
		writePNG(t, filepath.Join("many", fmt.Sprintf("img%03d.png", i)), 4, 4, i)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ta := newTestApp("")
	// The run is canceled (as SIGINT does) during the third forward pass.
	clf := ta.fake
	clf.BeforeForward = func(call, _ int) {
		if call == 2 {
			cancel()
		}
	}
	code := ta.main(ctx, []string{"classify", "-f", "json", "-b", "2", "-t", "1", "many"})
	if code != exitInterrupt {
		t.Errorf("exit %d, want %d", code, exitInterrupt)
	}
	if ta.err.String() != "vit: interrupted\n" {
		t.Errorf("stderr %q", ta.err.String())
	}
	var recs []classify.JSONRecord
	if err := json.Unmarshal(ta.out.Bytes(), &recs); err != nil {
		t.Fatalf("output is not a closed JSON array: %v\n%s", err, ta.out.String())
	}
	// At most the three batches of 2 that reached Forward are printed.
	if len(recs) == 0 || len(recs) > 6 {
		t.Errorf("%d records after an interrupt during the third batch of 2, want 1 to 6", len(recs))
	}
	for i, r := range recs {
		if want := fmt.Sprintf("many/img%03d.png", i); r.Path != want || r.Error != "" {
			t.Errorf("record %d: %+v, want %s", i, r, want)
		}
	}
	if n := len(clf.Batches()); n != 3 {
		t.Errorf("%d forward passes, want 3: none after the interrupt in the third", n)
	}
}

// TestProgressBar: --progress always reports on stderr, never on stdout;
// into a file (no terminal) as plain lines, at the first record and the
// last.
func TestProgressBar(t *testing.T) {
	t.Chdir(t.TempDir())
	for i := range 5 {
		writePNG(t, filepath.Join("imgs", fmt.Sprintf("%d.png", i)), 4, 4, i)
	}
	ta := newTestApp("")
	if code := ta.run("classify", "--progress", "always", "-f", "csv", "imgs"); code != exitOK {
		t.Fatalf("exit %d: %s", code, ta.err.String())
	}
	if got := ta.err.String(); !strings.HasPrefix(got, "classify: 1/5 images\n") && !strings.HasPrefix(got, "classify: 1 images\n") ||
		!strings.HasSuffix(got, "classify: 5/5 images\n") || strings.Contains(got, "\r") {
		t.Errorf("stderr %q: want plain progress lines", got)
	}
	if strings.Contains(ta.out.String(), "classify") {
		t.Errorf("progress on stdout: %q", ta.out.String())
	}
	// auto: stderr here is no terminal, so nothing.
	ta = newTestApp("")
	ta.run("classify", "-f", "csv", "imgs")
	if ta.err.Len() != 0 {
		t.Errorf("auto progress without a terminal: stderr %q", ta.err.String())
	}
	ta = newTestApp("")
	ta.stderrTTY = true
	ta.run("classify", "-f", "csv", "--progress", "never", "imgs")
	if got := ta.err.String(); !regexp.MustCompile(`^vit: 5 classified, 0 failed, [0-9.]+ s, [0-9.]+ img/s\n$`).MatchString(got) {
		t.Errorf("--progress never on a terminal: stderr %q, want the summary alone", got)
	}
}

func TestOutputFile(t *testing.T) {
	t.Chdir(t.TempDir())
	writePNG(t, "a.png", 4, 4, 1)
	ta := newTestApp("")
	if code := ta.run("classify", "-f", "csv", "-o", "out.csv", "a.png"); code != exitOK {
		t.Fatalf("exit %d: %s", code, ta.err.String())
	}
	if ta.out.Len() != 0 {
		t.Errorf("stdout %q", ta.out.String())
	}
	if got := csvPaths(t, readFile(t, "out.csv")); len(got) != 4 || got[0] != "a.png" {
		t.Errorf("out.csv rows %q", got)
	}
}
