package preprocess

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxMemory is the memory budget of one image when
// Limits.MaxMemory is 0: small enough that a few workers fit a small
// machine, large enough for a 50-megapixel photo.
const DefaultMaxMemory = 256 << 20

// ErrOverBudget is the kind of a *DecodeError whose image would need more
// memory than Limits.MaxMemory; its cause is a *BudgetError.
var ErrOverBudget = errors.New("over the memory budget")

// ErrCanceled is the kind of a *DecodeError stopped by Limits.Context; the
// context's error is its cause.
var ErrCanceled = errors.New("canceled")

// BudgetError says what needed how much memory, and the limit.
type BudgetError struct {
	What  string // "decode 100000×100000 png", "resize …"
	Need  int64  // bytes
	Limit int64  // bytes
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("%s needs %s, limit %s", e.What, humanBytes(e.Need), humanBytes(e.Limit))
}

// humanBytes writes n in binary units with one decimal: "2.3 GiB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, i := float64(n), -1
	for f >= unit && i < 4 {
		f /= unit
		i++
	}
	if f == float64(int64(f)) {
		return fmt.Sprintf("%d %ciB", int64(f), "KMGTP"[i])
	}
	return fmt.Sprintf("%.1f %ciB", f, "KMGTP"[i])
}

// limits are Limits with defaults filled in.
type limits struct {
	maxPixels, maxBytes, maxMemory int64
	ctx                            context.Context
	draftTo                        func(w, h int) (int, int) // nil: no draft
}

func (l Limits) resolve() limits {
	r := limits{maxPixels: l.MaxPixels, maxBytes: l.MaxBytes, maxMemory: l.MaxMemory, ctx: l.Context}
	if l.Draft {
		r.draftTo = l.draftTo
	}
	if r.maxPixels <= 0 {
		r.maxPixels = DefaultMaxPixels
	}
	if r.maxBytes <= 0 {
		r.maxBytes = DefaultMaxBytes
	}
	if r.maxMemory <= 0 {
		r.maxMemory = DefaultMaxMemory
	}
	if r.ctx == nil {
		r.ctx = context.Background()
	}
	return r
}

// check returns the context's error once it is done.
func (l *limits) check() error {
	select {
	case <-l.ctx.Done():
		return l.ctx.Err()
	default:
		return nil
	}
}

// mul is a·b·c saturating at 1<<62, for sizes taken from headers.
func mul(v ...int64) int64 {
	const top = int64(1) << 62
	p := int64(1)
	for _, x := range v {
		if x <= 0 {
			return 0
		}
		if p > top/x {
			return top
		}
		p *= x
	}
	return p
}

// checkReader stops a decoder reading data once the context is done, so a
// long decode ends within one buffer fill.
type checkReader struct {
	r   *bytes.Reader
	lim *limits
}

