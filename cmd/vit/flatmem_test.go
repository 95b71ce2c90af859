//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestThousandImages builds vit, classifies 250 and then 1 000 generated
// PNGs with the built-in model, and checks that every input gets a record
// and that the peak RSS does not grow with the number of inputs.
//
//	go test -run TestThousandImages -v ./cmd/vit   (or: make flatmem)
func TestThousandImages(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and classifies 1 000 images")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "vit")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for i := range 1000 {
		sub := filepath.Join(dir, "imgs", fmt.Sprintf("d%d", i/250))
		writePNG(t, filepath.Join(sub, fmt.Sprintf("img%04d.png", i)), 32+i%64, 28+i%37, i)
	}
	rss := map[int]int64{}
	for _, n := range []int{250, 1000} {
		args := []string{"classify", "-f", "jsonl", "-k", "1", filepath.Join(dir, "imgs")}
		if n == 250 {
			args[len(args)-1] = filepath.Join(dir, "imgs", "d0")
		}
		cmd := exec.Command(bin, args...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errb.String())
		}
		if lines := strings.Count(out.String(), "\n"); lines != n {
			t.Errorf("%d images: %d records", n, lines)
		}
		if strings.Contains(out.String(), `"error"`) {
			t.Errorf("%d images: errors in the output", n)
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		rss[n] = int64(ru.Maxrss) // KiB on Linux (an int32 on 32-bit systems)
		t.Logf("%4d images: peak RSS %.1f MiB, %.2f s user CPU", n, float64(ru.Maxrss)/1024, float64(ru.Utime.Sec)+float64(ru.Utime.Usec)/1e6)
	}
	if rss[1000] > rss[250]+16*1024 {
		t.Errorf("peak RSS grows with the inputs: %d KiB for 250, %d KiB for 1000", rss[250], rss[1000])
	}
	if rss[1000] > 200*1024 {
		t.Errorf("peak RSS %d MiB for 1 000 small images", rss[1000]/1024)
	}
}
