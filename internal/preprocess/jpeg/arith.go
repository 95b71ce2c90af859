package jpeg

// Arithmetic-coded JPEG (SOF9 sequential, SOF10 progressive), a port of
// libjpeg-turbo 2.1.5's jdarith.c and jaricom.c (commit
// 3b19db4e6e7493a748369974819b4c5fa84c7614, the release the reference
// PIL links; IJG licence, LICENSE.arith.ijg in this directory): the QM-coder of
// ITU-T T.81 Annex D with the statistics of Annex F.1.4.4 and G.1.3. The
// scan is walked as processSOS walks a Huffman scan, and the blocks are
// dequantized and transformed by the same reconstructBlock.

import "fmt"

const (
	sof9Marker  = 0xc9 // Start Of Frame (Extended Sequential, arithmetic).
	sof10Marker = 0xca // Start Of Frame (Progressive, arithmetic).
	dacMarker   = 0xcc // Define Arithmetic Conditioning.
)

// arithTables is jaricom.c's jpeg_aritab: for each state, Qe<<16 |
// Next_Index_MPS<<8 | Switch_MPS<<7 | Next_Index_LPS.
var arithTables = func() (t [114]uint32) {
	for i, v := range [114][4]uint32{
		{0x5a1d, 1, 1, 1}, {0x2586, 14, 2, 0}, {0x1114, 16, 3, 0}, {0x080b, 18, 4, 0},
		{0x03d8, 20, 5, 0}, {0x01da, 23, 6, 0}, {0x00e5, 25, 7, 0}, {0x006f, 28, 8, 0},
		{0x0036, 30, 9, 0}, {0x001a, 33, 10, 0}, {0x000d, 35, 11, 0}, {0x0006, 9, 12, 0},
		{0x0003, 10, 13, 0}, {0x0001, 12, 13, 0}, {0x5a7f, 15, 15, 1}, {0x3f25, 36, 16, 0},
		{0x2cf2, 38, 17, 0}, {0x207c, 39, 18, 0}, {0x17b9, 40, 19, 0}, {0x1182, 42, 20, 0},
		{0x0cef, 43, 21, 0}, {0x09a1, 45, 22, 0}, {0x072f, 46, 23, 0}, {0x055c, 48, 24, 0},
		{0x0406, 49, 25, 0}, {0x0303, 51, 26, 0}, {0x0240, 52, 27, 0}, {0x01b1, 54, 28, 0},
		{0x0144, 56, 29, 0}, {0x00f5, 57, 30, 0}, {0x00b7, 59, 31, 0}, {0x008a, 60, 32, 0},
		{0x0068, 62, 33, 0}, {0x004e, 63, 34, 0}, {0x003b, 32, 35, 0}, {0x002c, 33, 9, 0},
		{0x5ae1, 37, 37, 1}, {0x484c, 64, 38, 0}, {0x3a0d, 65, 39, 0}, {0x2ef1, 67, 40, 0},
		{0x261f, 68, 41, 0}, {0x1f33, 69, 42, 0}, {0x19a8, 70, 43, 0}, {0x1518, 72, 44, 0},
		{0x1177, 73, 45, 0}, {0x0e74, 74, 46, 0}, {0x0bfb, 75, 47, 0}, {0x09f8, 77, 48, 0},
		{0x0861, 78, 49, 0}, {0x0706, 79, 50, 0}, {0x05cd, 48, 51, 0}, {0x04de, 50, 52, 0},
		{0x040f, 50, 53, 0}, {0x0363, 51, 54, 0}, {0x02d4, 52, 55, 0}, {0x025c, 53, 56, 0},
		{0x01f8, 54, 57, 0}, {0x01a4, 55, 58, 0}, {0x0160, 56, 59, 0}, {0x0125, 57, 60, 0},
		{0x00f6, 58, 61, 0}, {0x00cb, 59, 62, 0}, {0x00ab, 61, 63, 0}, {0x008f, 61, 32, 0},
		{0x5b12, 65, 65, 1}, {0x4d04, 80, 66, 0}, {0x412c, 81, 67, 0}, {0x37d8, 82, 68, 0},
		{0x2fe8, 83, 69, 0}, {0x293c, 84, 70, 0}, {0x2379, 86, 71, 0}, {0x1edf, 87, 72, 0},
		{0x1aa9, 87, 73, 0}, {0x174e, 72, 74, 0}, {0x1424, 72, 75, 0}, {0x119c, 74, 76, 0},
		{0x0f6b, 74, 77, 0}, {0x0d51, 75, 78, 0}, {0x0bb6, 77, 79, 0}, {0x0a40, 77, 48, 0},
		{0x5832, 80, 81, 1}, {0x4d1c, 88, 82, 0}, {0x438e, 89, 83, 0}, {0x3bdd, 90, 84, 0},
		{0x34ee, 91, 85, 0}, {0x2eae, 92, 86, 0}, {0x299a, 93, 87, 0}, {0x2516, 86, 71, 0},
		{0x5570, 88, 89, 1}, {0x4ca9, 95, 90, 0}, {0x44d9, 96, 91, 0}, {0x3e22, 97, 92, 0},
		{0x3824, 99, 93, 0}, {0x32b4, 99, 94, 0}, {0x2e17, 93, 86, 0}, {0x56a8, 95, 96, 1},
		{0x4f46, 101, 97, 0}, {0x47e5, 102, 98, 0}, {0x41cf, 103, 99, 0}, {0x3c3d, 104, 100, 0},
		{0x375e, 99, 93, 0}, {0x5231, 105, 102, 0}, {0x4c0f, 106, 103, 0}, {0x4639, 107, 104, 0},
		{0x415e, 103, 99, 0}, {0x5627, 105, 106, 1}, {0x50e7, 108, 107, 0}, {0x4b85, 109, 103, 0},
		{0x5597, 110, 109, 0}, {0x504f, 111, 107, 0}, {0x5a10, 110, 111, 1}, {0x5522, 112, 109, 0},
		{0x59eb, 112, 111, 1}, {0x5a1d, 113, 113, 0},
	} {
		t[i] = v[0]<<16 | v[2]<<8 | v[3]<<7 | v[1]
	}
	return t
}()

