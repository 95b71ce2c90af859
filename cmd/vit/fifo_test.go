//go:build unix

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFilesFromFIFOProgress: with the progress bar on, a --files-from FIFO
// is read once, by the run: every listed input gets its record.
func TestFilesFromFIFOProgress(t *testing.T) {
	t.Chdir(t.TempDir())
	var list strings.Builder
	for i := range 200 {
		p := filepath.Join("imgs", fmt.Sprintf("%03d.png", i))
		writePNG(t, p, 4, 4, i)
		list.WriteString(p + "\n")
	}
	if err := syscall.Mkfifo("list", 0o600); err != nil {
		t.Skip(err)
	}
	go func() {
		f, err := os.OpenFile("list", os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		// Small writes, as find does, so a second reader gets a chance.
		for _, line := range strings.SplitAfter(list.String(), "\n") {
			f.WriteString(line)
		}
	}()
	ta := newTestApp("")
	if code := ta.run("classify", "--progress", "always", "-f", "jsonl", "--files-from", "list"); code != exitOK {
		t.Fatalf("exit %d: %s", code, ta.err.String())
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(ta.out.String()), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil {
			n++
		}
	}
	if n != 200 {
		t.Errorf("%d records, want 200 (the progress count read the list too)", n)
	}
	if !strings.Contains(ta.err.String(), "classify") {
		t.Errorf("stderr %q: want a progress bar (a count without a total)", ta.err.String())
	}
}

// TestInterruptWhileBlocked: an interrupt ends the run within a second
// even when it waits on standard input or a FIFO nobody writes: the
// finished records are written, the JSON array closed, exit 130.
func TestInterruptWhileBlocked(t *testing.T) {
	t.Chdir(t.TempDir())
	writePNG(t, "a.png", 4, 4, 1)
	if err := syscall.Mkfifo("fifo", 0o600); err != nil {
		t.Skip(err)
	}
	for _, args := range [][]string{
		{"--files-from", "-"},       // a list on a silent standard input
		{"--files-from", "-", "-0"}, // the same, NUL-separated
		{"a.png", "-"},              // an image on a silent standard input
		{"--files-from", "fifo"},    // a FIFO with no writer: its open blocks
		{"a.png", "fifo"},           // an image that is such a FIFO
	} {
		pr, pw := io.Pipe() // never written: reads block
		ta := newTestApp("")
		ta.stdin = pr
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int, 1)
		go func() {
			done <- ta.main(ctx, append([]string{"classify", "-f", "json", "--progress", "always"}, args...))
		}()
		time.Sleep(200 * time.Millisecond)
		cancel()
		select {
		case code := <-done:
			if code != exitInterrupt {
				t.Errorf("%q: exit %d, want %d: %s", args, code, exitInterrupt, ta.err.String())
			}
			var recs []map[string]any
			if err := json.Unmarshal(ta.out.Bytes(), &recs); err != nil {
				t.Errorf("%q: output is not a closed JSON array: %v\n%s", args, err, ta.out.String())
			}
		case <-time.After(time.Second):
			t.Errorf("%q: still running 1 s after the interrupt", args)
		}
		pw.Close()
	}
}

// TestSignalWhileBlocked sends real SIGINT and SIGTERM to vit (this test
// binary as the command) while it waits on a FIFO nobody writes to, or
// on a silent standard input: it exits 130 within a second with the JSON
// array closed.
func TestSignalWhileBlocked(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	for _, c := range []struct {
		args []string
		sig  syscall.Signal
	}{
		{[]string{"--files-from", fifo}, syscall.SIGINT},
		{[]string{"--files-from", "-"}, syscall.SIGTERM},
		{[]string{"-"}, syscall.SIGINT},
	} {
		cmd := exec.Command(exe, append([]string{"classify", "-f", "json", "--progress", "always"}, c.args...)...)
		cmd.Env = append(os.Environ(), "VIT_TEST_MAIN=1")
		stdin, err := cmd.StdinPipe() // open, never written
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		cmd.Stdout = &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		sent := time.Now()
		cmd.Process.Signal(c.sig)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupt {
				t.Errorf("%v %q: %v, want exit %d", c.sig, c.args, err, exitInterrupt)
			}
			var recs []map[string]any
			if err := json.Unmarshal([]byte(out.String()), &recs); err != nil {
				t.Errorf("%v %q: output is not a closed JSON array: %v: %q", c.sig, c.args, err, out.String())
			}
			t.Logf("%v %q: exited %v after the signal", c.sig, c.args, time.Since(sent).Round(time.Millisecond))
		case <-time.After(time.Second):
			cmd.Process.Kill()
			<-done
			t.Errorf("%v %q: still running 1 s after the signal", c.sig, c.args)
		}
		stdin.Close()
	}
}
