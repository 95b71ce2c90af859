//go:build unix

package preprocess

import (
	"syscall"
	"time"
)

// cpuTime is the process's user+system CPU time, a steadier measure than
// wall time on a shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