// arithDecoder is jdarith.c's arith_entropy_decoder and the conditioning
// of the DAC marker.
type arithDecoder struct {
	c, a   int64 // C and A registers
	ct     int   // bits left in C's buffer; -16 before the first bytes, -1 after an error
	unread byte  // marker met in the data, not yet handed back

	lastDC    [maxComponents]int32 // by position in the scan
	dcContext [maxComponents]int
	dcStats   [4][64]byte  // by DC table
	acStats   [4][256]byte // by AC table
	fixedBin  [4]byte

	dcL, dcU, acK [16]byte // conditioning by table (DAC marker), defaults 0, 1, 5
	on            bool     // the frame is arithmetic-coded (not only a DAC seen)
}

func newArithDecoder() *arithDecoder {
	a := &arithDecoder{fixedBin: [4]byte{113}} // the fixed probability 0.5
	for i := range a.dcU {
		a.dcU[i], a.acK[i] = 1, 5
	}
	return a
}

// processDAC reads a DAC marker segment: get_dac in jdmarker.c.
func (d *decoder) processDAC(n int) error {
	if d.arith == nil {
		d.arith = newArithDecoder()
	}
	for ; n >= 2; n -= 2 {
		if err := d.readFull(d.tmp[:2]); err != nil {
			return err
		}
		index, val := d.tmp[0], d.tmp[1]
		if index >= 2*16 { // class<<4 | table
			return FormatError(fmt.Sprintf("bad DAC index %d", index))
		}
		if index >= 16 { // AC table
			d.arith.acK[index-16] = val
		} else {
			d.arith.dcL[index], d.arith.dcU[index] = val&0x0f, val>>4
			if d.arith.dcL[index] > d.arith.dcU[index] {
				return FormatError(fmt.Sprintf("bad DAC value %#x", val))
			}
		}
	}
	if n != 0 {
		return FormatError("DAC has wrong length")
	}
	return nil
}

