package classify

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// BenchResult is the timing of Bench's forward passes of one batch.
type BenchResult struct {
	Median time.Duration // the median pass (of an even count, the mean of the middle two)
	Best   time.Duration // the fastest pass
	Total  time.Duration // all timed passes
}

// Bench times m.Forward on batch images of random inputs (standard normal
// values from seed): warmup untimed passes, then iters ≥ 1 timed ones. It
// stops with ctx's error between passes.
func Bench(ctx context.Context, m Model, batch, warmup, iters int, seed int64) (BenchResult, error) {
	if batch < 1 || iters < 1 {
		return BenchResult{}, fmt.Errorf("bench: batch %d and iters %d: want ≥ 1", batch, iters)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x76697462656e6368))
	inputs := make([]float32, batch*m.InputLen()) // [B, InputLen]
	for i := range inputs {
		inputs[i] = float32(rng.NormFloat64())
	}
	logits := make([]float32, batch*len(m.Labels())) // [B, L]

	for range warmup {
		if err := m.Forward(inputs, batch, logits); err != nil {
			return BenchResult{}, fmt.Errorf("forward: %w", err)
		}
	}
	times := make([]time.Duration, iters) // [iters] per forward pass
	var total time.Duration
	for i := range times {
		if ctx.Err() != nil {
			return BenchResult{}, ctx.Err()
		}
		t0 := time.Now()
		if err := m.Forward(inputs, batch, logits); err != nil {
			return BenchResult{}, fmt.Errorf("forward: %w", err)
		}
		times[i] = time.Since(t0)
		total += times[i]
	}
	slices.Sort(times)
	r := BenchResult{Best: times[0], Median: times[len(times)/2], Total: total}
	if len(times)%2 == 0 {
		r.Median = (times[len(times)/2-1] + r.Median) / 2
	}
	return r, nil
}
