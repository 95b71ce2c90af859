package jpeg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"io"
	"runtime"
	"sync"
)

// This file is the fast path for sequential Huffman scans of a file held
// in memory: a 64-bit bit reader over the byte slice, 9-bit Huffman
// look-up tables, a 10-bit table of whole AC terms (code and value), and
// dequantization fused with decoding. Blocks whose AC terms the scaled
// decode does not need are read past with a 14-bit table of several
// terms a look-up (skipTable; in BMI2 assembly where the CPU has it,
// skip_amd64.s). It is an
// optimistic path: on anything irregular (a marker inside the data, bits
// read past the end of a segment, a missing or misplaced restart marker,
// EOB runs, DC sizes over 16) it rewinds to the start of the scan and the
// upstream decoder (scan.go) decodes it instead, so the output and the
// errors are the upstream decoder's in every case.

// Options are DecodeOptions' settings.
type Options struct {
	// Check is polled once per MCU row of each scan; the decode stops
	// with its error. nil: never. Restart intervals decode in parallel,
	// so it may be called from several goroutines at once.
	Check func() error
	// Scale, when 2, 4 or 8, decodes at 1/Scale of the size in the DCT
	// domain, as libjpeg does with scale_denom (draft.go). 0 or 1: full
	// size.
	Scale int
}

// DecodeOptions decodes the JPEG file data with o's settings. The result
// is what Decode returns on the same bytes, or with o.Scale > 1 the
// scaled image (see Options).
func DecodeOptions(data []byte, o Options) (image.Image, error) {
	mr := &memReader{data: data, check: o.Check}
	d := decoder{check: o.Check, mem: mr}
	switch o.Scale {
	case 0, 1:
	case 2, 4, 8:
		d.scale = o.Scale
	default:
		return nil, errors.New("jpeg: scale must be 1, 2, 4 or 8")
	}
	return d.decode(mr, false)
}

// memReader is the io.Reader the decoder reads a file in memory through,
// so the fast path can find its place in the bytes.
type memReader struct {
	data  []byte
	off   int          // next byte Read returns
	check func() error // polled once per Read; nil: never
}

func (m *memReader) Read(p []byte) (int, error) {
	if m.check != nil {
		if err := m.check(); err != nil {
			return 0, err
		}
	}
	if m.off >= len(m.data) {
		return 0, io.EOF
	}
	n := copy(p, m.data[m.off:])
	m.off += n
	return n, nil
}

// pos is the offset in d.mem.data of the next byte the upstream reader
// would take.
func (d *decoder) pos() int { return d.mem.off - (d.bytes.j - d.bytes.i) }

// seek makes the upstream reader continue at offset p.
func (d *decoder) seek(p int) {
	d.mem.off = p
	d.bytes.i, d.bytes.j, d.bytes.nUnreadable = 0, 0, 0
	d.bits = bits{}
}

// errFallback stops the fast path: the upstream decoder takes the scan.
var errFallback = errors.New("jpeg: irregular scan")

// fastLUTBits is the look-up width of fastHuff.
const fastLUTBits = 9

// fastHuff is a Huffman table for the fast path: lut maps the next
// fastLUTBits bits to value<<8 | code length (0: a longer code).
type fastHuff struct {
	lut [1 << fastLUTBits]uint16
	h   *huffman // for codes longer than fastLUTBits
}

// canonical reports whether h is defined and every code of it fits its
// length (code < 2^length): an undefined table (upstream's error) or an
// over-subscribed one, which the upstream decoder reads by its own
// comparisons, has no look-up table and is left to it.
func canonical(h *huffman) bool {
	if h.nCodes == 0 {
		return false
	}
	for i, m := range h.maxCodes {
		if m >= 1<<(i+1) {
			return false
		}
	}
	return true
}

