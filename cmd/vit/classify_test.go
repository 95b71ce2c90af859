package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/vitgo/vit/internal/classify"
	"time"
)

// makeGoodDir writes a small tree of images (and non-images) in the current
// directory:
//
//	imgs/a.png  imgs/B.PNG  imgs/notes.txt  imgs/sub/c.png  imgs/sub/d.gif.txt
func makeGoodDir(t *testing.T) {
	t.Helper()
	writePNG(t, "imgs/a.png", 8, 8, 1)
	writePNG(t, "imgs/B.PNG", 12, 6, 2)
	writePNG(t, "imgs/sub/c.png", 5, 9, 3)
	os.WriteFile("imgs/notes.txt", []byte("not an image\n"), 0o644)
	os.WriteFile("imgs/sub/d.gif.txt", []byte("not an image\n"), 0o644)
}

// TestClassifyGolden runs every format (and the logit scores) over the same
// inputs, one of them broken, and compares with testdata/cli/*.golden.
func TestClassifyGolden(t *testing.T) {
	t.Chdir(t.TempDir())
	makeGoodDir(t)
	os.WriteFile("broken.png", []byte("\x89PNG\r\n\x1a\nbroken"), 0o644)
	writePNG(t, "first.png", 4, 4, 7)
	for _, tt := range []struct{ name, golden string }{
		{"text", "classify.text.golden"},
		{"json", "classify.json.golden"},
		{"jsonl", "classify.jsonl.golden"},
		{"csv", "classify.csv.golden"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ta := newTestApp("")
			code := ta.run("classify", "-f", tt.name, "-k", "3", "first.png", "imgs", "broken.png")
			if code != exitFailure {
				t.Errorf("exit %d, want %d (one input failed)", code, exitFailure)
			}
			got := ta.out.String()
			if tt.name == "text" {
				got += "--- stderr\n" + ta.err.String()
			} else if ta.err.Len() != 0 {
				t.Errorf("stderr %q, want nothing (errors are records)", ta.err.String())
			}
			checkGolden(t, tt.golden, []byte(got))
			if !ta.fake.Closed() {
				t.Error("model not closed")
			}
		})
	}
	t.Run("logits", func(t *testing.T) {
		ta := newTestApp("")
		if code := ta.run("classify", "--scores", "logit", "-k", "0", "first.png"); code != exitOK {
			t.Fatalf("exit %d: %s", code, ta.err.String())
		}
		checkGolden(t, "classify.logits.golden", ta.out.Bytes())
	})
}

// TestClassifyFormatsAgree checks that json, jsonl and csv carry the same
// records.
func TestClassifyFormatsAgree(t *testing.T) {
	t.Chdir(t.TempDir())
	makeGoodDir(t)
	os.WriteFile("bad.jpg", nil, 0o644)
	args := []string{"classify", "-k", "2", "imgs", "bad.jpg"}

	ta := newTestApp("")
	ta.run(append(args, "-f", "json")...)
	var arr []classify.JSONRecord
	if err := json.Unmarshal(ta.out.Bytes(), &arr); err != nil {
		t.Fatalf("json: %v\n%s", err, ta.out.String())
	}

	ta = newTestApp("")
	ta.run(append(args, "-f", "jsonl")...)
	var lines []classify.JSONRecord
	for _, l := range strings.Split(strings.TrimSuffix(ta.out.String(), "\n"), "\n") {
		var r classify.JSONRecord
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("jsonl line %q: %v", l, err)
		}
		lines = append(lines, r)
	}

	ta = newTestApp("")
	ta.run(append(args, "-f", "csv")...)
	rows, err := csv.NewReader(strings.NewReader(ta.out.String())).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v", err)
	}
	if strings.Join(rows[0], ",") != "path,rank,index,label,score,error" {
		t.Errorf("csv header %q", rows[0])
	}
	var fromCSV []classify.JSONRecord
	for _, row := range rows[1:] {
		if len(fromCSV) == 0 || fromCSV[len(fromCSV)-1].Path != row[0] {
			fromCSV = append(fromCSV, classify.JSONRecord{Path: row[0], Error: row[5]})
		}
		if row[5] == "" {
			r := &fromCSV[len(fromCSV)-1]
			var p classify.JSONPrediction
			json.Unmarshal([]byte(`{"index":`+row[2]+`,"label":`+strconvQuote(row[3])+`,"score":`+row[4]+`}`), &p)
			r.Predictions = append(r.Predictions, p)
		}
	}
	want := []string{"imgs/B.PNG", "imgs/a.png", "imgs/sub/c.png", "bad.jpg"}
	for name, recs := range map[string][]classify.JSONRecord{"json": arr, "jsonl": lines, "csv": fromCSV} {
		if len(recs) != len(want) {
			t.Errorf("%s: %d records, want %d", name, len(recs), len(want))
			continue
		}
		for i, r := range recs {
			if r.Path != want[i] {
				t.Errorf("%s record %d: path %q, want %q", name, i, r.Path, want[i])
			}
			if (r.Error != "") != (r.Path == "bad.jpg") {
				t.Errorf("%s %s: error %q", name, r.Path, r.Error)
			}
			if r.Error == "" && len(r.Predictions) != 2 {
				t.Errorf("%s %s: %d predictions, want 2", name, r.Path, len(r.Predictions))
			}
			if r.Error == "" && !equalRecords(r, arr[i]) {
				t.Errorf("%s %s: %+v, json has %+v", name, r.Path, r, arr[i])
			}
		}
	}
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

