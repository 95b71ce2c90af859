//go:build accuracy

package models_test

import (
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"image"
	"io"
	"os"
	"testing"

	"github.com/vitgo/vit/internal/kernels"
	"github.com/vitgo/vit/internal/model"
	"github.com/vitgo/vit/models"
)

// fashionDir is where Debian's dataset-fashion-mnist puts the data
// (`make precision-accuracy` installs it).
const fashionDir = "/usr/share/datasets/fashion-mnist"

// readIDX reads a gzipped IDX file: its dimensions and its bytes.
func readIDX(t *testing.T, name string) ([]int, []byte) {
	t.Helper()
	f, err := os.Open(fashionDir + "/" + name)
	if err != nil {
		t.Skipf("Fashion-MNIST: %v (install dataset-fashion-mnist)", err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var magic uint32
	if err := binary.Read(z, binary.BigEndian, &magic); err != nil || magic>>8 != 8 {
		t.Fatalf("%s: not an IDX file of bytes (magic %#x, %v)", name, magic, err)
	}
	dims := make([]int, magic&0xff)
	n := 1
	for i := range dims {
		var d uint32
		if err := binary.Read(z, binary.BigEndian, &d); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		dims[i] = int(d)
		n *= int(d)
	}
	data := make([]byte, n)
	if _, err := io.ReadFull(z, data); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return dims, data
}

// TestPrecisionAccuracy classifies the 10 000 Fashion-MNIST test images
// with the built-in model in fp32, bf16 and int8 and requires, against
// fp32, top-1 agreement ≥ 99.5% (bf16) and ≥ 99% (int8), and accuracy
// within 0.3 points of fp32's. The images go through the model's own
// recipe from their 28×28 gray pixels (no file decoding).
func TestPrecisionAccuracy(t *testing.T) {
	dims, px := readIDX(t, "t10k-images-idx3-ubyte.gz")
	_, labels := readIDX(t, "t10k-labels-idx1-ubyte.gz")
	n, h, w := dims[0], dims[1], dims[2]
	var preds [3][]int // [precision][image] predicted class
	for pi, prec := range []kernels.Precision{kernels.FP32, kernels.BF16, kernels.Int8} {
		m, err := model.LoadFS(models.FS, models.Default, model.Options{Threads: 2, Precision: prec})
		if err != nil {
			t.Fatal(err)
		}
		c, ih, iw := m.InputShape()
		l := m.Config.NumClasses
		const batch = 64
		pix := make([]float32, batch*c*ih*iw) // [B, C, H, W]
		logits := make([]float32, batch*l)    // [B, L]
		for i0 := 0; i0 < n; i0 += batch {
			b := min(batch, n-i0)
			for i := range b {
				img := &image.Gray{Pix: px[(i0+i)*h*w : (i0+i+1)*h*w], Stride: w, Rect: image.Rect(0, 0, w, h)}
				if err := m.Recipe.Pixels(img, pix[i*c*ih*iw:(i+1)*c*ih*iw]); err != nil {
					t.Fatal(err)
				}
			}
			if err := m.Forward(pix, b, ih, iw, logits); err != nil {
				t.Fatal(err)
			}
			for i := range b {
				best := 0
				for k, v := range logits[i*l : (i+1)*l] {
					if v > logits[i*l+best] {
						best = k
					}
				}
				preds[pi] = append(preds[pi], best)
			}
		}
		m.Close()
	}
	acc := func(p []int) float64 {
		ok := 0
		for i, c := range p {
			if c == int(labels[i]) {
				ok++
			}
		}
		return float64(ok) / float64(n)
	}
	agree := func(p []int) float64 {
		same := 0
		for i, c := range p {
			if c == preds[0][i] {
				same++
			}
		}
		return float64(same) / float64(n)
	}
	a32 := acc(preds[0])
	t.Logf("fp32: accuracy %.2f%% on %d images", 100*a32, n)
	for pi, c := range []struct {
		name  string
		agree float64
	}{{"bf16", 0.995}, {"int8", 0.99}} {
		p := preds[pi+1]
		a, g := acc(p), agree(p)
		msg := fmt.Sprintf("%s: accuracy %.2f%% (%+.2f points), top-1 agreement with fp32 %.2f%%", c.name, 100*a, 100*(a-a32), 100*g)
		t.Log(msg)
		if g < c.agree || a < a32-0.003 {
			t.Errorf("%s; want agreement ≥ %.1f%% and accuracy within 0.3 points", msg, 100*c.agree)
		}
	}
}
