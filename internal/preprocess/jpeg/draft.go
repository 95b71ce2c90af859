package jpeg

import "image"

// This file is the scaled ("draft") decode: with Options.Scale s of 2, 4
// or 8 each 8×8 block is inverse-transformed straight to 8/s×8/s samples,
// as libjpeg does with scale_denom = s (what PIL's Image.draft asks for).
// As in libjpeg-turbo's jdmaster.c, 4:2:0 chroma is transformed at twice
// the luma's scaled size, so no upsampling is needed and the result is a
// 4:4:4 image of ⌈W/s⌉×⌈H/s⌉. The reduced transforms are libjpeg's
// jidctred.c (jpeg_idct_4x4, _2x2, _1x1); see LICENSE.ijg.
//
// Only gray, 4:4:4 and 4:2:0 YCbCr are scaled; other layouts (and CMYK,
// RGB-coded files) decode at full size, and Bounds tells which happened.

// makeScaledImg makes the scaled image for the MCUs mxx×myy, or reports
// false when the layout is not one this file scales.
func (d *decoder) makeScaledImg(mxx, myy int) bool {
	ls := 8 / d.scale // luma block size
	w, h := (d.width+d.scale-1)/d.scale, (d.height+d.scale-1)/d.scale
	if d.nComp == 1 {
		m := image.NewGray(image.Rect(0, 0, ls*mxx, ls*myy))
		d.img1 = m.SubImage(image.Rect(0, 0, w, h)).(*image.Gray)
		return true
	}
	if d.nComp != 3 || d.isRGB() {
		return false
	}
	h0, v0 := d.comp[0].h, d.comp[0].v
	if !(h0 == v0 && (h0 == 1 || h0 == 2) && d.comp[1].h == 1 && d.comp[1].v == 1) {
		return false
	}
	m := image.NewYCbCr(image.Rect(0, 0, ls*h0*mxx, ls*v0*myy), image.YCbCrSubsampleRatio444)
	d.img3 = m.SubImage(image.Rect(0, 0, w, h)).(*image.YCbCr)
	return true
}

// scaledSize is the side of component ci's blocks in the scaled image.
func (d *decoder) scaledSize(ci int) int {
	return 8 / d.scale * d.comp[0].h / d.comp[ci].h
}

// putScaled writes the scaled inverse DCT of the dequantized block b at
// block (bx, by) of component ci.
func (d *decoder) putScaled(b *block, bx, by, ci int) {
	n := d.scaledSize(ci)
	dst, stride := d.plane(ci)
	dst = dst[n*(by*stride+bx):]
	scaledIDCT(b, dst, stride, n)
}

// plane is the scaled image's plane of component ci: samples and stride.
func (d *decoder) plane(ci int) ([]byte, int) {
	switch {
	case d.nComp == 1:
		return d.img1.Pix, d.img1.Stride
	case ci == 0:
		return d.img3.Y, d.img3.YStride
	case ci == 1:
		return d.img3.Cb, d.img3.CStride
	}
	return d.img3.Cr, d.img3.CStride
}

// scaledIDCT writes the inverse DCT of b reduced to n×n samples (n = 1,
// 2, 4 or 8) at dst, rows stride apart. With n = 2 it sets b to zero.
func scaledIDCT(b *block, dst []byte, stride, n int) {
	switch n {
	case 1:
		idct1x1(b, dst)
	case 2:
		idct2x2Clear(b, dst, stride)
	case 4:
		idct4x4(b, dst, stride)
	default:
		idct(b, dst, stride)
	}
}

const (
	fix0211164243 = 1730
	fix0509795579 = 4176
	fix0601344887 = 4926
	fix0720959822 = 5906
	fix0850430095 = 6967
	fix1061594337 = 8697
	fix1272758580 = 10426
	fix1451774981 = 11893
	fix2172734803 = 17799
	fix3624509785 = 29692
)

// limit is libjpeg's range_limit[v & RANGE_MASK] (idct.go's rangeLimit).
func limit(v int32) uint8 { return rangeLimit[v&1023] }

// idct1x1 is jpeg_idct_1x1: the DC term alone, one sample.
func idct1x1(b *block, dst []byte) { dst[0] = limit(descale(b[0], 3)) }

