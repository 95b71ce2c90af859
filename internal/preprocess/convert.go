package preprocess

import (
	"fmt"
	"image"
	"image/color"

	"github.com/vitgo/vit/internal/preprocess/jpeg"
)

// This file converts decoded images to flat 8-bit rasters the way PIL 9.4's
// Image.convert("RGB") and convert("L") do (Convert.c): alpha is dropped,
// not composited; L = (19595·R + 38470·G + 7471·B + 0x8000) >> 16; CMYK
// uses cmyk2rgb; 16-bit gray opens in PIL as mode I and clips at 255;
// other 16-bit images keep their high byte. Each case switches on the
// concrete type once and walks Pix directly.

// luma is PIL's L24 with its rounding shift.
func luma(r, g, b uint8) uint8 {
	return uint8((uint32(r)*19595 + uint32(g)*38470 + uint32(b)*7471 + 0x8000) >> 16)
}

// put writes one RGB pixel to out at index i (in pixels) for c channels.
func put(out []uint8, i, c int, r, g, b uint8) {
	if c == 1 {
		out[i] = luma(r, g, b)
		return
	}
	out[3*i], out[3*i+1], out[3*i+2] = r, g, b
}

func clampU8(v int32) uint8 {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// yccToRGB is libjpeg's ycc_rgb_convert for one pixel.
func yccToRGB(y, cb, cr uint8) (uint8, uint8, uint8) {
	yy := int32(y)
	return clampU8(yy + jpeg.YCC.CrR[cr]),
		clampU8(yy + ((jpeg.YCC.CbG[cb] + jpeg.YCC.CrG[cr]) >> 16)),
		clampU8(yy + jpeg.YCC.CbB[cb])
}

// cmykToRGB is PIL's cmyk2rgb.
func cmykToRGB(c, m, y, k uint8) (uint8, uint8, uint8) {
	nk := int32(255 - k)
	f := func(v uint8) uint8 {
		t := int32(v)*nk + 128
		return clampU8(nk - ((t>>8)+t)>>8)
	}
	return f(c), f(m), f(y)
}

// rowSource produces the rows of a converted image one at a time, so that
// large photos are converted and horizontally resampled row by row without
// a full-size intermediate.
type rowSource struct {
	w, h, c int
	row     func(y int, dst []uint8) // writes row y to dst [w·c]
	// planar, when not nil, writes row y (c = 3) as planes R, G, B to
	// pix[0:w], pix[ps:ps+w], pix[2·ps:2·ps+w], for the planar resize.
	planar func(y int, pix []uint8, ps int)
	// transposed: the image meant is the transpose of these rows
	// (EXIF orientations 5–8), of size h×w.
	transposed bool
	stop       func() bool // reports cancellation; nil: never
}

// stopped reports whether the work on s should stop.
func (s *rowSource) stopped() bool { return s.stop != nil && s.stop() }

// size returns the width and height of the image the source stands for.
func (s *rowSource) size() (w, h int) {
	if s.transposed {
		return s.h, s.w
	}
	return s.w, s.h
}

// rasterSource serves the rows of r.
func rasterSource(r *raster) *rowSource {
	return &rowSource{w: r.w, h: r.h, c: r.c, row: func(y int, dst []uint8) {
		copy(dst[:r.w*r.c], r.pix[y*r.w*r.c:])
	}}
}

// materialize reads every row of s into a raster.
func materialize(s *rowSource) *raster {
	out := &raster{w: s.w, h: s.h, c: s.c, pix: make([]uint8, s.w*s.h*s.c)}
	for y := 0; y < s.h; y++ {
		if y%64 == 0 && s.stopped() {
			return nil
		}
		s.row(y, out.pix[y*s.w*s.c:(y+1)*s.w*s.c])
	}
	return out
}

// newSource converts img to c channels with EXIF orientation o applied.
// Orientations that keep rows as rows (1–4) stream; the transposing ones
// (5–8) convert the whole image first.
func newSource(img image.Image, c int, info srcInfo, o int) (*rowSource, error) {
	s, err := convertRows(img, c, info)
	if err != nil {
		return nil, err
	}
	// Each orientation is a flip of the source rows, then for 5–8 a
	// transpose, which the resampler handles by swapping its passes.
	var hflip, vflip bool
	switch o {
	case 2: // FLIP_LEFT_RIGHT
		hflip = true
	case 3: // ROTATE_180
		hflip, vflip = true, true
	case 4: // FLIP_TOP_BOTTOM
		vflip = true
	case 5: // TRANSPOSE
	case 6: // ROTATE_270: vertical flip, then transpose
		vflip = true
	case 7: // TRANSVERSE
		hflip, vflip = true, true
	case 8: // ROTATE_90: horizontal flip, then transpose
		hflip = true
	}
	if hflip || vflip {
		base := s.row
		w, h := s.w, s.h
		s = &rowSource{w: w, h: h, c: c, row: func(y int, dst []uint8) {
			if vflip {
				y = h - 1 - y
			}
			base(y, dst)
			if hflip {
				for i, j := 0, w-1; i < j; i, j = i+1, j-1 {
					for k := 0; k < c; k++ {
						dst[i*c+k], dst[j*c+k] = dst[j*c+k], dst[i*c+k]
					}
				}
			}
		}}
	}
	s.transposed = o >= 5 && o <= 8
	return s, nil
}

// srcInfo is what the container told about the pixels.
type srcInfo struct {
	clipGray16 bool // NRGBA64 that PIL would read as 16-bit gray (mode I)
	webp       bool // YCbCr from VP8: libwebp's conversion, not libjpeg's
}

// convertRows returns a row source converting img to c channels, switching
// on the concrete type once.
func convertRows(img image.Image, c int, info srcInfo) (*rowSource, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("empty %d×%d image", w, h)
	}
	s := &rowSource{w: w, h: h, c: c}
	switch m := img.(type) {
	case *image.YCbCr:
		if info.webp {
			s.row = webpRows(m, c)
		} else {
			s.row = yccRows(m, c)
			if c == 3 && usePlanar {
				s.planar = yccPlanarRows(m)
			}
		}
	case *image.NYCbCrA:
		if info.webp {
			s.row = webpRows(&m.YCbCr, c)
		} else {
			s.row = yccRows(&m.YCbCr, c)
		}
	case *image.Gray:
		s.row = func(y int, d []uint8) {
			row := m.Pix[y*m.Stride : y*m.Stride+w]
			if c == 1 {
				copy(d, row)
				return
			}
			d = d[:3*w]
			for x, v := range row {
				d[3*x], d[3*x+1], d[3*x+2] = v, v, v
			}
		}
	case *image.Gray16:
		s.row = gray16Rows(m.Pix, m.Stride, 2, w, c)
	case *image.RGBA:
		s.row = premulRows(m.Pix, m.Stride, 4, 1, w, c)
	case *image.NRGBA:
		s.row = rgbaRows(m.Pix, m.Stride, 4, 1, w, c)
	case *image.RGBA64:
		s.row = premulRows(m.Pix, m.Stride, 8, 2, w, c)
	case *image.NRGBA64:
		if info.clipGray16 {
			// 16-bit gray with a tRNS chunk: Go widens to NRGBA64, PIL
			// keeps mode I.
			s.row = gray16Rows(m.Pix, m.Stride, 8, w, c)
			break
		}
		s.row = rgbaRows(m.Pix, m.Stride, 8, 2, w, c)
	case *image.CMYK:
		s.row = func(y int, d []uint8) {
			row := m.Pix[y*m.Stride : y*m.Stride+4*w]
			for x := 0; x < w; x++ {
				r, g, bb := cmykToRGB(row[4*x], row[4*x+1], row[4*x+2], row[4*x+3])
				put(d, x, c, r, g, bb)
			}
		}
	case *image.Paletted:
		var lut [256][3]uint8
		for i, col := range m.Palette {
			if i >= 256 {
				break
			}
			lut[i] = paletteRGB(col)
		}
		s.row = func(y int, d []uint8) {
			row := m.Pix[y*m.Stride : y*m.Stride+w]
			for x, idx := range row {
				p := lut[idx]
				put(d, x, c, p[0], p[1], p[2])
			}
		}
	default:
		// Rare types (Alpha, Alpha16, custom): the slow generic path.
		s.row = func(y int, d []uint8) {
			for x := 0; x < w; x++ {
				n := color.NRGBA64Model.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA64)
				put(d, x, c, uint8(n.R>>8), uint8(n.G>>8), uint8(n.B>>8))
			}
		}
	}
	return s, nil
}

