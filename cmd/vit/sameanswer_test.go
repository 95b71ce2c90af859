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
// with -b 1, 3, 5 and 8 and -t 1 and 2, printing every class's logit as
// JSON lines, and requires each image's record to be the same bytes in
// every run: logits are printed as the shortest decimal that reads back as
// the same float32,
// so equal bytes are equal bits. The built-in model's examples are copied
// twice (14 images of 50 tokens, PNG and JPEG), so -b 3 and -b 8 end in a
// partial batch and the images fall at different places in a batch from
// run to run. It does so in each --precision, and for vit embed's vectors
// too.
func TestClassifySameAnswer(t *testing.T) {
	for _, prec := range []string{"fp32", "bf16", "int8"} {
		t.Run(prec, func(t *testing.T) { sameAnswer(t, prec, "classify", "--scores", "logit", "-k", "0") })
	}
	t.Run("embed", func(t *testing.T) { sameAnswer(t, "fp32", "embed") })
}

// sameAnswer runs vit command (classify or embed, with flags) in
// precision prec as TestClassifySameAnswer describes.
func sameAnswer(t *testing.T, prec, command string, flags ...string) {
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
		argv := append([]string{command, "-f", "jsonl", "--progress", "never", "--precision", prec}, flags...)
		cmd := exec.Command(exe, append(argv, append(args, dir)...)...)
		cmd.Env = append(os.Environ(), "VIT_TEST_MAIN=1")
		var out, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("vit %s %s: %v\n%s", command, strings.Join(args, " "), err, stderr.String())
		}
		got := map[string]string{}
		for _, raw := range bytes.Split(bytes.TrimSuffix(out.Bytes(), []byte("\n")), []byte("\n")) {
			var r struct {
				Path        string
				Predictions []json.RawMessage
				Embedding   []json.RawMessage
			}
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatalf("vit %s %s: a line is not a JSON record: %v", command, strings.Join(args, " "), err)
			}
			// every class's logit, or the model's 96-wide vector
			if n, want := len(r.Predictions)+len(r.Embedding), map[string]int{"classify": 10, "embed": 96}[command]; n != want {
				t.Fatalf("vit %s %s: %s: %d values, want %d", command, strings.Join(args, " "), r.Path, n, want)
			}
			got[r.Path] = string(raw)
		}
		if len(got) != 2*len(ents) {
			t.Fatalf("vit %s %s: %d records, want %d", command, strings.Join(args, " "), len(got), 2*len(ents))
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
