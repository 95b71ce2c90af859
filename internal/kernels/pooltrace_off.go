//go:build !vittrace

package kernels

// traceOn is false without the vittrace build tag (see pooltrace.go).
const traceOn = false

// CallTrace is a recorded Pool call: recorded only with the vittrace tag.
type CallTrace struct {
	Kind        string
	N           int
	Start, Done int64
	Begin, End  []int64
	Slept       []bool
}

func traceNow() int64 { return 0 }

func traceStart(j job, n, t int) *CallTrace { return nil }
