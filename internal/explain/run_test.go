package explain

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/disintegration/imaging"
	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/model"
	"github.com/vitgo/vit/internal/preprocess"
	"github.com/vitgo/vit/internal/preprocess/hostile"
	"github.com/vitgo/vit/models"
)

const examples = "../../models/fashion-vit/examples"

func builtin(t *testing.T) *model.Model {
	t.Helper()
	m, err := model.LoadFS(models.FS, models.Default, model.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// TestGarmentPasted pastes each 28×28 example garment, enlarged to 40×40,
// into a black 56×56 canvas at five places aligned to the patch grid (the
// model sees it as 5×5 of its 7×7 patches, 51% of the area) and measures
// the share of each method's relevance that falls on those patches. The
// model looks at the garment, not the empty background: every method's
// mean share must exceed the area share by 0.05.
func TestGarmentPasted(t *testing.T) {
	m := builtin(t)
	c, h, w := m.InputShape()
	gh, gw := h/m.Config.PatchSize, w/m.Config.PatchSize
	names := []string{"ankle-boot", "bag", "dress", "sneaker", "trouser"}
	places := [][2]int{{0, 0}, {2, 0}, {0, 2}, {2, 2}, {1, 1}} // top-left patch of the garment
	const size, canvas, side = 40, 56, 5                       // garment and canvas pixels, garment patches
	area := float64(side*side) / float64(gh*gw)
	pix := make([]float32, c*h*w) // [C, H, W]
	logits := make([]float32, m.Config.NumClasses)
	rel := make([]float64, gh*gw)
	for _, method := range Methods {
		e := New(m, method)
		var sum float64
		var n, right int
		for _, name := range names {
			src, err := imaging.Open(filepath.Join(examples, name+".png"))
			if err != nil {
				t.Fatal(err)
			}
			garment := imaging.Resize(src, size, size, imaging.Lanczos)
			for _, pl := range places {
				img := imaging.Paste(imaging.New(canvas, canvas, color.Black), garment, image.Pt(pl[0]*canvas/gw, pl[1]*canvas/gh))
				if err := m.Recipe.Pixels(img, pix); err != nil {
					t.Fatal(err)
				}
				if err := e.Explain(pix, 1, h, w, logits, rel); err != nil {
					t.Fatal(err)
				}
				var in, all float64
				for i, v := range rel {
					all += v
					if x, y := i%gw-pl[0], i/gw-pl[1]; x >= 0 && x < side && y >= 0 && y < side {
						in += v
					}
				}
				sum += in / all
				n++
				if strings.EqualFold(strings.ReplaceAll(m.Config.Labels[argmax(logits)], " ", "-"), name) {
					right++
				}
			}
		}
		e.Close()
		share := sum / float64(n)
		t.Logf("%s: mean relevance on the garment's patches %.3f (area share %.3f) over %d images; %d classified as the garment", method, share, area, n, right)
		if share < area+0.05 {
			t.Errorf("%s: relevance on the garment %.3f, want ≥ area share %.3f + 0.05", method, share, area)
		}
	}
}

// TestRunExamples explains the example directory and a file that is not
// an image: one overlay and one record per image, an error record for the
// bad file, and a second run into the same directory takes new names.
func TestRunExamples(t *testing.T) {
	m := builtin(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.png")
	if err := os.WriteFile(bad, []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	ents, _ := os.ReadDir(examples)
	for round := 1; round <= 2; round++ {
		r, err := NewRun(m, Options{Method: Logit, Size: 64})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		sheet := filepath.Join(dir, "sheet.png")
		wr, err := NewWriter("jsonl", &buf, nil, nil, WriterOptions{Dir: out, Sheet: sheet})
		if err != nil {
			t.Fatal(err)
		}
		sum, err := classify.Run(context.Background(), r, classify.Inputs{Paths: []string{examples, bad}},
			classify.Options{BatchSize: 3, Workers: 2, Record: r.Record}, wr)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if sum.Inputs != len(ents)+1 || sum.Failed != 1 {
			t.Errorf("round %d: %+v, want %d inputs, 1 failed", round, sum, len(ents)+1)
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != len(ents)+1 {
			t.Fatalf("round %d: %d records, want %d", round, len(lines), len(ents)+1)
		}
		for _, line := range lines {
			var rec record
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatal(err)
			}
			if rec.Path == bad {
				if rec.Error == "" || rec.Output != "" {
					t.Errorf("bad input: %s", line)
				}
				continue
			}
			if rec.Error != "" || len(rec.Predictions) != 3 || len(rec.Grid) != 2 || len(rec.Relevance) != rec.Grid[0]*rec.Grid[1] {
				t.Errorf("record %s", line)
				continue
			}
			base := strings.TrimSuffix(filepath.Base(rec.Path), filepath.Ext(rec.Path))
			want := filepath.Join(out, base+".png")
			if round == 2 {
				want = filepath.Join(out, base+"-2.png")
			}
			if rec.Output != want {
				t.Errorf("round %d: %s written to %s, want %s", round, rec.Path, rec.Output, want)
			}
			img, err := imaging.Open(rec.Output)
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != 64 || b.Dy() <= 64 {
				t.Errorf("%s is %v, want 64 wide with a caption below", rec.Output, b)
			}
		}
		if _, err := imaging.Open(sheet); err != nil {
			t.Errorf("contact sheet: %v", err)
		}
	}
}

// TestPrepareTall: the overlay's copy of a 1×10⁷ PNG costs little beside
// what classify's preparation of it allocates (the decoded image and the
// streamed resize): at most 16·S² pixels of NRGBA, twice, and 1 MiB.
func TestPrepareTall(t *testing.T) {
	m := builtin(t)
	r, err := NewRun(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	data := hostile.TallPNG(10_000_000)
	lim := preprocess.Limits{MaxMemory: 64 << 20}
	in := make([]float32, r.InputLen())
	alloc := func(f func() error) uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		before := ms.TotalAlloc
		if err := f(); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&ms)
		return ms.TotalAlloc - before
	}
	load := alloc(func() error { return m.Recipe.Load("tall.png", bytes.NewReader(data), lim, in) })
	prep := alloc(func() error { return r.Prepare("tall.png", bytes.NewReader(data), lim, in) })
	s := uint64(DefaultSize)
	t.Logf("Recipe.Load %d KiB, Prepare %d KiB", load>>10, prep>>10)
	if prep > load+2*16*s*s*4+1<<20 {
		t.Errorf("Prepare allocated %d bytes, Recipe.Load %d: want at most %d more", prep, load, 2*16*s*s*4+1<<20)
	}
	if w, h := in[r.chw()], in[r.chw()+1]; w != 1 || h != DefaultSize {
		t.Errorf("overlay copy %v×%v, want 1×%d", w, h, DefaultSize)
	}
}

// TestPrepareOrientation: the overlay's copy is the image upright, as
// preprocess.Decoded reads it in oriented coordinates, for the 8 EXIF
// orientations (at the file's own size, so no resampling enters).
func TestPrepareOrientation(t *testing.T) {
	m := builtin(t)
	r, err := NewRun(m, Options{Size: 40})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	in := make([]float32, r.InputLen())
	for o := 1; o <= 8; o++ {
		path := filepath.Join("..", "..", "testdata", "preprocess", "orient"+strconv.Itoa(o)+"_40x24.png")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Prepare(path, bytes.NewReader(data), preprocess.Limits{}, in); err != nil {
			t.Fatal(err)
		}
		img, err := preprocess.Decode(path, bytes.NewReader(data), preprocess.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		want := imaging.Clone(img) // through Decoded.At: oriented
		disp := in[r.chw():]
		w, h := int(disp[0]), int(disp[1])
		if w != want.Bounds().Dx() || h != want.Bounds().Dy() {
			t.Errorf("orientation %d: copy %d×%d, want %v", o, w, h, want.Bounds().Size())
			continue
		}
		for i := range w * h {
			for k := range 3 {
				if got, wv := disp[2+i*3+k], float32(want.Pix[i*4+k]); got != wv {
					t.Fatalf("orientation %d: pixel %d channel %d = %v, want %v", o, i, k, got, wv)
				}
			}
		}
	}
}
