package jpeg

import "image"

// This file follows libjpeg's jidctint.c (jpeg_idct_islow, the default
// "accurate integer" IDCT that libjpeg-turbo's SIMD code reproduces bit for
// bit) and jdmaster.c's range-limit table, replacing Go's own IDCT, whose
// rounding differs by up to 3 levels.

const (
	constBits = 13
	pass1Bits = 2

	fix0298631336 = 2446
	fix0390180644 = 3196
	fix0541196100 = 4433
	fix0765366865 = 6270
	fix0899976223 = 7373
	fix1175875602 = 9633
	fix1501321110 = 12299
	fix1847759065 = 15137
	fix1961570560 = 16069
	fix2053119869 = 16819
	fix2562915447 = 20995
	fix3072711026 = 25172
)

// rangeLimit is libjpeg's IDCT_range_limit indexed by (v & 1023): v + 128
// clamped to [0, 255] for v in [−512, 511], wrapping outside as libjpeg does.
var rangeLimit = func() (t [1024]uint8) {
	for i := range t {
		switch {
		case i < 128:
			t[i] = uint8(128 + i)
		case i < 512:
			t[i] = 255
		case i < 896:
			t[i] = 0
		default:
			t[i] = uint8(i - 896)
		}
	}
	return t
}()

func descale(x int32, n uint) int32 { return (x + 1<<(n-1)) >> n }

// idctIslow is jpeg_idct_islow on a dequantized block in natural order,
// writing 8×8 samples to dst with the given stride.
func idctIslow(b *block, dst []byte, stride int) {
	var ws [64]int32 // workspace [8, 8]
	// Pass 1: columns, results scaled by 2^pass1Bits.
	for c := 0; c < 8; c++ {
		in := func(r int) int32 { return b[8*r+c] }
		if in(1) == 0 && in(2) == 0 && in(3) == 0 && in(4) == 0 && in(5) == 0 && in(6) == 0 && in(7) == 0 {
			dc := in(0) << pass1Bits
			for r := 0; r < 8; r++ {
				ws[8*r+c] = dc
			}
			continue
		}
		z2, z3 := in(2), in(6)
		z1 := (z2 + z3) * fix0541196100
		tmp2 := z1 + z3*-fix1847759065
		tmp3 := z1 + z2*fix0765366865
		z2, z3 = in(0), in(4)
		tmp0 := (z2 + z3) << constBits
		tmp1 := (z2 - z3) << constBits
		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2

		tmp0, tmp1, tmp2, tmp3 = in(7), in(5), in(3), in(1)
		o0, o1, o2, o3 := odd(tmp0, tmp1, tmp2, tmp3)

		const n = constBits - pass1Bits
		ws[8*0+c] = descale(tmp10+o3, n)
		ws[8*7+c] = descale(tmp10-o3, n)
		ws[8*1+c] = descale(tmp11+o2, n)
		ws[8*6+c] = descale(tmp11-o2, n)
		ws[8*2+c] = descale(tmp12+o1, n)
		ws[8*5+c] = descale(tmp12-o1, n)
		ws[8*3+c] = descale(tmp13+o0, n)
		ws[8*4+c] = descale(tmp13-o0, n)
	}
	// Pass 2: rows, descaled by 8·2^pass1Bits, level-shifted and limited.
	const n = constBits + pass1Bits + 3
	for r := 0; r < 8; r++ {
		w := ws[8*r : 8*r+8 : 8*r+8]
		out := dst[r*stride : r*stride+8 : r*stride+8]
		if w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0 {
			v := rangeLimit[descale(w[0], pass1Bits+3)&1023]
			for i := range out {
				out[i] = v
			}
			continue
		}
		z2, z3 := w[2], w[6]
		z1 := (z2 + z3) * fix0541196100
		tmp2 := z1 + z3*-fix1847759065
		tmp3 := z1 + z2*fix0765366865
		tmp0 := (w[0] + w[4]) << constBits
		tmp1 := (w[0] - w[4]) << constBits
		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2

		o0, o1, o2, o3 := odd(w[7], w[5], w[3], w[1])

		out[0] = rangeLimit[descale(tmp10+o3, n)&1023]
		out[7] = rangeLimit[descale(tmp10-o3, n)&1023]
		out[1] = rangeLimit[descale(tmp11+o2, n)&1023]
		out[6] = rangeLimit[descale(tmp11-o2, n)&1023]
		out[2] = rangeLimit[descale(tmp12+o1, n)&1023]
		out[5] = rangeLimit[descale(tmp12-o1, n)&1023]
		out[3] = rangeLimit[descale(tmp13+o0, n)&1023]
		out[4] = rangeLimit[descale(tmp13-o0, n)&1023]
	}
}

