package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"
)

// BenchmarkClassify runs the whole classify pipeline (walk, decode,
// preprocess, batched forward, ordered jsonl output) with the built-in
// model over 256 small PNGs, reporting images/s.
func BenchmarkClassify(b *testing.B) {
	dir := b.TempDir()
	const n = 256
	for i := range n {
		writePNG(b, filepath.Join(dir, fmt.Sprintf("img%03d.png", i)), 28+i%40, 28+i%23, i)
	}
	for _, batch := range []string{"1", "8", "32"} {
		b.Run("b"+batch, func(b *testing.B) {
			for b.Loop() {
				ta := newRealApp("")
				ta.stdout = io.Discard
				if code := ta.main(context.Background(), []string{"classify", "-f", "jsonl", "-b", batch, dir}); code != exitOK {
					b.Fatalf("exit %d: %s", code, ta.err.String())
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
