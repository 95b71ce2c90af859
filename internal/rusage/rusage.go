// Package rusage reads the process's resource use for benchmarks and
// tests: CPU time, a steadier measure than wall time on a shared
// machine, and the peak resident set.
package rusage
