package kernels

import (
	"sync/atomic"
	"time"
)

// FMAPeak measures the float32 FMA throughput of the pool's workers, in
// GFLOP/s, by running a register-only FMA loop (no memory traffic) on all
// of them for about d: the ceiling that GEMM GFLOP/s are compared with. It
// is 0 when only the generic kernels are available. The result reflects
// the clock the cores reach under all-core vector load and any other
// processes sharing them at the time.
func FMAPeak(p *Pool, d time.Duration) float64 {
	p = orSerial(p)
	p.lock()
	defer p.unlock()
	if fmaRounds(1) == 0 {
		return 0
	}
	// calibrate: rounds per worker for d
	n := 1 << 14
	for {
		t0 := time.Now()
		fmaRounds(n)
		el := time.Since(t0)
		if el >= time.Millisecond || n >= 1<<30 {
			n = int(float64(n) * d.Seconds() / el.Seconds())
			break
		}
		n *= 4
	}
	j := &peakJob{rounds: max(n, 1)}
	t := p.workers()
	t0 := time.Now()
	p.run(t, j)
	el := time.Since(t0)
	return float64(j.flops.Load()) / el.Seconds() / 1e9
}

type peakJob struct {
	rounds int
	flops  atomic.Int64
}

func (j *peakJob) run(_, lo, hi int) {
	for i := lo; i < hi; i++ {
		j.flops.Add(int64(fmaRounds(j.rounds)))
	}
}