func (f *fastHuff) build(h *huffman) {
	f.h = h
	f.lut = [1 << fastLUTBits]uint16{}
	for i := 0; i < fastLUTBits; i++ {
		if h.maxCodes[i] < 0 {
			continue
		}
		l := uint(i + 1)
		for code := h.minCodes[i]; code <= h.maxCodes[i]; code++ {
			v := uint16(h.vals[h.valsIndices[i]+code-h.minCodes[i]])<<8 | uint16(l)
			base := int(code) << (fastLUTBits - l)
			for k := 0; k < 1<<(fastLUTBits-l); k++ {
				f.lut[base+k] = v
			}
		}
	}
}

// termLUTBits is the look-up width of termTable.
const termLUTBits = 10

// termTable decodes a whole AC term per look-up, code and value bits
// together: entry i, for the termLUTBits bits i, is the term's value
// (high 16 bits, signed, EXTEND applied), its run of zeros (bits 8–15;
// termEOB for an end of block) and the bits it takes (low 8 bits). 0:
// the term does not fit (or is a ZRL or an EOB run): decode it by code.
type termTable [1 << termLUTBits]int32

const termEOB = 0xff

func (t *termTable) build(f *fastHuff) {
	for i := range t {
		idx := uint64(i) << (64 - termLUTBits)
		v := f.lut[idx>>(64-fastLUTBits)]
		l, rs := uint(v&0xff), v>>8
		size := uint(rs & 15)
		switch {
		case v == 0 || l+size > termLUTBits:
			t[i] = 0
		case rs == 0:
			t[i] = termEOB<<8 | int32(l)
		case size == 0:
			t[i] = 0 // ZRL or an EOB run
		default:
			x := int32(idx << l >> (64 - size))
			if x < 1<<(size-1) {
				x += -1<<size + 1
			}
			t[i] = x<<16 | int32(rs>>4)<<8 | int32(l+size)
		}
	}
}

// skipLUTBits is the look-up width of skipTable.
const skipLUTBits = 14

// skipTable reads past several AC terms per look-up, for blocks whose AC
// values are not needed: entry i describes the whole terms (code and
// extra bits) at the start of the skipLUTBits bits i, up to and including
// an end of block. Its low 8 bits are the bits used; its high 8 bits a:
//
//   - 0–63: the zig-zag positions advanced, no end of block;
//   - 64 + the positions advanced before an end of block that ends the
//     terms;
//   - skipLong + the positions advanced by one term whose code is in the
//     window but whose value bits are not (bits used up to 14+15);
//   - skipNone: a longer code, or an EOB run.
//
// So one compare, k+a < 64, tells the common case: terms that stay in the
// block.
type skipTable [1 << skipLUTBits]uint16

const (
	skipLong = 128
	skipNone = 255
)

func (t *skipTable) build(f *fastHuff) {
	for i := range t {
		bits, adv, eob, long := uint(0), 0, false, uint16(0)
		for {
			rest := uint64(i) << (64 - skipLUTBits) << bits
			l, rs, ok := f.code(rest, skipLUTBits-bits)
			if !ok {
				break
			}
			size := uint(rs & 15)
			if bits+l+size > skipLUTBits {
				if bits == 0 && size > 0 {
					long = uint16(skipLong+int(rs>>4)+1)<<8 | uint16(l+size)
				}
				break
			}
			if size == 0 && rs>>4 != 15 {
				// An end of block; an EOB run is left to the caller.
				if rs>>4 == 0 {
					bits, eob = bits+l, true
				}
				break
			}
			if adv+int(rs>>4)+1 >= blockSize {
				break // no block takes it
			}
			bits += l + size
			adv += int(rs>>4) + 1
		}
		switch {
		case long != 0:
			t[i] = long
		case eob:
			t[i] = uint16(blockSize+adv)<<8 | uint16(bits)
		case bits == 0:
			t[i] = skipNone << 8
		default:
			t[i] = uint16(adv)<<8 | uint16(bits)
		}
	}
}

// tables holds the term and skip tables built so far, by Huffman code
// (codeKey), read-only once built: most files use the same few codes
// (libjpeg's standard tables), and building the tables takes longer than
// decoding a small image (a skip table about 0.15 ms).
var tables struct {
	sync.Mutex
	term map[string]*termTable
	skip map[string]*skipTable
}

// maxTables bounds each map of tables (at most 16 × 36 KiB in all).
const maxTables = 16