func equalRecords(a, b classify.JSONRecord) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestClassifyBadInputs: every kind of broken input gives one record with
// the right error, the rest goes on, the exit code is 1, quickly and
// without large allocations.
func TestClassifyBadInputs(t *testing.T) {
	t.Chdir(t.TempDir())
	d := "bad"
	writePNG(t, d+"/good.png", 16, 16, 1)
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
	writePNG(t, d+"/dir.png/inner.png", 8, 8, 2)

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	ta := newTestApp("")
	code := ta.run("classify", "-f", "jsonl", "-k", "1", d)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)

	if code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	if elapsed > 5*time.Second {
		t.Errorf("took %v", elapsed)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("allocated %d MB", alloc>>20)
	}
	root := os.Geteuid() == 0
	want := map[string]string{ // path → error substring ("" = success)
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
	if root {
		want[d+"/locked.png"] = "" // root reads it anyway
	}
	var order []string
	for _, l := range strings.Split(strings.TrimSuffix(ta.out.String(), "\n"), "\n") {
		var r classify.JSONRecord
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		order = append(order, r.Path)
		w, ok := want[r.Path]
		switch {
		case !ok:
			t.Errorf("unexpected record %+v", r)
		case w == "" && r.Error != "":
			t.Errorf("%s: error %q, want success", r.Path, r.Error)
		case w != "" && !regexp.MustCompile(w).MatchString(r.Error):
			t.Errorf("%s: error %q, want it to contain %q", r.Path, r.Error, w)
		case w == "" && len(r.Predictions) != 1:
			t.Errorf("%s: %d predictions", r.Path, len(r.Predictions))
		}
	}
	if len(order) != len(want) {
		t.Errorf("%d records, want %d:\n%s", len(order), len(want), ta.out.String())
	}
	if !sortedStrings(order) {
		t.Errorf("records out of order: %q", order)
	}
	if !strings.Contains(ta.err.String(), "already visited") {
		t.Errorf("stderr %q: want a note on the skipped link cycle", ta.err.String())
	}
}

func sortedStrings(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] > s[i] {
			return false
		}
	}
	return true
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
	crc := crc32IEEE(chunk)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, 0, 0, 0, 13)
	out = append(out, chunk...)
	out = append(out, byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc))
	return out
}

// TestClassifyStdinAndFilesFrom reads an image from standard input, and
// paths from --files-from with both separators.
func TestClassifyStdinAndFilesFrom(t *testing.T) {
	t.Chdir(t.TempDir())
	makeGoodDir(t)
	img, _ := os.ReadFile("imgs/a.png")

	ta := newTestApp(string(img))
	if code := ta.run("classify", "-f", "jsonl", "-k", "1", "-"); code != exitOK {
		t.Fatalf("stdin: exit %d: %s", code, ta.err.String())
	}
	if !strings.HasPrefix(ta.out.String(), `{"path":"-","predictions":[`) {
		t.Errorf("stdin: %s", ta.out.String())
	}

	list := "imgs/sub/c.png\x00imgs/a.png\x00imgs\x00"
	ta = newTestApp(list)
	if code := ta.run("classify", "-f", "csv", "-k", "1", "--files-from", "-", "-0"); code != exitOK {
		t.Fatalf("files-from -0: exit %d: %s", code, ta.err.String())
	}
	if got := csvPaths(t, ta.out.String()); strings.Join(got, " ") != "imgs/sub/c.png imgs/a.png" {
		t.Errorf("files-from -0: paths %q", got)
	}
	if !strings.Contains(ta.err.String(), "imgs: is a directory, skipped") {
		t.Errorf("files-from: stderr %q", ta.err.String())
	}

	os.WriteFile("list.txt", []byte("imgs/a.png\r\n\nimgs/notes.txt\nimgs/B.PNG"), 0o644)
	ta = newTestApp("")
	code := ta.run("classify", "-f", "csv", "-k", "1", "--files-from", "list.txt")
	if code != exitFailure {
		t.Errorf("files-from list: exit %d, want 1 (notes.txt is no image)", code)
	}
	if got := csvPaths(t, ta.out.String()); strings.Join(got, " ") != "imgs/a.png imgs/notes.txt imgs/B.PNG" {
		t.Errorf("files-from list: paths %q", got)
	}

	ta = newTestApp("")
	if code := ta.run("classify", "--files-from", "missing.txt"); code != exitFailure {
		t.Errorf("missing list: exit %d, want 1", code)
	}
	if !strings.Contains(ta.err.String(), "vit: --files-from: open missing.txt: no such file") {
		t.Errorf("missing list: stderr %q", ta.err.String())
	}
}

