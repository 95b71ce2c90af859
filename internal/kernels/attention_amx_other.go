//go:build !amd64 || !gc || purego

package kernels

func attentionAMX(s isa) bool { return false }

func amxBlocksBF16(a []uint16, lda int, b []uint16, c []float32, ksteps, n int) {
	panic("kernels: no AMX")
}

func kRowsFast(dst []uint16, ld int, src []float32, dh int, nat bool) bool { return false }

func vRowsFast(dst []uint16, ld, k0 int, src []float32, dh int, nat bool) bool { return false }

func softmaxPairsFast(s []float32, rows int, scale float32, dst []uint16) bool { return false }

func softmaxNatFast(s []float32, rows int, scale float32, dst []uint16, wide bool, mx []float32) bool {
	return false
}