// paletteRGB returns a palette entry's stored RGB, without premultiplying.
func paletteRGB(col color.Color) [3]uint8 {
	switch p := col.(type) {
	case color.NRGBA:
		return [3]uint8{p.R, p.G, p.B}
	case color.RGBA:
		if p.A == 255 || p.A == 0 {
			return [3]uint8{p.R, p.G, p.B}
		}
	}
	n := color.NRGBAModel.Convert(col).(color.NRGBA)
	return [3]uint8{n.R, n.G, n.B}
}

// rgbaRows copies R, G, B (the high byte of each when bytesPer = 2) from
// Pix rows with px bytes per pixel, dropping alpha.
func rgbaRows(pix []uint8, stride, px, bytesPer, w, c int) func(int, []uint8) {
	return func(y int, d []uint8) {
		row := pix[y*stride : y*stride+px*w]
		if c == 3 && bytesPer == 1 {
			d = d[:3*w]
			for x := 0; x < w; x++ {
				s := row[4*x : 4*x+3 : 4*x+3]
				d[3*x], d[3*x+1], d[3*x+2] = s[0], s[1], s[2]
			}
			return
		}
		for x := 0; x < w; x++ {
			s := row[px*x:]
			put(d, x, c, s[0], s[bytesPer], s[2*bytesPer])
		}
	}
}

