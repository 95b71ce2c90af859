package main

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/classify/classifytest"
	"github.com/vitgo/vit/internal/safetensors"
)

// TestOutputGolden: tsv, --no-header, --min-score in every format, score
// functions and multi-label models, long and empty labels in text
// (testdata/cli/output.golden). Each case is the command line, its
// stdout, its stderr and its exit code.
func TestOutputGolden(t *testing.T) {
	t.Chdir(t.TempDir())
	makeGoodDir(t)
	os.WriteFile("broken.png", []byte("\x89PNG\r\n\x1a\nbroken"), 0o644)
	long := []string{
		"great white shark, white shark, man-eater, man-eating shark, Carcharodon carcharias",
		"", "tabby cat ", "a single label name that is longer than forty-eight characters",
	}
	var b strings.Builder
	for _, tt := range []struct {
		fake func(f *classifytest.Fake)
		note string
		args []string
	}{
		{nil, "", []string{"-f", "tsv", "-k", "1", "--no-header", "imgs", "broken.png"}},
		{nil, "", []string{"-f", "tsv", "-k", "2", "--min-score", "0.3", "imgs"}},
		{nil, "", []string{"-f", "csv", "--no-header", "-k", "1", "imgs/a.png"}},
		{nil, "", []string{"-f", "jsonl", "--min-score", "0.5", "imgs"}},
		{nil, "", []string{"-f", "csv", "--min-score", "0.5", "imgs"}},
		{nil, "", []string{"-f", "text", "--min-score", "0.5", "imgs"}},
		{nil, "", []string{"-f", "tsv", "--scores", "logit", "--min-score", "0", "imgs"}},
		{nil, "", []string{"-f", "tsv", "--scores", "sigmoid", "-k", "2", "imgs"}},
		{func(f *classifytest.Fake) { f.IsMultiLabel = true }, "a multi-label model", []string{"-f", "tsv", "-k", "0", "imgs/a.png"}},
		{func(f *classifytest.Fake) { f.IsMultiLabel = true }, "a multi-label model", []string{"-f", "tsv", "-k", "0", "--scores", "softmax", "imgs/a.png"}},
		{func(f *classifytest.Fake) { f.Names = long }, "long, empty and padded labels", []string{"-k", "0", "imgs/a.png"}},
		{func(f *classifytest.Fake) { f.Names = long }, "long, empty and padded labels", []string{"-k", "0", "--scores", "logit", "imgs/a.png"}},
		{func(f *classifytest.Fake) { f.Names = long }, "long, empty and padded labels", []string{"-f", "tsv", "-k", "2", "imgs/a.png"}},
	} {
		ta := newTestApp("")
		if tt.fake != nil {
			tt.fake(ta.fake)
		}
		code := ta.run(append([]string{"classify"}, tt.args...)...)
		if tt.note != "" {
			fmt.Fprintf(&b, "# %s\n", tt.note)
		}
		fmt.Fprintf(&b, "$ vit classify %s\n%s", strings.Join(tt.args, " "), ta.out.String())
		if ta.err.Len() > 0 {
			fmt.Fprintf(&b, "--- stderr\n%s", ta.err.String())
		}
		fmt.Fprintf(&b, "--- exit %d\n\n", code)
		for i, l := range strings.Split(ta.out.String(), "\n") {
			if strings.HasSuffix(l, " ") {
				t.Errorf("%s: line %d ends in a space: %q", strings.Join(tt.args, " "), i+1, l)
			}
		}
	}
	checkGolden(t, "output.golden", []byte(b.String()))
}

