package classify_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/classify/classifytest"
)

// walkTree writes, in the current directory:
//
//	t/a.png t/b.JFIF t/c.jpe t/notes.txt t/.hidden.png t/.cache/x.png
//	t/.git/y.png t/raw/r.png t/raw/deep/d.png t/cats/Kitty.PNG
//	t/link.png → a.png   t/linkdir → raw   t/loop → .
//	outside/o.png        t/out → ../outside
func walkTree(t *testing.T) {
	t.Helper()
	for i, p := range []string{"t/a.png", "t/b.JFIF", "t/c.jpe", "t/.hidden.png", "t/.cache/x.png",
		"t/.git/y.png", "t/raw/r.png", "t/raw/deep/d.png", "t/cats/Kitty.PNG", "outside/o.png"} {
		classifytest.WritePNG(t, p, 4, 4, i)
	}
	os.WriteFile("t/notes.txt", []byte("text"), 0o644)
	for link, target := range map[string]string{"t/link.png": "a.png", "t/linkdir": "raw", "t/loop": ".", "t/out": "../outside"} {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
}

// walk runs the fake model on in and returns the records' paths and the
// warnings.
func walk(t *testing.T, in classify.Inputs) (paths, warns []string) {
	t.Helper()
	var mu sync.Mutex
	var out collect
	_, err := classify.Run(context.Background(), &classifytest.Fake{}, in,
		classify.Options{TopK: 1, Warn: func(m string) { mu.Lock(); warns = append(warns, m); mu.Unlock() }}, &out)
	if err != nil {
		t.Fatal(err)
	}
	n, err := classify.Count(in, func() bool { return true })
	if err != nil || n != int64(len(out.recs)) {
		t.Errorf("Count %d, %v; Run wrote %d", n, err, len(out.recs))
	}
	for _, r := range out.recs {
		paths = append(paths, r.Path)
	}
	return paths, warns
}

func globs(t *testing.T, ignoreCase bool, pats ...string) []classify.Glob {
	var gs []classify.Glob
	for _, p := range pats {
		g, err := classify.ParseGlob(p, ignoreCase)
		if err != nil {
			t.Fatal(err)
		}
		gs = append(gs, g)
	}
	return gs
}

// TestWalk: the walk as fd and ripgrep do it: hidden names and .git
// skipped, links not followed unless Follow (cycles end), globs, depth,
// JPEG's other extensions.
func TestWalk(t *testing.T) {
	t.Chdir(t.TempDir())
	walkTree(t)
	for _, tt := range []struct {
		name string
		walk classify.Walk
		want string
	}{
		{"default", classify.Walk{},
			"t/a.png t/b.JFIF t/c.jpe t/cats/Kitty.PNG t/raw/deep/d.png t/raw/r.png"},
		{"hidden", classify.Walk{Hidden: true},
			"t/.cache/x.png t/.hidden.png t/a.png t/b.JFIF t/c.jpe t/cats/Kitty.PNG t/raw/deep/d.png t/raw/r.png"},
		{"follow", classify.Walk{Follow: true},
			"t/a.png t/b.JFIF t/c.jpe t/cats/Kitty.PNG t/link.png t/linkdir/deep/d.png t/linkdir/r.png t/out/o.png t/raw/deep/d.png t/raw/r.png"},
		{"max-depth 1", classify.Walk{MaxDepth: 1}, "t/a.png t/b.JFIF t/c.jpe"},
		{"max-depth 2", classify.Walk{MaxDepth: 2}, "t/a.png t/b.JFIF t/c.jpe t/cats/Kitty.PNG t/raw/r.png"},
		{"glob include", classify.Walk{Globs: globs(t, false, "*.png")},
			"t/a.png t/raw/deep/d.png t/raw/r.png"},
		{"glob exclude dir", classify.Walk{Globs: globs(t, false, "!raw")},
			"t/a.png t/b.JFIF t/c.jpe t/cats/Kitty.PNG"},
		{"glob path **", classify.Walk{Globs: globs(t, false, "raw/**/*.png")},
			"t/raw/deep/d.png t/raw/r.png"},
		{"glob anchored", classify.Walk{Globs: globs(t, false, "/*.png")}, "t/a.png"},
		{"glob last wins", classify.Walk{Globs: globs(t, false, "*.png", "!r.png", "r.png")},
			"t/a.png t/raw/deep/d.png t/raw/r.png"},
		{"glob excluded directory stays excluded", classify.Walk{Globs: globs(t, false, "!raw/**", "raw/deep/*")}, ""},
		{"glob exclude then include", classify.Walk{Globs: globs(t, false, "*.png", "!raw/r.png")},
			"t/a.png t/raw/deep/d.png"},
		{"iglob", classify.Walk{Globs: globs(t, true, "*.png")},
			"t/a.png t/cats/Kitty.PNG t/raw/deep/d.png t/raw/r.png"},
		{"iglob exclude", classify.Walk{Globs: globs(t, true, "!CATS", "!*.JPE")},
			"t/a.png t/b.JFIF t/raw/deep/d.png t/raw/r.png"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, warns := walk(t, classify.Inputs{Paths: []string{"t"}, Walk: tt.walk})
			if strings.Join(got, " ") != tt.want {
				t.Errorf("records\n got %s\nwant %s", strings.Join(got, " "), tt.want)
			}
			if tt.walk.Follow {
				if !slices.ContainsFunc(warns, func(m string) bool { return strings.Contains(m, "t/loop: directory inside itself") }) {
					t.Errorf("warnings %q: want the cycle t/loop", warns)
				}
			} else if tt.want == "" {
				if len(warns) != 1 || !strings.HasPrefix(warns[0], "no images found") || !strings.Contains(warns[0], "globs") {
					t.Errorf("warnings %q, want no images found, with the globs", warns)
				}
			} else if len(warns) != 0 {
				t.Errorf("warnings %q", warns)
			}
		})
	}
}