// premulRows reads premultiplied R, G, B, A (the high byte of each when
// bytesPer = 2) from Pix rows with px bytes per pixel and un-premultiplies
// them as PIL's RGBa unpackers do (Unpack.c unpackRGBa, unpackRGBa16B):
// c·255/a truncated and clipped at 255, 0 where a = 0. Only TIFFs with
// associated alpha decode to translucent RGBA; opaque rows are copied.
func premulRows(pix []uint8, stride, px, bytesPer, w, c int) func(int, []uint8) {
	opaque := rgbaRows(pix, stride, px, bytesPer, w, c)
	return func(y int, d []uint8) {
		row := pix[y*stride : y*stride+px*w]
		translucent := false
		for x := 0; x < w && !translucent; x++ {
			translucent = row[px*x+3*bytesPer] != 255
		}
		if !translucent {
			opaque(y, d)
			return
		}
		for x := 0; x < w; x++ {
			s := row[px*x:]
			r, g, b, a := uint32(s[0]), uint32(s[bytesPer]), uint32(s[2*bytesPer]), uint32(s[3*bytesPer])
			switch a {
			case 0:
				r, g, b = 0, 0, 0
			case 255:
			default:
				r, g, b = min(r*255/a, 255), min(g*255/a, 255), min(b*255/a, 255)
			}
			put(d, x, c, uint8(r), uint8(g), uint8(b))
		}
	}
}

// gray16Rows reads the first big-endian 16-bit sample of each px-byte
// pixel as gray clipped at 255, as PIL's modes I and I;16 convert.
func gray16Rows(pix []uint8, stride, px, w, c int) func(int, []uint8) {
	return func(y int, d []uint8) {
		row := pix[y*stride : y*stride+px*w]
		for x := 0; x < w; x++ {
			v16 := uint16(row[px*x])<<8 | uint16(row[px*x+1])
			v := uint8(min(v16, 255))
			put(d, x, c, v, v, v)
		}
	}
}

