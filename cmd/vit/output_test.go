package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vitgo/vit/internal/classify"
)

// TestOutputSameFileAsInput: an -o that is an input or the --files-from
// list (the same file, whatever its spelling) is a usage error, and the
// file is left as it was.
func TestOutputSameFileAsInput(t *testing.T) {
	t.Chdir(t.TempDir())
	writePNG(t, "A/bag.png", 6, 6, 1)
	writePNG(t, "A/dress.png", 6, 6, 2)
	os.WriteFile("l.txt", []byte("A/bag.png\nA/dress.png\n"), 0o644)
	os.Link("A/dress.png", "hard.png")
	bag := readFile(t, "A/bag.png")
	for _, tt := range []struct {
		args       []string
		file, want string
	}{
		{[]string{"-o", "A/bag.png", "A/bag.png", "A/dress.png"}, "A/bag.png", "is the input A/bag.png"},
		{[]string{"-o", "./A/../A/bag.png", "A/dress.png", "A/bag.png"}, "A/bag.png", "is the input A/bag.png"},
		{[]string{"-o", "hard.png", "A/dress.png"}, "hard.png", "is the input A/dress.png"},
		{[]string{"--files-from", "l.txt", "-o", "l.txt"}, "l.txt", "is the --files-from list l.txt"},
	} {
		before := readFile(t, tt.file)
		ta := newTestApp("")
		code := ta.run(append([]string{"classify", "-f", "json"}, tt.args...)...)
		if code != exitUsage || !strings.Contains(ta.err.String(), tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tt.args, code, ta.err.String(), exitUsage, tt.want)
		}
		if readFile(t, tt.file) != before {
			t.Errorf("%q: %s was changed", tt.args, tt.file)
		}
	}
	if readFile(t, "A/bag.png") != bag {
		t.Error("A/bag.png was changed")
	}
}

// TestOutputModelFails: a model that fails to load leaves a previous
// output as it was.
func TestOutputModelFails(t *testing.T) {
	t.Chdir(t.TempDir())
	writePNG(t, "a.png", 4, 4, 1)
	const old = "path,rank,index,label,score,error\nold.png,1,0,cat,1,\n"
	os.WriteFile("results.csv", []byte(old), 0o644)
	ta := newTestApp("")
	if code := ta.run("classify", "-m", "nosuch", "-f", "csv", "-o", "results.csv", "a.png"); code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	if got := readFile(t, "results.csv"); got != old {
		t.Errorf("results.csv is now %q, want it untouched", got)
	}
	assertNoTemp(t, ".")
}

// TestOutputReplacedWhole: while the run goes on the target keeps its old
// contents; it is replaced at the end, also when the run is interrupted
// (with the records finished so far, a closed JSON array), and no
// temporary file is left.
func TestOutputReplacedWhole(t *testing.T) {
	t.Chdir(t.TempDir())
	for i := range 40 {
		writePNG(t, filepath.Join("many", fmt.Sprintf("img%03d.png", i)), 4, 4, i)
	}
	const old = "previous results\n"
	for _, interrupt := range []bool{false, true} {
		os.WriteFile("out.json", []byte(old), 0o600)
		ctx, cancel := context.WithCancel(context.Background())
		ta := newTestApp("")
		var during string
		ta.fake.BeforeForward = func(call, _ int) {
			if call == 2 {
				during = readFile(t, "out.json")
				if interrupt {
					cancel()
				}
			}
		}
		code := ta.main(ctx, []string{"classify", "-f", "json", "-b", "2", "-t", "1", "-o", "out.json", "many"})
		cancel()
		want := exitOK
		if interrupt {
			want = exitInterrupt
		}
		if code != want {
			t.Errorf("interrupt %v: exit %d, want %d: %s", interrupt, code, want, ta.err.String())
		}
		if during != old {
			t.Errorf("interrupt %v: out.json during the run %.80q…, want the old contents", interrupt, during)
		}
		var recs []classify.JSONRecord
		if err := json.Unmarshal([]byte(readFile(t, "out.json")), &recs); err != nil {
			t.Fatalf("interrupt %v: out.json is not a closed JSON array: %v", interrupt, err)
		}
		if n := len(recs); interrupt && (n == 0 || n > 6) || !interrupt && n != 40 {
			t.Errorf("interrupt %v: %d records", interrupt, n)
		}
		if fi, err := os.Stat("out.json"); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("out.json mode %v (%v), want the previous 0600 kept", fi.Mode(), err)
		}
		assertNoTemp(t, ".")
	}
}

// TestOutputDevice: an -o that is not a regular file (/dev/null) is
// written in place, never replaced.
func TestOutputDevice(t *testing.T) {
	t.Chdir(t.TempDir())
	writePNG(t, "a.png", 4, 4, 1)
	ta := newTestApp("")
	if code := ta.run("classify", "-o", os.DevNull, "a.png"); code != exitOK {
		t.Fatalf("exit %d: %s", code, ta.err.String())
	}
	if fi, err := os.Stat(os.DevNull); err != nil || fi.Mode().IsRegular() {
		t.Fatalf("%s is now %v (%v)", os.DevNull, fi.Mode(), err)
	}
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// TestPanicExitCode: a panic outside any input exits with exitInternal,
// not 2 (usage).
func TestPanicExitCode(t *testing.T) {
	ta := newTestApp("")
	ta.runClassify = func(context.Context, classifyOptions) error { panic("bug") }
	if code := ta.run("classify", "a.png"); code != exitInternal {
		t.Errorf("exit %d, want %d", code, exitInternal)
	}
	if !strings.HasPrefix(ta.err.String(), "vit: internal error: bug\n") {
		t.Errorf("stderr %.200q", ta.err.String())
	}
}

// TestOutputThroughSymlink: an -o that is a symbolic link, to a file or
// dangling, writes the file it names and keeps the link.
func TestOutputThroughSymlink(t *testing.T) {
	t.Chdir(t.TempDir())
	writePNG(t, "a.png", 4, 4, 1)
	os.Mkdir("real", 0o755)
	os.WriteFile(filepath.Join("real", "old.jsonl"), []byte("old\n"), 0o644)
	for link, dest := range map[string]string{"to-file.jsonl": "real/old.jsonl", "dangling.jsonl": "real/new.jsonl"} {
		if err := os.Symlink(dest, link); err != nil {
			t.Skip(err)
		}
		ta := newTestApp("")
		if code := ta.run("classify", "-f", "jsonl", "-o", link, "a.png"); code != exitOK {
			t.Fatalf("%s: exit %d: %s", link, code, ta.err.String())
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s: no longer a symbolic link (%v)", link, err)
		}
		if got := readFile(t, dest); !strings.Contains(got, `"a.png"`) {
			t.Errorf("%s → %s: %q, want the record", link, dest, got)
		}
		assertNoTemp(t, "real")
	}
}
