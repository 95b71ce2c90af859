package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vitgo/vit/internal/safetensors"
)

// TestEmbedArgs maps embed command lines to parsed options, or to usage
// errors; the run flags are classify's (TestClassifyArgs).
func TestEmbedArgs(t *testing.T) {
	def := func(edit func(o *embedOptions)) embedOptions {
		o := embedOptions{runOptions: runOptions{Format: "jsonl", BatchSize: 8, Threads: 2, Progress: "auto", MaxMemory: 256 << 20, Inputs: []string{"a.png"}}}
		if edit != nil {
			edit(&o)
		}
		return o
	}
	tests := []struct {
		args []string
		want embedOptions
		err  string
	}{
		{args: []string{"a.png"}, want: def(nil)},
		{args: []string{"--normalize", "-m", "dir/m", "-b", "4", "a.png"},
			want: def(func(o *embedOptions) { o.Normalize = true; o.Model = "dir/m"; o.BatchSize = 4 })},
		{args: []string{"-f", "npy", "-o", "out/emb.npy", "a.png"},
			want: def(func(o *embedOptions) { o.Format = "npy"; o.Output = "out/emb.npy"; o.Paths = "out/emb.paths.txt" })},
		{args: []string{"-f", "npy", "-o", "emb", "--paths", "p.txt", "a.png"},
			want: def(func(o *embedOptions) { o.Format = "npy"; o.Output = "emb"; o.Paths = "p.txt" })},

		{args: []string{"-f", "npy", "a.png"}, err: "-f npy needs -o FILE.npy"},
		{args: []string{"-f", "csv", "a.png"}, err: `--format "csv": want jsonl or npy`},
		{args: []string{"--paths", "p.txt", "a.png"}, err: "--paths is for -f npy"},
		{args: []string{"-f", "npy", "-o", "x", "--paths", "x", "a.png"}, err: "--paths x is -o"},
		{args: []string{"-k", "3", "a.png"}, err: "unknown shorthand flag: 'k'"},
		{args: []string{}, err: "no inputs"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ta := newTestApp("")
			var got *embedOptions
			ta.runEmbed = func(_ context.Context, o embedOptions) error { got = &o; return nil }
			code := ta.run(append([]string{"embed"}, tt.args...)...)
			if tt.err != "" {
				if code != exitUsage || !strings.Contains(ta.err.String(), tt.err) {
					t.Errorf("exit %d, stderr %q; want %d and %q", code, ta.err.String(), exitUsage, tt.err)
				}
				return
			}
			if code != exitOK || got == nil {
				t.Fatalf("exit %d, stderr %q", code, ta.err.String())
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("options\n got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

// TestEmbedGolden: jsonl records of the fake model's rows, in input order,
// with the broken input's error record and exit code 1, as classify.
func TestEmbedGolden(t *testing.T) {
	t.Chdir(t.TempDir())
	makeGoodDir(t)
	os.WriteFile("broken.png", []byte("\x89PNG\r\n\x1a\nbroken"), 0o644)
	writePNG(t, "first.png", 4, 4, 7)
	for _, tt := range []struct {
		golden string
		args   []string
	}{
		{"embed.jsonl.golden", nil},
		{"embed.normalize.jsonl.golden", []string{"--normalize"}},
	} {
		ta := newTestApp("")
		code := ta.run(append(append([]string{"embed"}, tt.args...), "first.png", "imgs", "broken.png")...)
		if code != exitFailure {
			t.Errorf("%s: exit %d, want %d (one input failed)", tt.golden, code, exitFailure)
		}
		if ta.err.Len() != 0 {
			t.Errorf("%s: stderr %q, want nothing (errors are records)", tt.golden, ta.err.String())
		}
		checkGolden(t, tt.golden, ta.out.Bytes())
		if !ta.fake.Closed() {
			t.Error("model not closed")
		}
	}
}

// readNPY reads a float32 matrix [N, D] written by -f npy.
func readNPY(t *testing.T, name string) (data []float32, n, d int) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 10 || string(b[:8]) != "\x93NUMPY\x01\x00" {
		t.Fatalf("%s: not a .npy v1.0 file", name)
	}
	hl := int(binary.LittleEndian.Uint16(b[8:10]))
	hdr := string(b[10 : 10+hl])
	if !strings.HasPrefix(hdr, "{'descr': '<f4', 'fortran_order': False, 'shape': (") || !strings.HasSuffix(hdr, "\n") || (10+hl)%64 != 0 {
		t.Fatalf("%s: header %q", name, hdr)
	}
	if _, err := fmt.Sscanf(hdr[strings.Index(hdr, "shape': (")+9:], "%d, %d)", &n, &d); err != nil {
		t.Fatalf("%s: shape in %q: %v", name, hdr, err)
	}
	raw := b[10+hl:]
	if len(raw) != 4*n*d {
		t.Fatalf("%s: %d data bytes for shape (%d, %d)", name, len(raw), n, d)
	}
	data = make([]float32, n*d)
	for i := range data {
		data[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return data, n, d
}

// TestEmbedNPY: -f npy writes the rows of the jsonl records that
// succeeded, in order, their paths in the paths file, and the failed
// input on stderr.
func TestEmbedNPY(t *testing.T) {
	t.Chdir(t.TempDir())
	makeGoodDir(t)
	os.WriteFile("broken.png", []byte("\x89PNG\r\n\x1a\nbroken"), 0o644)
	args := []string{"embed", "--normalize", "imgs", "broken.png"}

	ta := newTestApp("")
	ta.run(args...)
	recs := parseJSONL(t, ta.out.String())

	ta = newTestApp("")
	if code := ta.run(append(args, "-f", "npy", "-o", "emb.npy")...); code != exitFailure {
		t.Errorf("exit %d, want 1", code)
	}
	if ta.out.Len() != 0 {
		t.Errorf("stdout %q", ta.out.String())
	}
	if got := ta.err.String(); !strings.HasPrefix(got, "vit: broken.png: ") || strings.Count(got, "\n") != 1 {
		t.Errorf("stderr %q", got)
	}
	data, n, d := readNPY(t, "emb.npy")
	paths := strings.Split(strings.TrimSuffix(readFile(t, "emb.paths.txt"), "\n"), "\n")
	if n != 3 || d != 4 || len(paths) != n {
		t.Fatalf("shape (%d, %d) and %d paths, want (3, 4) and 3", n, d, len(paths))
	}
	for i, r := range recs[:n] {
		if paths[i] != r.Path {
			t.Errorf("row %d is %q, jsonl record %q", i, paths[i], r.Path)
		}
		for j, v := range r.Embedding {
			if data[i*d+j] != float32(v) {
				t.Errorf("row %d: %v, jsonl %v", i, data[i*d:i*d+d], r.Embedding)
				break
			}
		}
	}
	if recs[3].Path != "broken.png" || recs[3].Error == "" {
		t.Errorf("last jsonl record %+v, want broken.png's error", recs[3])
	}
}

// TestEmbedPyTorch: vit embed of a JPEG with the fixture models matches
// PyTorch's pooled representation of the same file preprocessed by
// PIL/torchvision (testdata/model/*/image.safetensors, written by
// scripts/make_model_fixtures.py), in jsonl and npy, raw and normalized.
func TestEmbedPyTorch(t *testing.T) {
	image, _ := filepath.Abs("../../testdata/preprocess/odd420_101x75.jpg")
	for _, dir := range []string{"hf-vit-tiny", "timm-vit-tiny-f16"} {
		t.Run(dir, func(t *testing.T) {
			mdir, _ := filepath.Abs(filepath.Join("../../testdata/model", dir))
			f, err := safetensors.Open(filepath.Join(mdir, "image.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			var want []float32
			for _, tn := range f.Tensors() {
				if tn.Name == "embedding" {
					want, err = tn.Float32s()
				}
			}
			if err != nil || len(want) != 64 {
				t.Fatalf("fixture embedding: %d values, %v", len(want), err)
			}
			var ss float64
			for _, v := range want {
				ss += float64(v) * float64(v)
			}
			unit := make([]float32, len(want))
			for i, v := range want {
				unit[i] = float32(float64(v) / math.Sqrt(ss))
			}

			t.Chdir(t.TempDir())
			ta := newRealApp("")
			ta.openEmbedder = openModelEmbedder
			if code := ta.run("embed", "-m", mdir, image); code != exitOK {
				t.Fatalf("exit %d: %s", code, ta.err.String())
			}
			recs := parseJSONL(t, ta.out.String())
			if len(recs) != 1 || recs[0].Path != image {
				t.Fatalf("records %+v", recs)
			}
			got := make([]float32, len(recs[0].Embedding))
			for i, v := range recs[0].Embedding {
				got[i] = float32(v)
			}
			checkVector(t, "jsonl", got, want)

			ta = newRealApp("")
			ta.openEmbedder = openModelEmbedder
			if code := ta.run("embed", "-m", mdir, "--normalize", "-f", "npy", "-o", "e.npy", image); code != exitOK {
				t.Fatalf("npy: exit %d: %s", code, ta.err.String())
			}
			data, n, d := readNPY(t, "e.npy")
			if n != 1 || d != 64 {
				t.Fatalf("npy shape (%d, %d)", n, d)
			}
			checkVector(t, "npy --normalize", data, unit)
			if p := readFile(t, "e.paths.txt"); p != image+"\n" {
				t.Errorf("paths file %q", p)
			}
		})
	}
}

// checkVector compares an embedding with PyTorch's: |got−want| ≤ atol +
// rtol·|want|, the float32 slack of two 2-block encoders (the model
// package's golden tests hold every block to the same).
func checkVector(t *testing.T, what string, got, want []float32) {
	t.Helper()
	const atol, rtol = 1e-4, 1e-4
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if d := math.Abs(float64(got[i] - want[i])); d > atol+rtol*math.Abs(float64(want[i])) {
			t.Errorf("%s[%d] = %g, PyTorch %g", what, i, got[i], want[i])
		}
	}
}
