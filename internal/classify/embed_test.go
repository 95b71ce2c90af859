package classify_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/classify/classifytest"
	"github.com/vitgo/vit/internal/model"
	"github.com/vitgo/vit/internal/preprocess"
)

// TestRunRecord: with Options.Record, each image's output row becomes its
// record's Value, in input order, whatever the batch size; a failed input
// is still an error record and a Record error is that input's error.
func TestRunRecord(t *testing.T) {
	d := t.TempDir()
	paths := writeImages(t, d, 7)
	bad := filepath.Join(d, "bad.png")
	os.WriteFile(bad, []byte("not a png"), 0o644)
	paths = append(paths[:3], append([]string{bad}, paths[3:]...)...)

	// The rows, as Forward writes them, for comparison.
	want := map[string][]float32{}
	var rows collect
	if _, err := classify.Run(context.Background(), &classifytest.Fake{}, classify.Inputs{Paths: paths},
		classify.Options{BatchSize: 3, Record: func(r *classify.Result, out []float32) error {
			want[r.Path] = slices.Clone(out)
			return nil
		}}, &rows); err != nil {
		t.Fatal(err)
	}
	for _, bs := range []int{1, 4} {
		var out collect
		sum, err := classify.Run(context.Background(), &classifytest.Fake{}, classify.Inputs{Paths: paths},
			classify.Options{BatchSize: bs, Workers: 2, Record: classify.EmbedRecord(true)}, &out)
		if err != nil || sum.Inputs != len(paths) || sum.Failed != 1 {
			t.Fatalf("-b %d: Run: %+v, %v", bs, sum, err)
		}
		for i, r := range out.recs {
			if r.Path != paths[i] {
				t.Fatalf("record %d is %s, want %s", i, r.Path, paths[i])
			}
			if r.Path == bad {
				if r.Err == nil || r.Value != nil {
					t.Errorf("%s: err %v, value %v; want an error record", r.Path, r.Err, r.Value)
				}
				continue
			}
			e, ok := r.Value.(classify.Embedding)
			if !ok || len(e) != 4 || r.Predictions != nil {
				t.Fatalf("%s: value %#v, predictions %v", r.Path, r.Value, r.Predictions)
			}
			var norm float64
			for _, v := range want[r.Path] {
				norm += float64(v) * float64(v)
			}
			norm = math.Sqrt(norm)
			for j, v := range e {
				if w := float64(want[r.Path][j]) / norm; math.Abs(float64(v)-w) > 1e-6 {
					t.Errorf("%s[%d] = %v, want %v (row / its L2 norm)", r.Path, j, v, w)
				}
			}
		}
	}

	// A Record error is the input's error record; the others go on.
	var out collect
	sum, err := classify.Run(context.Background(), &classifytest.Fake{}, classify.Inputs{Paths: paths[:3]},
		classify.Options{Record: func(r *classify.Result, out []float32) error {
			if strings.HasSuffix(r.Path, "img001.png") {
				return errors.New("no vector")
			}
			r.Value = 1
			return nil
		}}, &out)
	if err != nil || sum.Failed != 1 || out.recs[1].Err == nil || out.recs[0].Value != 1 {
		t.Errorf("Record error: %+v, %v, records %+v", sum, err, out.recs)
	}

	// A model without labels needs a Record.
	if _, err := classify.Run(context.Background(), noLabels{&classifytest.Fake{}}, classify.Inputs{Paths: paths[:1]},
		classify.Options{}, &out); err == nil {
		t.Error("Run without labels or Record: no error")
	}
}

type noLabels struct{ *classifytest.Fake }

func (noLabels) Labels() []string { return nil }