func (c *checkReader) Read(p []byte) (int, error) {
	if err := c.lim.check(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func (c *checkReader) ReadAt(p []byte, off int64) (int, error) {
	if err := c.lim.check(); err != nil {
		return 0, err
	}
	return c.r.ReadAt(p, off)
}

// headReader records every byte a header parser reads from r, up to max
// bytes, so that the file can be rebuilt after the header check.
type headReader struct {
	r    io.Reader
	buf  []byte
	max  int64
	eof  bool  // r ended
	over bool  // stopped at max
	err  error // r's read error other than EOF
}

var errHeaderLimit = errors.New("header limit")

// grow makes room for n more bytes, doubling the capacity (append grows
// large slices by a quarter, allocating five times the final size in all).
func (h *headReader) grow(n int) {
	if len(h.buf)+n <= cap(h.buf) {
		return
	}
	c := int64(max(2*cap(h.buf), len(h.buf)+n, 4096))
	c = max(min(c, h.max), int64(len(h.buf)+n)) // never past what may be read
	b := make([]byte, len(h.buf), c)
	copy(b, h.buf)
	h.buf = b
}

func (h *headReader) Read(p []byte) (int, error) {
	if h.over {
		return 0, errHeaderLimit
	}
	if left := h.max - int64(len(h.buf)); int64(len(p)) > left {
		p = p[:left]
		if left == 0 {
			h.over = true
			return 0, errHeaderLimit
		}
	}
	n, err := h.r.Read(p)
	h.grow(n)
	h.buf = append(h.buf, p[:n]...)
	if err == io.EOF {
		h.eof = true
	} else if err != nil {
		h.err = err
	}
	return n, err
}

// replay reads the recorded bytes from the start, then reads on.
type replay struct {
	h   *headReader
	pos int
}

func (r *replay) Read(p []byte) (int, error) {
	if r.pos < len(r.h.buf) {
		n := copy(p, r.h.buf[r.pos:])
		r.pos += n
		return n, nil
	}
	n, err := r.h.Read(p)
	r.pos += n
	return n, err
}

// fill reads until the header holds n bytes or r ends.
func (h *headReader) fill(n int) {
	tmp := make([]byte, 512)
	for len(h.buf) < n && !h.eof && h.err == nil && !h.over {
		h.Read(tmp[:min(len(tmp), n-len(h.buf))])
	}
}

// minNeed is the least memory any decoder needs for a w×h image: one
// byte per pixel.
func minNeed(w, h int) int64 { return mul(int64(w), int64(h)) }

// decodeNeed estimates the memory the decoder of format needs for the
// w×h image in data (the whole file), counting its output image and its
// own buffers; data itself is counted by the caller. It errs high.
// t is data's first IFD for TIFF (readTIFFTags), unused otherwise;
// budget bounds the work spent measuring (TIFF strips are inflated).
func decodeNeed(format string, w, h int, data []byte, t tiffTags, budget int64) int64 {
	W, H := int64(w), int64(h)
	px := mul(W, H)
	switch format {
	case "png":
		return pngNeed(W, H, data)
	case "jpeg":
		return jpegNeed(W, H, data)
	case "gif":
		// Paletted frame, de-interlacing copy, first-frame screen.
		return 3*px + 64<<10
	case "bmp":
		if len(data) >= 30 && binary.LittleEndian.Uint16(data[28:]) <= 8 {
			return px + 4*W + 64<<10
		}
		return 4*px + 4*W + 64<<10
	case "webp":
		return webpNeed(px, data)
	case "tiff":
		return tiffNeed(W, H, data, t, budget)
	}
	return 8 * px
}

// pngNeed: Go's png decoder holds the image (up to 8 bytes a pixel, 4 for
// 8-bit gray with tRNS), two rows, and for Adam7 each pass's image too.
func pngNeed(w, h int64, data []byte) int64 {
	if len(data) < 29 {
		return 8 * mul(w, h)
	}
	depth, ct, interlace := data[24], data[25], data[28]
	trns := bytes.Contains(data, []byte("tRNS"))
	bpp := int64(4)
	switch {
	case depth == 16:
		bpp = 8
		if ct == 0 && !trns {
			bpp = 2
		}
	case ct == 3 || (ct == 0 && !trns):
		bpp = 1
	}
	img := mul(w, h, bpp)
	if interlace == 1 {
		img *= 2
	}
	return img + 2*mul(w, 8) + 64<<10
}

// pngMinBytes is the fewest bytes a PNG of w×h pixels can have: deflate
// expands at most 1032 to 1, and the filtered image has h·(1+⌈w·bits/8⌉)
// bytes.
func pngMinBytes(w, h int64, data []byte) int64 {
	if len(data) < 29 {
		return 0
	}
	depth, ct := int64(data[24]), data[25]
	ch := map[byte]int64{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ct]
	row := (mul(w, ch, depth) + 7) / 8
	return mul(h, row+1) / 1032
}

// jpegSOF reads the frame header: components' sampling factors and
// whether the file is progressive.
type jpegSOF struct {
	progressive bool
	arith       bool // arithmetic coding: a block may take under a bit
	n           int
	h, v        [4]int
	rgb         bool // Adobe marker or R, G, B ids: may be converted to RGBA
}

func parseJPEGSOF(data []byte) (s jpegSOF, ok bool) {
	i := 2
	for i+4 <= len(data) {
		if data[i] != 0xff {
			i++
			continue
		}
		m := data[i+1]
		if m == 0xff || m == 0 || (m >= 0xd0 && m <= 0xd7) || m == 0xd8 {
			i++
			continue
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		seg := data[i+4 : min(len(data), i+2+n)]
		switch {
		case m == 0xee:
			s.rgb = true
		case m == 0xc0 || m == 0xc1 || m == 0xc2 || m == 0xc9 || m == 0xca:
			if len(seg) < 6 {
				return s, false
			}
			s.progressive = m == 0xc2 || m == 0xca
			s.arith = m >= 0xc9
			s.n = int(seg[5])
			if s.n < 1 || s.n > 4 || len(seg) < 6+3*s.n {
				return s, false
			}
			for c := 0; c < s.n; c++ {
				hv := seg[7+3*c]
				s.h[c], s.v[c] = max(int(hv>>4), 1), max(int(hv&15), 1)
			}
			if s.n == 3 && seg[6] == 'R' && seg[9] == 'G' && seg[12] == 'B' {
				s.rgb = true
			}
			return s, true
		case m == 0xda || m == 0xd9:
			return s, false
		}
		i += 2 + n
	}
	return s, false
}

// jpegNeed: the planes (padded to whole MCUs), the black plane and CMYK
// output of 4-component files, an RGBA copy of RGB files, and for
// progressive files one [64]int32 block per 8×8 of each component.
func jpegNeed(w, h int64, data []byte) int64 {
	s, ok := parseJPEGSOF(data)
	if !ok {
		return mul(w, h, 4*4+8)
	}
	hmax, vmax := 1, 1
	for c := 0; c < s.n; c++ {
		hmax, vmax = max(hmax, s.h[c]), max(vmax, s.v[c])
	}
	if s.n == 1 {
		s.h[0], s.v[0], hmax, vmax = 1, 1, 1, 1
	}
	mxx := (w + 8*int64(hmax) - 1) / (8 * int64(hmax))
	myy := (h + 8*int64(vmax) - 1) / (8 * int64(vmax))
	var planes, blocks int64
	for c := 0; c < s.n; c++ {
		b := mul(mxx, int64(s.h[c]), myy, int64(s.v[c]))
		blocks += b
		planes += 64 * b
	}
	need := planes + 64<<10
	if s.n == 4 || (s.n == 3 && s.rgb) {
		need += mul(w, h, 4)
	}
	if s.progressive {
		need += 256 * blocks
	}
	return need
}

// jpegMinBytes is the fewest bytes a sequential JPEG can hold its blocks
// in: two bits each (a one-bit DC code and a one-bit end of block).
// Progressive files code runs of empty blocks in a few bits, and
// arithmetic coding may spend less than a bit on a block, so 0.
func jpegMinBytes(w, h int64, data []byte) int64 {
	s, ok := parseJPEGSOF(data)
	if !ok || s.progressive || s.arith {
		return 0
	}
	return mul((w+7)/8, (h+7)/8) * int64(s.n) / 4
}

// webpNeed: lossy VP8 is YCbCr 4:2:0 padded to macroblocks plus, in an
// extended file, an alpha plane; lossless VP8L holds ARGB pixels, a
// transformed copy and NRGBA. The image chunk is found by walking the
// RIFF chunks; without one, the lossless need is assumed.
func webpNeed(px int64, data []byte) int64 {
	for i := 12; i+8 <= len(data); {
		switch string(data[i : i+4]) {
		case "VP8 ":
			return 3*px + 1<<20
		case "VP8L":
			return 12*px + 1<<20
		}
		n := int(binary.LittleEndian.Uint32(data[i+4:]))
		if n < 0 || n > len(data) {
			break
		}
		i += 8 + n + n&1
	}
	return 12*px + 1<<20
}

// tiffNeed: the image (up to 8 bytes a pixel) plus one strip or tile
// buffer: x/image/tiff lets a compressed strip inflate to 8 bytes a
// pixel of the strip, and deflate, LZW and PackBits expand their input at
// most about 1032 times, so a strip costs the smaller of the two. CCITT
// strips decode to 1 bit a pixel, at up to 8 pixels a compressed bit.
// t is data's first IFD.
func tiffNeed(w, h int64, data []byte, t tiffTags, budget int64) int64 {
	bpp := int64(8)
	if t.ok {
		bits := t.bits * max(t.spp, 1)
		switch {
		case bits <= 8:
			bpp = 1
		case t.bits <= 8 && t.spp <= 4:
			bpp = 4
		case t.bits == 16 && t.spp == 1:
			bpp = 2
		}
	}
	img := mul(w, h, bpp)
	strip := mul(w, h, 8)
	switch {
	case t.ok && t.compression <= 1:
		strip = min(strip, int64(len(data)))
	case t.ok && t.compression == 50001:
		// WebP strips (each a WebP file, a flat one a few bits a
		// macroblock): the decoded image (NRGBA for lossless, 4 bytes a
		// pixel) and the RGB(A) rows handed back, for the whole image at
		// worst.
		return img + mul(w, h, 9) + 64<<10
	case t.ok && t.compression == 6:
		// Old-style JPEG: the JPEG decoder's planes (and coefficients,
		// when progressive) for the whole image, and the stream it reads:
		// the JPEGInterchangeFormat stream, or headers from table tags
		// for sequential data (planes padded to 16 pixels at most).
		planes := mul(w+16, h+16, 3) + 64<<10
		if t.jif > 0 && t.jif < int64(len(data)) {
			planes = jpegNeed(w, h, data[t.jif:])
		}
		return img + planes + int64(len(data))
	case t.ok && (t.compression >= 2 && t.compression <= 4 || t.compression == 32771):
		// CCITT: a row may take one bit, so the strip is measured by
		// its decoded rows (⌈w/8⌉ bytes), plus the compressed bytes and
		// the decoder's two run arrays (16 bytes a pixel of one row).
		return img + mul((w+7)/8, h) + int64(len(data)) + mul(w, 16) + 64<<10
	case t.ok:
		// Inflate each strip to count its bytes, reading no more than
		// the bound already assumed.
		if n, ok := tiffStripMax(data, t.compression, min(strip, budget), 2*budget); ok {
			strip = n
			break
		}
		fallthrough
	default:
		strip = min(strip, mul(int64(len(data)), 1032))
	}
	// bytes.Buffer doubles as it grows: the strip may briefly take twice.
	return img + 2*strip + 64<<10
}

// tiffTags are the first IFD's facts the budget needs.
type tiffTags struct {
	ok                     bool
	bits, spp, compression int64
	photometric            int64
	jif                    int64 // JPEGInterchangeFormat (old-style JPEG)
	hs, vs                 int64 // YCbCrSubSampling (libtiff's default 2×2)
}

func readTIFFTags(data []byte) (t tiffTags) {
	if len(data) < 8 {
		return t
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if data[0] == 'M' {
		bo = binary.BigEndian
	}
	off := int64(bo.Uint32(data[4:]))
	if off+2 > int64(len(data)) {
		return t
	}
	n := int64(bo.Uint16(data[off:]))
	t.spp, t.bits, t.compression, t.hs, t.vs = 1, 1, 1, 2, 2
	for i := int64(0); i < n; i++ {
		e := off + 2 + 12*i
		if e+12 > int64(len(data)) {
			return t
		}
		tag, typ, cnt := bo.Uint16(data[e:]), bo.Uint16(data[e+2:]), int64(bo.Uint32(data[e+4:]))
		// The first value: inline (left-justified) when the array fits in
		// the 4-byte value field, else at the offset that field holds.
		at := e + 8
		if size := map[uint16]int64{3: 2, 4: 4}[typ]; size == 0 {
			continue
		} else if cnt*size > 4 {
			at = int64(bo.Uint32(data[e+8:]))
			if at < 0 || at+size > int64(len(data)) {
				return t
			}
		}
		var val int64
		if typ == 3 { // SHORT
			val = int64(bo.Uint16(data[at:]))
		} else {
			val = int64(bo.Uint32(data[at:]))
		}
		switch tag {
		case 258: // BitsPerSample
			t.bits = val
		case 259:
			t.compression = val
		case 262:
			t.photometric = val
		case 513:
			t.jif = val
		case 277:
			t.spp = val
		case 530: // YCbCrSubSampling: two SHORTs, inline
			if typ == 3 && cnt == 2 {
				t.hs, t.vs = val, int64(bo.Uint16(data[at+2:]))
			}
		}
	}
	t.ok = true
	return t
}

// minBytes is the fewest bytes a file of format can encode w×h pixels
// in, where the format lets that be known; 0 otherwise. t is data's first
// IFD for TIFF, unused otherwise.
func minBytes(format string, w, h int, data []byte, t tiffTags) int64 {
	W, H := int64(w), int64(h)
	switch format {
	case "png":
		return pngMinBytes(W, H, data)
	case "jpeg":
		return jpegMinBytes(W, H, data)
	case "gif":
		// An LZW code of at most 12 bits stands for at most 4096 pixels.
		return mul(W, H) / (4096 * 8 / 12)
	case "tiff":
		// Uncompressed strips hold every row, each a whole number of
		// bytes; subsampled YCbCr holds a unit of hs·vs luma and two
		// chroma samples for each hs×vs block.
		if t.ok && t.compression <= 1 && t.photometric == 6 && t.bits == 8 && t.hs > 0 && t.vs > 0 {
			return mul(W/t.hs, H/t.vs, t.hs*t.vs+2)
		}
		if t.ok && t.compression <= 1 {
			return mul((mul(W, t.bits, max(t.spp, 1))+7)/8, H)
		}
	case "bmp":
		// Uncompressed (BI_RGB, BI_BITFIELDS): rows of ⌈w·bits/32⌉ words.
		if len(data) >= 34 {
			if c := binary.LittleEndian.Uint32(data[30:]); c == 0 || c == 3 {
				bits := int64(binary.LittleEndian.Uint16(data[28:]))
				return mul((mul(W, bits)+31)/32*4, H)
			}
		}
	}
	return 0
}
