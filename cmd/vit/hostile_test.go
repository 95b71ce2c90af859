//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/preprocess/hostile"
	"github.com/vitgo/vit/internal/preprocess/jpeg"
)

// TestHostileCorpus runs vit as a subprocess over the hostile corpus and
// two good images, with two workers, a 64 MiB budget and the pixel limit
// lifted: every input gets exactly one record, each bad one with the kind
// of error it must have, both good images are classified, the output is
// one valid JSON array, the exit code is 1, and the peak RSS stays under
// twice the budget plus the model file (two workers each within budget).
func TestHostileCorpus(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// sparse is a file of n bytes that starts with head and costs no disk.
	// (A directory walk takes files by extension: each name has an image's.)
	sparse := func(name string, head []byte, n int64) {
		write(name, head)
		if err := os.Truncate(filepath.Join(dir, name), n); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]string{} // file name → error kind ("" classified)
	add := func(name, kind string, data []byte) { write(name, data); want[name] = kind }
	const budget = 64 << 20
	add("tall.png", "", hostile.TallPNG(10_000_000))                                                         // 1×10⁷: streamed resize
	add("huge-header.png", "over the memory budget", hostile.PNG(100000, 100000, 2, hostile.ZlibZeros(100))) // 10¹⁰ pixels, 100-byte body
	add("thin-body.png", "truncated image", hostile.PNG(2000, 2000, 2, hostile.ZlibZeros(100)))
	add("cmyk-bomb.jpg", "over the memory budget", hostile.ProgressiveJPEG(10000, 10000, 4))
	add("scan-bomb.jpg", "corrupt image", hostile.ScanBombJPEG(jpeg.MaxScans+1))
	add("strip-bomb.tif", "over the memory budget", hostile.DeflateTIFF(2000, 2000, 2000*2000*8))
	add("thin.tif", "truncated image", hostile.GrayTIFF(8000, 8000, 1, make([]byte, 100)))
	add("white-fax.tif", "over the memory budget", hostile.WhiteFaxTIFF(60000, 1000)) // 7.5 KB, a bit a row
	add("huge.gif", "over the memory budget", hostile.GIFHeader(20000, 20000))
	add("empty.png", "empty file", nil)
	add("notes.jpg", "not an image", []byte("these are not the pixels you are looking for\n"))
	sparse("zeros.png", nil, 900<<20)
	want["zeros.png"] = "not an image"
	sparse("zeros.jpg", []byte{0xff, 0xd8}, 900<<20)
	want["zeros.jpg"] = "corrupt image"
	want["zero"] = "not an image" // /dev/zero: endless, never read whole
	for _, name := range []string{"bag.png", "trouser.png"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "models", "fashion-vit", "examples", name))
		if err != nil {
			t.Fatal(err)
		}
		add(name, "", data)
	}
	model, err := os.Stat(filepath.Join("..", "..", "models", "fashion-vit", "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(exe, "classify", "-t", "2", "-f", "json", "--progress", "never",
		"--max-image-memory", "64MiB", "--max-pixels", "1000000000000", dir, "/dev/zero")
	cmd.Env = append(os.Environ(), "VIT_TEST_MAIN=1")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitFailure {
		t.Errorf("exit: %v, want %d\n%s", err, exitFailure, stderr.String())
	}
	var recs []classify.JSONRecord
	if err := json.Unmarshal(out.Bytes(), &recs); err != nil {
		t.Fatalf("output is not one JSON array: %v\n%s", err, out.String())
	}
	seen := map[string]int{}
	for _, r := range recs {
		name := filepath.Base(r.Path)
		seen[name]++
		kind, ok := want[name]
		switch {
		case !ok:
			t.Errorf("record for an unknown input %q", r.Path)
		case kind == "" && (r.Error != "" || len(r.Predictions) == 0):
			t.Errorf("%s: not classified: %q", name, r.Error)
		case kind != "" && !strings.Contains(r.Error, kind):
			t.Errorf("%s: error %q, want kind %q", name, r.Error, kind)
		}
	}
	for name := range want {
		if seen[name] != 1 {
			t.Errorf("%s: %d records, want 1", name, seen[name])
		}
	}
	for _, name := range []string{"bag.png", "trouser.png"} {
		for _, r := range recs {
			if filepath.Base(r.Path) == name && len(r.Predictions) > 0 && !strings.EqualFold(r.Predictions[0].Label, strings.TrimSuffix(name, ".png")) {
				t.Errorf("%s: top-1 %q", name, r.Predictions[0].Label)
			}
		}
	}
	rss := int64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) << 10 // KiB on Linux
	limit := 2*budget + model.Size()
	t.Logf("%d inputs, peak RSS %.1f MiB (limit %.1f MiB)", len(want), float64(rss)/(1<<20), float64(limit)/(1<<20))
	if rss > limit {
		t.Errorf("peak RSS %d bytes, want under 2 × budget + model = %d", rss, limit)
	}
}
