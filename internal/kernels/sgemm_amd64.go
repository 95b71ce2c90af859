//go:build amd64 && gc && !purego

package kernels

//go:generate sh -c "cd _asm && go run . > ../sgemm_amd64.s"

import "golang.org/x/sys/cpu"

// CPU flags, read once at start-up; tests flip them to reach every path.
var hasAVX2, hasAVX512 bool

func init() {
	hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	hasAVX512 = hasAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL
}

type kernelFunc func(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// microKernel runs the micro-kernel of family s on the first w ∈ {8, 16,
// 32} columns of a panel; see sgemmGeneric. Widths below 32 need A in
// rows. The AVX2 kernels are 16 columns wide and run twice per 32-column
// panel; 8 columns run the AVX2+FMA kernel of that width on either ISA.
func microKernel(s isa, mr, w, kc int, a []float32, lda int, rows bool, b, c []float32, ldc int, bias []float32, flags int) {
	if rows {
		_ = a[(mr-1)*lda+kc-1]
	} else {
		_ = a[(kc-1)*lda+mr-1]
	}
	_ = b[(kc-1)*nr+w-1]
	_ = c[(mr-1)*ldc+w-1]
	bp := &zeroBias[0]
	if flags&kBias != 0 {
		_ = bias[mr-1]
		bp = &bias[0]
	}
	if w < nr && (!rows || w&7 != 0) {
		panic("kernels: micro-kernel width below 32 needs A in rows and a multiple of 8")
	}
	switch {
	case s == isaGeneric:
		sgemmGeneric(mr, w, kc, a, lda, rows, b, c, ldc, bias, flags)
	case w == 8:
		kernRows8[mr](kc, &a[0], lda, &b[0], &c[0], ldc, bp, flags)
	case s == isaAVX512 && w == 16:
		kern512R16[mr](kc, &a[0], lda, &b[0], &c[0], ldc, bp, flags)
	case s == isaAVX512:
		k := kern512[mr]
		if rows {
			k = kern512Rows[mr]
		}
		k(kc, &a[0], lda, &b[0], &c[0], ldc, bp, flags)
	default: // AVX2
		k := kernAVX2[mr]
		if rows {
			k = kernAVX2Rows[mr]
		}
		k(kc, &a[0], lda, &b[0], &c[0], ldc, bp, flags)
		if w > 16 {
			k(kc, &a[0], lda, &b[16], &c[16], ldc, bp, flags)
		}
	}
}

var zeroBias [mrMax]float32

var kern512 = [...]kernelFunc{nil,
	sgemmAVX512x1,
	sgemmAVX512x2,
	sgemmAVX512x3,
	sgemmAVX512x4,
	sgemmAVX512x5,
	sgemmAVX512x6,
	sgemmAVX512x7,
	sgemmAVX512x8,
	sgemmAVX512x9,
	sgemmAVX512x10,
	sgemmAVX512x11,
	sgemmAVX512x12,
	sgemmAVX512x13,
	sgemmAVX512x14,
}

var kern512Rows = [...]kernelFunc{nil,
	sgemmAVX512Rows1,
	sgemmAVX512Rows2,
	sgemmAVX512Rows3,
	sgemmAVX512Rows4,
	sgemmAVX512Rows5,
	sgemmAVX512Rows6,
	sgemmAVX512Rows7,
	sgemmAVX512Rows8,
	sgemmAVX512Rows9,
	sgemmAVX512Rows10,
	sgemmAVX512Rows11,
	sgemmAVX512Rows12,
	sgemmAVX512Rows13,
	sgemmAVX512Rows14,
}

var kern512R16 = [...]kernelFunc{nil,
	sgemmAVX512R16x1,
	sgemmAVX512R16x2,
	sgemmAVX512R16x3,
	sgemmAVX512R16x4,
	sgemmAVX512R16x5,
	sgemmAVX512R16x6,
	sgemmAVX512R16x7,
	sgemmAVX512R16x8,
	sgemmAVX512R16x9,
	sgemmAVX512R16x10,
	sgemmAVX512R16x11,
	sgemmAVX512R16x12,
	sgemmAVX512R16x13,
	sgemmAVX512R16x14,
}

var kernRows8 = [...]kernelFunc{nil,
	sgemmRows8x1,
	sgemmRows8x2,
	sgemmRows8x3,
	sgemmRows8x4,
	sgemmRows8x5,
	sgemmRows8x6,
	sgemmRows8x7,
	sgemmRows8x8,
	sgemmRows8x9,
	sgemmRows8x10,
	sgemmRows8x11,
	sgemmRows8x12,
	sgemmRows8x13,
	sgemmRows8x14,
}

var kernAVX2Rows = [...]kernelFunc{nil,
	sgemmAVX2Rows1,
	sgemmAVX2Rows2,
	sgemmAVX2Rows3,
	sgemmAVX2Rows4,
	sgemmAVX2Rows5,
	sgemmAVX2Rows6,
}

var kernAVX2 = [...]kernelFunc{nil,
	sgemmAVX2x1,
	sgemmAVX2x2,
	sgemmAVX2x3,
	sgemmAVX2x4,
	sgemmAVX2x5,
	sgemmAVX2x6,
}

// sgemmAVX512x1 is the 1×32 micro-kernel: for i < 1, j < 32,
//
//	acc := Σ_l a[l*lda+i] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512x1(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512x2 is the 2×32 micro-kernel: for i < 2, j < 32,
//
//	acc := Σ_l a[l*lda+i] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512x2(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512x3 is the 3×32 micro-kernel: for i < 3, j < 32,
//
//	acc := Σ_l a[l*lda+i] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512x3(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512x4 is the 4×32 micro-kernel: for i < 4, j < 32,
//
//	acc := Σ_l a[l*lda+i] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512x4(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512x5 is the 5×32 micro-kernel: for i < 5, j < 32,
//
//	acc := Σ_l a[l*lda+i] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512x5(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512x6 is the 6×32 micro-kernel: for i < 6, j < 32,
//
//	acc := Σ_l a[l*lda+i] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512x6(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512x7 is the 7×32 micro-kernel: for i < 7, j < 32,
//
//	acc := Σ_l a[l*lda+i] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512x7(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512x8 is the 8×32 micro-kernel: for i < 8, j < 32,
//
//	acc := Σ_l a[l*lda+i] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512x8(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512x9 is the 9×32 micro-kernel: for i < 9, j < 32,
//
//	acc := Σ_l a[l*lda+i] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512x9(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512x10 is the 10×32 micro-kernel: for i < 10, j < 32,
//
//	acc := Σ_l a[l*lda+i] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512x10(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512x11 is the 11×32 micro-kernel: for i < 11, j < 32,
//
//	acc := Σ_l a[l*lda+i] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512x11(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512x12 is the 12×32 micro-kernel: for i < 12, j < 32,
//
//	acc := Σ_l a[l*lda+i] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512x12(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512x13 is the 13×32 micro-kernel: for i < 13, j < 32,
//
//	acc := Σ_l a[l*lda+i] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512x13(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512x14 is the 14×32 micro-kernel: for i < 14, j < 32,
//
//	acc := Σ_l a[l*lda+i] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512x14(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX2x1 is the 1×16 micro-kernel: for i < 1, j < 16,
//
//	acc := Σ_l a[l*lda+i] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX2x1(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX2x2 is the 2×16 micro-kernel: for i < 2, j < 16,
//
//	acc := Σ_l a[l*lda+i] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX2x2(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX2x3 is the 3×16 micro-kernel: for i < 3, j < 16,
//
//	acc := Σ_l a[l*lda+i] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX2x3(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX2x4 is the 4×16 micro-kernel: for i < 4, j < 16,
//
//	acc := Σ_l a[l*lda+i] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX2x4(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX2x5 is the 5×16 micro-kernel: for i < 5, j < 16,
//
//	acc := Σ_l a[l*lda+i] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX2x5(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX2x6 is the 6×16 micro-kernel: for i < 6, j < 16,
//
//	acc := Σ_l a[l*lda+i] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX2x6(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512Rows1 is sgemmAVX512x1 with A in rows: a[i*lda+l].
//
//go:noescape
func sgemmAVX512Rows1(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512Rows2 is sgemmAVX512x2 with A in rows: a[i*lda+l].
//
//go:noescape
func sgemmAVX512Rows2(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512Rows3 is sgemmAVX512x3 with A in rows: a[i*lda+l].
//
//go:noescape
func sgemmAVX512Rows3(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512Rows4 is sgemmAVX512x4 with A in rows: a[i*lda+l].
//
//go:noescape
func sgemmAVX512Rows4(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512Rows5 is sgemmAVX512x5 with A in rows: a[i*lda+l].
//
//go:noescape
func sgemmAVX512Rows5(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512Rows6 is sgemmAVX512x6 with A in rows: a[i*lda+l].
//
//go:noescape
func sgemmAVX512Rows6(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512Rows7 is sgemmAVX512x7 with A in rows: a[i*lda+l].
//
//go:noescape
func sgemmAVX512Rows7(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512Rows8 is sgemmAVX512x8 with A in rows: a[i*lda+l].
//
//go:noescape
func sgemmAVX512Rows8(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512Rows9 is sgemmAVX512x9 with A in rows: a[i*lda+l].
//
//go:noescape
func sgemmAVX512Rows9(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512Rows10 is sgemmAVX512x10 with A in rows: a[i*lda+l].
//
//go:noescape
func sgemmAVX512Rows10(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512Rows11 is sgemmAVX512x11 with A in rows: a[i*lda+l].
//
//go:noescape
func sgemmAVX512Rows11(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512Rows12 is sgemmAVX512x12 with A in rows: a[i*lda+l].
//
//go:noescape
func sgemmAVX512Rows12(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512Rows13 is sgemmAVX512x13 with A in rows: a[i*lda+l].
//
//go:noescape
func sgemmAVX512Rows13(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512Rows14 is sgemmAVX512x14 with A in rows: a[i*lda+l].
//
//go:noescape
func sgemmAVX512Rows14(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX2Rows1 is sgemmAVX2x1 with A in rows: a[i*lda+l].
//
//go:noescape
func sgemmAVX2Rows1(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX2Rows2 is sgemmAVX2x2 with A in rows: a[i*lda+l].
//
//go:noescape
func sgemmAVX2Rows2(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX2Rows3 is sgemmAVX2x3 with A in rows: a[i*lda+l].
//
//go:noescape
func sgemmAVX2Rows3(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX2Rows4 is sgemmAVX2x4 with A in rows: a[i*lda+l].
//
//go:noescape
func sgemmAVX2Rows4(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX2Rows5 is sgemmAVX2x5 with A in rows: a[i*lda+l].
//
//go:noescape
func sgemmAVX2Rows5(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX2Rows6 is sgemmAVX2x6 with A in rows: a[i*lda+l].
//
//go:noescape
func sgemmAVX2Rows6(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512R16x1 is the 1×16 micro-kernel with A in rows: for i < 1, j < 16,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512R16x1(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512R16x2 is the 2×16 micro-kernel with A in rows: for i < 2, j < 16,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512R16x2(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512R16x3 is the 3×16 micro-kernel with A in rows: for i < 3, j < 16,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512R16x3(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512R16x4 is the 4×16 micro-kernel with A in rows: for i < 4, j < 16,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512R16x4(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512R16x5 is the 5×16 micro-kernel with A in rows: for i < 5, j < 16,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512R16x5(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512R16x6 is the 6×16 micro-kernel with A in rows: for i < 6, j < 16,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512R16x6(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512R16x7 is the 7×16 micro-kernel with A in rows: for i < 7, j < 16,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512R16x7(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512R16x8 is the 8×16 micro-kernel with A in rows: for i < 8, j < 16,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512R16x8(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512R16x9 is the 9×16 micro-kernel with A in rows: for i < 9, j < 16,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512R16x9(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512R16x10 is the 10×16 micro-kernel with A in rows: for i < 10, j < 16,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512R16x10(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512R16x11 is the 11×16 micro-kernel with A in rows: for i < 11, j < 16,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512R16x11(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512R16x12 is the 12×16 micro-kernel with A in rows: for i < 12, j < 16,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512R16x12(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512R16x13 is the 13×16 micro-kernel with A in rows: for i < 13, j < 16,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512R16x13(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmAVX512R16x14 is the 14×16 micro-kernel with A in rows: for i < 14, j < 16,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmAVX512R16x14(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmRows8x1 is the 1×8 AVX2+FMA micro-kernel with A in rows: for i < 1, j < 8,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmRows8x1(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmRows8x2 is the 2×8 AVX2+FMA micro-kernel with A in rows: for i < 2, j < 8,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmRows8x2(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmRows8x3 is the 3×8 AVX2+FMA micro-kernel with A in rows: for i < 3, j < 8,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmRows8x3(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmRows8x4 is the 4×8 AVX2+FMA micro-kernel with A in rows: for i < 4, j < 8,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmRows8x4(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmRows8x5 is the 5×8 AVX2+FMA micro-kernel with A in rows: for i < 5, j < 8,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmRows8x5(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmRows8x6 is the 6×8 AVX2+FMA micro-kernel with A in rows: for i < 6, j < 8,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmRows8x6(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmRows8x7 is the 7×8 AVX2+FMA micro-kernel with A in rows: for i < 7, j < 8,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmRows8x7(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmRows8x8 is the 8×8 AVX2+FMA micro-kernel with A in rows: for i < 8, j < 8,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmRows8x8(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmRows8x9 is the 9×8 AVX2+FMA micro-kernel with A in rows: for i < 9, j < 8,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmRows8x9(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmRows8x10 is the 10×8 AVX2+FMA micro-kernel with A in rows: for i < 10, j < 8,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmRows8x10(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmRows8x11 is the 11×8 AVX2+FMA micro-kernel with A in rows: for i < 11, j < 8,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmRows8x11(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmRows8x12 is the 12×8 AVX2+FMA micro-kernel with A in rows: for i < 12, j < 8,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmRows8x12(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmRows8x13 is the 13×8 AVX2+FMA micro-kernel with A in rows: for i < 13, j < 8,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmRows8x13(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)

// sgemmRows8x14 is the 14×8 AVX2+FMA micro-kernel with A in rows: for i < 14, j < 8,
//
//	acc := Σ_l a[i*lda+l] · b[l*32+j]   (l < kc)
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc += c[i*ldc+j] }
//	c[i*ldc+j] = acc
//
//go:noescape
func sgemmRows8x14(kc int, a *float32, lda int, b, c *float32, ldc int, bias *float32, flags int)
