package classify_test

import (
	"context"
	"hash/crc32"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/classify/classifytest"
)

// TestClassifyBadInputs: every kind of broken input gives one record with
// the right error and the rest goes on, in walk order, quickly and without
// large allocations. Symbolic links are followed (Walk.Follow); without
// it they are skipped, broken or not.
func TestClassifyBadInputs(t *testing.T) {
	t.Chdir(t.TempDir())
	d := "bad"
	classifytest.WritePNG(t, d+"/good.png", 16, 16, 1)
	os.WriteFile(d+"/empty.jpg", nil, 0o644)
	full, _ := os.ReadFile(d + "/good.png")
	os.WriteFile(d+"/truncated.png", full[:len(full)/2], 0o644)
	os.WriteFile(d+"/text.png", []byte("this is not a PNG\n"), 0o644)
	os.WriteFile(d+"/huge.png", hugePNGHeader(100000, 100000), 0o644)
	os.Symlink("nowhere.png", d+"/dangling.png") // unreadable: the target is missing
	os.Symlink("self.png", d+"/self.png")        // a link to itself
	os.Symlink(".", d+"/loop")                   // a directory cycle
	os.Symlink("../"+d, d+"/sub-loop")           // a cycle through the parent
	os.WriteFile(d+"/locked.png", full, 0o000)   // unreadable unless root
	os.MkdirAll(d+"/dir.png", 0o755)             // a directory with an image name: walked
	classifytest.WritePNG(t, d+"/dir.png/inner.png", 8, 8, 2)

	var mu sync.Mutex
	var warns []string
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	var out collect
	sum, err := classify.Run(context.Background(), &classifytest.Fake{}, classify.Inputs{Paths: []string{d}, Walk: classify.Walk{Follow: true}},
		classify.Options{TopK: 1, Workers: 2, Warn: func(m string) { mu.Lock(); warns = append(warns, m); mu.Unlock() }}, &out)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)

	if err != nil {
		t.Errorf("Run: %v", err)
	}
	if elapsed > 5*time.Second {
		t.Errorf("took %v", elapsed)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("allocated %d MB", alloc>>20)
	}
	want := map[string]string{ // path → error pattern ("" = success)
		d + "/dangling.png":      "^open: no such file or directory$",
		d + "/dir.png/inner.png": "",
		d + "/empty.jpg":         "^empty file$",
		d + "/good.png":          "",
		d + "/huge.png":          "^png: image too large: 100000×100000 ",
		d + "/locked.png":        "^open: permission denied$",
		d + "/self.png":          "^open: too many levels of symbolic links$",
		d + "/text.png":          `^not an image \(unknown format\)$`,
		d + "/truncated.png":     "^png: (truncated image|corrupt image)",
	}
	if os.Geteuid() == 0 {
		want[d+"/locked.png"] = "" // root reads it anyway
	}
	var order []string
	failed := 0
	for _, r := range out.recs {
		order = append(order, r.Path)
		msg := ""
		if r.Err != nil {
			msg = classify.ErrorText(r.Path, r.Err)
			failed++
		}
		w, ok := want[r.Path]
		switch {
		case !ok:
			t.Errorf("unexpected record %s: %q", r.Path, msg)
		case w == "" && msg != "":
			t.Errorf("%s: error %q, want success", r.Path, msg)
		case w != "" && !regexp.MustCompile(w).MatchString(msg):
			t.Errorf("%s: error %q, want it to match %q", r.Path, msg, w)
		case w == "" && len(r.Predictions) != 1:
			t.Errorf("%s: %d predictions", r.Path, len(r.Predictions))
		}
	}
	if len(order) != len(want) || sum.Inputs != len(want) || sum.Failed != failed {
		t.Errorf("%d records (summary %+v, %d failed), want %d: %q", len(order), sum, failed, len(want), order)
	}
	if !slices.IsSorted(order) {
		t.Errorf("records out of order: %q", order)
	}
	if !slices.ContainsFunc(warns, func(m string) bool { return strings.Contains(m, "a symbolic link cycle") }) {
		t.Errorf("warnings %q: want a note on the skipped link cycle", warns)
	}

	// Without Follow the links are not records, and nothing is said.
	warns = nil
	out = collect{}
	if _, err := classify.Run(context.Background(), &classifytest.Fake{}, classify.Inputs{Paths: []string{d}},
		classify.Options{TopK: 1, Workers: 2, Warn: func(m string) { mu.Lock(); warns = append(warns, m); mu.Unlock() }}, &out); err != nil {
		t.Fatal(err)
	}
	for _, r := range out.recs {
		if p := r.Path; strings.Contains(p, "dangling") || strings.Contains(p, "self") || strings.Contains(p, "loop") {
			t.Errorf("record %s: a symbolic link followed without Follow", p)
		}
	}
	if len(out.recs) != len(want)-2 || len(warns) != 0 {
		t.Errorf("without Follow: %d records (want %d), warnings %q", len(out.recs), len(want)-2, warns)
	}
}

