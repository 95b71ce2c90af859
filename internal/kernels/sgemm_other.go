//go:build !amd64 || !gc || purego

package kernels

// Without assembly only the generic kernels exist.
var hasAVX2, hasAVX512 bool

// microKernel runs the micro-kernel of family s; see sgemmGeneric.
func microKernel(s isa, mr, w, kc int, a []float32, lda int, rows bool, b, c []float32, ldc int, bias []float32, flags int) {
	sgemmGeneric(mr, w, kc, a, lda, rows, b, c, ldc, bias, flags)
}

// hasKernelPf reports whether family s has micro-kernels that prefetch:
// not without assembly.
func hasKernelPf(s isa) bool { return false }

// microKernelPf is microKernel on a full panel: without assembly there is
// no prefetch, which changes no arithmetic (callers check hasKernelPf).
func microKernelPf(s isa, mr, kc int, a []float32, lda int, b, c, bias []float32, flags int, pf []float32, pfStep, pfLeft, pfSeg, pfSkip int) {
	microKernel(s, mr, nr, kc, a, lda, true, b, c, nr, bias, flags)
}

// cacheInfo is Zen 4's without assembly: the AVX-512 kernels that use it
// are absent.
func cacheInfo() cacheGeom { return zen4Caches }