// decode is arith_decode: one binary decision with statistics bin *st.
func (d *decoder) arithDecode(st *byte) (int, error) {
	e := d.arith
	for e.a < 0x8000 {
		if e.ct--; e.ct < 0 {
			data := byte(0) // stuffed after a marker
			if e.unread == 0 {
				var err error
				if data, err = d.readByte(); err != nil {
					return 0, err
				}
				if data == 0xff { // zero stuffing or a marker
					for data == 0xff {
						if data, err = d.readByte(); err != nil {
							return 0, err
						}
					}
					if data == 0 {
						data = 0xff
					} else {
						e.unread, data = data, 0
					}
				}
			}
			e.c = e.c<<8 | int64(data)
			if e.ct += 8; e.ct < 0 {
				if e.ct++; e.ct == 0 {
					e.a = 0x8000 // two initial bytes read
				}
			}
		}
		e.a <<= 1
	}
	sv := *st
	qe := arithTables[sv&0x7f]
	nl := byte(qe)
	nm := byte(qe >> 8)
	q := int64(qe >> 16)
	temp := e.a - q
	e.a = temp
	temp <<= uint(e.ct)
	if e.c >= temp {
		e.c -= temp
		if e.a < q { // conditional LPS exchange
			e.a = q
			*st = sv&0x80 ^ nm
		} else {
			e.a = q
			*st = sv&0x80 ^ nl
			sv ^= 0x80
		}
	} else if e.a < 0x8000 { // conditional MPS exchange
		if e.a < q {
			*st = sv&0x80 ^ nl
			sv ^= 0x80
		} else {
			*st = sv&0x80 ^ nm
		}
	}
	return int(sv >> 7), nil
}

// arithScan decodes one arithmetic-coded scan of mxx×myy MCUs over the
// components in scan: the MCU walk of processSOS, with decode_mcu,
// decode_mcu_DC_first, decode_mcu_AC_first, decode_mcu_DC_refine and
// decode_mcu_AC_refine for the blocks and process_restart at restarts.
func (d *decoder) arithScan(scan []struct{ compIndex, td, ta uint8 }, zigStart, zigEnd int32, ah, al uint32, mxx, myy int) error {
	if d.arith == nil {
		d.arith = newArithDecoder()
	}
	e := d.arith
	if al > 13 {
		return FormatError("bad successive approximation values")
	}
	dcScan := !d.progressive || zigStart == 0 && ah == 0
	acScan := !d.progressive || zigStart != 0
	reset := func() {
		for i, s := range scan {
			if dcScan {
				e.dcStats[s.td] = [64]byte{}
				e.lastDC[i], e.dcContext[i] = 0, 0
			}
			if acScan {
				e.acStats[s.ta] = [256]byte{}
			}
		}
		e.c, e.a, e.ct = 0, 0, -16
	}
	for _, s := range scan {
		if s.td > 3 || s.ta > 3 {
			return FormatError("bad arithmetic table selector")
		}
	}
	e.unread = 0
	reset()
	// decodeBlock decodes the block at bx, by of component i of the scan.
	decodeBlock := func(i, bx, by int) error {
		s := scan[i]
		ci := int(s.compIndex)
		hi := d.comp[ci].h
		var b block
		if d.progressive {
			b = d.progCoeffs[ci][by*mxx*hi+bx]
		}
		var err error
		switch {
		case !d.progressive:
			err = d.arithSequential(&b, i, s.td, s.ta)
		case ah == 0 && zigStart == 0:
			err = d.arithDCFirst(&b, i, s.td, al)
		case ah == 0:
			err = d.arithACFirst(&b, s.ta, zigStart, zigEnd, al)
		case zigStart == 0:
			err = d.arithDCRefine(&b, al)
		default:
			err = d.arithACRefine(&b, s.ta, zigStart, zigEnd, al)
		}
		if err != nil {
			return err
		}
		if d.progressive {
			d.progCoeffs[ci][by*mxx*hi+bx] = b
			return nil
		}
		return d.reconstructBlock(&b, bx, by, ci)
	}
	// An MCU is every component's blocks of an mxx×myy cell in an
	// interleaved scan, one block (of those in the image) otherwise; a
	// restart interval counts MCUs.
	nMCU := mxx * myy
	qx, qy := mxx, myy
	if len(scan) == 1 {
		c := d.comp[scan[0].compIndex]
		qx, qy = mxx*c.h, myy*c.v
		qx, qy = min(qx, (d.width+7)/8), min(qy, (d.height+7)/8)
		nMCU = qx * qy
	}
	mcu, expectedRST := 0, uint8(rst0Marker)
	for my := 0; my < qy; my++ {
		if d.check != nil {
			if err := d.check(); err != nil {
				return err
			}
		}
		for mx := 0; mx < qx; mx++ {
			if len(scan) == 1 {
				if err := decodeBlock(0, mx, my); err != nil {
					return err
				}
			} else {
				for i, s := range scan {
					hi, vi := d.comp[s.compIndex].h, d.comp[s.compIndex].v
					for j := 0; j < hi*vi; j++ {
						if err := decodeBlock(i, hi*mx+j%hi, vi*my+j/hi); err != nil {
							return err
						}
					}
				}
			}
			mcu++
			if d.ri > 0 && mcu%d.ri == 0 && mcu < nMCU {
				if err := d.arithRestart(expectedRST); err != nil {
					return err
				}
				if expectedRST++; expectedRST > rst7Marker {
					expectedRST = rst0Marker
				}
				reset()
			}
		}
	}
	if e.unread != 0 {
		// Hand the marker the decoder met back to the marker loop: it
		// and its 0xff are the last two bytes read (fill keeps them).
		d.bytes.i -= 2
		e.unread = 0
	}
	return nil
}

