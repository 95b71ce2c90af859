package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/disintegration/imaging"
	"github.com/vitgo/vit/models"
)

// TestExplainExamples is the acceptance run: vit explain over the built-in
// model's examples and a file that is not an image writes one picture and
// one record per image, an error record for the bad file, exit 1.
func TestExplainExamples(t *testing.T) {
	examples, _ := filepath.Abs(filepath.Join("..", "..", "models", models.Default, "examples"))
	ents, err := os.ReadDir(examples)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	if err := os.WriteFile("bad.png", []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	ta := newRealApp("")
	if code := ta.run("explain", "-f", "jsonl", "--size", "96", "--sheet", "sheet.png", examples, "bad.png"); code != exitFailure {
		t.Fatalf("exit %d, want %d: %s", code, exitFailure, ta.err.String())
	}
	lines := strings.Split(strings.TrimSpace(ta.out.String()), "\n")
	if len(lines) != len(ents)+1 {
		t.Fatalf("%d records, want %d:\n%s", len(lines), len(ents)+1, ta.out.String())
	}
	for _, line := range lines {
		var rec struct {
			Path, Output, Error string
			Grid                []int
			Relevance           []float64
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Path == "bad.png" {
			if rec.Error == "" {
				t.Errorf("bad input without an error: %s", line)
			}
			continue
		}
		base := strings.TrimSuffix(filepath.Base(rec.Path), filepath.Ext(rec.Path))
		if want := filepath.Join("explain", base+".png"); rec.Output != want {
			t.Errorf("%s: output %q, want %q", rec.Path, rec.Output, want)
		}
		if len(rec.Grid) != 2 || rec.Grid[0]*rec.Grid[1] != 49 || len(rec.Relevance) != 49 {
			t.Errorf("%s: grid %v with %d values, want 7×7", rec.Path, rec.Grid, len(rec.Relevance))
		}
		if _, err := imaging.Open(rec.Output); err != nil {
			t.Error(err)
		}
	}
	if _, err := imaging.Open("sheet.png"); err != nil {
		t.Error(err)
	}
	if ents, _ := os.ReadDir("explain"); len(ents) != len(lines)-1 {
		t.Errorf("%d files in explain/, want %d", len(ents), len(lines)-1)
	}
}

func TestExplainUsage(t *testing.T) {
	for _, args := range [][]string{
		{"explain", "--method", "gradcam", "x.png"},
		{"explain", "-f", "csv", "x.png"},
		{"explain", "--size", "8", "x.png"},
		{"explain", "--ext", "gif", "x.png"},
		{"explain", "--sheet", "sheet.gif", "x.png"},
		{"explain", "-k", "0", "x.png"},
		{"explain"},
	} {
		ta := newTestApp("")
		if code := ta.run(args...); code != exitUsage {
			t.Errorf("%q: exit %d, want %d: %s", args, code, exitUsage, ta.err.String())
		}
	}
}
