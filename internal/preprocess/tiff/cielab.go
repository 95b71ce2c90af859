package tiff

import (
	"math"
	"sync"
)

// CIELab samples (Photometric 8) become RGB as PIL 9.4 converts its LAB
// mode: Image.convert("RGB") builds a LittleCMS transform from
// cmsCreateLab2Profile(NULL) (D50) to cmsCreate_sRGBProfile, perceptual,
// flags 0, input COLORSPACE_SH(PT_LabV2)|CHANNELS_SH(3)|BYTES_SH(1)|
// EXTRA_SH(1), output TYPE_RGBA_8. LittleCMS (2.14) optimizes that
// transform into a 33×33×33 table of 16-bit RGB sampled from its floating
// point pipeline, and evaluates each pixel by tetrahedral interpolation
// in that table. This file follows the C code step by step:
//
//   - labNode: XFormSampler16 on the pipeline left after PreOptimize
//     (cmsopt.c): EvaluateLab2XYZ, EvaluateMatrix, EvaluateCurves
//     (cmslut.c) with the inverse sRGB curve, parametric type -4
//     (cmsgamma.c), in float32 between stages as LittleCMS stores them;
//   - labTable: cmsStageSampleCLut16bit's node order and _cmsQuantizeVal;
//     FixWhiteMisalignment changes nothing here (Lab white is not on a
//     node, so PatchLUT declines);
//   - labPixel: UnrollChunkyBytes (8 to 16 bits by ·257, no Lab V2→V4
//     step for this format), TetrahedralInterp16 (cmsintrp.c) and
//     FROM_16_TO_8.
//
// PIL's TIFF reader unpacks the signed a* and b* samples to unsigned by
// flipping their top bit (raw mode "LAB").

// labXYZ2RGB is the matrix LittleCMS's sRGB output profile applies to the
// PCS (XYZ relative to D50, scaled by 1/MAX_ENCODEABLE_XYZ): the inverse
// of the Bradford-adapted sRGB primaries times 1 + 32767/32768, as
// _cmsLinkProfiles builds it (printed from LittleCMS 2.14 with %.17g).
var labXYZ2RGB = [9]float64{
	6.2682770806964117, -3.2343685646958003, -0.98137315321833429,
	-1.9574671393474465, 3.8322017178972452, 0.066865778013620189,
	0.14392565943970465, -0.45798075856798298, 2.8114645655935195,
}

// labGrid is the number of table nodes along each axis
// (_cmsReasonableGridpointsByColorspace for 3 channels).
const labGrid = 33

var (
	labOnce sync.Once
	labLUT  []uint16 // [labGrid L][labGrid a][labGrid b][R, G, B]
)

// quickFloor is _cmsQuickFloor: floor of v rounded to 16 fraction bits
// (the 1.5·2^36 magic-number trick).
func quickFloor(v float64) int32 {
	t := v + 68719476736.0*1.5
	return int32(uint32(math.Float64bits(t))) >> 16
}

// quickSaturateWord is _cmsQuickSaturateWord.
func quickSaturateWord(d float64) uint16 {
	d += 0.5
	if d <= 0 {
		return 0
	}
	if d >= 65535.0 {
		return 0xffff
	}
	return uint16(quickFloor(d-32767.0)) + 32767
}

// srgbInverse is the sRGB curve reversed (cmsgamma.c, parametric type -4)
// with cmsCreate_sRGBProfile's parameters, evaluated in float64 and
// stored as float32 (cmsEvalToneCurveFloat).
func srgbInverse(r float32) float32 {
	// Variables, not constants: 1.0/g must divide by the double 2.4.
	g, a, b, c, d := 2.4, 1.0/1.055, 0.055/1.055, 1.0/12.92, 0.04045
	R := float64(r)
	var v float64
	if disc := math.Pow(float64(a*d)+b, g); R >= disc {
		v = (math.Pow(R, 1.0/g) - b) / a
	} else {
		v = R / c
	}
	return float32(v)
}

// labF1 is cmspcs.c's f_1, the inverse of the CIE L* companding.
func labF1(t float64) float64 {
	const limit = 24.0 / 116.0
	if t <= limit {
		return (108.0 / 841.0) * (t - 16.0/116.0)
	}
	return float64(t*t) * t
}

