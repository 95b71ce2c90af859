package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vitgo/vit/internal/classify"
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
		{"tsv", "classify.tsv.golden"},
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
	o := classifyOptions{TopK: 1, runOptions: runOptions{Format: "csv", BatchSize: 2, Threads: 1, Progress: "never", Inputs: []string{"a.png"}}}
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
