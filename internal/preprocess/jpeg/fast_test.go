package jpeg

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	stdjpeg "image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// corpus returns the project's JPEG fixtures, Go-encoded images of every
// sampling the encoder writes at odd sizes, and, when jpegtran is
// installed, copies with restart markers and progressive ones.
func corpus(t testing.TB) map[string][]byte {
	files := map[string][]byte{}
	for _, pat := range []string{"../../../testdata/preprocess/*.jpg", "../../../testdata/preprocess/decode/*.jpg"} {
		names, _ := filepath.Glob(pat)
		for _, n := range names {
			data, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			files[filepath.Base(n)] = data
		}
	}
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, sz := range [][2]int{{1, 1}, {17, 9}, {64, 48}, {131, 67}} {
		for _, gray := range []bool{false, true} {
			var img image.Image
			rgba := image.NewRGBA(image.Rect(0, 0, sz[0], sz[1]))
			seed := uint32(sz[0]*7 + sz[1])
			for i := range rgba.Pix {
				seed = seed*1664525 + 1013904223
				rgba.Pix[i] = uint8(i*3/4) + uint8(seed>>27)
			}
			img = rgba
			if gray {
				g := image.NewGray(rgba.Rect)
				for y := 0; y < sz[1]; y++ {
					for x := 0; x < sz[0]; x++ {
						g.Set(x, y, color.GrayModel.Convert(rgba.At(x, y)))
					}
				}
				img = g
			}
			var buf bytes.Buffer
			if err := stdjpeg.Encode(&buf, img, &stdjpeg.Options{Quality: 95}); err != nil {
				t.Fatal(err)
			}
			files[fmt.Sprintf("go_%dx%d_gray%v.jpg", sz[0], sz[1], gray)] = buf.Bytes()
		}
	}
	// Noise: long codes, values wider than the skip window, blocks
	// without an end of block, many stuffed 0xff bytes.
	for _, q := range []int{85, 100} {
		rgba := image.NewRGBA(image.Rect(0, 0, 256, 192))
		seed := uint32(q)
		for i := range rgba.Pix {
			seed = seed*1664525 + 1013904223
			rgba.Pix[i] = uint8(seed >> 24)
		}
		var buf bytes.Buffer
		if err := stdjpeg.Encode(&buf, rgba, &stdjpeg.Options{Quality: q}); err != nil {
			t.Fatal(err)
		}
		files[fmt.Sprintf("noise_256x192_q%d.jpg", q)] = buf.Bytes()
	}
	if _, err := exec.LookPath("jpegtran"); err == nil {
		for _, name := range []string{"photo_120x90.jpg", "odd422_77x53.jpg", "go_131x67_grayfalse.jpg", "go_131x67_graytrue.jpg", "full444_64x48.jpg"} {
			for _, args := range [][]string{{"-restart", "1"}, {"-restart", "3B"}, {"-progressive"}} {
				cmd := exec.Command("jpegtran", args...)
				cmd.Stdin = bytes.NewReader(files[name])
				out, err := cmd.Output()
				if err != nil {
					t.Fatal(name, args, err)
				}
				files[fmt.Sprintf("%s%v", name, args)] = out
			}
		}
	}
	return files
}

// pixels returns the samples of a decoded image.
func pixels(t testing.TB, img image.Image) []uint8 {
	switch m := img.(type) {
	case *image.YCbCr:
		return append(append(append([]uint8(nil), m.Y...), m.Cb...), m.Cr...)
	case *image.Gray:
		return m.Pix
	case *image.NYCbCrA: // 2 components: Y and A
		return append(append([]uint8(nil), m.Y...), m.A...)
	case *image.CMYK:
		return m.Pix
	case *image.RGBA:
		return m.Pix
	}
	t.Fatalf("type %T", img)
	return nil
}

// same checks that DecodeOptions and the upstream path (the decoder
// reading through an io.Reader) agree on data at every scale: the same
// error, or the same image.
func same(t *testing.T, name string, data []byte) {
	t.Helper()
	for _, s := range []int{1, 2, 4, 8} {
		sameScaled(t, fmt.Sprintf("%s 1/%d", name, s), data, s)
	}
}

// sameScaled is same for the decode at 1/s.
func sameScaled(t *testing.T, name string, data []byte, s int) {
	t.Helper()
	d := decoder{scale: s}
	want, werr := d.decode(bytes.NewReader(data), false)
	got, gerr := DecodeOptions(data, Options{Scale: s})
	if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
		t.Fatalf("%s: error %v, upstream %v", name, gerr, werr)
	}
	if werr != nil {
		return
	}
	if got.Bounds() != want.Bounds() || fmt.Sprintf("%T", got) != fmt.Sprintf("%T", want) {
		t.Fatalf("%s: %T %v, upstream %T %v", name, got, got.Bounds(), want, want.Bounds())
	}
	if !bytes.Equal(pixels(t, got), pixels(t, want)) {
		t.Fatalf("%s: pixels differ from the upstream path", name)
	}
}

