package tiff

// Old-style JPEG (Compression 6), as libtiff's tif_ojpeg.c reads it for
// PIL (libtiff v4.5.0): the JPEGInterchangeFormat stream's headers, then
// the strips' entropy-coded data, decoded by libjpeg to raw YCbCr planes
// (no upsampling, no colour conversion) that TIFFRGBAImage converts to
// RGB as it does uncompressed YCbCr, each pixel taking its block's
// chroma sample.

import (
	"fmt"
	"image"
)

const (
	tJPEGInterchangeFormat       = 513
	tJPEGInterchangeFormatLength = 514
	tJPEGRestartInterval         = 515
	tJPEGQTables                 = 519
	tJPEGDCTables                = 520
	tJPEGACTables                = 521
)

// decodeOldJPEG decodes the whole image into img from the strips or
// tiles at offsets, counts (bytes).
func (d *decoder) decodeOldJPEG(img image.Image, offsets, counts []uint) error {
	dst, ok := img.(*image.RGBA)
	if d.ycbcr == nil || !ok || OldJPEG == nil {
		return UnsupportedError(fmt.Sprintf("old-style JPEG with Photometric %d", d.firstVal(tPhotometricInterpretation)))
	}
	var jif, jifLen uint
	for tag, v := range map[int]*uint{tJPEGInterchangeFormat: &jif, tJPEGInterchangeFormatLength: &jifLen} {
		if e, ok := d.ifd[tag]; ok {
			u, err := d.ifdUint(e[:], 1)
			if err != nil {
				return err
			}
			if len(u) == 1 {
				*v = u[0]
			}
		}
	}
	// The JPEG stream costs no more than the pixels at 8 bytes each.
	limit := uint64(dst.Rect.Dx()) * uint64(dst.Rect.Dy()) * 8
	total := uint64(jifLen)
	for _, n := range counts {
		total += uint64(n)
	}
	if total > limit+1<<16 {
		return FormatError("old-style JPEG data too large")
	}
	var stream []byte
	var err error
	if jif != 0 && jifLen != 0 {
		stream, err = safeReadAt(d.r, uint64(jifLen), int64(jif))
	} else {
		stream, err = d.oldJPEGHeaders(dst.Rect.Dx(), dst.Rect.Dy())
	}
	if err != nil {
		return err
	}
	// The strips' data follows, RST markers between them and EOI at the
	// end (libtiff's OJPEGWriteStreamRst and OJPEGWriteStreamEoi).
	for i, off := range offsets {
		if i > 0 {
			stream = append(stream, 0xff, byte(0xd0+(i-1)%8))
		}
		b, err := safeReadAt(d.r, uint64(counts[i]), int64(off))
		if err != nil {
			return err
		}
		stream = append(stream, b...)
	}
	stream = append(stream, 0xff, 0xd9) // and EOI
	planes, err := OldJPEG(stream)
	if err != nil {
		return err
	}
	p, ok := planes.(*image.YCbCr)
	if !ok {
		return UnsupportedError(fmt.Sprintf("old-style JPEG decoding to %T", planes))
	}
	w, h := dst.Rect.Dx(), dst.Rect.Dy()
	if p.Rect.Dx() != w || p.Rect.Dy() != h {
		return FormatError(fmt.Sprintf("old-style JPEG of %d×%d in a %d×%d image", p.Rect.Dx(), p.Rect.Dy(), w, h))
	}
	// The JPEG's sampling factors win over YCbCrSubSampling, as in
	// libtiff.
	hs, vs := 0, 0
	switch p.SubsampleRatio {
	case image.YCbCrSubsampleRatio444:
		hs, vs = 1, 1
	case image.YCbCrSubsampleRatio422:
		hs, vs = 2, 1
	case image.YCbCrSubsampleRatio420:
		hs, vs = 2, 2
	case image.YCbCrSubsampleRatio440:
		hs, vs = 1, 2
	case image.YCbCrSubsampleRatio411:
		hs, vs = 4, 1
	case image.YCbCrSubsampleRatio410:
		hs, vs = 4, 2
	default:
		return UnsupportedError(fmt.Sprintf("old-style JPEG with subsampling %v", p.SubsampleRatio))
	}
	for y := 0; y < h; y++ {
		row := dst.Pix[y*dst.Stride:]
		for x := 0; x < w; x++ {
			yi := (p.Rect.Min.Y+y)*p.YStride + p.Rect.Min.X + x
			ci := (p.Rect.Min.Y/vs+y/vs)*p.CStride + p.Rect.Min.X/hs + x/hs
			d.ycbcr.pixel(row[4*x:], p.Y[yi], p.Cb[ci], p.Cr[ci])
			row[4*x+3] = 0xff
		}
	}
	return nil
}

