//go:build !amd64 || !gc || purego

package kernels

func activateFast(act Act, x []float32) bool { return false }

func softmaxRowFast(x []float32) bool { return false }

func softmaxCols32(s []float32, rows int) { softmaxCols32Generic(s, rows) }

func scaleFast(x []float32, s float32) {
	for i := range x {
		x[i] *= s
	}
}

func softmaxColsN(s []float32, rows, w int) { softmaxCols32Generic(s, rows) }

func layerNormRowFast(x, y, gamma, beta []float32, eps float32) bool { return false }

func fmaRounds(n int) float64 { return 0 }

func storeTFast(t []float32, mr, cols int, c []float32, ldc int, accumulate bool) bool {
	return false
}

func packPanelFast(dst, src []float32, k, ldb int) int { return 0 }

func prefetchPanel(a []float32, mr, lda, kb, i, n int) {}

func prefetchLines(a []float32, n int) {}

func lnPanelFast(x, y, gamma, beta []float32, eps float32) bool { return false }

func lnMinMaxPanelFast(x, y, gamma, beta []float32, eps float32, lo, hi *[nr]float32) bool {
	return false
}

func lnBF16PairsFast(dst []uint16, x, gamma, beta []float32, eps float32, nat bool) bool {
	return false
}
