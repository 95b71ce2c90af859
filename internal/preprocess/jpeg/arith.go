package jpeg

// This file decodes arithmetic-coded JPEG (SOF9 sequential, SOF10
// progressive): the adaptive binary arithmetic decoder of ITU-T T.81
// Annex D with the probability estimation of Table D.2, and the coding of
// DC and AC coefficients of sections F.1.4.4 and F.2.4 (figures F.19–F.24)
// and G.1.3 (progressive). The register layout (C holding the interval
// base and the input bits, split at the floating point CT) and the packed
// Table D.2 follow libjpeg's jdarith.c and jaricom.c; see LICENSE.ijg.
// The coefficients go where the Huffman decoder puts them, so
// reconstruction, progressive or not, is shared.

const (
	sof9Marker  = 0xc9 // Start Of Frame (Extended Sequential, arithmetic).
	sof10Marker = 0xca // Start Of Frame (Progressive, arithmetic).
	dacMarker   = 0xcc // Define Arithmetic Conditioning.
)

// arithCond is the conditioning the DAC segments set (F.1.4.4.1.4,
// F.1.4.4.2.1) for tables 0–3; zero values mean the defaults L = 0,
// U = 1, Kx = 5.
type arithCond struct {
	on    bool     // the frame is arithmetic-coded
	dcSet [4]bool  // a DAC segment set dcL, dcU
	dcL   [4]uint8 // DC lower bound, 0–15
	dcU   [4]uint8 // DC upper bound, dcL–15
	acK   [4]uint8 // AC Kx, 1–63 (0: default 5)
}

// useArith records whether the frame's SOF marker is an arithmetic one.
func (d *decoder) useArith(on bool) { d.arith.on = on }

// processDAC reads a DAC segment of n bytes.
func (d *decoder) processDAC(n int) error {
	if n%2 != 0 {
		return FormatError("DAC has wrong length")
	}
	for ; n > 0; n -= 2 {
		if err := d.readFull(d.tmp[:2]); err != nil {
			return err
		}
		tc, tb, cs := d.tmp[0]>>4, d.tmp[0]&15, d.tmp[1]
		if tb > 3 || tc > 1 {
			return FormatError("bad DAC table")
		}
		if tc == 0 {
			l, u := cs&15, cs>>4
			if l > u {
				return FormatError("bad DAC value")
			}
			d.arith.dcSet[tb], d.arith.dcL[tb], d.arith.dcU[tb] = true, l, u
		} else {
			if cs < 1 || cs > 63 {
				return FormatError("bad DAC value")
			}
			d.arith.acK[tb] = cs
		}
	}
	return nil
}

