//go:build !linux

package rusage

// PeakRSS is 0 where ru_maxrss's unit is not Linux's kilobytes.
func PeakRSS() int64 { return 0 }
