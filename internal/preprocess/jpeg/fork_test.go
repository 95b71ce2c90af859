package jpeg

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/fork.diff from the GOROOT copy")

// upstreamVersion is the Go release whose src/image/jpeg reader.go,
// scan.go and huffman.go this package forks (see doc.go).
const upstreamVersion = "go1.26.8"

// forked are the files copied from upstream; the others are this
// package's own.
var forked = []string{"huffman.go", "reader.go", "scan.go"}

// TestForkDiff diffs the forked files against the upstream ones in
// GOROOT and compares the hunks with testdata/fork.diff, so that only the
// intended changes differ from upstream. It skips when GOROOT is not
// upstreamVersion. After an intended change, run with -update and review
// the diff of testdata/fork.diff.
func TestForkDiff(t *testing.T) {
	root := runtime.GOROOT()
	ver, err := os.ReadFile(filepath.Join(root, "VERSION"))
	if err != nil || strings.SplitN(string(ver), "\n", 2)[0] != upstreamVersion {
		t.Skipf("GOROOT %q is not %s", root, upstreamVersion)
	}
	var got bytes.Buffer
	for _, name := range forked {
		up, err := os.ReadFile(filepath.Join(root, "src", "image", "jpeg", name))
		if err != nil {
			t.Fatal(err)
		}
		mine, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&got, "=== %s\n", name)
		got.WriteString(lineDiff(strings.SplitAfter(string(up), "\n"), strings.SplitAfter(string(mine), "\n")))
	}
	golden := filepath.Join("testdata", "fork.diff")
	if *update {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("the fork differs from %s other than in testdata/fork.diff:\n%s", upstreamVersion, got.String())
	}
}

// lineDiff returns the hunks turning a into b (a longest common
// subsequence of lines): "@@ -i,n +j,m" headers, then "-" and "+" lines.
func lineDiff(a, b []string) string {
	n, m := len(a), len(b)
	// lcs[i][j]: length of the LCS of a[i:] and b[j:]; [n+1, m+1].
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < n || j < m {
		if i < n && j < m && a[i] == b[j] {
			i, j = i+1, j+1
			continue
		}
		i0, j0 := i, j
		for (i < n || j < m) && !(i < n && j < m && a[i] == b[j]) {
			if j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]) {
				j++
			} else {
				i++
			}
		}
		fmt.Fprintf(&out, "@@ -%d,%d +%d,%d\n", i0+1, i-i0, j0+1, j-j0)
		for _, l := range a[i0:i] {
			out.WriteString("-" + strings.TrimSuffix(l, "\n") + "\n")
		}
		for _, l := range b[j0:j] {
			out.WriteString("+" + strings.TrimSuffix(l, "\n") + "\n")
		}
	}
	return out.String()
}
