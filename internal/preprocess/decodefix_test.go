package preprocess

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Decoder fixtures come from scripts/make_decode_fixtures.py (PIL 9.4):
//
//	/usr/bin/python3 scripts/make_decode_fixtures.py
//
// Each image is a decoder case PIL reads in its own way; its "full" recipe
// keeps the whole oriented image, so every decoded pixel is compared.
const decodeFixtureDir = "../../testdata/preprocess/decode"

func TestDecodeFixtures(t *testing.T) {
	var cases struct {
		Cases []struct {
			Image  string          `json:"image"`
			Recipe string          `json:"recipe"`
			Kind   string          `json:"kind"`
			Config json.RawMessage `json:"config"`
			Expect string          `json:"expect"` // tensor key when not image/recipe
		} `json:"cases"`
	}
	b, err := os.ReadFile(filepath.Join(decodeFixtureDir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	want := readFixture(t, filepath.Join(decodeFixtureDir, "expected.safetensors"))
	n := 0
	for _, c := range cases.Cases {
		if c.Expect == "" {
			n++
		}
	}
	if n == 0 || n != len(want) {
		t.Fatalf("%d cases, %d expected tensors", len(cases.Cases), len(want))
	}
	for _, c := range cases.Cases {
		t.Run(c.Image+"/"+c.Recipe, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(decodeFixtureDir, c.Image))
			if err != nil {
				t.Fatal(err)
			}
			r := parseRecipe(t, c.Kind, c.Config)
			key := c.Image + "/" + c.Recipe
			if c.Expect != "" {
				key = c.Expect
			}
			exp, ok := want[key]
			if !ok {
				t.Fatal("no expected tensor")
			}
			if len(exp.Shape) != 3 || exp.Shape[0] != r.Channels || exp.Shape[1] != r.Height || exp.Shape[2] != r.Width {
				t.Fatalf("expected shape %v, recipe gives %d×%d×%d", exp.Shape, r.Channels, r.Height, r.Width)
			}
			dst := make([]float32, r.Channels*r.Height*r.Width)
			if err := r.Load(c.Image, bytes.NewReader(data), Limits{}, dst); err != nil {
				t.Fatal(err)
			}
			ref := fixtureF32(t, exp)
			bad := 0
			for i := range ref {
				d := math.Abs(float64(dst[i]) - float64(ref[i]))
				if !(d <= 1e-6) { // NaN fails too
					if bad < 3 {
						hw := r.Height * r.Width
						t.Errorf("c%d y%d x%d: got %v want %v", i/hw, i%hw/r.Width, i%r.Width, dst[i], ref[i])
					}
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d values differ by more than 1e-6", bad, len(ref))
			}
		})
	}
}

// TestDecodeFixturesDamaged truncates and corrupts every decoder fixture:
// each result is an image or a *DecodeError, and no decoder panics (Decode
// would report a recovered panic as "decoder panic").
func TestDecodeFixturesDamaged(t *testing.T) {
	names, err := filepath.Glob(filepath.Join(decodeFixtureDir, "*.*"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, path := range names {
		if ext := filepath.Ext(path); ext == ".json" || ext == ".safetensors" || ext == ".md" {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var variants [][]byte
		for _, cut := range []int{len(data) / 5, len(data) / 2, len(data) - 3} {
			variants = append(variants, data[:max(cut, 0)])
		}
		for k := 0; k < 8; k++ {
			v := append([]byte(nil), data...)
			for i := 8 + k; i < len(v); i += 7 + k {
				v[i] ^= byte(0x5a + 17*k)
			}
			variants = append(variants, v)
		}
		for i, v := range variants {
			_, err := DecodeBytes(filepath.Base(path), v, Limits{})
			var de *DecodeError
			if err != nil && !errors.As(err, &de) {
				t.Errorf("%s variant %d: error %v is not a *DecodeError", path, i, err)
			}
			if err != nil && strings.Contains(err.Error(), "decoder panic") {
				t.Errorf("%s variant %d: %v", path, i, err)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no fixtures")
	}
	t.Logf("%d damaged files", n)
}
