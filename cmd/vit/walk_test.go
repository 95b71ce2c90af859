package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// makeWalkTree writes a tree with hidden names, a .git directory, links,
// JPEG's rarer extensions and nested directories in the current
// directory.
func makeWalkTree(t *testing.T) {
	t.Helper()
	for i, p := range []string{"t/a.png", "t/b.jfif", "t/c.JPE", "t/.hidden.png", "t/.cache/x.png",
		"t/.git/y.png", "t/raw/r.png", "t/raw/deep/d.png", "t/cats/Kitty.PNG", "outside/o.png"} {
		writePNG(t, p, 4, 4, i)
	}
	for name, text := range map[string]string{"t/notes.txt": "text", "list.txt": "t/a.png\nt\nt/raw\nt/raw/r.png\n"} {
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range [][2]string{{"a.png", "t/link.png"}, {"../outside", "t/out"}, {".", "t/loop"}} {
		if err := os.Symlink(l[0], l[1]); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWalkGolden: which files each walking flag takes, and what is said on
// stderr (testdata/cli/walk.golden).
func TestWalkGolden(t *testing.T) {
	t.Chdir(t.TempDir())
	makeWalkTree(t)
	var b strings.Builder
	for _, args := range [][]string{
		{"t"},
		{"--hidden", "t"},
		{"-L", "t"},
		{"--max-depth", "1", "t"},
		{"-g", "*.png", "t"},
		{"-g", "!raw", "-g", "!*.jfif", "t"},
		{"-g", "raw/**", "t"},
		{"--iglob", "*.png", "t"},
		{"t/a.png", "./t/a.png", "t", "t/", "t/raw/r.png"},
		{"--files-from", "list.txt"},
	} {
		ta := newTestApp("")
		code := ta.run(append([]string{"classify", "-f", "jsonl", "-k", "1"}, args...)...)
		fmt.Fprintf(&b, "$ vit classify %s\n", strings.Join(args, " "))
		for _, r := range parseJSONL(t, ta.out.String()) {
			fmt.Fprintf(&b, "%s\n", r.Path)
		}
		b.WriteString(ta.err.String())
		fmt.Fprintf(&b, "exit %d\n\n", code)
	}
	checkGolden(t, "walk.golden", []byte(b.String()))
}
