package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestClassifySameAnswer runs vit as a subprocess over the same images
// with -b 1, 3 and 8 and -t 1 and 2, printing every class's logit, and
// requires each image's record to be the same bytes in every run: logits
// are printed as the shortest decimal that reads back as the same float32,
// so equal bytes are equal bits. The built-in model's examples are copied
// twice (14 images of 50 tokens, PNG and JPEG), so -b 3 and -b 8 end in a
// partial batch and the images fall at different places in a batch from
// run to run. It does so in each --precision.
func TestClassifySameAnswer(t *testing.T) {
	for _, prec := range []string{"fp32", "bf16", "int8"} {
		t.Run(prec, func(t *testing.T) { sameAnswer(t, prec) })
	}
}

func sameAnswer(t *testing.T, prec string) {
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	src := filepath.Join("..", "..", "models", "fashion-vit", "examples")
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, copyName := range []string{"a-", "b-"} {
			if err := os.WriteFile(filepath.Join(dir, copyName+e.Name()), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var first map[string]string // path → the record's JSON
	var firstArgs string
	for _, args := range [][]string{{"-b", "1", "-t", "1"}, {"-b", "3"}, {"-b", "8"}, {"-t", "1"}, {"-t", "2"}, {"-b", "5", "-t", "2"}} {
		cmd := exec.Command(exe, append([]string{"classify", "-f", "json", "--scores", "logit", "-k", "0", "--progress", "never", "--precision", prec}, append(args, dir)...)...)
		cmd.Env = append(os.Environ(), "VIT_TEST_MAIN=1")
		var out, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("vit classify %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		var recs []json.RawMessage
		if err := json.Unmarshal(out.Bytes(), &recs); err != nil {
			t.Fatalf("vit classify %s: output is not one JSON array: %v", strings.Join(args, " "), err)
		}
		got := map[string]string{}
		for _, raw := range recs {
			var r struct {
				Path        string
				Predictions []json.RawMessage
			}
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatal(err)
			}
			if len(r.Predictions) != 10 {
				t.Fatalf("vit classify %s: %s: %d predictions, want all 10 classes", strings.Join(args, " "), r.Path, len(r.Predictions))
			}
			got[r.Path] = string(raw)
		}
		if len(got) != 2*len(ents) {
			t.Fatalf("vit classify %s: %d records, want %d", strings.Join(args, " "), len(got), 2*len(ents))
		}
		if first == nil {
			first, firstArgs = got, strings.Join(args, " ")
			continue
		}
		for path, rec := range got {
			if rec != first[path] {
				t.Errorf("%s: with %s\n\t%s\nwith %s\n\t%s", path, strings.Join(args, " "), rec, firstArgs, first[path])
			}
		}
	}
}
