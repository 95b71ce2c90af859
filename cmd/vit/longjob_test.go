package main

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestProgressLines drives the progress report with a fake clock: plain
// lines at the first record (no rate yet), every interval and at the end;
// a count alone while the total is unknown; on a terminal one redrawn line
// whose first frame shows no rate.
func TestProgressLines(t *testing.T) {
	var buf bytes.Buffer
	now := time.Unix(1000, 0)
	p := newProgress("classify", "always", false, &buf)
	p.now = func() time.Time { return now }
	p.start, p.last = now, now
	step := func(d time.Duration, n int) {
		for range n {
			now = now.Add(d)
			p.found.Add(1)
			p.step()
		}
	}
	step(time.Microsecond, 1) // the first record, at once: no absurd rate
	step(100*time.Millisecond, 49)
	step(100*time.Millisecond, 1) // 5 s: a line, count only (no total yet)
	p.setTotal(1200)
	step(100*time.Millisecond, 60) // 11 s
	now = now.Add(time.Second)
	p.finish()
	want := "classify: 1 images\n" +
		"classify: 51 images, 10.2 img/s\n" +
		"classify: 101/1200 images, 10.1 img/s, ETA 2m\n" +
		"classify: 111/1200 images, 9.2 img/s, ETA 2m\n"
	if buf.String() != want {
		t.Errorf("plain lines\n%s\nwant\n%s", buf.String(), want)
	}

	buf.Reset()
	now = time.Unix(1000, 0)
	p = newProgress("embed", "auto", true, &buf)
	p.now = func() time.Time { return now }
	p.start, p.last = now, now
	p.setTotal(4)
	step(time.Microsecond, 1)    // auto: nothing for a single input yet
	step(50*time.Millisecond, 1) // the first frame: no rate yet
	step(50*time.Millisecond, 1) // within the redraw interval: not drawn
	step(2*time.Second, 1)
	p.finish()
	want = "\r\x1b[2Kembed: 2/4 images\r\x1b[2Kembed: 4/4 images, 1.9 img/s, ETA 0s\r\x1b[2K"
	if buf.String() != want {
		t.Errorf("terminal frames %q, want %q", buf.String(), want)
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 45 * time.Second: "45s", 90 * time.Second: "2m", 33 * time.Minute: "33m",
		2*time.Hour + 5*time.Minute: "2h05m", 26 * time.Hour: "26h00m",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}

// TestSummary: the end-of-run line on a terminal or with -v, not with -q;
// -q also silences warnings, not the errors of text output.
func TestSummary(t *testing.T) {
	t.Chdir(t.TempDir())
	makeGoodDir(t)
	os.WriteFile("bad.png", []byte("x"), 0o644)
	os.MkdirAll("empty", 0o755)
	summary := regexp.MustCompile(`^vit: 3 classified, 1 failed, [0-9]+\.[0-9] s, [0-9]+\.[0-9] img/s$`)
	for _, tt := range []struct {
		tty  bool
		args []string
		want []string // stderr lines: a regexp, or a literal prefixed with =
	}{
		{false, []string{"-f", "jsonl", "imgs", "bad.png"}, nil},
		{false, []string{"-v", "-f", "jsonl", "imgs", "bad.png"}, []string{"summary"}},
		{true, []string{"-f", "jsonl", "imgs", "bad.png"}, []string{"summary"}},
		{true, []string{"-q", "-f", "jsonl", "imgs", "bad.png", "imgs"}, nil},
		{false, []string{"-f", "jsonl", "imgs", "bad.png", "imgs"}, []string{"=vit: imgs: given more than once, taken once"}},
		{true, []string{"-q", "imgs", "bad.png", "empty"}, []string{"=vit: bad.png: not an image (unknown format)"}},
		{false, []string{"-q", "empty"}, nil},
	} {
		ta := newTestApp("")
		ta.stderrTTY = tt.tty
		ta.run(append([]string{"classify", "--progress", "never"}, tt.args...)...)
		got := strings.Split(strings.TrimSuffix(ta.err.String(), "\n"), "\n")
		if ta.err.Len() == 0 {
			got = nil
		}
		ok := len(got) == len(tt.want)
		for i := 0; ok && i < len(got); i++ {
			if w := tt.want[i]; w == "summary" {
				ok = summary.MatchString(got[i])
			} else {
				ok = got[i] == w[1:]
			}
		}
		if !ok {
			t.Errorf("tty %v %q: stderr %q, want %q", tt.tty, tt.args, got, tt.want)
		}
	}
}

// TestResume: --resume keeps the records already in -o, skips their
// paths and appends the rest; a torn last line is dropped and redone; the
// result equals one uninterrupted run, in jsonl and csv, classify and
// embed.
func TestResume(t *testing.T) {
	t.Chdir(t.TempDir())
	for i := range 6 {
		writePNG(t, fmt.Sprintf("imgs/%d.png", i), 4, 4, i)
	}
	os.WriteFile("imgs/bad.png", []byte("x"), 0o644)
	for _, tt := range []struct {
		cmd, format string
		cut         func(full string) string // the file a killed run left
	}{
		// Three whole records, then half a line.
		{"classify", "jsonl", func(s string) string { return cutAfterLines(s, 3) + `{"path":"imgs/3.p` }},
		{"classify", "jsonl", func(s string) string { return cutAfterLines(s, 2) }},
		{"classify", "jsonl", func(string) string { return "" }},
		{"embed", "jsonl", func(s string) string { return cutAfterLines(s, 4) + `{"path":"imgs/4.png","embedding":[0.1,` }},
		// Header and the rows of two images, then a torn row of the third
		// (-k 2: two rows per image).
		{"classify", "csv", func(s string) string { return cutAfterLines(s, 5) + `imgs/2.png,1,` }},
		{"classify", "csv", func(s string) string { return cutAfterLines(s, 5) }},
		{"classify", "csv", func(s string) string { return cutAfterLines(s, 1) }},
	} {
		args := []string{tt.cmd, "-f", tt.format, "imgs"}
		if tt.cmd == "classify" {
			args = append(args, "-k", "2")
		}
		full := newTestApp("")
		full.run(args...)
		want := full.out.String()

		os.WriteFile("out", []byte(tt.cut(want)), 0o644)
		ta := newTestApp("")
		ta.run(append(args, "--resume", "-o", "out")...)
		if got := readFile(t, "out"); got != want {
			t.Errorf("%s -f %s resumed from %q:\n%s\nwant\n%s", tt.cmd, tt.format, tt.cut(want), got, want)
		}
		if ta.out.Len() != 0 {
			t.Errorf("stdout %q", ta.out.String())
		}
		torn := !strings.HasSuffix(tt.cut(want), "\n") && tt.cut(want) != ""
		if said := strings.Contains(ta.err.String(), "last record was cut short"); said != torn {
			t.Errorf("%s -f %s: stderr %q (torn %v)", tt.cmd, tt.format, ta.err.String(), torn)
		}
		// Resuming a finished file runs nothing.
		ta = newTestApp("")
		ta.fake.BeforeForward = func(int, int) { t.Error("forward pass when resuming a finished file") }
		ta.run(append(args, "--resume", "-o", "out", "-v")...)
		if got := readFile(t, "out"); got != want {
			t.Errorf("%s -f %s: resuming a finished file changed it", tt.cmd, tt.format)
		}
		if !strings.Contains(ta.err.String(), "0 failed") || !strings.Contains(ta.err.String(), "already in out") {
			t.Errorf("summary %q", ta.err.String())
		}
		os.Remove("out")
	}
}

// cutAfterLines returns the first n lines of s.
func cutAfterLines(s string, n int) string {
	i := 0
	for range n {
		i += strings.IndexByte(s[i:], '\n') + 1
	}
	return s[:i]
}

// TestResumeRefuses: a file of another format, header or tool is left
// alone; --resume needs -o and a line format.
func TestResumeRefuses(t *testing.T) {
	t.Chdir(t.TempDir())
	writePNG(t, "a.png", 4, 4, 1)
	for _, tt := range []struct {
		content string
		args    []string
		code    int
		err     string
	}{
		{"hello world\n", []string{"-f", "jsonl"}, exitFailure, "vit: out: line 1 is not a jsonl record with a path; not resuming into it"},
		{"path,rank,index,label,score,error\n", []string{"-f", "csv", "--no-header"}, exitFailure, "it starts with a header, and this run writes none"},
		{"a,b,c\n", []string{"-f", "csv"}, exitFailure, "vit: out: line 1: wrong number of fields; not resuming into it"},
		{"a,b,c,d,e,f\n", []string{"-f", "csv"}, exitFailure, `its first line is "a,b,c,d,e,f", not the header`},
		{"", []string{"-f", "json"}, exitUsage, "--resume works with -f jsonl or csv, not json"},
		{"", []string{"-f", "tsv"}, exitUsage, "--resume works with -f jsonl or csv, not tsv"},
	} {
		os.WriteFile("out", []byte(tt.content), 0o644)
		ta := newTestApp("")
		code := ta.run(append(append([]string{"classify", "--resume", "-o", "out"}, tt.args...), "a.png")...)
		if code != tt.code || !strings.Contains(ta.err.String(), tt.err) {
			t.Errorf("%q in out, %q: exit %d, stderr %q; want %d, %q", tt.content, tt.args, code, ta.err.String(), tt.code, tt.err)
		}
		if got := readFile(t, "out"); got != tt.content {
			t.Errorf("out changed to %q", got)
		}
	}
	ta := newTestApp("")
	if code := ta.run("classify", "--resume", "a.png"); code != exitUsage || !strings.Contains(ta.err.String(), "--resume needs -o FILE") {
		t.Errorf("without -o: exit %d, %q", code, ta.err.String())
	}
	ta = newTestApp("")
	if code := ta.run("embed", "--resume", "-f", "npy", "-o", "e.npy", "a.png"); code != exitUsage || !strings.Contains(ta.err.String(), "--resume works with -f jsonl, not npy") {
		t.Errorf("embed npy: exit %d, %q", code, ta.err.String())
	}
}
