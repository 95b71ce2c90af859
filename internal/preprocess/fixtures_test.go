package preprocess

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/vitgo/vit/internal/safetensors"
)

// Fixtures come from scripts/make_preprocess_fixtures.py (PIL 9.4,
// torchvision 0.14):
//
//	/usr/bin/python3 scripts/make_preprocess_fixtures.py
const fixtureDir = "../../testdata/preprocess"

// JPEG sources meet the same bound as lossless ones: the decoder in
// ./jpeg uses libjpeg's IDCT, and libjpeg's chroma upsampling and YCbCr
// tables are reproduced, so decoded pixels equal PIL's (max |Δ| 0 on every
// fixture; before, with Go's IDCT, up to 3 levels, 0.052 after
// normalization, and 1.48 without libjpeg's chroma upsampling).

// readFixture reads every tensor of a safetensors fixture by name.
func readFixture(t testing.TB, path string) map[string]*safetensors.Tensor {
	t.Helper()
	f, err := safetensors.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*safetensors.Tensor{}
	for _, st := range f.Tensors() {
		out[st.Name] = st
	}
	return out
}

// fixtureF32 converts a float fixture tensor.
func fixtureF32(t testing.TB, st *safetensors.Tensor) []float32 {
	t.Helper()
	v, err := st.Float32s()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type fixtureCases struct {
	Images  []string `json:"images"`
	Recipes map[string]struct {
		Kind   string          `json:"kind"`
		Config json.RawMessage `json:"config"`
	} `json:"recipes"`
}

func loadCases(t testing.TB) (fixtureCases, map[string]*safetensors.Tensor) {
	t.Helper()
	var c fixtureCases
	b, err := os.ReadFile(filepath.Join(fixtureDir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c, readFixture(t, filepath.Join(fixtureDir, "expected.safetensors"))
}

func parseRecipe(t testing.TB, kind string, cfg []byte) Recipe {
	t.Helper()
	var r Recipe
	var err error
	if kind == "hf" {
		r, err = ParseHF(cfg)
	} else {
		r, err = ParseTimm(cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestFixtures(t *testing.T) {
	cases, want := loadCases(t)
	names := make([]string, 0, len(cases.Recipes))
	for k := range cases.Recipes {
		names = append(names, k)
	}
	sort.Strings(names)
	var worstAll float64
	for _, img := range cases.Images {
		data, err := os.ReadFile(filepath.Join(fixtureDir, img))
		if err != nil {
			t.Fatal(err)
		}
		for _, rn := range names {
			rc := cases.Recipes[rn]
			t.Run(img+"/"+rn, func(t *testing.T) {
				r := parseRecipe(t, rc.Kind, rc.Config)
				exp, ok := want[img+"/"+rn]
				if !ok {
					t.Fatalf("no expected tensor")
				}
				if fmt.Sprint(exp.Shape) != fmt.Sprint([]int{r.Channels, r.Height, r.Width}) {
					t.Fatalf("expected shape %v, recipe gives %d×%d×%d", exp.Shape, r.Channels, r.Height, r.Width)
				}
				dst := make([]float32, r.Channels*r.Height*r.Width)
				if err := r.Load(img, bytes.NewReader(data), Limits{}, dst); err != nil {
					t.Fatal(err)
				}
				ref := fixtureF32(t, exp)
				maxd, sum := 0.0, 0.0
				worst := 0
				for i := range ref {
					d := math.Abs(float64(dst[i]) - float64(ref[i]))
					if math.IsNaN(d) {
						d = math.Inf(1) // a NaN output is the worst miss, not none
					}
					sum += d
					if d > maxd {
						maxd, worst = d, i
					}
				}
				mean := sum / float64(len(ref))
				worstAll = max(worstAll, maxd)
				// Decoding and resampling match PIL bit for bit, so the
				// only slack is float rounding in Normalize.
				if maxd > 1e-6 {
					t.Errorf("max |Δ| %.4g at %d (got %v want %v) > 1e-6", maxd, worst, dst[worst], ref[worst])
				}
				if maxd > 0 {
					t.Logf("max |Δ| %.3g mean %.3g", maxd, mean)
				}
			})
		}
	}
	t.Logf("max |Δ| over all images and recipes: %.4g", worstAll)
	if n, ran := len(want), len(cases.Images)*len(names)+countResize(want); n != ran {
		t.Errorf("expected.safetensors holds %d tensors, the tests read %d", n, ran)
	}
}

func countResize(want map[string]*safetensors.Tensor) int {
	n := 0
	for key := range want {
		if strings.HasPrefix(key, "resize/") {
			n++
		}
	}
	return n
}

// TestResizeExact checks resampling bit for bit against PIL's
// Image.resize for every filter, up and down, odd sizes.
func TestResizeExact(t *testing.T) {
	_, want := loadCases(t)
	if countResize(want) == 0 {
		t.Fatal("no resize/ tensors in expected.safetensors")
	}
	for key, exp := range want {
		if !strings.HasPrefix(key, "resize/") {
			continue
		}
		var img string
		var f, w, h int
		parts := strings.Split(key, "/")
		img = parts[1]
		fmt.Sscan(parts[2], &f)
		fmt.Sscanf(parts[3], "%dx%d", &w, &h)
		t.Run(fmt.Sprintf("%s/%s/%dx%d", img, Filter(f), w, h), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(fixtureDir, img))
			if err != nil {
				t.Fatal(err)
			}
			d, err := DecodeBytes(img, data, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			ras, err := toRaster(d.(*Decoded).Raw, 3)
			if err != nil {
				t.Fatal(err)
			}
			got := resizeWindow(rasterSource(ras), w, h, Filter(f), 0, w, 0, h)
			if exp.DType != safetensors.U8 || len(exp.Data) != len(got.pix) {
				t.Fatalf("expected %s %v, %d bytes; resize gives %d bytes", exp.DType, exp.Shape, len(exp.Data), len(got.pix))
			}
			bad := 0
			for i := range exp.Data {
				if got.pix[i] != exp.Data[i] {
					if bad < 3 {
						t.Errorf("byte %d (x=%d y=%d c=%d): got %d want %d", i, i/3%w, i/3/w, i%3, got.pix[i], exp.Data[i])
					}
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d bytes differ", bad, len(exp.Data))
			}
			// A window must equal the same part of the full result.
			x0, x1, y0, y1 := w/3, w-w/4, h/4, h-h/3
			if x1 > x0 && y1 > y0 {
				win := resizeWindow(rasterSource(ras), w, h, Filter(f), x0, x1, y0, y1)
				for y := y0; y < y1; y++ {
					a := win.pix[(y-y0)*(x1-x0)*3 : (y-y0+1)*(x1-x0)*3]
					b := got.pix[(y*w+x0)*3 : (y*w+x1)*3]
					if !bytes.Equal(a, b) {
						t.Fatalf("window row %d differs from the full resize", y)
					}
				}
			}
		})
	}
}