// hugePNGHeader is a valid PNG signature and IHDR claiming w×h RGBA pixels,
// followed by nothing: a decoder must refuse it from the header alone.
func hugePNGHeader(w, h uint32) []byte {
	ihdr := []byte{
		byte(w >> 24), byte(w >> 16), byte(w >> 8), byte(w),
		byte(h >> 24), byte(h >> 16), byte(h >> 8), byte(h),
		8, 6, 0, 0, 0, // 8-bit RGBA, deflate, no filter, no interlace
	}
	chunk := append([]byte("IHDR"), ihdr...)
	crc := crc32.ChecksumIEEE(chunk)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, 0, 0, 0, 13)
	out = append(out, chunk...)
	out = append(out, byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc))
	return out
}

// TestClassifyShards: the shards of one input list are disjoint and cover
// it, and Count agrees with Run.
func TestClassifyShards(t *testing.T) {
	d := t.TempDir()
	paths := writeImages(t, d, 40)
	seen := map[string]int{}
	for s := 1; s <= 3; s++ {
		in := classify.Inputs{Paths: []string{d}, Shard: classify.Shard{Index: s, Count: 3}}
		var out collect
		if _, err := classify.Run(context.Background(), &classifytest.Fake{}, in, classify.Options{TopK: 1}, &out); err != nil {
			t.Fatalf("shard %d: %v", s, err)
		}
		got := out.paths(t)
		if len(got) == 0 || len(got) == len(paths) {
			t.Errorf("shard %d/3 has %d of %d inputs", s, len(got), len(paths))
		}
		if n, err := classify.Count(in, func() bool { return true }); err != nil || n != int64(len(got)) {
			t.Errorf("shard %d/3: Count %d, %v; Run wrote %d", s, n, err, len(got))
		}
		for _, p := range got {
			seen[p]++
		}
	}
	for _, p := range paths {
		if seen[p] != 1 {
			t.Errorf("%s in %d shards", p, seen[p])
		}
	}
	if len(seen) != len(paths) {
		t.Errorf("shards cover %d inputs, want %d", len(seen), len(paths))
	}
}

// TestClassifyStdin reads one image from Stdin for "-".
func TestClassifyStdin(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.png")
	classifytest.WritePNG(t, p, 8, 8, 1)
	img, _ := os.ReadFile(p)
	var out collect
	_, err := classify.Run(context.Background(), &classifytest.Fake{},
		classify.Inputs{Paths: []string{"-"}, Stdin: strings.NewReader(string(img))}, classify.Options{}, &out)
	if err != nil || !slices.Equal(out.paths(t), []string{"-"}) || len(out.recs[0].Predictions) != len(classifytest.Labels) {
		t.Errorf("Run: %v, records %+v", err, out.recs)
	}
}
