//go:build !amd64 || !gc || purego

package kernels

var hasVNNI, hasAVXVNNI bool

func q8Widens() bool { return false }

func q8Widen(dst []int16, wq []int8, ldw, kq4 int) {}

func q8Fast(w, kq4 int, wq []int8, ldw int, w16 []int16, acc *[mrQ * nr]int32, x []uint8, c, sw []float32, wsum []int32, sx []float32, zx []int32, bias []float32, flags int, pf []float32, pfw []int8) bool {
	return false
}

// tileQ8 is tileQ8Kernel (see the amd64 version).
func (g *lowJob) tileQ8(ws *lowScratch, r0, jr int, wide bool, t, bias []float32, flags int, pf []float32, pfw []int8) {
	g.tileQ8Kernel(ws, r0, jr, wide, t, bias, flags, pf, pfw)
}

func q8PanelFast(dst []uint8, src []float32, kq4 int, inv *[nr]float32, zx []int32) int { return 0 }

func minMaxPanelFast(src []float32, k int, lo, hi *[nr]float32) int { return 0 }

func bf16PanelFast(dst, src []float32, pairs int) int { return 0 }

func bf16ExpandFast(dst []float32, src []uint16) int { return 0 }

var hasBF16 bool

func dpbf16AVX512(acc *[16]float32, a, b *[32]uint16) { panic("kernels: no VDPBF16PS") }

func dotRounds(p Precision, n int) float64 { return 0 }

func int8PeakName() string { return "generic" }

var hasAMX bool

func amxFits(p Precision, kp int) bool { return false }

func amxUsable() bool { return false }

func (g *lowJob) blockAMX(ws *lowScratch, w0, w1, x0, x1 int) { panic("kernels: no AMX") }

func bf16PairsFast(dst []uint16, src []float32, pairs int, nat bool) int { return 0 }

func amxRounds(p Precision, n int) float64 { return 0 }
