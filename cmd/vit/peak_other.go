//go:build !amd64 || !gc || purego

package main

// fmaProbe: no FMA probe on this platform or build; pass --peak-gflops.
func fmaProbe() (loop func(n int), flopsPerIter float64, name string) { return nil, 0, "" }
