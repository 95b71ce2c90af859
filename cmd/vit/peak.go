package main

import (
	"runtime"
	"sync"
	"time"
)

// measurePeak measures the attainable fp32 FMA throughput of `threads`
// cores in GFLOP/s, like /work/shared/bench/fma_peak.c: every thread runs
// the widest FMA loop the kernels use, best of five runs of about 50 ms.
// It returns 0 when this build has no probe.
func measurePeak(threads int) (gflops float64, isa string) {
	loop, perIter, name := fmaProbe()
	if loop == nil {
		return 0, ""
	}
	// Calibrate the iteration count to ~50 ms on one thread.
	n := 1 << 16
	for {
		t0 := time.Now()
		loop(n)
		if d := time.Since(t0); d > 10*time.Millisecond {
			n = int(float64(n) * float64(50*time.Millisecond) / float64(d))
			break
		}
		n *= 4
	}
	best := 0.0
	for range 5 {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range threads {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				<-start
				loop(n)
			}()
		}
		t0 := time.Now()
		close(start)
		wg.Wait()
		g := float64(threads) * float64(n) * perIter / time.Since(t0).Seconds() / 1e9
		best = max(best, g)
	}
	return best, name
}