// codeKey names h's code: the first and last code of each length, then
// the values in code order.
func codeKey(h *huffman) string {
	key := make([]byte, 0, 8*maxCodeLength+int(h.nCodes))
	for i := range h.maxCodes {
		key = binary.LittleEndian.AppendUint32(key, uint32(h.minCodes[i]))
		key = binary.LittleEndian.AppendUint32(key, uint32(h.maxCodes[i]))
	}
	return string(append(key, h.vals[:h.nCodes]...))
}

// cachedTable returns the table of code key (f's) in *m, building it
// from f with build (and keeping it, while *m holds fewer than maxTables)
// if it is not there.
func cachedTable[T any](m *map[string]*T, key string, f *fastHuff, build func(*T, *fastHuff)) *T {
	tables.Lock()
	t := (*m)[key]
	tables.Unlock()
	if t != nil {
		return t
	}
	t = new(T)
	build(t, f)
	tables.Lock()
	if *m == nil {
		*m = map[string]*T{}
	}
	if len(*m) < maxTables {
		(*m)[key] = t
	}
	tables.Unlock()
	return t
}

// bitReader reads entropy-coded bits of data MSB first. acc holds n valid
// bits left-aligned. Past a marker or the end of data it feeds zero bytes,
// counting them in zeros, so that decoding never stops mid-block; whether
// those bits were used is checked at the end of each segment.
type bitReader struct {
	data   []byte
	p      int // next byte of data to load
	acc    uint64
	n      uint
	zeros  int  // zero bytes fed
	marker bool // p is at a marker (0xff not followed by 0x00)
}

// refill loads bytes until acc holds at least 57 bits.
func (r *bitReader) refill() {
	if r.p+8 <= len(r.data) && !r.marker {
		x := binary.BigEndian.Uint64(r.data[r.p:])
		if y := ^x; (y-0x0101010101010101)&^y&0x8080808080808080 == 0 {
			// No 0xff among the next 8 bytes: take as many as fit.
			k := (63 - r.n) >> 3
			low := 64 - r.n - 8*k
			r.acc |= (x >> r.n) >> low << low
			r.p += int(k)
			r.n += 8 * k
			return
		}
	}
	for r.n <= 56 {
		var b byte
		switch {
		case r.marker || r.p >= len(r.data):
			r.zeros++
		case r.data[r.p] != 0xff:
			b = r.data[r.p]
			r.p++
		case r.p+1 < len(r.data) && r.data[r.p+1] == 0:
			b = 0xff
			r.p += 2
		default:
			r.marker = true
			r.zeros++
		}
		r.acc |= uint64(b) << (56 - r.n)
		r.n += 8
	}
}

// code returns the length and value of the Huffman code at the top of
// bits, if it is at most max bits long.
func (f *fastHuff) code(bits uint64, max uint) (uint, uint8, bool) {
	if v := f.lut[bits>>(64-fastLUTBits)]; v != 0 {
		return uint(v & 0xff), uint8(v >> 8), uint(v&0xff) <= max
	}
	h := f.h
	code := int32(bits >> (64 - fastLUTBits))
	for i := fastLUTBits; i < min(int(max), maxCodeLength); i++ {
		code = code<<1 | int32(bits>>(63-uint(i))&1)
		if code <= h.maxCodes[i] {
			return uint(i + 1), h.vals[h.valsIndices[i]+code-h.minCodes[i]], true
		}
	}
	return 0, 0, false
}

// decode reads one Huffman-coded value; acc must hold 16 bits or more.
func (r *bitReader) decode(f *fastHuff) (uint8, error) {
	l, v, ok := f.code(r.acc, maxCodeLength)
	if !ok {
		return 0, errFallback
	}
	r.acc <<= l
	r.n -= l
	return v, nil
}