// odd is the odd part of jpeg_idct_islow (figure 8 of the LL&M paper):
// inputs y7, y5, y3, y1; outputs tmp0..tmp3.
func odd(tmp0, tmp1, tmp2, tmp3 int32) (int32, int32, int32, int32) {
	z1 := tmp0 + tmp3
	z2 := tmp1 + tmp2
	z3 := tmp0 + tmp2
	z4 := tmp1 + tmp3
	z5 := (z3 + z4) * fix1175875602

	tmp0 *= fix0298631336
	tmp1 *= fix2053119869
	tmp2 *= fix3072711026
	tmp3 *= fix1501321110
	z1 *= -fix0899976223
	z2 *= -fix2562915447
	z3 *= -fix1961570560
	z4 *= -fix0390180644

	z3 += z5
	z4 += z5

	tmp0 += z1 + z3
	tmp1 += z2 + z4
	tmp2 += z2 + z3
	tmp3 += z1 + z4
	return tmp0, tmp1, tmp2, tmp3
}

// YCC holds libjpeg's YCbCr→RGB tables (jdcolor.c build_ycc_rgb_table,
// SCALEBITS 16), indexed by the chroma sample; read-only. With Y as int32:
//
//	R = Y + CrR[cr]
//	G = Y + (CbG[cb] + CrG[cr]) >> 16
//	B = Y + CbB[cb]
//
// each clamped to [0, 255]. Used here for YCCK images and by package
// preprocess for every YCbCr JPEG.
var YCC struct {
	CrR, CbB, CrG, CbG [256]int32
}

func init() {
	const half = 1 << 15
	fix := func(x float64) int32 { return int32(x*(1<<16) + 0.5) }
	for i := 0; i < 256; i++ {
		x := int32(i) - 128
		YCC.CrR[i] = (fix(1.40200)*x + half) >> 16
		YCC.CbB[i] = (fix(1.77200)*x + half) >> 16
		YCC.CrG[i] = -fix(0.71414) * x
		YCC.CbG[i] = -fix(0.34414)*x + half
	}
}

func clamp8(v int32) uint8 {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// drawYCbCr converts src into dst (same bounds, alpha 255) with libjpeg's
// tables and replicated chroma, as libjpeg's ycck_cmyk_convert does for the
// colour part of YCCK.
func drawYCbCr(dst *image.RGBA, src *image.YCbCr) {
	b := src.Rect
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := dst.Pix[(y-b.Min.Y)*dst.Stride:]
		for x := b.Min.X; x < b.Max.X; x++ {
			yy := int32(src.Y[src.YOffset(x, y)])
			ci := src.COffset(x, y)
			cb, cr := src.Cb[ci], src.Cr[ci]
			p := row[4*(x-b.Min.X) : 4*(x-b.Min.X)+4]
			p[0] = clamp8(yy + YCC.CrR[cr])
			p[1] = clamp8(yy + (YCC.CbG[cb]+YCC.CrG[cr])>>16)
			p[2] = clamp8(yy + YCC.CbB[cb])
			p[3] = 255
		}
	}
}

const blockSize = 8 * 8 // the number of coefficients in an 8×8 block

// block is one 8×8 block of coefficients, in natural order after
// dequantization.
type block [blockSize]int32
