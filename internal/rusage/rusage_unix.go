//go:build unix

package rusage

import (
	"syscall"
	"time"
)

// CPUTime returns the user plus system time the process has used, 0 if
// the system does not say.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