// fill tops up acc (n valid bits, left-aligned) with the next bytes of
// data from p when the 8 bytes there hold no 0xff (no stuffing, no
// marker): afterwards n ≥ 56. ok false: nothing was read, refill must.
// The bits below the n valid ones may hold the data that follows; they
// are the bits a later refill ORs in again.
func fill(data []byte, p int, acc uint64, n uint) (int, uint64, uint, bool) {
	if p < 0 || p+8 > len(data) {
		return p, acc, n, false
	}
	x := binary.BigEndian.Uint64(data[p:])
	if y := ^x; (y-0x0101010101010101)&^y&0x8080808080808080 != 0 {
		return p, acc, n, false
	}
	return p + int((63-n)>>3), acc | x>>(n&63), n | 56, true
}

// dcFast decodes a DC difference (F.2.2.1) from acc, which must hold 32
// bits or more, when its code is in f's look-up table and its size at
// most 16; ok false: nothing was read, decodeDC must.
func dcFast(f *fastHuff, acc uint64, n uint) (int32, uint64, uint, bool) {
	v := f.lut[acc>>(64-fastLUTBits)]
	s := uint(v >> 8)
	if v == 0 || s > 16 {
		return 0, acc, n, false
	}
	acc <<= v & 0xff
	x := int32(acc >> (63 - s) >> 1)
	x += int32(int64(^acc)>>63) & (-1<<s + 1) // EXTEND; 0 when s is 0
	return x, acc << s, n - uint(v&0xff) - s, true
}

// skipBlock reads one block whose AC terms are not needed: it returns
// the DC difference and reads past the AC terms without decoding their
// values. The bit buffer lives in locals here and in decodeBlock, so
// that it stays in registers; r holds it only across the slow paths.
func (r *bitReader) skipBlock(dc, ac *fastHuff, t *skipTable) (int32, error) {
	data, p, acc, n := r.data, r.p, r.acc, r.n
	if n < 32 {
		var ok bool
		if p, acc, n, ok = fill(data, p, acc, n); !ok {
			r.refill()
			p, acc, n = r.p, r.acc, r.n
		}
	}
	x, acc, n, ok := dcFast(dc, acc, n)
	if !ok {
		r.p, r.acc, r.n = p, acc, n
		var err error
		if x, err = r.decodeDC(dc); err != nil {
			return 0, err
		}
		p, acc, n = r.p, r.acc, r.n
	}
	for k := 1; k < blockSize; {
		if n < skipLUTBits {
			if p, acc, n, ok = fill(data, p, acc, n); !ok {
				r.p, r.acc, r.n = p, acc, n
				r.refill()
				p, acc, n = r.p, r.acc, r.n
			}
		}
		e := t[acc>>(64-skipLUTBits)]
		a, l := int(e>>8), uint(e&0xff)
		if k+a < blockSize {
			acc <<= l & 63 // whole terms inside the block
			n -= l
			k += a
			continue
		}
		if a >= blockSize && a < skipLong && k+a-blockSize < blockSize {
			r.p, r.acc, r.n = p, acc<<(l&63), n-l // the block's end of block
			return x, nil
		}
		if a < blockSize && k+a == blockSize {
			acc <<= l & 63 // terms up to the block's last position
			n -= l
			break
		}
		if n < 32 {
			r.p, r.acc, r.n = p, acc, n
			r.refill()
			p, acc, n = r.p, r.acc, r.n
		}
		var rs uint8
		if v := ac.lut[acc>>(64-fastLUTBits)]; v != 0 {
			rs = uint8(v >> 8)
			l := uint(v&0xff) + uint(rs&15)
			acc <<= l & 63
			n -= l
		} else {
			r.p, r.acc, r.n = p, acc, n
			var err error
			if rs, err = r.decode(ac); err != nil {
				return 0, err
			}
			p, acc, n = r.p, r.acc<<(rs&15), r.n-uint(rs&15)
		}
		run := int(rs >> 4)
		if rs&15 == 0 {
			if run != 15 {
				r.p, r.acc, r.n = p, acc, n
				if run != 0 {
					return 0, errFallback // an EOB run
				}
				return x, nil
			}
			k += 16
			continue
		}
		if k += run; k >= blockSize {
			return 0, errFallback
		}
		k++
	}
	r.p, r.acc, r.n = p, acc, n
	return x, nil
}