// qeTable is Table D.2: Qe, Next_Index_LPS, Next_Index_MPS, Switch_MPS
// for states 0–112, and state 113, the fixed probability 0.5 (T.851
// Table 5).
var qeTable = [114][4]uint16{
	{0x5a1d, 1, 1, 1},
	{0x2586, 14, 2, 0},
	{0x1114, 16, 3, 0},
	{0x080b, 18, 4, 0},
	{0x03d8, 20, 5, 0},
	{0x01da, 23, 6, 0},
	{0x00e5, 25, 7, 0},
	{0x006f, 28, 8, 0},
	{0x0036, 30, 9, 0},
	{0x001a, 33, 10, 0},
	{0x000d, 35, 11, 0},
	{0x0006, 9, 12, 0},
	{0x0003, 10, 13, 0},
	{0x0001, 12, 13, 0},
	{0x5a7f, 15, 15, 1},
	{0x3f25, 36, 16, 0},
	{0x2cf2, 38, 17, 0},
	{0x207c, 39, 18, 0},
	{0x17b9, 40, 19, 0},
	{0x1182, 42, 20, 0},
	{0x0cef, 43, 21, 0},
	{0x09a1, 45, 22, 0},
	{0x072f, 46, 23, 0},
	{0x055c, 48, 24, 0},
	{0x0406, 49, 25, 0},
	{0x0303, 51, 26, 0},
	{0x0240, 52, 27, 0},
	{0x01b1, 54, 28, 0},
	{0x0144, 56, 29, 0},
	{0x00f5, 57, 30, 0},
	{0x00b7, 59, 31, 0},
	{0x008a, 60, 32, 0},
	{0x0068, 62, 33, 0},
	{0x004e, 63, 34, 0},
	{0x003b, 32, 35, 0},
	{0x002c, 33, 9, 0},
	{0x5ae1, 37, 37, 1},
	{0x484c, 64, 38, 0},
	{0x3a0d, 65, 39, 0},
	{0x2ef1, 67, 40, 0},
	{0x261f, 68, 41, 0},
	{0x1f33, 69, 42, 0},
	{0x19a8, 70, 43, 0},
	{0x1518, 72, 44, 0},
	{0x1177, 73, 45, 0},
	{0x0e74, 74, 46, 0},
	{0x0bfb, 75, 47, 0},
	{0x09f8, 77, 48, 0},
	{0x0861, 78, 49, 0},
	{0x0706, 79, 50, 0},
	{0x05cd, 48, 51, 0},
	{0x04de, 50, 52, 0},
	{0x040f, 50, 53, 0},
	{0x0363, 51, 54, 0},
	{0x02d4, 52, 55, 0},
	{0x025c, 53, 56, 0},
	{0x01f8, 54, 57, 0},
	{0x01a4, 55, 58, 0},
	{0x0160, 56, 59, 0},
	{0x0125, 57, 60, 0},
	{0x00f6, 58, 61, 0},
	{0x00cb, 59, 62, 0},
	{0x00ab, 61, 63, 0},
	{0x008f, 61, 32, 0},
	{0x5b12, 65, 65, 1},
	{0x4d04, 80, 66, 0},
	{0x412c, 81, 67, 0},
	{0x37d8, 82, 68, 0},
	{0x2fe8, 83, 69, 0},
	{0x293c, 84, 70, 0},
	{0x2379, 86, 71, 0},
	{0x1edf, 87, 72, 0},
	{0x1aa9, 87, 73, 0},
	{0x174e, 72, 74, 0},
	{0x1424, 72, 75, 0},
	{0x119c, 74, 76, 0},
	{0x0f6b, 74, 77, 0},
	{0x0d51, 75, 78, 0},
	{0x0bb6, 77, 79, 0},
	{0x0a40, 77, 48, 0},
	{0x5832, 80, 81, 1},
	{0x4d1c, 88, 82, 0},
	{0x438e, 89, 83, 0},
	{0x3bdd, 90, 84, 0},
	{0x34ee, 91, 85, 0},
	{0x2eae, 92, 86, 0},
	{0x299a, 93, 87, 0},
	{0x2516, 86, 71, 0},
	{0x5570, 88, 89, 1},
	{0x4ca9, 95, 90, 0},
	{0x44d9, 96, 91, 0},
	{0x3e22, 97, 92, 0},
	{0x3824, 99, 93, 0},
	{0x32b4, 99, 94, 0},
	{0x2e17, 93, 86, 0},
	{0x56a8, 95, 96, 1},
	{0x4f46, 101, 97, 0},
	{0x47e5, 102, 98, 0},
	{0x41cf, 103, 99, 0},
	{0x3c3d, 104, 100, 0},
	{0x375e, 99, 93, 0},
	{0x5231, 105, 102, 0},
	{0x4c0f, 106, 103, 0},
	{0x4639, 107, 104, 0},
	{0x415e, 103, 99, 0},
	{0x5627, 105, 106, 1},
	{0x50e7, 108, 107, 0},
	{0x4b85, 109, 103, 0},
	{0x5597, 110, 109, 0},
	{0x504f, 111, 107, 0},
	{0x5a10, 110, 111, 1},
	{0x5522, 112, 109, 0},
	{0x59eb, 112, 111, 1},
	{0x5a1d, 113, 113, 0},
}

