package classify_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/classify/classifytest"
	"github.com/vitgo/vit/internal/model"
	"github.com/vitgo/vit/internal/preprocess"
	"github.com/vitgo/vit/models"
)

// collect is a RecordWriter that keeps the records.
type collect struct {
	begun, ended bool
	recs         []classify.Result
}

func (c *collect) Begin() error { c.begun = true; return nil }
func (c *collect) End() error   { c.ended = true; return nil }
func (c *collect) Write(r *classify.Result) error {
	c.recs = append(c.recs, *r)
	return nil
}

// paths lists the records' paths; a record with an error fails t.
func (c *collect) paths(t *testing.T) []string {
	t.Helper()
	var p []string
	for _, r := range c.recs {
		if r.Err != nil {
			t.Errorf("%s: %v", r.Path, r.Err)
		}
		p = append(p, r.Path)
	}
	return p
}

// writeImages writes n small PNGs d/imgNNN.png and returns their paths in
// walk order.
func writeImages(t *testing.T, d string, n int) []string {
	var paths []string
	for i := range n {
		p := filepath.Join(d, fmt.Sprintf("img%03d.png", i))
		classifytest.WritePNG(t, p, 6, 6, i)
		paths = append(paths, p)
	}
	return paths
}

// TestClassifyBatching: when inputs are ready, inference takes up to
// BatchSize of them into one forward pass; results keep input order and
// the same values whatever the batch size and the number of workers.
func TestClassifyBatching(t *testing.T) {
	const n, b, workers = 50, 8, 2
	paths := writeImages(t, t.TempDir(), n)

	// The first forward pass, of k images, waits until k+b+workers images
	// are prepared: a worker holds at most one prepared image it has not
	// handed on, so at least b are then waiting, and the next pass must
	// take b of them.
	f := &classifytest.Fake{}
	f.BeforeForward = func(call, k int) {
		if call != 0 {
			return
		}
		deadline := time.Now().Add(10 * time.Second)
		for f.Prepared() < k+b+workers && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
	var out collect
	sum, err := classify.Run(context.Background(), f, classify.Inputs{Paths: paths},
		classify.Options{TopK: 2, BatchSize: b, Workers: workers}, &out)
	if err != nil || sum.Inputs != n || sum.Failed != 0 {
		t.Fatalf("Run: %+v, %v", sum, err)
	}
	batches := f.Batches()
	if len(batches) < 2 || batches[1] != b {
		t.Errorf("batches %v: want the second of %d, the images ready while the first ran", batches, b)
	}
	total := 0
	for _, s := range batches {
		total += s
		if s < 1 || s > b {
			t.Errorf("a batch of %d, want 1 to %d", s, b)
		}
	}
	if total != n {
		t.Errorf("batches %v add up to %d images, want %d", batches, total, n)
	}
	if got := out.paths(t); !slices.Equal(got, paths) {
		t.Errorf("order\n got %q\nwant %q", got, paths)
	}

	// Batch size and workers change neither the order nor the scores.
	for _, bs := range []int{1, 3, 64} {
		for _, w := range []int{1, 4} {
			f := &classifytest.Fake{}
			var o collect
			if _, err := classify.Run(context.Background(), f, classify.Inputs{Paths: paths},
				classify.Options{TopK: 2, BatchSize: bs, Workers: w}, &o); err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(o.recs, out.recs, func(a, b classify.Result) bool {
				return a.Path == b.Path && slices.Equal(a.Predictions, b.Predictions)
			}) {
				t.Errorf("-b %d, %d workers: records differ from -b %d", bs, w, b)
			}
			if m := slices.Max(f.Batches()); m > bs {
				t.Errorf("-b %d: a batch of %d", bs, m)
			}
		}
	}
}

// slowFake delays preparing inputs whose name contains "slow", so later
// inputs finish first and the writer must hold them back.
type slowFake struct{ *classifytest.Fake }

func (s slowFake) Prepare(name string, r io.Reader, lim preprocess.Limits, input []float32) error {
	if strings.Contains(name, "slow") {
		time.Sleep(100 * time.Millisecond)
	}
	return s.Fake.Prepare(name, r, lim, input)
}

func TestClassifyKeepsOrder(t *testing.T) {
	d := t.TempDir()
	var paths []string
	for i := range 30 {
		name := fmt.Sprintf("img%02d.png", i)
		if i%10 == 0 {
			name = fmt.Sprintf("img%02d-slow.png", i)
		}
		classifytest.WritePNG(t, filepath.Join(d, name), 4, 4, i)
		paths = append(paths, filepath.Join(d, name))
	}
	var out collect
	_, err := classify.Run(context.Background(), slowFake{&classifytest.Fake{}}, classify.Inputs{Paths: []string{d}},
		classify.Options{TopK: 1, BatchSize: 4, Workers: 4}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.paths(t); !slices.Equal(got, paths) {
		t.Errorf("order\n got %q\nwant %q", got, paths)
	}
	if !out.begun || !out.ended {
		t.Errorf("Begin %v, End %v: want both", out.begun, out.ended)
	}
}

// TestClassifyWarnings: the directories in a FilesFrom list are skipped
// with one warning per run and no record; no inputs at all is a warning
// too.
func TestClassifyWarnings(t *testing.T) {
	d := t.TempDir()
	paths := writeImages(t, d, 2)
	var mu sync.Mutex
	var warns []string
	warn := func(m string) { mu.Lock(); warns = append(warns, m); mu.Unlock() }
	list := strings.NewReader(paths[1] + "\n" + d + "\n" + d + "/\n" + filepath.Dir(d) + "\n")
	var out collect
	sum, err := classify.Run(context.Background(), &classifytest.Fake{},
		classify.Inputs{Paths: paths[:1], FilesFrom: "-", Stdin: list},
		classify.Options{Workers: 1, Warn: warn}, &out)
	if err != nil || sum.Inputs != 2 || !slices.Equal(out.paths(t), paths) {
		t.Errorf("Run: %+v, %v, paths %q", sum, err, out.paths(t))
	}
	if want := d + ": is a directory, skipped (--files-from lists files; further directories there are skipped silently)"; !slices.Equal(warns, []string{want}) {
		t.Errorf("warnings %q, want %q", warns, want)
	}

	warns = nil
	sum, err = classify.Run(context.Background(), &classifytest.Fake{}, classify.Inputs{Paths: []string{t.TempDir()}},
		classify.Options{Warn: warn}, &collect{})
	if err != nil || sum.Inputs != 0 || len(warns) != 1 || !strings.HasPrefix(warns[0], "no images found") {
		t.Errorf("empty directory: %+v, %v, warnings %q", sum, err, warns)
	}
}

// builtinModel opens the built-in default model, closed when tb ends.
func builtinModel(tb testing.TB) classify.Model {
	tb.Helper()
	m, _, err := classify.OpenModel(context.Background(), "", model.Options{Threads: 2}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Close() })
	clf, err := classify.NewModel(m)
	if err != nil {
		tb.Fatal(err)
	}
	return clf
}

// TestExamples classifies each models/<default>/examples file with the
// built-in model: its top-1 class is the one its name starts with
// ("ankle-boot-photo.jpg": Ankle boot).
func TestExamples(t *testing.T) {
	dir := filepath.Join("..", "..", "models", models.Default, "examples")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	clf := builtinModel(t)
	// The class a file name names: the longest label, lower-cased with
	// its other characters runs of "-", that the name's stem starts with.
	slug := regexp.MustCompile(`[^a-z0-9]+`)
	want := map[string]string{} // path → label
	var paths []string
	for _, e := range ents {
		if !classify.IsImageName(e.Name()) {
			continue
		}
		stem := strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))
		best := ""
		for _, l := range clf.Labels() {
			s := slug.ReplaceAllString(strings.ToLower(l), "-")
			if (stem == s || strings.HasPrefix(stem, s+"-")) && len(l) > len(best) {
				best = l
			}
		}
		if best == "" {
			t.Errorf("%s names none of the classes %q", e.Name(), clf.Labels())
			continue
		}
		p := filepath.Join(dir, e.Name())
		want[p] = best
		paths = append(paths, p)
	}
	if len(paths) < 5 {
		t.Fatalf("%d examples in %s, want at least 5", len(paths), dir)
	}
	var out collect
	if _, err := classify.Run(context.Background(), clf, classify.Inputs{Paths: paths},
		classify.Options{TopK: 1, BatchSize: 4, Workers: 2}, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.recs) != len(paths) {
		t.Fatalf("%d records for %d examples", len(out.recs), len(paths))
	}
	for _, r := range out.recs {
		if r.Err != nil {
			t.Errorf("%s: %v", r.Path, r.Err)
			continue
		}
		if got := r.Predictions[0]; got.Label != want[r.Path] {
			t.Errorf("%s: top-1 %q (%.3f), want %q", r.Path, got.Label, got.Score, want[r.Path])
		}
	}
}

// TestBench: warm-up and timed passes of the asked batch, the fastest no
// slower than the median, the median no slower than the total.
func TestBench(t *testing.T) {
	f := &classifytest.Fake{}
	r, err := classify.Bench(context.Background(), f, 3, 2, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Batches(); !slices.Equal(got, []int{3, 3, 3, 3, 3, 3, 3}) {
		t.Errorf("forward passes %v, want 2 warm-up and 5 timed of 3 images", got)
	}
	if !(0 < r.Best && r.Best <= r.Median && r.Median <= r.Total) {
		t.Errorf("best %v, median %v, total %v", r.Best, r.Median, r.Total)
	}
	if _, err := classify.Bench(context.Background(), f, 0, 0, 1, 1); err == nil {
		t.Error("batch 0: no error")
	}
}