// decodeDC decodes a DC difference (F.2.2.1); sizes over 16 fall back.
func (r *bitReader) decodeDC(f *fastHuff) (int32, error) {
	if r.n < 32 {
		r.refill()
	}
	acc, n := r.acc, r.n
	var t uint8
	if v := f.lut[acc>>(64-fastLUTBits)]; v != 0 {
		l := uint(v & 0xff)
		acc <<= l & 63
		n -= l
		t = uint8(v >> 8)
	} else {
		var err error
		if t, err = r.decode(f); err != nil {
			return 0, err
		}
		acc, n = r.acc, r.n
	}
	if t > 16 {
		return 0, errFallback
	}
	if n < 16 {
		r.acc, r.n = acc, n
		r.refill()
		acc, n = r.acc, r.n
	}
	size := uint(t)
	x := int32(acc >> ((64 - size) & 63))
	if size == 0 {
		x = 0
	}
	r.acc, r.n = acc<<(size&63), n-size
	if x < 1<<size>>1 {
		x += -1<<size + 1
	}
	return x, nil
}

// decodeBlock decodes one block: it returns the DC difference and
// decodes the AC terms into b, dequantized by q, in natural order (b's
// other terms are left as they are).
func (r *bitReader) decodeBlock(dc, ac *fastHuff, tt *termTable, b, q *block) (int32, error) {
	data, p, acc, n := r.data, r.p, r.acc, r.n
	if n < 32 {
		var ok bool
		if p, acc, n, ok = fill(data, p, acc, n); !ok {
			r.refill()
			p, acc, n = r.p, r.acc, r.n
		}
	}
	x, acc, n, ok := dcFast(dc, acc, n)
	if !ok {
		r.p, r.acc, r.n = p, acc, n
		var err error
		if x, err = r.decodeDC(dc); err != nil {
			return 0, err
		}
		p, acc, n = r.p, r.acc, r.n
	}
	for k := 1; k < blockSize; {
		if n < termLUTBits {
			if p, acc, n, ok = fill(data, p, acc, n); !ok {
				r.p, r.acc, r.n = p, acc, n
				r.refill()
				p, acc, n = r.p, r.acc, r.n
			}
		}
		if e := tt[acc>>(64-termLUTBits)]; e != 0 {
			l := uint(e & 0xff)
			acc <<= l & 63
			n -= l
			if k += int(e>>8) & 0xff; k < blockSize {
				b[unzig[k]&63] = e >> 16 * q[k&63]
				k++
				continue
			}
			if e>>8&0xff != termEOB {
				return 0, errFallback
			}
			r.p, r.acc, r.n = p, acc, n
			return x, nil
		}
		if n < 32 {
			// A code of up to 16 bits and up to 15 value bits.
			if p, acc, n, ok = fill(data, p, acc, n); !ok {
				r.p, r.acc, r.n = p, acc, n
				r.refill()
				p, acc, n = r.p, r.acc, r.n
			}
		}
		var rs uint8
		if v := ac.lut[acc>>(64-fastLUTBits)]; v != 0 {
			l := uint(v & 0xff)
			acc <<= l & 63
			n -= l
			rs = uint8(v >> 8)
		} else {
			r.p, r.acc, r.n = p, acc, n
			var err error
			if rs, err = r.decode(ac); err != nil {
				return 0, err
			}
			p, acc, n = r.p, r.acc, r.n
		}
		run, size := int(rs>>4), uint(rs&15)
		if size == 0 {
			if run != 15 {
				r.p, r.acc, r.n = p, acc, n
				if run != 0 {
					return 0, errFallback // an EOB run
				}
				return x, nil
			}
			k += 16
			continue
		}
		if k += run; k >= blockSize {
			return 0, errFallback
		}
		// The value's size bits, less 2^size − 1 when the first is 0
		// (F.2.2.1 EXTEND, without a branch).
		v := int32(acc>>((64-size)&63)) + int32(int64(^acc)>>63)&(-1<<size+1)
		acc <<= size & 63
		n -= size
		b[unzig[k&63]&63] = v * q[k&63]
		k++
	}
	r.p, r.acc, r.n = p, acc, n
	return x, nil
}