// arithTable is qeTable packed as jaricom.c packs it: Qe << 16 |
// Next_Index_MPS << 8 | Switch_MPS << 7 | Next_Index_LPS.
var arithTable = func() (t [114]uint32) {
	for i, r := range qeTable {
		t[i] = uint32(r[0])<<16 | uint32(r[2])<<8 | uint32(r[3])<<7 | uint32(r[1])
	}
	return t
}()

// arithDec is the decoder state of one scan (D.2).
type arithDec struct {
	d      *decoder
	c      int64 // interval base and input bits
	a      int64 // interval size, normalized
	ct     int   // input bits left in c; −16 before the first two bytes
	marker bool  // a marker ended the data: zeros are fed (and it is put back)
	err    error // a read error, reported at the end of the block
}

func (e *arithDec) reset() { e.c, e.a, e.ct, e.marker = 0, 0, -16, false }

// byteIn returns the next data byte, 0 once a marker has been reached
// (the marker is put back for the caller to read).
func (e *arithDec) byteIn() int64 {
	if e.marker || e.err != nil {
		return 0
	}
	b, err := e.d.readByte()
	if err != nil {
		e.err = err
		return 0
	}
	if b != 0xff {
		return int64(b)
	}
	for b == 0xff {
		if b, err = e.d.readByte(); err != nil {
			e.err = err
			return 0
		}
	}
	if b == 0 {
		return 0xff
	}
	// A marker: the last two bytes read, 0xff and its code, are both still
	// in the buffer (fill keeps the last two), so they can be put back.
	e.marker = true
	e.d.bytes.i -= 2
	return 0
}

// bit decodes one binary decision with the statistics bin *st (D.2.4,
// D.2.5, renormalization D.2.6).
func (e *arithDec) bit(st *uint8) int {
	for e.a < 0x8000 {
		if e.ct--; e.ct < 0 {
			e.c = e.c<<8 | e.byteIn()
			if e.ct += 8; e.ct < 0 {
				if e.ct++; e.ct == 0 {
					e.a = 0x8000 // two bytes read: A becomes 0x10000 below
				}
			}
		}
		e.a <<= 1
	}
	sv := int(*st)
	q := arithTable[sv&0x7f]
	qe := int64(q >> 16)
	nl, nm := uint8(q), uint8(q>>8)
	e.a -= qe
	if t := e.a << uint(e.ct); e.c >= t {
		e.c -= t
		if e.a < qe {
			*st = uint8(sv&0x80) ^ nm
		} else {
			*st = uint8(sv&0x80) ^ nl
			sv ^= 0x80
		}
		e.a = qe
	} else if e.a < 0x8000 {
		if e.a < qe {
			*st = uint8(sv&0x80) ^ nl
			sv ^= 0x80
		} else {
			*st = uint8(sv&0x80) ^ nm
		}
	}
	return sv >> 7
}

var errArithCode = FormatError("bad arithmetic code")

// magnitude decodes a coefficient's magnitude category and bits (F.23,
// F.24) after its first decision: cat is the bin of the first category
// decision, x the bins of the further ones (X1, X2, …), and the bits'
// bins follow those by 14. It returns |v| − 1 ≥ 0 and the bits' base.
func (e *arithDec) magnitude(stats []uint8, m int, x int) (int, error) {
	for e.bit(&stats[x]) != 0 {
		if m <<= 1; m == 0x8000 {
			return 0, errArithCode
		}
		x++
	}
	v := m
	x += 14
	for m >>= 1; m != 0; m >>= 1 {
		if e.bit(&stats[x]) != 0 {
			v |= m
		}
	}
	return v, nil
}