// labNode is XFormSampler16 on one node: the 16-bit Lab input (V4
// encoding) through Lab→XYZ, the XYZ→RGB matrix and the inverse sRGB
// curves, back to 16 bits.
func labNode(in [3]uint16) (out [3]uint16) {
	var f [3]float32
	for i, v := range in {
		f[i] = float32(float64(v) / 65535.0)
	}
	// EvaluateLab2XYZ and cmsLab2XYZ (D50 white).
	// Each product is rounded on its own (float64(…) stops the compiler
	// fusing it with the next addition), as the C code's are.
	L := float64(f[0]) * 100.0
	a := float64(float64(f[1])*255.0) - 128.0
	b := float64(float64(f[2])*255.0) - 128.0
	y := (L + 16.0) / 116.0
	x := y + float64(0.002*a)
	z := y - float64(0.005*b)
	const adj = 1.0 + 32767.0/32768.0 // MAX_ENCODEABLE_XYZ
	xyz := [3]float32{
		float32(float64(labF1(x)*0.9642) / adj),
		float32(float64(labF1(y)*1.0) / adj),
		float32(float64(labF1(z)*0.8249) / adj),
	}
	// EvaluateMatrix: a float64 sum of float32 inputs, stored as float32.
	for i := range out {
		var t float64
		for j := range xyz {
			t += float64(float64(xyz[j]) * labXYZ2RGB[3*i+j])
		}
		out[i] = quickSaturateWord(float64(float64(srgbInverse(float32(t))) * 65535.0))
	}
	return out
}

// labTable samples the pipeline on the grid, L slowest, b fastest
// (cmsStageSampleCLut16bit with _cmsQuantizeVal).
func labTable() {
	var q [labGrid]uint16
	for i := range q {
		q[i] = quickSaturateWord(float64(i) * 65535.0 / (labGrid - 1))
	}
	labLUT = make([]uint16, 3*labGrid*labGrid*labGrid) // [L][a][b][RGB]
	n := 0
	for _, l := range q {
		for _, a := range q {
			for _, b := range q {
				o := labNode([3]uint16{l, a, b})
				copy(labLUT[n:n+3], o[:])
				n += 3
			}
		}
	}
}

// labPixel is one pixel of the transform: 8-bit L, a+128, b+128 to 8-bit
// R, G, B (TetrahedralInterp16 on labLUT, then FROM_16_TO_8).
func labPixel(l, a, b uint8) (r, g, bl uint8) {
	in := [3]int32{int32(l) * 257, int32(a) * 257, int32(b) * 257}
	var f, rest [3]int32
	for i, v := range in {
		t := v * (labGrid - 1)
		f[i] = t + (t+0x7fff)/0xffff // _cmsToFixedDomain
		rest[i] = f[i] & 0xffff
		f[i] >>= 16
	}
	const oz, oy, ox = 3, 3 * labGrid, 3 * labGrid * labGrid // opta[0], [1], [2]
	X1, Y1, Z1 := int32(ox), int32(oy), int32(oz)
	if in[0] == 0xffff {
		X1 = 0
	}
	if in[1] == 0xffff {
		Y1 = 0
	}
	if in[2] == 0xffff {
		Z1 = 0
	}
	base := ox*f[0] + oy*f[1] + oz*f[2]
	rx, ry, rz := rest[0], rest[1], rest[2]
	var out [3]uint8
	for k := int32(0); k < 3; k++ {
		t := labLUT[base+k:]
		var c0, c1, c2, c3 int32
		c0 = int32(t[0])
		switch {
		case rx >= ry && ry >= rz:
			c1, c2, c3 = int32(t[X1])-c0, int32(t[X1+Y1])-int32(t[X1]), int32(t[X1+Y1+Z1])-int32(t[X1+Y1])
		case rx >= ry && rz >= rx:
			c1, c2, c3 = int32(t[X1+Z1])-int32(t[Z1]), int32(t[X1+Y1+Z1])-int32(t[X1+Z1]), int32(t[Z1])-c0
		case rx >= ry:
			c1, c2, c3 = int32(t[X1])-c0, int32(t[X1+Y1+Z1])-int32(t[X1+Z1]), int32(t[X1+Z1])-int32(t[X1])
		case rx >= rz:
			c1, c2, c3 = int32(t[X1+Y1])-int32(t[Y1]), int32(t[Y1])-c0, int32(t[X1+Y1+Z1])-int32(t[X1+Y1])
		case ry >= rz:
			c1, c2, c3 = int32(t[X1+Y1+Z1])-int32(t[Y1+Z1]), int32(t[Y1])-c0, int32(t[Y1+Z1])-int32(t[Y1])
		default:
			c1, c2, c3 = int32(t[X1+Y1+Z1])-int32(t[Y1+Z1]), int32(t[Y1+Z1])-int32(t[Z1]), int32(t[Z1])-c0
		}
		// int32 arithmetic wraps as the C code's does.
		rs := c1*rx + c2*ry + c3*rz + 0x8001
		v := uint16(int32(uint16(c0)) + (rs+rs>>16)>>16)
		out[k] = uint8((uint32(v)*65281 + 8388608) >> 24)
	}
	return out[0], out[1], out[2]
}

// CIELabToRGB converts, in place, pixels of 4 bytes holding a CIELab
// TIFF's L*, a*, b* samples as stored (a* and b* signed) and a fourth
// byte left alone, to PIL 9.4's Image.convert("RGB") of them.
func CIELabToRGB(pix []byte) {
	labOnce.Do(labTable)
	for i := 0; i+4 <= len(pix); i += 4 {
		pix[i], pix[i+1], pix[i+2] = labPixel(pix[i], pix[i+1]^0x80, pix[i+2]^0x80)
	}
}
