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
	return peak(p, d, fmaRounds)
}

// DotPeak is FMAPeak for the instruction the matmuls of precision prec
// run on: with AMX, TDPBF16PS or TDPBSUD (AMXPeak); else, for int8,
// VPDPBUSD (u8×s8 quads into int32, 8 operations per lane; zmm with
// AVX-512 VNNI, ymm with AVX-VNNI) or on other AVX2 CPUs VPMADDWD+VPADDD
// (s16 pairs into int32, 4 operations per lane), and for bf16 VDPBF16PS
// where the bf16 Linear runs on it (BF16Kernel "dpbf16": AMD CPUs), else
// the FMA (on Intel CPUs, which run VDPBF16PS at half the FMA's FLOPs,
// the bf16 Linear runs on FMAs without AMX). In GFLOP/s or GOP/s; 0 when
// the kernels in use have no such loop.
func DotPeak(p *Pool, prec Precision, d time.Duration) float64 {
	switch {
	case prec == FP32:
		return FMAPeak(p, d)
	case amxUsable():
		return peak(p, d, func(n int) float64 { return amxRounds(prec, n) })
	case prec == BF16 && BF16Kernel() != "dpbf16":
		return FMAPeak(p, d)
	}
	return DotInstrPeak(p, prec, d)
}

// DotInstrPeak measures the dot-product instruction of prec alone:
// VDPBF16PS (bf16 pairs into float32, 4 FLOP per lane) or VPDPBUSD; 0
// when the CPU lacks it.
func DotInstrPeak(p *Pool, prec Precision, d time.Duration) float64 {
	return peak(p, d, func(n int) float64 { return dotRounds(prec, n) })
}

// DotPeakName names what DotPeak(prec) measures on this CPU.
func DotPeakName(prec Precision) string {
	switch {
	case prec == BF16 && BF16Kernel() == "dpbf16":
		return "VDPBF16PS loop"
	case prec == FP32 || prec == BF16 && !amxUsable():
		return currentISA().String() + " FMA loop"
	case prec == BF16:
		return "AMX TDPBF16PS loop"
	case amxUsable():
		return "AMX TDPBSUD loop"
	}
	return int8PeakName()
}

// peak runs rounds (n rounds of a register-only loop, returning the
// operations done) on every worker for about d and returns G ops/s.
func peak(p *Pool, d time.Duration, rounds func(int) float64) float64 {
	p = orSerial(p)
	p.lock()
	defer p.unlock()
	if rounds(1) == 0 {
		return 0
	}
	// calibrate: rounds per worker for d
	n := 1 << 14
	for {
		t0 := time.Now()
		rounds(n)
		el := time.Since(t0)
		if el >= time.Millisecond || n >= 1<<30 {
			n = int(float64(n) * d.Seconds() / el.Seconds())
			break
		}
		n *= 4
	}
	j := &peakJob{rounds: max(n, 1), loop: rounds}
	t := p.workers()
	t0 := time.Now()
	p.run(t, j)
	el := time.Since(t0)
	return float64(j.flops.Load()) / el.Seconds() / 1e9
}

type peakJob struct {
	loop   func(int) float64
	rounds int
	flops  atomic.Int64
}

func (j *peakJob) run(_, lo, hi int) {
	for i := lo; i < hi; i++ {
		j.flops.Add(int64(j.loop(j.rounds)))
	}
}
