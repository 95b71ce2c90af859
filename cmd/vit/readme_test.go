package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestREADMEExamples runs every ```console block of README.md that starts
// with "$ vit ARGS" from the repository root, with the real built-in
// model and the files that ship with the repository, and compares the
// block with the command's stdout (and stderr after it). Numbers match to
// float32 rounding (the kernels of each ISA may differ in the last bits);
// anything else byte for byte. -update rewrites the blocks, so the
// README's output is always what vit prints.
func TestREADMEExamples(t *testing.T) {
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	readme := filepath.Join(root, "README.md")
	src, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	blocks := consoleBlockRE.FindAllSubmatchIndex(src, -1)
	if len(blocks) < 3 {
		t.Fatalf("%d console examples in README.md, want the text, jsonl and csv ones at least", len(blocks))
	}
	var out bytes.Buffer
	last := 0
	for _, m := range blocks {
		cmdLine := string(src[m[2]:m[3]])
		old := string(src[m[4]:m[5]])
		args := strings.Fields(cmdLine)
		ta := newRealApp("")
		ta.openEmbedder = openModelEmbedder
		ta.run(args...)
		got := ta.out.String() + ta.err.String()
		if !sameOutput(got, old) && !*update {
			t.Errorf("README.md example `vit %s` drifted (go test ./cmd/vit -run TestREADMEExamples -update rewrites it):\n--- README\n%s--- vit prints\n%s", cmdLine, old, got)
		}
		out.Write(src[last:m[4]])
		out.WriteString(got)
		last = m[5]
	}
	out.Write(src[last:])
	if *update && !bytes.Equal(out.Bytes(), src) {
		if err := os.WriteFile(readme, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// consoleBlockRE is a README console example: "$ vit ARGS" (1), then the
// output (2) up to the closing fence.
var consoleBlockRE = regexp.MustCompile("(?m)^```console\n\\$ vit ([^\n]*)\n((?s:.*?))^```$")

var numberRE = regexp.MustCompile(`-?[0-9]+(?:\.[0-9]+)?(?:e-?[0-9]+)?`)

// sameOutput reports whether a and b read the same with each number within
// float32 rounding of the other (and a unit of the last digit shown: a
// last-bit difference can round a printed percentage either way).
func sameOutput(a, b string) bool {
	na, nb := numberRE.FindAllString(a, -1), numberRE.FindAllString(b, -1)
	if numberRE.ReplaceAllString(a, "#") != numberRE.ReplaceAllString(b, "#") || len(na) != len(nb) {
		return false
	}
	for i := range na {
		x, err1 := strconv.ParseFloat(na[i], 64)
		y, err2 := strconv.ParseFloat(nb[i], 64)
		if err1 != nil || err2 != nil {
			return false
		}
		tol := 1e-5 * math.Max(1, math.Abs(y))
		if d := strings.IndexByte(nb[i], '.'); d >= 0 && !strings.Contains(nb[i], "e") {
			tol += math.Pow(10, -float64(len(nb[i])-d-1))
		}
		if math.Abs(x-y) > tol {
			return false
		}
	}
	return true
}

func TestSameOutput(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{"x 0.9917401 y", "x 0.99174 y", true},
		{"x 0.9917401 y", "x 0.9927401 y", false},
		{"  99.17%  Ankle boot", "  99.18%  Ankle boot", true},
		{"  99.17%  Ankle boot", "  98.17%  Ankle boot", false},
		{"  99.17%  Ankle boot", "  99.19%  Ankle boot", false},
		{"  99.17%  Ankle boot", "  99.17%  Sneaker", false},
		{"a 1e-05", "a 1.0000001e-05", true},
		{"a 1 2", "a 1", false},
	} {
		if got := sameOutput(tt.a, tt.b); got != tt.same {
			t.Errorf("sameOutput(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}
