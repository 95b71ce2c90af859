package classify_test

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/classify/classifytest"
)

// BenchmarkClassify runs the whole pipeline (walk, decode, preprocess,
// batched forward, ordered jsonl output) with the built-in model over 256
// small PNGs, reporting images/s.
func BenchmarkClassify(b *testing.B) {
	dir := b.TempDir()
	const n = 256
	for i := range n {
		classifytest.WritePNG(b, filepath.Join(dir, fmt.Sprintf("img%03d.png", i)), 28+i%40, 28+i%23, i)
	}
	clf := builtinModel(b)
	for _, batch := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("b%d", batch), func(b *testing.B) {
			for b.Loop() {
				out := classify.NewRecordWriter("jsonl", io.Discard, classify.WriterOptions{})
				sum, err := classify.Run(context.Background(), clf, classify.Inputs{Paths: []string{dir}},
					classify.Options{TopK: 5, BatchSize: batch, Workers: 2}, out)
				if err != nil || sum.Inputs != n || sum.Failed != 0 {
					b.Fatalf("%+v, %v", sum, err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
