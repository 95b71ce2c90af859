package preprocess

import (
	"bytes"
	"image"
	"testing"

	"github.com/vitgo/vit/internal/preprocess/jpeg"
)

// TestDraftScale checks PIL's JpegImageFile.draft rule: the largest of 8,
// 4, 2 not above min(W / rw, H / rh), with the request turned to the
// file's orientation.
func TestDraftScale(t *testing.T) {
	fixed := func(w, h int) func(int, int) (int, int) {
		return func(int, int) (int, int) { return w, h }
	}
	for _, c := range []struct {
		w, h, orient int
		to           func(int, int) (int, int)
		want         int
	}{
		{4000, 3000, 1, fixed(224, 224), 8},
		{4000, 3000, 1, nil, 1},
		{1000, 800, 1, fixed(224, 224), 2},    // min(4, 3) = 3
		{1000, 900, 1, fixed(224, 224), 4},    // min(4, 4)
		{447, 4000, 1, fixed(224, 224), 1},    // 447/224 = 1
		{4000, 300, 6, fixed(100, 1000), 2},   // raw request 1000×100: min(4, 3)
		{4000, 1000, 6, fixed(125, 1000), 4},  // raw request 1000×125: min(4, 8)
		{4000, 1000, 1, fixed(125, 1000), 1},  // unrotated: min(32, 1)
		{2000, 2000, 1, fixed(0, 224), 1},     // degenerate request
		{9000, 9000, 1, fixed(1000, 1000), 8}, // capped at 8
	} {
		got := draftScale(image.Config{Width: c.w, Height: c.h}, c.orient, c.to)
		if got != c.want {
			t.Errorf("%d×%d orientation %d: scale %d, want %d", c.w, c.h, c.orient, got, c.want)
		}
	}
}

// TestLoadDraft checks that Recipe.Load with Limits.Draft decodes a large
// JPEG scaled (the pixels of Pixels on the scaled decode) and leaves other
// formats and small JPEGs as they were.
func TestLoadDraft(t *testing.T) {
	r := DefaultHF("vit", 32, 3)
	data := encodeJPEG(t, 300, 200) // Go writes 4:2:0
	scaled, err := jpeg.DecodeOptions(data, jpeg.Options{Scale: 4})
	if err != nil {
		t.Fatal(err)
	}
	if b := scaled.Bounds(); b.Dx() != 75 || b.Dy() != 50 {
		t.Fatalf("scaled bounds %v", b)
	}
	want := make([]float32, 3*32*32)
	if err := r.Pixels(scaled, want); err != nil {
		t.Fatal(err)
	}
	got := make([]float32, len(want))
	if err := r.Load("a.jpg", bytes.NewReader(data), Limits{Draft: true}, got); err != nil {
		t.Fatal(err)
	}
	exact := make([]float32, len(want))
	if err := r.Load("a.jpg", bytes.NewReader(data), Limits{}, exact); err != nil {
		t.Fatal(err)
	}
	same, differs := true, false
	for i := range got {
		same = same && got[i] == want[i]
		differs = differs || got[i] != exact[i]
	}
	if !same || !differs {
		t.Fatalf("draft load: equal to the scaled decode %v, differs from the exact one %v", same, differs)
	}
	r = DefaultHF("vit", 64, 3)
	for _, name := range []string{"rgb_97x61.png", "photo_120x90.jpg"} { // PNG; JPEG under 2×64
		data := fixture(t, name)
		a, b := make([]float32, 3*64*64), make([]float32, 3*64*64)
		if err := r.Load(name, bytes.NewReader(data), Limits{Draft: true}, a); err != nil {
			t.Fatal(err)
		}
		if err := r.Load(name, bytes.NewReader(data), Limits{}, b); err != nil {
			t.Fatal(err)
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%s: draft changed value %d", name, i)
			}
		}
	}
}