// dcDiff decodes one DC difference with table tbl's bins (F.19), updating
// the conditioning context *ctx.
func (e *arithDec) dcDiff(stats []uint8, ctx *int, tbl int) (int32, error) {
	st := *ctx
	if e.bit(&stats[st]) == 0 {
		*ctx = 0
		return 0, nil
	}
	sign := e.bit(&stats[st+1])
	st += 2 + sign
	m := e.bit(&stats[st])
	v := 0
	if m != 0 {
		var err error
		if v, err = e.magnitude(stats, 1, 20); err != nil {
			return 0, err
		}
		m = v // the category's top bit is v's highest set bit
		for m&(m-1) != 0 {
			m &= m - 1
		}
	}
	l, u := 0, 1
	if e.d.arith.dcSet[tbl] {
		l, u = int(e.d.arith.dcL[tbl]), int(e.d.arith.dcU[tbl])
	}
	switch {
	case m < (1<<l)>>1:
		*ctx = 0
	case m > (1<<u)>>1:
		*ctx = 12 + 4*sign
	default:
		*ctx = 4 + 4*sign
	}
	v++
	if sign != 0 {
		v = -v
	}
	return int32(v), nil
}

// acValue decodes the sign and magnitude of a nonzero AC coefficient at
// zig-zag position k, whose bins start at st (F.21–F.24).
func (e *arithDec) acValue(stats []uint8, st, k, kx int, fixed *uint8) (int32, error) {
	sign := e.bit(fixed)
	st += 2
	v := 0
	if e.bit(&stats[st]) != 0 {
		if e.bit(&stats[st]) == 0 {
			v = 1
		} else {
			x := 217
			if k <= kx {
				x = 189
			}
			var err error
			if v, err = e.magnitude(stats, 2, x); err != nil {
				return 0, err
			}
		}
	}
	v++
	if sign != 0 {
		v = -v
	}
	return int32(v), nil
}