// oldJPEGHeaders builds the JPEG headers of a w×h old-style JPEG from its
// table tags, as libtiff's OJPEGWriteStream does when the file has no
// JPEGInterchangeFormat: SOI, each sample's quantization and Huffman
// tables (its index as table id), DRI, a sequential SOF (component ids 0,
// 1, 2; luma sampled by YCbCrSubSampling) and SOS.
func (d *decoder) oldJPEGHeaders(w, h int) ([]byte, error) {
	tag := func(t int) ([]uint, error) {
		e, ok := d.ifd[t]
		if !ok {
			return nil, nil
		}
		return d.ifdUint(e[:], 16)
	}
	// JPEGProc is ignored, as libtiff does.
	q, err := tag(tJPEGQTables)
	if err != nil {
		return nil, err
	}
	dc, err := tag(tJPEGDCTables)
	if err != nil {
		return nil, err
	}
	ac, err := tag(tJPEGACTables)
	if err != nil {
		return nil, err
	}
	const n = 3 // samples: initYCbCr accepted only 3
	if len(q) < n || len(dc) < n || len(ac) < n {
		return nil, FormatError("old-style JPEG without its tables")
	}
	if w > 0xffff || h > 0xffff {
		return nil, FormatError("old-style JPEG too large")
	}
	b := []byte{0xff, 0xd8}
	for i := 0; i < n; i++ {
		t, err := safeReadAt(d.r, 64, int64(q[i]))
		if err != nil {
			return nil, err
		}
		b = append(append(b, 0xff, 0xdb, 0, 67, byte(i)), t...)
	}
	for class, offs := range [][]uint{dc, ac} {
		for i := 0; i < n; i++ {
			counts, err := safeReadAt(d.r, 16, int64(offs[i]))
			if err != nil {
				return nil, err
			}
			nv := 0
			for _, c := range counts {
				nv += int(c)
			}
			if nv > 256 {
				return nil, FormatError("old-style JPEG Huffman table too long")
			}
			vals, err := safeReadAt(d.r, uint64(nv), int64(offs[i])+16)
			if err != nil {
				return nil, err
			}
			l := 2 + 1 + 16 + nv
			b = append(b, 0xff, 0xc4, byte(l>>8), byte(l), byte(class<<4|i))
			b = append(append(b, counts...), vals...)
		}
	}
	if ri, err := tag(tJPEGRestartInterval); err != nil {
		return nil, err
	} else if len(ri) > 0 && ri[0] != 0 {
		b = append(b, 0xff, 0xdd, 0, 4, byte(ri[0]>>8), byte(ri[0]))
	}
	// SOF1 (extended sequential): libtiff writes SOF0, but a baseline
	// frame may not use table id 2, which libjpeg allows and Go does not.
	b = append(b, 0xff, 0xc1, 0, 8+3*n, 8, byte(h>>8), byte(h), byte(w>>8), byte(w), n)
	for i := 0; i < n; i++ {
		hv := byte(0x11)
		if i == 0 {
			hv = byte(d.ycbcr.hs<<4 | d.ycbcr.vs)
		}
		b = append(b, byte(i), hv, byte(i))
	}
	b = append(b, 0xff, 0xda, 0, 6+2*n, n)
	for i := 0; i < n; i++ {
		b = append(b, byte(i), byte(i<<4|i))
	}
	return append(b, 0, 63, 0), nil
}