// overrun reports whether bits fed past the segment's end were used.
func (r *bitReader) overrun() bool { return r.n < 8*uint(r.zeros) }

// nextMarker returns the offset of the marker that ends the segment
// whose bits r has read, or -1 if whole bytes of data remain before it.
func (r *bitReader) nextMarker() int {
	if r.overrun() || r.n-8*uint(r.zeros) >= 8 {
		return -1
	}
	if r.p+1 < len(r.data) && r.data[r.p] == 0xff && r.data[r.p+1] != 0 {
		return r.p
	}
	return -1
}

// scanComp is one component of a scan, as processSOS reads it.
type scanComp = struct {
	compIndex uint8
	td        uint8 // DC table selector.
	ta        uint8 // AC table selector.
}

// fastScan decodes a sequential scan of the MCUs mxx×myy with the fast
// path, if the file is in memory and the scan is interleaved (or the
// frame has one component). ok false: the upstream decoder must decode it
// from where it is (nothing was consumed).
func (d *decoder) fastScan(scan []scanComp, mxx, myy int) (ok bool, err error) {
	if d.mem == nil || d.progressive || (len(scan) == 1 && d.nComp != 1) {
		return false, nil
	}
	start := d.pos()
	err = d.fastDecode(scan, mxx, myy, start)
	if err == errFallback {
		d.seek(start)
		return false, nil
	}
	return true, err
}