// arithDC decodes a DC difference into e.lastDC[i] (Figures F.19 to
// F.24): the part decode_mcu and decode_mcu_DC_first share.
func (d *decoder) arithDC(i int, tbl uint8) error {
	e := d.arith
	st := &e.dcStats[tbl]
	k := e.dcContext[i]
	bit, err := d.arithDecode(&st[k])
	if err != nil || bit == 0 {
		e.dcContext[i] = 0
		return err
	}
	sign, err := d.arithDecode(&st[k+1])
	if err != nil {
		return err
	}
	k += 2 + sign
	m, err := d.arithDecode(&st[k])
	if err != nil {
		return err
	}
	if m != 0 {
		k = 20
		for {
			bit, err := d.arithDecode(&st[k])
			if err != nil {
				return err
			}
			if bit == 0 {
				break
			}
			if m <<= 1; m == 0x8000 {
				e.ct = -1 // magnitude overflow
				return nil
			}
			k++
		}
	}
	switch {
	case m < int(1<<e.dcL[tbl]>>1):
		e.dcContext[i] = 0
	case m > int(1<<e.dcU[tbl]>>1):
		e.dcContext[i] = 12 + sign*4
	default:
		e.dcContext[i] = 4 + sign*4
	}
	v := m
	k += 14
	for m >>= 1; m != 0; m >>= 1 {
		bit, err := d.arithDecode(&st[k])
		if err != nil {
			return err
		}
		if bit != 0 {
			v |= m
		}
	}
	v++
	if sign != 0 {
		v = -v
	}
	e.lastDC[i] = (e.lastDC[i] + int32(v)) & 0xffff
	return nil
}

// arithAC decodes the AC coefficients zigStart..zigEnd of b, each shifted
// left by al (Figures F.20 to F.24): decode_mcu's and
// decode_mcu_AC_first's loop.
func (d *decoder) arithAC(b *block, tbl uint8, zigStart, zigEnd int32, al uint32) error {
	e := d.arith
	st := &e.acStats[tbl]
	for k := zigStart; k <= zigEnd; k++ {
		s := 3 * int(k-1)
		eob, err := d.arithDecode(&st[s])
		if err != nil || eob != 0 {
			return err
		}
		for {
			bit, err := d.arithDecode(&st[s+1])
			if err != nil {
				return err
			}
			if bit != 0 {
				break
			}
			s += 3
			if k++; k > zigEnd {
				e.ct = -1 // spectral overflow
				return nil
			}
		}
		sign, err := d.arithDecode(&e.fixedBin[0])
		if err != nil {
			return err
		}
		s += 2
		m, err := d.arithDecode(&st[s])
		if err != nil {
			return err
		}
		if m != 0 {
			bit, err := d.arithDecode(&st[s])
			if err != nil {
				return err
			}
			if bit != 0 {
				m <<= 1
				s = 217
				if k <= int32(e.acK[tbl]) {
					s = 189
				}
				for {
					bit, err := d.arithDecode(&st[s])
					if err != nil {
						return err
					}
					if bit == 0 {
						break
					}
					if m <<= 1; m == 0x8000 {
						e.ct = -1 // magnitude overflow
						return nil
					}
					s++
				}
			}
		}
		v := m
		s += 14
		for m >>= 1; m != 0; m >>= 1 {
			bit, err := d.arithDecode(&st[s])
			if err != nil {
				return err
			}
			if bit != 0 {
				v |= m
			}
		}
		v++
		if sign != 0 {
			v = -v
		}
		b[unzig[k]] = int32(int16(uint32(v) << al))
	}
	return nil
}

