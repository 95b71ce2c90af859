//go:build linux

package rusage

import "syscall"

// PeakRSS returns the process's peak resident set in bytes, 0 if the
// system does not say.
func PeakRSS() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return int64(ru.Maxrss) * 1024 // kilobytes on Linux (an int32 on 32-bit systems)
}
