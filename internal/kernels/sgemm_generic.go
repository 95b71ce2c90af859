package kernels

// sgemmGeneric is the reference micro-kernel that every assembly kernel
// must match: for one micro-panel of A, either mr rows (rows: a[i*lda+l])
// or packed steps (a[l*lda+i]), and the first w ≤ 32 columns of one panel
// b [kc][32] of packed B,
//
//	acc[i][j] = Σ_l a[i*lda+l] · b[l*32+j]     i < mr, j < w, l < kc
//	if flags&kBias != 0 { acc[i][j] += bias[i] }
//	if flags&kLoad != 0 { acc[i][j] += c[i*ldc+j] }
//	c[i*ldc+j] = acc[i][j]
func sgemmGeneric(mr, w, kc int, a []float32, lda int, rows bool, b, c []float32, ldc int, bias []float32, flags int) {
	var acc [mrMax * nr]float32
	b = b[:(kc-1)*nr+w]
	si, sl := 1, lda // strides of A between rows and between steps
	if rows {
		si, sl = lda, 1
	}
	for l := 0; l < kc; l++ {
		bl := b[l*nr : l*nr+w]
		for i := 0; i < mr; i++ {
			av := a[i*si+l*sl]
			row := acc[i*nr : i*nr+w]
			for j, bv := range bl {
				row[j] += av * bv
			}
		}
	}
	for i := 0; i < mr; i++ {
		row := acc[i*nr : i*nr+w]
		if flags&kBias != 0 {
			for j := range row {
				row[j] += bias[i]
			}
		}
		ci := c[i*ldc : i*ldc+w]
		if flags&kLoad != 0 {
			for j := range row {
				ci[j] += row[j]
			}
		} else {
			copy(ci, row)
		}
	}
}