func TestEmbedRecordNormalize(t *testing.T) {
	for _, tc := range []struct {
		in, want  []float32
		normalize bool
		err       bool
	}{
		{[]float32{3, 4}, []float32{0.6, 0.8}, true, false},
		{[]float32{3, 4}, []float32{3, 4}, false, false},
		{[]float32{0, 0}, []float32{0, 0}, true, false},
		{[]float32{1, float32(math.NaN())}, nil, true, true},
		{[]float32{1, float32(math.Inf(1))}, nil, false, true},
	} {
		var r classify.Result
		err := classify.EmbedRecord(tc.normalize)(&r, tc.in)
		if (err != nil) != tc.err {
			t.Errorf("%v: err %v", tc.in, err)
			continue
		}
		if err == nil && !slices.Equal([]float32(r.Value.(classify.Embedding)), tc.want) {
			t.Errorf("%v normalize %v: %v, want %v", tc.in, tc.normalize, r.Value, tc.want)
		}
	}
}

// TestNPYWriter reads back the matrix as the .npy format (version 1.0)
// defines it: the magic, the header dict with the final shape, padded to
// a multiple of 64 and ending in a newline, then the rows.
func TestNPYWriter(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "e.npy"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var paths bytes.Buffer
	var errs []string
	w := classify.NewNPYWriter(f, &paths, func(s string) { errs = append(errs, s) })
	recs := []classify.Result{
		{Path: "a.png", Value: classify.Embedding{1, -2, 0.5}},
		{Path: "b\n.png", Err: errors.New("bad")},
		{Path: "c.png", Value: classify.Embedding{3, 4, 5}},
	}
	if err := w.Begin(); err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		if err := w.Write(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.End(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&classify.Result{Path: "d", Value: classify.Embedding{1}}); err == nil {
		t.Error("a row of another width: no error")
	}
	data, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("\x93NUMPY\x01\x00")) {
		t.Fatalf("magic %q", data[:8])
	}
	hl := int(binary.LittleEndian.Uint16(data[8:10]))
	hdr := string(data[10 : 10+hl])
	if (10+hl)%64 != 0 || !strings.HasSuffix(hdr, "\n") {
		t.Errorf("header of %d bytes %q: want a multiple of 64 ending in a newline", 10+hl, hdr)
	}
	if want := "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"; strings.TrimRight(hdr, " \n") != want {
		t.Errorf("header %q, want %q", hdr, want)
	}
	body := data[10+hl:]
	var got []float32
	for i := 0; i+4 <= len(body); i += 4 {
		got = append(got, math.Float32frombits(binary.LittleEndian.Uint32(body[i:])))
	}
	if want := []float32{1, -2, 0.5, 3, 4, 5}; !slices.Equal(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	if paths.String() != "a.png\nc.png\n" {
		t.Errorf("paths %q", paths.String())
	}
	if len(errs) != 1 || errs[0] != `b\n.png: bad` {
		t.Errorf("errors %q", errs)
	}
}

// TestEmbedderMatchesModel: NewEmbedder's rows are model.Embed's vectors
// for the image the model's recipe makes.
func TestEmbedderMatchesModel(t *testing.T) {
	m, err := model.Load(filepath.Join("..", "..", "testdata", "model", "hf-vit-tiny"), model.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	e, err := classify.NewEmbedder(m)
	if err != nil {
		t.Fatal(err)
	}
	if e.OutLen() != 64 || e.Labels() != nil {
		t.Fatalf("OutLen %d, labels %v", e.OutLen(), e.Labels())
	}
	img := filepath.Join("..", "..", "testdata", "preprocess", "odd420_101x75.jpg")
	var out collect
	if _, err := classify.Run(context.Background(), e, classify.Inputs{Paths: []string{img}},
		classify.Options{Record: classify.EmbedRecord(false)}, &out); err != nil || out.recs[0].Err != nil {
		t.Fatal(err, out.recs)
	}
	pix := make([]float32, e.InputLen())
	fh, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if err := e.Prepare(img, fh, preprocess.Limits{}, pix); err != nil {
		t.Fatal(err)
	}
	want := make([]float32, 64)
	if err := m.Embed(pix, 1, 32, 32, want); err != nil {
		t.Fatal(err)
	}
	if got := out.recs[0].Value.(classify.Embedding); !slices.Equal(got, want) {
		t.Errorf("Run's embedding %v\nwant Embed's %v", got, want)
	}
}