// TestWalkArgs: arguments are taken whatever their name, hidden or a
// link; a repeated argument, file or directory, however spelled, is
// taken once with a warning; an argument inside another's walk is its
// own input, file or directory alike.
func TestWalkArgs(t *testing.T) {
	t.Chdir(t.TempDir())
	walkTree(t)
	got, warns := walk(t, classify.Inputs{Paths: []string{"t/.hidden.png", "t/notes.txt", "t/link.png", "t/linkdir"}})
	if want := "t/.hidden.png t/notes.txt t/link.png t/linkdir/deep/d.png t/linkdir/r.png"; strings.Join(got, " ") != want || len(warns) != 0 {
		t.Errorf("records %q, warnings %q; want %s", got, warns, want)
	}
	_ = got

	var out collect
	in := classify.Inputs{Paths: []string{"t/a.png", "t/raw", "./t/a.png", "t/a.png", "t/raw/", "t/linkdir", "t/raw/r.png"}}
	var ws []string
	classify.Run(context.Background(), &classifytest.Fake{}, in, classify.Options{Warn: func(m string) { ws = append(ws, m) }}, &out)
	var paths []string
	for _, r := range out.recs {
		paths = append(paths, r.Path)
	}
	if want := "t/a.png t/raw/deep/d.png t/raw/r.png t/raw/r.png"; strings.Join(paths, " ") != want {
		t.Errorf("records %q, want %s", paths, want)
	}
	wantWarns := []string{
		"./t/a.png: the same as t/a.png, given before; skipped",
		"t/a.png: given more than once, taken once",
		"t/raw/: the same as t/raw, given before; skipped",
		"t/linkdir: the same as t/raw, given before; skipped",
	}
	if !slices.Equal(ws, wantWarns) {
		t.Errorf("warnings\n%q\nwant\n%q", ws, wantWarns)
	}
	if n, _ := classify.Count(in, func() bool { return true }); n != int64(len(paths)) {
		t.Errorf("Count %d, Run %d", n, len(paths))
	}

	// Missing arguments repeated: one error record.
	out = collect{}
	classify.Run(context.Background(), &classifytest.Fake{}, classify.Inputs{Paths: []string{"nope.png", "./nope.png"}}, classify.Options{}, &out)
	if len(out.recs) != 1 || out.recs[0].Err == nil {
		t.Errorf("missing twice: %d records", len(out.recs))
	}
}

// TestParseGlob: syntax errors are refused; "!" excludes.
func TestParseGlob(t *testing.T) {
	for _, bad := range []string{"", "!", "[a-", "x/[", "/"} {
		if _, err := classify.ParseGlob(bad, false); err == nil {
			t.Errorf("ParseGlob(%q): no error", bad)
		}
	}
	g, err := classify.ParseGlob("!**/thumbs/*", false)
	if err != nil || !g.Exclude || g.Pattern != "**/thumbs/*" {
		t.Errorf("ParseGlob: %+v, %v", g, err)
	}
}