// TestTSVColumns: every tsv line has the header's number of fields, and
// the fields agree with csv's rows.
func TestTSVColumns(t *testing.T) {
	t.Chdir(t.TempDir())
	makeGoodDir(t)
	os.WriteFile("bad.jpg", nil, 0o644)
	for _, k := range []string{"1", "3", "0"} {
		ta := newTestApp("")
		ta.run("classify", "-f", "tsv", "-k", k, "--min-score", "0.2", "imgs", "bad.jpg")
		lines := strings.Split(strings.TrimSuffix(ta.out.String(), "\n"), "\n")
		n := len(strings.Split(lines[0], "\t"))
		kk, _ := strconv.Atoi(k)
		if kk == 0 {
			kk = len(classifytest.Labels)
		}
		if want := len(classify.TSVHeader(kk)); n != want {
			t.Errorf("-k %s: header of %d fields, want %d", k, n, want)
		}
		ta2 := newTestApp("")
		ta2.run("classify", "-f", "csv", "-k", k, "--min-score", "0.2", "imgs", "bad.jpg")
		rows, _ := csv.NewReader(strings.NewReader(ta2.out.String())).ReadAll()
		byPath := map[string][][]string{}
		for _, r := range rows[1:] {
			byPath[r[0]] = append(byPath[r[0]], r)
		}
		for _, l := range lines[1:] {
			f := strings.Split(l, "\t")
			if len(f) != n {
				t.Errorf("-k %s: %q has %d fields, want %d", k, l, len(f), n)
				continue
			}
			for i, r := range byPath[f[0]] {
				if r[5] != "" {
					if f[n-1] != r[5] {
						t.Errorf("%s: tsv error %q, csv %q", f[0], f[n-1], r[5])
					}
					continue
				}
				if r[1] == "" {
					continue // no prediction left
				}
				if f[1+2*i] != r[3] || f[2+2*i] != r[4] {
					t.Errorf("%s prediction %d: tsv %q %q, csv %q %q", f[0], i+1, f[1+2*i], f[2+2*i], r[3], r[4])
				}
			}
		}
	}
}

// TestMultiLabelPyTorch: a real model whose config.json says problem_type
// multi_label_classification scores each class by the sigmoid of
// PyTorch's logits for the same file; --scores softmax gives the softmax.
func TestMultiLabelPyTorch(t *testing.T) {
	image, _ := filepath.Abs("../../testdata/preprocess/odd420_101x75.jpg")
	src, _ := filepath.Abs("../../testdata/model/hf-vit-tiny")
	f, err := safetensors.Open(filepath.Join(src, "image.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	var logits []float32
	for _, tn := range f.Tensors() {
		if tn.Name == "logits" {
			logits, _ = tn.Float32s()
		}
	}
	t.Chdir(t.TempDir())
	os.Mkdir("m", 0o755)
	cfg := readFile(t, filepath.Join(src, "config.json"))
	cfg = strings.Replace(cfg, "{", `{"problem_type": "multi_label_classification",`, 1)
	os.WriteFile("m/config.json", []byte(cfg), 0o644)
	w, _ := os.ReadFile(filepath.Join(src, "model.safetensors"))
	os.WriteFile("m/model.safetensors", w, 0o644)

	var sum float64
	for _, v := range logits {
		sum += math.Exp(float64(v))
	}
	for _, tt := range []struct {
		scores string
		want   func(v float64) float64
	}{
		{"prob", func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }},
		{"softmax", func(v float64) float64 { return math.Exp(v) / sum }},
	} {
		ta := newRealApp("")
		if code := ta.run("classify", "-m", "m", "-f", "jsonl", "-k", "0", "--scores", tt.scores, image); code != exitOK {
			t.Fatalf("exit %d: %s", code, ta.err.String())
		}
		recs := parseJSONL(t, ta.out.String())
		if len(recs) != 1 || len(recs[0].Predictions) != len(logits) {
			t.Fatalf("records %+v", recs)
		}
		for _, p := range recs[0].Predictions {
			want := tt.want(float64(logits[p.Index]))
			if d := math.Abs(float64(p.Score) - want); d > 1e-4 {
				t.Errorf("--scores %s: class %d scores %g, want %g from PyTorch's logit %g", tt.scores, p.Index, p.Score, want, logits[p.Index])
			}
		}
	}
}