// idct2x2 is jpeg_idct_2x2: 2×2 samples from rows and columns 0, 1, 3,
// 5, 7 of the block.
func idct2x2(b *block, dst []byte, stride int) {
	var ws [16]int32 // workspace [2, 8]
	for c := 0; c < 8; c++ {
		if c == 2 || c == 4 || c == 6 {
			continue
		}
		in := func(r int) int32 { return b[8*r+c] }
		if in(1) == 0 && in(3) == 0 && in(5) == 0 && in(7) == 0 {
			dc := in(0) << pass1Bits
			ws[c], ws[8+c] = dc, dc
			continue
		}
		tmp10 := in(0) << (constBits + 2)
		tmp0 := in(7)*-fix0720959822 + in(5)*fix0850430095 + in(3)*-fix1272758580 + in(1)*fix3624509785
		ws[c] = descale(tmp10+tmp0, constBits-pass1Bits+2)
		ws[8+c] = descale(tmp10-tmp0, constBits-pass1Bits+2)
	}
	for r := 0; r < 2; r++ {
		w := ws[8*r : 8*r+8]
		out := dst[r*stride : r*stride+2]
		if w[1] == 0 && w[3] == 0 && w[5] == 0 && w[7] == 0 {
			v := limit(descale(w[0], pass1Bits+3))
			out[0], out[1] = v, v
			continue
		}
		tmp10 := w[0] << (constBits + 2)
		tmp0 := w[7]*-fix0720959822 + w[5]*fix0850430095 + w[3]*-fix1272758580 + w[1]*fix3624509785
		out[0] = limit(descale(tmp10+tmp0, constBits+pass1Bits+3+2))
		out[1] = limit(descale(tmp10-tmp0, constBits+pass1Bits+3+2))
	}
}

// idct4x4 is jpeg_idct_4x4: 4×4 samples from every row and column of the
// block but 4.
func idct4x4(b *block, dst []byte, stride int) {
	var ws [32]int32 // workspace [4, 8]
	for c := 0; c < 8; c++ {
		if c == 4 {
			continue
		}
		in := func(r int) int32 { return b[8*r+c] }
		if in(1) == 0 && in(2) == 0 && in(3) == 0 && in(5) == 0 && in(6) == 0 && in(7) == 0 {
			dc := in(0) << pass1Bits
			ws[c], ws[8+c], ws[16+c], ws[24+c] = dc, dc, dc, dc
			continue
		}
		tmp0 := in(0) << (constBits + 1)
		tmp2 := in(2)*fix1847759065 + in(6)*-fix0765366865
		tmp10, tmp12 := tmp0+tmp2, tmp0-tmp2
		z1, z2, z3, z4 := in(7), in(5), in(3), in(1)
		tmp0 = z1*-fix0211164243 + z2*fix1451774981 + z3*-fix2172734803 + z4*fix1061594337
		tmp2 = z1*-fix0509795579 + z2*-fix0601344887 + z3*fix0899976223 + z4*fix2562915447
		const n = constBits - pass1Bits + 1
		ws[c] = descale(tmp10+tmp2, n)
		ws[24+c] = descale(tmp10-tmp2, n)
		ws[8+c] = descale(tmp12+tmp0, n)
		ws[16+c] = descale(tmp12-tmp0, n)
	}
	for r := 0; r < 4; r++ {
		w := ws[8*r : 8*r+8]
		out := dst[r*stride : r*stride+4]
		if w[1] == 0 && w[2] == 0 && w[3] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0 {
			v := limit(descale(w[0], pass1Bits+3))
			out[0], out[1], out[2], out[3] = v, v, v, v
			continue
		}
		tmp0 := w[0] << (constBits + 1)
		tmp2 := w[2]*fix1847759065 + w[6]*-fix0765366865
		tmp10, tmp12 := tmp0+tmp2, tmp0-tmp2
		z1, z2, z3, z4 := w[7], w[5], w[3], w[1]
		tmp0 = z1*-fix0211164243 + z2*fix1451774981 + z3*-fix2172734803 + z4*fix1061594337
		tmp2 = z1*-fix0509795579 + z2*-fix0601344887 + z3*fix0899976223 + z4*fix2562915447
		const n = constBits + pass1Bits + 3 + 1
		out[0] = limit(descale(tmp10+tmp2, n))
		out[3] = limit(descale(tmp10-tmp2, n))
		out[1] = limit(descale(tmp12+tmp0, n))
		out[2] = limit(descale(tmp12-tmp0, n))
	}
}