// yccRows converts a YCbCr image with libjpeg's arithmetic and the chroma
// upsampling of yccChroma.
func yccRows(m *image.YCbCr, c int) func(int, []uint8) {
	chroma := yccChroma(m)
	w := m.Rect.Dx()
	return func(y int, d []uint8) {
		ucb, ucr := chroma(y)
		yccRow(m.Y[y*m.YStride:y*m.YStride+w], ucb, ucr, d, c)
	}
}

// yccPlanarRows is yccRows for c = 3 writing planes: R, G, B of row y to
// pix[0:W], pix[ps:ps+W], pix[2·ps:2·ps+W].
func yccPlanarRows(m *image.YCbCr) func(y int, pix []uint8, ps int) {
	chroma := yccChroma(m)
	w := m.Rect.Dx()
	return func(y int, pix []uint8, ps int) {
		ucb, ucr := chroma(y)
		yccPlanar(m.Y[y*m.YStride:y*m.YStride+w], ucb, ucr, pix[:w], pix[ps:ps+w], pix[2*ps:2*ps+w])
	}
}

// yccChroma returns the Cb and Cr rows [W] of image row y upsampled as
// libjpeg-turbo's jinit_upsampler does for PIL (whose
// do_fancy_upsampling is on): 4:2:0 and 4:2:2 use the "fancy" triangular
// filter (jdsample.c h2v2_fancy_upsample, h2v1_fancy_upsample; edge rows
// and columns replicated) only when the chroma plane is more than 2
// samples wide, and replicate otherwise; 4:4:0 uses h1v2_fancy_upsample;
// other layouts replicate. The rows returned are reused by the next call.
func yccChroma(m *image.YCbCr) func(y int) (ucb, ucr []uint8) {
	b := m.Rect
	w := b.Dx()
	hs, vs := 1, 1
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio422:
		hs = 2
	case image.YCbCrSubsampleRatio420:
		hs, vs = 2, 2
	case image.YCbCrSubsampleRatio440:
		vs = 2
	case image.YCbCrSubsampleRatio411:
		hs = 4
	case image.YCbCrSubsampleRatio410:
		hs, vs = 4, 2
	}
	if b.Min.X == 0 && b.Min.Y == 0 {
		switch {
		case hs == 2 && (w+1)/2 > 2:
			return fancyChroma(m, vs)
		case hs == 1 && vs == 2:
			return h1v2Chroma(m)
		case hs == 1 && vs == 1:
			return func(y int) ([]uint8, []uint8) {
				o := y * m.CStride
				return m.Cb[o : o+w], m.Cr[o : o+w]
			}
		}
	}
	ucb := make([]uint8, w) // [w] replicated chroma
	ucr := make([]uint8, w)
	return func(y int) ([]uint8, []uint8) {
		crow := ((b.Min.Y+y)/vs - b.Min.Y/vs) * m.CStride
		c0 := b.Min.X / hs
		cb, cr := m.Cb[crow:], m.Cr[crow:]
		for x := range ucb {
			ci := (b.Min.X+x)/hs - c0
			ucb[x], ucr[x] = cb[ci], cr[ci]
		}
		return ucb, ucr
	}
}

// fancyChroma upsamples 4:2:2 (vs = 1) or 4:2:0 (vs = 2) chroma with
// libjpeg's fancy upsampling.
func fancyChroma(m *image.YCbCr, vs int) func(y int) ([]uint8, []uint8) {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	cw := (w + 1) / 2
	chh := (h + vs - 1) / vs
	ucb := make([]uint8, 2*cw) // [2·cw] upsampled row
	ucr := make([]uint8, 2*cw)
	colCb := make([]int32, cw) // [cw] vertical sums (4:2:0)
	colCr := make([]int32, cw)
	return func(y int) ([]uint8, []uint8) {
		cy := y / vs
		if vs == 2 {
			far := cy - 1
			if y%2 == 1 {
				far = cy + 1
			}
			far = min(max(far, 0), chh-1)
			n, f := cy*m.CStride, far*m.CStride
			nb, fb := m.Cb[n:n+cw], m.Cb[f:f+cw]
			nr, fr := m.Cr[n:n+cw], m.Cr[f:f+cw]
			for i := range colCb {
				colCb[i] = int32(nb[i])*3 + int32(fb[i])
				colCr[i] = int32(nr[i])*3 + int32(fr[i])
			}
			fancyH2V2(colCb, ucb)
			fancyH2V2(colCr, ucr)
		} else {
			n := cy * m.CStride
			fancyH2V1(m.Cb[n:n+cw], ucb)
			fancyH2V1(m.Cr[n:n+cw], ucr)
		}
		return ucb[:w], ucr[:w]
	}
}

