package main

import (
	"time"

	"github.com/vitgo/vit/internal/kernels"
)

// measurePeak measures the attainable fp32 FMA throughput of `threads`
// cores in GFLOP/s with the kernels' register-only FMA loop on the vector
// unit they use (kernels.FMAPeak), best of three runs of about 100 ms. It
// returns 0 when only the generic kernels are available.
func measurePeak(threads int) (gflops float64, isa string) {
	p := kernels.NewPool(threads)
	defer p.Close()
	best := 0.0
	for range 3 {
		best = max(best, kernels.FMAPeak(p, 100*time.Millisecond))
	}
	if best == 0 {
		return 0, ""
	}
	return best, kernels.ISA()
}
