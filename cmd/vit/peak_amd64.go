//go:build amd64 && gc && !purego

package main

// fmaAVX512 runs n iterations of 16 independent 16-lane FMAs (512 flops).
//
//go:noescape
func fmaAVX512(n int)

// fmaAVX2 runs n iterations of 12 independent 8-lane FMAs (192 flops).
//
//go:noescape
func fmaAVX2(n int)

// fmaProbe returns the widest FMA loop this CPU runs, its flops per
// iteration and its name; nil when there is none.
func fmaProbe() (loop func(n int), flopsPerIter float64, name string) {
	switch kernelISA() {
	case "avx512":
		return fmaAVX512, 512, "AVX-512"
	case "avx2":
		return fmaAVX2, 192, "AVX2"
	}
	return nil, 0, ""
}