func (d *decoder) fastDecode(scan []scanComp, mxx, myy, start int) error {
	var (
		dcH, acH [maxComponents]fastHuff
		terms    [maxComponents]*termTable
	)
	// plan: per scan component, its sampling, table and, when decoding
	// scaled, the output plane, the side of its blocks there and, for
	// blocks scaled to 1×1 (AC terms unused), the skip table.
	var plan [maxComponents]struct {
		ci, hi, vi int
		q          *block
		skip       *skipTable
		pix        []byte
		stride, n  int
	}
	for i, s := range scan {
		if !canonical(&d.huff[dcTable][s.td]) || !canonical(&d.huff[acTable][s.ta]) {
			return errFallback
		}
		dcH[i].build(&d.huff[dcTable][s.td])
		acH[i].build(&d.huff[acTable][s.ta])
		key := codeKey(acH[i].h)
		terms[i] = cachedTable(&tables.term, key, &acH[i], (*termTable).build)
		c := &plan[i]
		c.ci = int(s.compIndex)
		c.hi, c.vi = d.comp[c.ci].h, d.comp[c.ci].v
		c.q = &d.quant[d.comp[c.ci].tq]
		if d.scale > 1 {
			c.pix, c.stride = d.plane(c.ci)
			c.n = d.scaledSize(c.ci)
		}
		if c.n == 1 {
			c.skip = cachedTable(&tables.skip, key, &acH[i], (*skipTable).build)
		}
	}
	total := mxx * myy
	// mcus decodes MCUs [m0, m1) from r, one restart interval or the
	// whole scan, polling d.check at each MCU row's start.
	mcus := func(r *bitReader, m0, m1 int) error {
		var (
			dc  [maxComponents]int32
			b   block     // coefficients, natural order, dequantized; zero between blocks
			dcs [16]int32 // DC differences of one component's skipped blocks [v, h], h, v ≤ 4
		)
		mx, my := m0%mxx, m0/mxx // MCU m's column and row, stepped below
		for m := m0; m < m1; m, mx = m+1, mx+1 {
			if mx == mxx {
				mx, my = 0, my+1
			}
			if d.check != nil && (mx == 0 || m == m0) {
				if err := d.check(); err != nil {
					return err
				}
			}
			for i := range scan {
				c := &plan[i]
				if c.skip != nil {
					// One sample a block: the DC terms alone (idct1x1).
					deltas := dcs[:c.hi*c.vi]
					for j := 0; j < len(deltas); j++ {
						if j += skipBlocksAsm(r, &dcH[i], &acH[i], c.skip, deltas[j:]); j == len(deltas) {
							break
						}
						delta, err := r.skipBlock(&dcH[i], &acH[i], c.skip)
						if err != nil {
							return err
						}
						deltas[j] = delta
					}
					at := c.vi*my*c.stride + c.hi*mx
					if c.hi == 2 && c.vi == 2 {
						// 4:2:0 luma: two samples in each of two rows.
						q0 := c.q[0]
						dst := c.pix[at : at+c.stride+2 : at+c.stride+2]
						d0 := dc[i] + deltas[0]
						d1 := d0 + deltas[1]
						d2 := d1 + deltas[2]
						d3 := d2 + deltas[3]
						dc[i] = d3
						dst[0] = limit(descale(d0*q0, 3))
						dst[1] = limit(descale(d1*q0, 3))
						dst[c.stride] = limit(descale(d2*q0, 3))
						dst[c.stride+1] = limit(descale(d3*q0, 3))
						continue
					}
					for yv := 0; yv < c.vi; yv++ {
						for xh := 0; xh < c.hi; xh++ {
							dc[i] += deltas[yv*c.hi+xh]
							c.pix[at+yv*c.stride+xh] = limit(descale(dc[i]*c.q[0], 3))
						}
					}
					continue
				}
				for yv := 0; yv < c.vi; yv++ {
					by := c.vi*my + yv
					for xh := 0; xh < c.hi; xh++ {
						bx := c.hi*mx + xh
						delta, err := r.decodeBlock(&dcH[i], &acH[i], terms[i], &b, c.q)
						if err != nil {
							return err
						}
						dc[i] += delta
						b[0] = dc[i] * c.q[0]
						switch c.n {
						case 2:
							idct2x2Clear(&b, c.pix[2*(by*c.stride+bx):], c.stride)
							continue
						case 0:
							d.putBlock(&b, bx, by, c.ci)
						default:
							scaledIDCT(&b, c.pix[c.n*(by*c.stride+bx):], c.stride, c.n)
						}
						b = block{}
					}
				}
			}
		}
		return nil
	}
	end := 0 // where the scan's entropy-coded data ends
	if d.ri == 0 || d.ri >= total {
		r := bitReader{data: d.mem.data, p: start}
		if err := mcus(&r, 0, total); err != nil {
			return err
		}
		var ok bool
		if end, ok = r.scanEnd(); !ok {
			return errFallback
		}
	} else if runtime.GOMAXPROCS(0) == 1 {
		var err error
		if end, err = d.intervalsInOrder(mcus, start, (total+d.ri-1)/d.ri, total); err != nil {
			return err
		}
	} else {
		// Restart intervals: find their markers first, then decode the
		// intervals in parallel, each from its own marker.
		n := (total + d.ri - 1) / d.ri
		at := restartMarkers(d.mem.data, start, n-1)
		if at == nil {
			return errFallback
		}
		var err error
		if end, err = d.intervals(mcus, at, start, n, total); err != nil {
			return err
		}
	}
	d.seek(end)
	return nil
}

// scanEnd returns where the entropy-coded data of a scan that r has read
// to its last MCU ends: at the marker after it, or at the end of data if
// r ran into that; false if r read past the end (overrun), which the
// upstream decoder then reports.
func (r *bitReader) scanEnd() (int, bool) {
	if r.overrun() {
		return 0, false
	}
	if r.zeros != 0 {
		return r.p, true
	}
	return nextMarkerAt(r.data, r.p), true
}

