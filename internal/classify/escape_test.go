package classify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/classify/classifytest"
)

func TestEscapeText(t *testing.T) {
	for in, want := range map[string]string{
		"plain/path ünï.png":             "plain/path ünï.png",
		"a\nb\rc\td":                     `a\nb\rc\td`,
		"x\x1b[2Jy":                      `x\x1b[2Jy`,
		"back\\slash":                    `back\\slash`,
		"\xff\xfe.png":                   `\xff\xfe.png`,
		"nel\u0085 ls\u2028":             `nel\u{85} ls\u{2028}`,
		"evil\n  99.00%  cat":            `evil\n  99.00%  cat`,
		"label with \x00 nul and \x7f ✓": `label with \x00 nul and \x7f ✓`,
	} {
		if got := classify.EscapeText(in); got != want {
			t.Errorf("EscapeText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNonUTF8Paths: two paths that differ only in bytes that are not
// UTF-8 keep distinct records (path_bytes holds the raw bytes), a valid
// path has no path_bytes, and text output cannot be forged by a name.
func TestNonUTF8Paths(t *testing.T) {
	d := t.TempDir()
	names := []string{"\xff\xfe.png", "\xfe\xff.png", "ok.png", "evil\n  99.00%  cat.png"}
	var paths []string
	for i, n := range names {
		p := filepath.Join(d, n)
		classifytest.WritePNG(t, p, 4, 4, i)
		if _, err := os.Stat(p); err != nil {
			t.Skipf("file system refuses %q: %v", n, err)
		}
		paths = append(paths, p)
	}
	var buf bytes.Buffer
	if _, err := classify.Run(context.Background(), &classifytest.Fake{}, classify.Inputs{Paths: paths},
		classify.Options{TopK: 1}, classify.NewRecordWriter("jsonl", &buf, classify.WriterOptions{})); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != len(paths) {
		t.Fatalf("%d lines, want %d", len(lines), len(paths))
	}
	for i, line := range lines {
		var rec classify.JSONRecord
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		switch {
		case i < 2 && string(rec.PathBytes) != paths[i]:
			t.Errorf("record %d: path_bytes %q, want %q", i, rec.PathBytes, paths[i])
		case i >= 2 && (rec.PathBytes != nil || strings.Contains(line, "path_bytes")):
			t.Errorf("record %d: path_bytes on a valid UTF-8 path: %s", i, line)
		case i >= 2 && rec.Path != paths[i]:
			t.Errorf("record %d: path %q", i, rec.Path)
		}
	}
	buf.Reset()
	if _, err := classify.Run(context.Background(), &classifytest.Fake{}, classify.Inputs{Paths: paths[3:]},
		classify.Options{TopK: 1}, classify.NewRecordWriter("text", &buf, classify.WriterOptions{})); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(buf.String(), "\n"); got != 2 {
		t.Errorf("text output of one image with top-1 has %d lines, want 2:\n%s", got, buf.String())
	}
}

// TestWarningsEscaped: a warning that names a path (here a directory in a
// --files-from list) is escaped like text output, so a crafted directory
// name cannot forge lines on stderr.
func TestWarningsEscaped(t *testing.T) {
	d := t.TempDir()
	dir := filepath.Join(d, "evil\nvit: ok.png: fine")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("file system refuses the name: %v", err)
	}
	var warnings []string
	in := classify.Inputs{FilesFrom: "-", Null: true, Stdin: strings.NewReader(dir + "\x00")}
	o := classify.Options{TopK: 1, Warn: func(s string) { warnings = append(warnings, s) }}
	if _, err := classify.Run(context.Background(), &classifytest.Fake{}, in, o, classify.NewRecordWriter("jsonl", &bytes.Buffer{}, classify.WriterOptions{})); err != nil {
		t.Fatal(err)
	}
	if len(warnings) == 0 {
		t.Fatal("no warning for a directory in the list")
	}
	for _, w := range warnings {
		if strings.ContainsAny(w, "\n\r") || !strings.Contains(w, `evil\nvit`) {
			t.Errorf("warning %q: want the path escaped", w)
		}
	}
}