// FuzzFastScan checks the fast scan path (and the skip assembly) against
// the upstream decoder at every scale on any input: the same pixels, or
// the same error.
func FuzzFastScan(f *testing.F) {
	for name, data := range corpus(f) {
		if len(data) <= 1<<16 && !strings.Contains(name, "[") {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width*cfg.Height > 1<<20 {
			return
		}
		same(t, "fuzz", data)
	})
}

// TestFastScan checks the fast scan path against the upstream decoder on
// every file of the corpus and on damaged copies of some: truncated at
// many points and with bytes overwritten (markers included).
func TestFastScan(t *testing.T) { forEachISA(t, testFastScan) }

// TestFastScanOneProc is TestFastScan with GOMAXPROCS 1, where restart
// intervals decode in order (intervalsInOrder), and checks that a
// restart marker out of sequence is the upstream decoder's error either
// way.
func TestFastScanOneProc(t *testing.T) {
	files := corpus(t)
	data, ok := files["photo_120x90.jpg[-restart 1]"]
	if !ok {
		t.Skip("no jpegtran")
	}
	bad := append([]byte(nil), data...)
	i := bytes.Index(bad, []byte{0xff, rst0Marker + 1})
	if i < 0 {
		t.Fatal("no RST1 marker")
	}
	bad[i+1] = rst0Marker + 2
	same(t, "RST1 made RST2", bad)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	same(t, "RST1 made RST2, one proc", bad)
	testFastScan(t)
}

func testFastScan(t *testing.T) {
	files := corpus(t)
	for name, data := range files {
		same(t, name, data)
	}
	for _, name := range []string{"photo_120x90.jpg", "photo_120x90.jpg[-restart 1]", "go_64x48_graytrue.jpg", "odd422_77x53.jpg[-restart 3B]", "noise_256x192_q85.jpg"} {
		data, ok := files[name]
		if !ok {
			continue
		}
		for cut := len(data) - 1; cut > len(data)/2; cut -= 1 + len(data)/97 {
			same(t, fmt.Sprintf("%s cut at %d", name, cut), data[:cut])
		}
		seed := uint32(len(data))
		for k := 0; k < 200; k++ {
			seed = seed*1664525 + 1013904223
			bad := append([]byte(nil), data...)
			i := len(data)/3 + int(seed>>8)%(len(data)*2/3)
			vals := []byte{0xff, 0x00, 0xd0, 0xd9, byte(seed)}
			bad[i] = vals[int(seed>>3)%len(vals)]
			if k%2 == 1 && i+1 < len(bad) {
				bad[i], bad[i+1] = 0xff, vals[int(seed>>5)%len(vals)]
			}
			same(t, fmt.Sprintf("%s byte %d = %#x", name, i, bad[i]), bad)
		}
	}
}

// BenchmarkDecodeFile decodes $VIT_BENCH_JPEG (scripts/bench_decode.py
// writes one) at every scale.
func BenchmarkDecodeFile(b *testing.B) {
	path := os.Getenv("VIT_BENCH_JPEG")
	if path == "" {
		b.Skip("VIT_BENCH_JPEG not set")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range []int{1, 2, 4, 8} {
		b.Run(fmt.Sprintf("1/%d", s), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				if _, err := DecodeOptions(data, Options{Scale: s}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestTablesShared decodes files whose scans share Huffman codes from
// several goroutines at once, starting from an empty table cache, and
// checks each result against the same decode alone (run with -race to
// check the cache's locking).
func TestTablesShared(t *testing.T) {
	files := corpus(t)
	names := []string{"photo_120x90.jpg", "noise_256x192_q85.jpg", "go_131x67_grayfalse.jpg", "noise_256x192_q100.jpg"}
	want := map[string][]byte{}
	for _, name := range names {
		img, err := DecodeOptions(files[name], Options{Scale: 8})
		if err != nil {
			t.Fatal(name, err)
		}
		want[name] = pixels(t, img)
	}
	tables.Lock()
	tables.term, tables.skip = nil, nil
	tables.Unlock()
	type result struct {
		name string
		img  image.Image
		err  error
	}
	results := make(chan result, 4*len(names))
	for g := 0; g < 4; g++ {
		go func() {
			for i := range names {
				name := names[(i+g)%len(names)]
				img, err := DecodeOptions(files[name], Options{Scale: 8})
				results <- result{name, img, err}
			}
		}()
	}
	// Compared here: pixels may call t.Fatal, which only the test's own
	// goroutine may do.
	for i := 0; i < 4*len(names); i++ {
		r := <-results
		switch {
		case r.err != nil:
			t.Errorf("%s: %v", r.name, r.err)
		case !bytes.Equal(pixels(t, r.img), want[r.name]):
			t.Errorf("%s: pixels differ from the decode alone", r.name)
		}
	}
	if len(tables.term) == 0 || len(tables.skip) == 0 {
		t.Fatalf("no tables kept: %d term, %d skip", len(tables.term), len(tables.skip))
	}
}
