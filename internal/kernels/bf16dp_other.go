//go:build !amd64 || !gc || purego

package kernels

var hasDPBF16 bool

func dpFits(s isa) bool { return false }

func (g *lowJob) blockDP(ws *lowScratch, w0, w1, x0, x1 int) { panic("kernels: no VDPBF16PS") }

func dpRows(a []uint16, lda int, b []uint16, kp2 int, c []float32, rows int, wide bool, mx []float32, pf *lineQueue, step int) {
	panic("kernels: no VDPBF16PS")
}

func swapPairs(dst, src []uint16) { swapPairsGeneric(dst, src) }
