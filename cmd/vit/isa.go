//go:build !purego

package main

import (
	"runtime"

	"golang.org/x/sys/cpu"
)

// kernelISA names the micro-kernel the kernels package picks on this CPU
// (the rule of internal/kernels/sgemm_amd64.go: AVX-512 F+BW+VL with AVX2
// and FMA, else AVX2+FMA, else generic).
func kernelISA() string {
	if runtime.GOARCH == "amd64" {
		avx2 := cpu.X86.HasAVX2 && cpu.X86.HasFMA
		switch {
		case avx2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL:
			return "avx512"
		case avx2:
			return "avx2"
		}
	}
	return "generic (pure Go)"
}