// arithScan decodes one arithmetic-coded scan into the image (sequential)
// or the progressive coefficients.
func (d *decoder) arithScan(scan []scanComp, mxx, myy int, ss, se int32, ah, al uint32) error {
	if d.progressive && al > 13 {
		return FormatError("bad successive approximation values")
	}
	e := arithDec{d: d}
	var (
		dcStats, acStats [4][]uint8
		lastDC           [maxComponents]int32
		dcCtx            [maxComponents]int
		fixed            uint8
	)
	resetStats := func() {
		for i, s := range scan {
			if !d.progressive || (ss == 0 && ah == 0) {
				dcStats[s.td] = make([]uint8, 64)
				lastDC[i], dcCtx[i] = 0, 0
			}
			if !d.progressive || ss != 0 {
				acStats[s.ta] = make([]uint8, 256)
			}
		}
		fixed = 113
		e.reset()
	}
	resetStats()

	// decodeBlock decodes scan component i's next block into b.
	decodeBlock := func(i int, b *block) error {
		s := scan[i]
		kx := 5
		if k := d.arith.acK[s.ta]; k != 0 {
			kx = int(k)
		}
		if !d.progressive || (ss == 0 && ah == 0) {
			v, err := e.dcDiff(dcStats[s.td], &dcCtx[i], int(s.td))
			if err != nil {
				return err
			}
			lastDC[i] += v
			b[0] = lastDC[i] << al
			if d.progressive {
				return nil
			}
		}
		if d.progressive && ss == 0 { // DC refinement
			if e.bit(&fixed) != 0 {
				b[0] |= 1 << al
			}
			return nil
		}
		stats := acStats[s.ta]
		lo, hi := int(ss), int(se)
		if !d.progressive {
			lo, hi = 1, blockSize-1
		}
		if d.progressive && ah != 0 {
			return e.acRefine(stats, b, lo, hi, al, &fixed)
		}
		for k := lo; k <= hi; k++ {
			st := 3 * (k - 1)
			if e.bit(&stats[st]) != 0 {
				break // end of block
			}
			for e.bit(&stats[st+1]) == 0 {
				st += 3
				if k++; k > hi {
					return errArithCode
				}
			}
			v, err := e.acValue(stats, st, k, kx, &fixed)
			if err != nil {
				return err
			}
			b[unzig[k]] = v << al
		}
		return nil
	}

	// The scan's units: MCUs of every scan component's blocks, or, in a
	// scan of one component, that component's blocks one by one.
	type unit struct{ bx, by int }
	var units func(func(i int, u unit) error) error
	if len(scan) == 1 {
		c := d.comp[scan[0].compIndex]
		hmax, vmax := d.comp[0].h, d.comp[0].v
		if d.nComp == 1 {
			hmax, vmax = 1, 1
		}
		bw := ((d.width*c.h+hmax-1)/hmax + 7) / 8
		bh := ((d.height*c.v+vmax-1)/vmax + 7) / 8
		units = func(f func(int, unit) error) error {
			for n := 0; n < bw*bh; n++ {
				if err := f(n, unit{n % bw, n / bw}); err != nil {
					return err
				}
			}
			return nil
		}
	} else {
		units = func(f func(int, unit) error) error {
			for n := 0; n < mxx*myy; n++ {
				if err := f(n, unit{n % mxx, n / mxx}); err != nil {
					return err
				}
			}
			return nil
		}
	}
	expectedRST := uint8(rst0Marker)
	var b block
	err := units(func(n int, u unit) error {
		if n > 0 && d.ri > 0 && n%d.ri == 0 {
			if err := d.arithRestart(expectedRST); err != nil {
				return err
			}
			if expectedRST++; expectedRST > rst7Marker {
				expectedRST = rst0Marker
			}
			resetStats()
		}
		if d.check != nil && u.bx == 0 {
			if err := d.check(); err != nil {
				return err
			}
		}
		for i, s := range scan {
			ci := int(s.compIndex)
			hi, vi := d.comp[ci].h, d.comp[ci].v
			if len(scan) == 1 {
				hi, vi = 1, 1
			}
			for j := 0; j < hi*vi; j++ {
				bx, by := hi*u.bx+j%hi, vi*u.by+j/hi
				p := &b
				if d.progressive {
					p = &d.progCoeffs[ci][by*mxx*d.comp[ci].h+bx]
				} else {
					b = block{}
				}
				if err := decodeBlock(i, p); err != nil {
					return err
				}
				if e.err != nil {
					return e.err
				}
				if !d.progressive {
					if err := d.reconstructBlock(&b, bx, by, ci); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err == nil {
		err = e.err
	}
	return err
}

// acRefine decodes an AC successive approximation refinement of one
// block (G.1.3.3, figure G.10 with arithmetic coding).
func (e *arithDec) acRefine(stats []uint8, b *block, lo, hi int, al uint32, fixed *uint8) error {
	p1, m1 := int32(1)<<al, int32(-1)<<al
	kex := hi // the previous stage's end of block
	for ; kex > 0; kex-- {
		if b[unzig[kex]] != 0 {
			break
		}
	}
	for k := lo; k <= hi; k++ {
		st := 3 * (k - 1)
		if k > kex && e.bit(&stats[st]) != 0 {
			break // end of block
		}
		for {
			c := &b[unzig[k]]
			if *c != 0 { // previously nonzero: a correction bit
				if e.bit(&stats[st+2]) != 0 {
					if *c < 0 {
						*c += m1
					} else {
						*c += p1
					}
				}
				break
			}
			if e.bit(&stats[st+1]) != 0 { // newly nonzero
				if e.bit(fixed) != 0 {
					*c = m1
				} else {
					*c = p1
				}
				break
			}
			st += 3
			if k++; k > hi {
				return errArithCode
			}
		}
	}
	return nil
}

// arithRestart reads the restart marker expected at the end of an
// interval, skipping the interval's unread data.
func (d *decoder) arithRestart(expected uint8) error {
	for {
		b, err := d.readByte()
		if err != nil {
			return err
		}
		if b != 0xff {
			continue
		}
		for b == 0xff {
			if b, err = d.readByte(); err != nil {
				return err
			}
		}
		if b == 0 {
			continue
		}
		if b != expected {
			return FormatError("bad RST marker")
		}
		return nil
	}
}
