package tiff

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/upstream.diff")

// upstream is the x/image release this package is forked from.
const upstream = "golang.org/x/image@v0.48.0"

// forked maps each file here to its upstream path in the x/image module.
var forked = map[string]string{
	"reader.go":                     "tiff/reader.go",
	"buffer.go":                     "tiff/buffer.go",
	"compress.go":                   "tiff/compress.go",
	"consts.go":                     "tiff/consts.go",
	"internal/safemath/safemath.go": "internal/safemath/safemath.go",
}

// TestUpstreamDiff diffs the fork against its upstream release and
// compares the hunks with testdata/upstream.diff, so that only the
// intended changes differ.
func TestUpstreamDiff(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", upstream).Output()
	if err != nil {
		t.Fatalf("go list -m %s: %v", upstream, err)
	}
	dir := strings.TrimSpace(string(out))
	var names []string
	for k := range forked {
		names = append(names, k)
	}
	sort.Strings(names)
	var got strings.Builder
	for _, name := range names {
		a, err := os.ReadFile(filepath.Join(dir, forked[name]))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		got.WriteString(lineDiff(forked[name], name, string(a), string(b)))
	}
	golden := filepath.Join("testdata", "upstream.diff")
	if *update {
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("the fork differs from %s in other ways than %s records; diff:\n%s", upstream, golden, got.String())
	}
}

// lineDiff returns the hunks turning a into b, without context lines:
// "@@ -line,count +line,count" headers, then "-" and "+" lines, from a
// longest common subsequence of lines.
func lineDiff(aName, bName, a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	// lcs[i][j]: length of the LCS of x[i:] and y[j:]
	lcs := make([][]int32, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", aName, bName)
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		if i < len(x) && j < len(y) && x[i] == y[j] {
			i, j = i+1, j+1
			continue
		}
		i0, j0 := i, j
		for i < len(x) || j < len(y) {
			if i < len(x) && j < len(y) && x[i] == y[j] {
				break
			}
			if j == len(y) || (i < len(x) && lcs[i+1][j] >= lcs[i][j+1]) {
				i++
			} else {
				j++
			}
		}
		fmt.Fprintf(&sb, "@@ -%d,%d +%d,%d\n", i0+1, i-i0, j0+1, j-j0)
		for _, l := range x[i0:i] {
			sb.WriteString("-" + l + "\n")
		}
		for _, l := range y[j0:j] {
			sb.WriteString("+" + l + "\n")
		}
	}
	return sb.String()
}
