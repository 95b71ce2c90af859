//go:build !amd64 || !gc || purego

package kernels

func attentionAMX(s isa) bool { return false }

func amxBlocksBF16(a []uint16, lda int, b []uint16, c []float32, ksteps, n int) {
	panic("kernels: no AMX")
}