func csvPaths(t *testing.T, s string) []string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, r := range rows[1:] {
		paths = append(paths, r[0])
	}
	return paths
}

// TestClassifyShards: the shards of one input list are disjoint and cover it.
func TestClassifyShards(t *testing.T) {
	t.Chdir(t.TempDir())
	for i := range 40 {
		writePNG(t, filepath.Join("many", "img"+itoa(i)+".png"), 4, 4, i)
	}
	seen := map[string]int{}
	for s := 1; s <= 3; s++ {
		ta := newTestApp("")
		if code := ta.run("classify", "-f", "csv", "-k", "1", "--shard", itoa(s)+"/3", "many"); code != exitOK {
			t.Fatalf("shard %d: exit %d: %s", s, code, ta.err.String())
		}
		paths := csvPaths(t, ta.out.String())
		if len(paths) == 0 || len(paths) == 40 {
			t.Errorf("shard %d/3 has %d of 40 inputs", s, len(paths))
		}
		for _, p := range paths {
			seen[p]++
		}
	}
	if len(seen) != 40 {
		t.Errorf("shards cover %d of 40 inputs", len(seen))
	}
	for p, n := range seen {
		if n != 1 {
			t.Errorf("%s in %d shards", p, n)
		}
	}
}

func TestClassifyNoImages(t *testing.T) {
	t.Chdir(t.TempDir())
	os.MkdirAll("empty", 0o755)
	ta := newTestApp("")
	if code := ta.run("classify", "-f", "json", "empty"); code != exitOK {
		t.Errorf("exit %d, want 0", code)
	}
	if ta.out.String() != "[]\n" {
		t.Errorf("stdout %q, want an empty array", ta.out.String())
	}
	if !strings.Contains(ta.err.String(), "vit: no images found") {
		t.Errorf("stderr %q", ta.err.String())
	}
}

func TestClassifyMissingFile(t *testing.T) {
	t.Chdir(t.TempDir())
	ta := newTestApp("")
	if code := ta.run("classify", "nope.jpg"); code != exitFailure {
		t.Errorf("exit %d, want 1", code)
	}
	if got := ta.err.String(); got != "vit: nope.jpg: open: no such file or directory\n" {
		t.Errorf("stderr %q", got)
	}
}

func TestClassifyUnknownModel(t *testing.T) {
	ta := newTestApp("")
	if code := ta.run("classify", "-m", "nope", "x.png"); code != exitFailure {
		t.Errorf("exit %d, want 1", code)
	}
	if got := ta.err.String(); got != "vit: no such model\n" {
		t.Errorf("stderr %q", got)
	}
}

// TestRunClassify calls the command's run function with options and
// buffers, without a command line: one record, and a failed input is
// errInputsFailed.
func TestRunClassify(t *testing.T) {
	t.Chdir(t.TempDir())
	writePNG(t, "a.png", 4, 4, 1)
	o := classifyOptions{TopK: 1, Format: "csv", BatchSize: 2, Threads: 1, Progress: "never", Inputs: []string{"a.png"}}
	ta := newTestApp("")
	if err := ta.classify(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if got := csvPaths(t, ta.out.String()); !slices.Equal(got, []string{"a.png"}) {
		t.Errorf("paths %q", got)
	}
	o.Inputs = append(o.Inputs, "missing.png")
	ta = newTestApp("")
	if err := ta.classify(context.Background(), o); !errors.Is(err, errInputsFailed) {
		t.Errorf("with a missing input: %v, want errInputsFailed", err)
	}
}
