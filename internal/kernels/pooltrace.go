//go:build vittrace

package kernels

import (
	"fmt"
	"time"
)

// With the vittrace build tag the Pool records every call it runs, for
// measuring where a forward pass's time goes between the kernels: the
// workers' start and end times, whether a worker slept before the call,
// and the caller's wait. Without the tag traceOn is false and the
// compiler drops the hooks.
const traceOn = true

// CallTrace is one recorded Pool call. Times are nanoseconds since an
// arbitrary origin; Begin, End and Slept are indexed by worker.
type CallTrace struct {
	Kind       string  // the job's type, with its phase for Linear
	N          int     // items split among the workers
	Start      int64   // the caller hands out the call
	Done       int64   // the caller's wait is over
	Begin, End []int64 // [workers] when each worker started and ended its share
	Slept      []bool  // [workers] worker w slept before this call
}

var (
	traceCalls   []CallTrace
	traceEnabled bool
	traceOrigin  = time.Now()
)

// TracePool starts (on) or stops recording Pool calls and returns the
// calls recorded since the last TracePool(true).
func TracePool(on bool) []CallTrace {
	calls := traceCalls
	traceCalls, traceEnabled = nil, on
	return calls
}

func traceNow() int64 { return int64(time.Since(traceOrigin)) }

// traceStart records a call of j on n items and t workers, before any
// worker sees it, and returns its record (nil when not recording).
func traceStart(j job, n, t int) *CallTrace {
	if !traceEnabled {
		return nil
	}
	kind := fmt.Sprintf("%T", j)
	switch g := j.(type) {
	case *gemmJob:
		kind += fmt.Sprint("/", g.phase)
	case *lowJob:
		kind += fmt.Sprint("/", g.phase)
	}
	traceCalls = append(traceCalls, CallTrace{Kind: kind, N: n, Start: traceNow(),
		Begin: make([]int64, t), End: make([]int64, t), Slept: make([]bool, t)})
	return &traceCalls[len(traceCalls)-1]
}