// h1v2Chroma upsamples 4:4:0 chroma with libjpeg's h1v2_fancy_upsample:
// each output row is (3·nearer chroma row + further row + bias) >> 2,
// bias 1 towards the row above and 2 towards the row below; the rows
// beyond the top and bottom edges repeat the edge row.
func h1v2Chroma(m *image.YCbCr) func(y int) ([]uint8, []uint8) {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	chh := (h + 1) / 2
	ucb := make([]uint8, w) // [w] upsampled row
	ucr := make([]uint8, w)
	return func(y int) ([]uint8, []uint8) {
		cy := y / 2
		far, bias := cy-1, int32(1)
		if y%2 == 1 {
			far, bias = cy+1, 2
		}
		far = min(max(far, 0), chh-1)
		n, f := cy*m.CStride, far*m.CStride
		h1v2(m.Cb[n:n+w], m.Cb[f:f+w], bias, ucb)
		h1v2(m.Cr[n:n+w], m.Cr[f:f+w], bias, ucr)
		return ucb, ucr
	}
}

// h1v2 is one output row of h1v2_fancy_upsample: out [len(near)].
func h1v2(near, far []uint8, bias int32, out []uint8) {
	far, out = far[:len(near)], out[:len(near)]
	for i, v := range near {
		out[i] = uint8((int32(v)*3 + int32(far[i]) + bias) >> 2)
	}
}

// clampTab maps v+clampOff to v clamped to [0, 255] for the YCbCr range.
const clampOff = 512

var clampTab = func() (t [1536]uint8) {
	for i := range t {
		t[i] = clampU8(int32(i - clampOff))
	}
	return t
}()

// yccRow converts one row of full-resolution Y, Cb, Cr to d [w·c].
func yccRow(yrow, cb, cr, d []uint8, c int) {
	cb, cr = cb[:len(yrow)], cr[:len(yrow)]
	if c == 3 {
		d = d[:3*len(yrow)]
		for x, yv := range yrow {
			yy := int32(yv) + clampOff
			b, r := cb[x], cr[x]
			o := d[3*x : 3*x+3 : 3*x+3]
			o[0] = clampTab[yy+jpeg.YCC.CrR[r]]
			o[1] = clampTab[yy+((jpeg.YCC.CbG[b]+jpeg.YCC.CrG[r])>>16)]
			o[2] = clampTab[yy+jpeg.YCC.CbB[b]]
		}
		return
	}
	d = d[:len(yrow)]
	for x, yv := range yrow {
		r, g, bb := yccToRGB(yv, cb[x], cr[x])
		d[x] = luma(r, g, bb)
	}
}

// fancyH2V2 is the horizontal half of h2v2_fancy_upsample on column sums
// (3·nearer row + further row), len(col) > 2: out [2·len(col)].
func fancyH2V2(col []int32, out []uint8) {
	n := len(col)
	out[0] = uint8((col[0]*4 + 8) >> 4)
	out[1] = uint8((col[0]*3 + col[1] + 7) >> 4)
	for i := 1; i < n-1; i++ {
		out[2*i] = uint8((col[i]*3 + col[i-1] + 8) >> 4)
		out[2*i+1] = uint8((col[i]*3 + col[i+1] + 7) >> 4)
	}
	out[2*n-2] = uint8((col[n-1]*3 + col[n-2] + 8) >> 4)
	out[2*n-1] = uint8((col[n-1]*4 + 7) >> 4)
}

