package kernels

// sgemmGeneric is the reference micro-kernel that every assembly kernel
// must match: for one micro-panel a [kc][lda] (mr ≤ lda values used per
// step) of packed A and one panel
// b [kc][32] of packed B,
//
//	acc[i][j] = Σ_l a[l*lda+i] · b[l*32+j]     i < mr, j < 32, l < kc
//	if flags&kBias != 0 { acc[i][j] += bias[j] }
//	if flags&kLoad != 0 { acc[i][j] += c[i*ldc+j] }
//	c[i*ldc+j] = acc[i][j]
func sgemmGeneric(mr, kc int, a []float32, lda int, rows bool, b, c []float32, ldc int, bias []float32, flags int) {
	var acc [mrMax * nr]float32
	b = b[:kc*nr]
	si, sl := 1, lda // strides of A between rows and between steps
	if rows {
		si, sl = lda, 1
	}
	for l := 0; l < kc; l++ {
		bl := (*[nr]float32)(b[l*nr:])
		for i := 0; i < mr; i++ {
			av := a[i*si+l*sl]
			row := (*[nr]float32)(acc[i*nr:])
			for j := range row {
				row[j] += av * bl[j]
			}
		}
	}
	for i := 0; i < mr; i++ {
		row := (*[nr]float32)(acc[i*nr:])
		if flags&kBias != 0 {
			bb := (*[nr]float32)(bias)
			for j := range row {
				row[j] += bb[j]
			}
		}
		ci := (*[nr]float32)(c[i*ldc:])
		if flags&kLoad != 0 {
			for j := range row {
				ci[j] += row[j]
			}
		} else {
			*ci = *row
		}
	}
}