// intervals decodes the n restart intervals of a scan of total MCUs
// whose data starts at start, with its markers at at [n−1], on up to
// GOMAXPROCS goroutines, each a run of whole intervals. It returns where
// the last interval's data ends.
func (d *decoder) intervals(mcus func(r *bitReader, m0, m1 int) error, at []int, start, n, total int) (int, error) {
	workers := min(runtime.GOMAXPROCS(0), n, maxIntervalWorkers)
	var (
		wg   sync.WaitGroup
		errs = make([]error, workers)
		end  int
	)
	for w := 0; w < workers; w++ {
		i0, i1 := w*n/workers, (w+1)*n/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A panic here would end the process (the caller's recover
			// sees only its own goroutine): the upstream decoder, run by
			// the caller, takes the scan over instead.
			defer func() {
				if recover() != nil {
					errs[w] = errFallback
				}
			}()
			for i := i0; i < i1; i++ {
				p := start
				if i > 0 {
					p = at[i-1] + 2
				}
				r := bitReader{data: d.mem.data, p: p}
				if err := mcus(&r, i*d.ri, min((i+1)*d.ri, total)); err != nil {
					errs[w] = err
					return
				}
				if i < n-1 {
					// Only padding may be left before the next marker.
					if r.nextMarker() != at[i] {
						errs[w] = errFallback
						return
					}
					continue
				}
				var ok bool
				if end, ok = r.scanEnd(); !ok {
					errs[w] = errFallback
					return
				}
			}
		}()
	}
	wg.Wait()
	// A fallback anywhere wins over other errors: the upstream decoder
	// then says what is wrong, in order.
	var first error
	for _, err := range errs {
		if err == errFallback {
			return 0, errFallback
		}
		if first == nil {
			first = err
		}
	}
	return end, first
}

// intervalsInOrder decodes the n ≥ 2 restart intervals of a scan of
// total MCUs whose data starts at start one after the other, each from
// the marker the previous one ends at: intervals on one goroutine,
// without first finding every marker (a search through the whole file).
// It returns where the last interval's data ends.
func (d *decoder) intervalsInOrder(mcus func(r *bitReader, m0, m1 int) error, start, n, total int) (int, error) {
	data := d.mem.data
	for i, p := 0, start; ; i++ {
		r := bitReader{data: data, p: p}
		if err := mcus(&r, i*d.ri, min((i+1)*d.ri, total)); err != nil {
			return 0, err
		}
		if i == n-1 {
			if end, ok := r.scanEnd(); ok {
				return end, nil
			}
			return 0, errFallback
		}
		// Only padding may be left before the next marker, RSTi mod 8:
		// the bit reader stops at the first marker.
		m := r.nextMarker()
		if m < 0 || data[m+1] != rst0Marker+uint8(i%8) {
			return 0, errFallback
		}
		p = m + 2
	}
}

// maxIntervalWorkers bounds the goroutines decoding restart intervals.
const maxIntervalWorkers = 8

// restartMarkers returns the offsets of the next n markers after start
// in data, if they are RST0, RST1, … in turn; nil otherwise.
func restartMarkers(data []byte, start, n int) []int {
	at := make([]int, 0, min(n, (len(data)-start)/2)) // n comes from the header; a marker takes 2 bytes
	p := start
	for len(at) < n {
		m := nextMarkerAt(data, p)
		if m+1 >= len(data) || data[m+1] != rst0Marker+uint8(len(at)%8) {
			return nil
		}
		at = append(at, m)
		p = m + 2
	}
	return at
}

// nextMarkerAt is the offset of the first marker (0xff followed by a byte
// other than 0x00) at or after p in data, or len(data).
func nextMarkerAt(data []byte, p int) int {
	for {
		i := bytes.IndexByte(data[p:], 0xff)
		if i < 0 || p+i+1 >= len(data) {
			return len(data)
		}
		if p += i; data[p+1] != 0 {
			return p
		}
		p += 2
	}
}

// putBlock writes the inverse DCT of the dequantized block b at block
// (bx, by) of component compIndex.
func (d *decoder) putBlock(b *block, bx, by, compIndex int) {
	dst, stride := []byte(nil), 0
	if d.nComp == 1 {
		dst, stride = d.img1.Pix[8*(by*d.img1.Stride+bx):], d.img1.Stride
	} else {
		switch compIndex {
		case 0:
			dst, stride = d.img3.Y[8*(by*d.img3.YStride+bx):], d.img3.YStride
		case 1:
			dst, stride = d.img3.Cb[8*(by*d.img3.CStride+bx):], d.img3.CStride
		case 2:
			dst, stride = d.img3.Cr[8*(by*d.img3.CStride+bx):], d.img3.CStride
		default:
			dst, stride = d.blackPix[8*(by*d.blackStride+bx):], d.blackStride
		}
	}
	idct(b, dst, stride)
}