// fancyH2V1 is h2v1_fancy_upsample, len(in) > 2: out [2·len(in)].
func fancyH2V1(in []uint8, out []uint8) {
	n := len(in)
	out[0] = in[0]
	out[1] = uint8((int32(in[0])*3 + int32(in[1]) + 2) >> 2)
	for i := 1; i < n-1; i++ {
		v := int32(in[i]) * 3
		out[2*i] = uint8((v + int32(in[i-1]) + 1) >> 2)
		out[2*i+1] = uint8((v + int32(in[i+1]) + 2) >> 2)
	}
	out[2*n-2] = uint8((int32(in[n-1])*3 + int32(in[n-2]) + 1) >> 2)
	out[2*n-1] = in[n-1]
}

// webpRows converts VP8 (lossy WebP) 4:2:0 YCbCr as libwebp does for PIL:
// BT.601 limited-range coefficients in 14-bit fixed point (dsp/yuv.h
// VP8YUVToR/G/B) after its fancy upsampler (dsp/upsampling.c: 9-3-3-1
// weights with its own rounding; the first row mirrors the chroma, then
// row pairs share a pair of chroma rows).
func webpRows(m *image.YCbCr, c int) func(int, []uint8) {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	if m.SubsampleRatio != image.YCbCrSubsampleRatio420 || m.Rect.Min != (image.Point{}) {
		return yccRows(m, c)
	}
	cw, chh := (w+1)/2, (h+1)/2
	ucb := make([]uint8, w) // [W] upsampled row
	ucr := make([]uint8, w)
	return func(y int, d []uint8) {
		near := y / 2
		far := near - 1
		if y%2 == 1 {
			far = near + 1
		}
		far = min(max(far, 0), chh-1)
		n, f := near*m.CStride, far*m.CStride
		webpUpsample(m.Cb[n:n+cw], m.Cb[f:f+cw], ucb)
		webpUpsample(m.Cr[n:n+cw], m.Cr[f:f+cw], ucr)
		yrow := m.Y[y*m.YStride : y*m.YStride+w]
		if c == 3 {
			d = d[:3*w]
			for x, yv := range yrow {
				d[3*x], d[3*x+1], d[3*x+2] = vp8ToRGB(int32(yv), int32(ucb[x]), int32(ucr[x]))
			}
			return
		}
		for x, yv := range yrow {
			r, g, b := vp8ToRGB(int32(yv), int32(ucb[x]), int32(ucr[x]))
			d[x] = luma(r, g, b)
		}
	}
}

// webpUpsample is one output row of libwebp's UPSAMPLE_FUNC for one chroma
// plane: near is the chroma row weighted 3, far the one weighted 1;
// out [W].
func webpUpsample(near, far []uint8, out []uint8) {
	n := len(out)
	at := func(s []uint8, i int) uint32 { return uint32(s[i]) }
	out[0] = uint8((3*at(near, 0) + at(far, 0) + 2) >> 2)
	last := (n - 1) >> 1
	for x := 1; x <= last; x++ {
		tl, t := at(near, x-1), at(near, x)
		l, u := at(far, x-1), at(far, x)
		avg := tl + t + l + u + 8
		d12 := (avg + 2*(t+l)) >> 3
		d03 := (avg + 2*(tl+u)) >> 3
		out[2*x-1] = uint8((d12 + tl) >> 1)
		out[2*x] = uint8((d03 + t) >> 1)
	}
	if n&1 == 0 {
		out[n-1] = uint8((3*at(near, last) + at(far, last) + 2) >> 2)
	}
}

// vp8ToRGB is libwebp's VP8YuvToRgb.
func vp8ToRGB(y, u, v int32) (uint8, uint8, uint8) {
	mh := func(v, c int32) int32 { return (v * c) >> 8 }
	clip := func(v int32) uint8 {
		if v&^(256<<6-1) == 0 {
			return uint8(v >> 6)
		}
		if v < 0 {
			return 0
		}
		return 255
	}
	yy := mh(y, 19077)
	return clip(yy + mh(v, 26149) - 14234),
		clip(yy - mh(u, 6419) - mh(v, 13320) + 8708),
		clip(yy + mh(u, 33050) - 17685)
}
