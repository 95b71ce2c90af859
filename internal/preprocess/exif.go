package preprocess

import (
	"bytes"
	"encoding/binary"
)

// orientation returns the EXIF orientation (1–8) stored in data, or 1.
// It reads JPEG APP1 "Exif", PNG eXIf, WebP EXIF chunks and a TIFF file's
// own IFD0, the places PIL's getexif() looks for ImageOps.exif_transpose.
func orientation(format string, data []byte) int {
	var tiffData []byte
	switch format {
	case "jpeg":
		tiffData = jpegExif(data)
	case "png":
		return pngOrientation(data)
	case "webp":
		tiffData = webpExif(data)
	case "tiff":
		tiffData = data
	}
	if tiffData == nil {
		return 1
	}
	return exifOrientation(tiffData)
}

// jpegExif returns the TIFF structure of the first APP1 Exif segment.
func jpegExif(data []byte) []byte {
	i := 2 // after SOI
	for i+4 <= len(data) {
		if data[i] != 0xff {
			return nil
		}
		marker := data[i+1]
		if marker == 0xff { // fill byte
			i++
			continue
		}
		if marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7) {
			i += 2
			continue
		}
		if marker == 0xda || marker == 0xd9 { // start of scan, end of image
			return nil
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return nil
		}
		seg := data[i+4 : i+2+n]
		if marker == 0xe1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return seg[6:]
		}
		i += 2 + n
	}
	return nil
}

// webpExif returns the payload of the RIFF EXIF chunk.
func webpExif(data []byte) []byte {
	i := 12
	for i+8 <= len(data) {
		n := int(binary.LittleEndian.Uint32(data[i+4:]))
		if n < 0 || n > len(data)-i-8 {
			return nil
		}
		if string(data[i:i+4]) == "EXIF" {
			p := data[i+8 : i+8+n]
			return bytes.TrimPrefix(p, []byte("Exif\x00\x00"))
		}
		i += 8 + n + n&1
	}
	return nil
}

// exifOrientation reads tag 0x0112 from IFD0 of a TIFF structure in either
// byte order; 1 when absent or invalid.
func exifOrientation(t []byte) int {
	v, _ := exifOrientationTag(t)
	if v < 1 || v > 8 {
		return 1
	}
	return v
}

// exifOrientationTag reads tag 0x0112 from IFD0 of a TIFF structure:
// its value (0 when not a SHORT or LONG) and whether the tag is there.
func exifOrientationTag(t []byte) (v int, present bool) {
	if len(t) < 8 {
		return 0, false
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0, false
	}
	if bo.Uint16(t[2:]) != 42 {
		return 0, false
	}
	off := int64(bo.Uint32(t[4:]))
	if off < 8 || off+2 > int64(len(t)) {
		return 0, false
	}
	n := int64(bo.Uint16(t[off:]))
	for e := int64(0); e < n; e++ {
		p := off + 2 + 12*e
		if p+12 > int64(len(t)) {
			return 0, false
		}
		if bo.Uint16(t[p:]) != 0x0112 {
			continue
		}
		typ, count := bo.Uint16(t[p+2:]), bo.Uint32(t[p+4:])
		switch {
		case typ == 3 && count >= 1: // SHORT
			return int(bo.Uint16(t[p+8:])), true
		case typ == 4 && count >= 1: // LONG
			return int(min(bo.Uint32(t[p+8:]), 1<<16)), true
		}
		return 0, true
	}
	return 0, false
}

// orientSteps describes ImageOps.exif_transpose for a w×h source: output
// pixel (x, y) of the ow×oh result is source pixel base + x·dx + y·dy
// (row-major, in pixels).
func orientSteps(o, w, h int) (base, dx, dy, ow, oh int) {
	switch o {
	case 2: // FLIP_LEFT_RIGHT
		return w - 1, -1, w, w, h
	case 3: // ROTATE_180
		return (h-1)*w + w - 1, -1, -w, w, h
	case 4: // FLIP_TOP_BOTTOM
		return (h - 1) * w, 1, -w, w, h
	case 5: // TRANSPOSE
		return 0, w, 1, h, w
	case 6: // ROTATE_270
		return (h - 1) * w, -w, 1, h, w
	case 7: // TRANSVERSE
		return (h-1)*w + w - 1, -w, -1, h, w
	case 8: // ROTATE_90
		return w - 1, w, -1, h, w
	}
	return 0, 1, w, w, h
}

// orient applies EXIF orientation o to r.
func orient(r *raster, o int) *raster {
	if o < 2 || o > 8 {
		return r
	}
	base, dx, dy, ow, oh := orientSteps(o, r.w, r.h)
	c := r.c
	out := &raster{w: ow, h: oh, c: c, pix: make([]uint8, ow*oh*c)}
	for y := 0; y < oh; y++ {
		s := base + y*dy
		d := out.pix[y*ow*c : (y+1)*ow*c]
		if c == 1 {
			for x := range d {
				d[x] = r.pix[s]
				s += dx
			}
			continue
		}
		for x := 0; x < ow; x++ {
			copy(d[x*c:x*c+c], r.pix[s*c:s*c+c])
			s += dx
		}
	}
	return out
}

// gifTransparent returns the transparent index of the first frame and the
// colour its palette stores there (Go's decoder zeroes that entry; PIL's
// convert("RGB") keeps it).
func gifTransparent(data []byte) (idx int, rgb [3]uint8, ok bool) {
	if len(data) < 13 {
		return 0, rgb, false
	}
	var pal []byte
	i := 13
	if data[10]&0x80 != 0 {
		n := 3 << (data[10]&7 + 1)
		if i+n > len(data) {
			return 0, rgb, false
		}
		pal = data[i : i+n]
		i += n
	}
	idx = -1
	for i < len(data) {
		switch data[i] {
		case 0x21: // extension
			if i+2 > len(data) {
				return 0, rgb, false
			}
			label := data[i+1]
			i += 2
			if label == 0xf9 && i+5 <= len(data) && data[i] == 4 {
				if data[i+1]&1 != 0 {
					idx = int(data[i+4])
				} else {
					idx = -1
				}
			}
			for i < len(data) && data[i] != 0 { // sub-blocks
				i += 1 + int(data[i])
			}
			i++
		case 0x2c: // image descriptor
			if i+10 > len(data) || idx < 0 {
				return 0, rgb, false
			}
			if flags := data[i+9]; flags&0x80 != 0 {
				n := 3 << (flags&7 + 1)
				if i+10+n > len(data) {
					return 0, rgb, false
				}
				pal = data[i+10 : i+10+n]
			}
			if 3*idx+3 > len(pal) {
				return 0, rgb, false
			}
			copy(rgb[:], pal[3*idx:])
			return idx, rgb, true
		default:
			return 0, rgb, false
		}
	}
	return 0, rgb, false
}
