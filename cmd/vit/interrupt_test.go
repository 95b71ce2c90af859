package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// cancelingClassifier cancels the run (as SIGINT does) during its third
// forward pass.
type cancelingClassifier struct {
	fakeClassifier
	cancel context.CancelFunc
}

func (c *cancelingClassifier) Forward(pix []float32, b int, logits []float32) error {
	if c.forwards == 2 {
		c.cancel()
	}
	return c.fakeClassifier.Forward(pix, b, logits)
}

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
	clf := &cancelingClassifier{cancel: cancel}
	ta.openClassifier = func(context.Context, *app, string, modelOptions) (classifier, error) { return clf, nil }
	code := ta.main(ctx, []string{"classify", "-f", "json", "-b", "2", "-t", "1", "many"})
	if code != exitInterrupt {
		t.Errorf("exit %d, want %d", code, exitInterrupt)
	}
	if ta.err.String() != "vit: interrupted\n" {
		t.Errorf("stderr %q", ta.err.String())
	}
	var recs []jsonRecord
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
	if clf.forwards != 3 {
		t.Errorf("%d forward passes, want 3: none after the interrupt in the third", clf.forwards)
	}
}

// TestProgressBar: --progress always draws on stderr, never on stdout.
func TestProgressBar(t *testing.T) {
	t.Chdir(t.TempDir())
	for i := range 5 {
		writePNG(t, filepath.Join("imgs", fmt.Sprintf("%d.png", i)), 4, 4, i)
	}
	ta := newTestApp("")
	if code := ta.run("classify", "--progress", "always", "-f", "csv", "imgs"); code != exitOK {
		t.Fatalf("exit %d: %s", code, ta.err.String())
	}
	if !strings.Contains(ta.err.String(), "classify") || !strings.Contains(ta.err.String(), "/5,") {
		t.Errorf("stderr %q: want a progress bar", ta.err.String())
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
	if ta.err.Len() != 0 {
		t.Errorf("--progress never: stderr %q", ta.err.String())
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