// arithSequential is decode_mcu for one block (position i in the scan).
func (d *decoder) arithSequential(b *block, i int, td, ta uint8) error {
	if d.arith.ct == -1 {
		return nil // after an error, libjpeg leaves the blocks empty
	}
	if err := d.arithDC(i, td); err != nil || d.arith.ct == -1 {
		return err
	}
	b[0] = int32(int16(d.arith.lastDC[i]))
	return d.arithAC(b, ta, 1, blockSize-1, 0)
}

// arithDCFirst is decode_mcu_DC_first for one block.
func (d *decoder) arithDCFirst(b *block, i int, td uint8, al uint32) error {
	if d.arith.ct == -1 {
		return nil
	}
	if err := d.arithDC(i, td); err != nil || d.arith.ct == -1 {
		return err
	}
	b[0] = int32(int16(uint32(d.arith.lastDC[i]) << al))
	return nil
}

// arithACFirst is decode_mcu_AC_first.
func (d *decoder) arithACFirst(b *block, ta uint8, zigStart, zigEnd int32, al uint32) error {
	if d.arith.ct == -1 {
		return nil
	}
	return d.arithAC(b, ta, zigStart, zigEnd, al)
}

// arithDCRefine is decode_mcu_DC_refine for one block.
func (d *decoder) arithDCRefine(b *block, al uint32) error {
	bit, err := d.arithDecode(&d.arith.fixedBin[0])
	if err == nil && bit != 0 {
		b[0] = int32(int16(b[0] | 1<<al))
	}
	return err
}

// arithACRefine is decode_mcu_AC_refine.
func (d *decoder) arithACRefine(b *block, ta uint8, zigStart, zigEnd int32, al uint32) error {
	e := d.arith
	if e.ct == -1 {
		return nil
	}
	st := &e.acStats[ta]
	p1, m1 := int32(1)<<al, int32(-1)<<al
	kex := zigEnd
	for ; kex > 0; kex-- {
		if b[unzig[kex]] != 0 {
			break
		}
	}
	for k := zigStart; k <= zigEnd; k++ {
		s := 3 * int(k-1)
		if k > kex {
			eob, err := d.arithDecode(&st[s])
			if err != nil || eob != 0 {
				return err
			}
		}
		for {
			c := &b[unzig[k]]
			if *c != 0 { // previously nonzero
				bit, err := d.arithDecode(&st[s+2])
				if err != nil {
					return err
				}
				if bit != 0 {
					if *c < 0 {
						*c = int32(int16(*c + m1))
					} else {
						*c = int32(int16(*c + p1))
					}
				}
				break
			}
			bit, err := d.arithDecode(&st[s+1])
			if err != nil {
				return err
			}
			if bit != 0 { // newly nonzero
				neg, err := d.arithDecode(&e.fixedBin[0])
				if err != nil {
					return err
				}
				*c = p1
				if neg != 0 {
					*c = m1
				}
				break
			}
			s += 3
			if k++; k > zigEnd {
				e.ct = -1 // spectral overflow
				return nil
			}
		}
	}
	return nil
}

// arithRestart reads the RST marker the decoder has not met yet, and
// checks it is the one expected: process_restart's read_restart_marker.
func (d *decoder) arithRestart(expected uint8) error {
	e := d.arith
	for e.unread == 0 {
		x, err := d.readByte()
		if err != nil {
			return err
		}
		for x == 0xff {
			if x, err = d.readByte(); err != nil {
				return err
			}
			if x != 0 && x != 0xff {
				e.unread = x
			}
		}
	}
	if e.unread != expected {
		return FormatError(fmt.Sprintf("bad RST marker %#x, want %#x", e.unread, expected))
	}
	e.unread = 0
	return nil
}
