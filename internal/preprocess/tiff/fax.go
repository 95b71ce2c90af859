// Copyright (c) 1990-1997 Sam Leffler
// Copyright (c) 1991-1997 Silicon Graphics, Inc.
//
// Permission to use, copy, modify, distribute, and sell this software and
// its documentation for any purpose is hereby granted without fee, provided
// that (i) the above copyright notices and this permission notice appear in
// all copies of the software and related documentation, and (ii) the names of
// Sam Leffler and Silicon Graphics may not be used in any advertising or
// publicity relating to the software without the specific, prior written
// permission of Sam Leffler and Silicon Graphics.
//
// THE SOFTWARE IS PROVIDED "AS-IS" AND WITHOUT WARRANTY OF ANY KIND,
// EXPRESS, IMPLIED OR OTHERWISE, INCLUDING WITHOUT LIMITATION, ANY
// WARRANTY OF MERCHANTABILITY OR FITNESS FOR A PARTICULAR PURPOSE.
//
// IN NO EVENT SHALL SAM LEFFLER OR SILICON GRAPHICS BE LIABLE FOR
// ANY SPECIAL, INCIDENTAL, INDIRECT OR CONSEQUENTIAL DAMAGES OF ANY KIND,
// OR ANY DAMAGES WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS,
// WHETHER OR NOT ADVISED OF THE POSSIBILITY OF DAMAGE, AND ON ANY THEORY OF
// LIABILITY, ARISING OUT OF OR IN CONNECTION WITH THE USE OR PERFORMANCE
// OF THIS SOFTWARE.

package tiff

// CCITT bilevel decoding: a port of libtiff's fax decoder (tif_fax3.c,
// tif_fax3.h and the tables mkg3states.c generates, libtiff v4.5.0,
// commit 38eb7b00cb5767770017fb91743a960ffd96d774, the libtiff the
// reference PIL 9.4 links), written by Frank Cringle and Sam Leffler under
// the libtiff license (above, and LIBTIFF_LICENSE.md in this directory).
// It is ported, not rewritten, so that it reads what libtiff reads, including its recovery
// from bad code words and its alignment rules: Modified Huffman
// (Compression 2, rows byte-aligned), RLEW (32771, rows 16-bit
// aligned), Group 3 1-D and 2-D (3, rows after EOL codes) and Group 4
// (4). As in libtiff, black runs become 1 bits; Photometric applies
// afterwards.
//
// libtiff's macros become methods; its "goto eoflab" exits become a
// returned errFaxEOF, its "return -1" on a run-array overflow an
// errFaxRuns; its warnings and "bad code word" errors, on which libtiff
// carries on, are dropped.

import "math/bits"

// Compression values for CCITT modified Huffman.
const (
	cCCITTRLE  = cCCITT // Modified Huffman, rows byte-aligned
	cCCITTRLEW = 32771  // Modified Huffman, rows 16-bit aligned
)

// States of a code table entry (tif_fax3.h).
const (
	sNull = iota
	sPass
	sHoriz
	sV0
	sVR
	sVL
	sExt
	sTermW
	sTermB
	sMakeUpW
	sMakeUpB
	sMakeUp
	sEOL
)

// faxEnt is a code table entry: TIFFFaxTabEnt.
type faxEnt struct {
	state, width uint8
	param        uint32
}

// faxProto is mkg3states' struct proto: a code, right-justified and
// lsb-first, and (run length<<4 | code width).
type faxProto struct{ code, val uint16 }

var (
	faxMain  [128]faxEnt  // 2-D mode codes, indexed by the next 7 bits (lsb first)
	faxWhite [4096]faxEnt // white runs, by the next 12 bits
	faxBlack [8192]faxEnt // black runs, by the next 13 bits
)

func init() {
	fill := func(t []faxEnt, protos []faxProto, state uint8) {
		for _, p := range protos {
			width, param := int(p.val&15), uint32(p.val>>4)
			for code := int(p.code); code < len(t); code += 1 << width {
				t[code] = faxEnt{state, uint8(width), param}
			}
		}
	}
	fill(faxMain[:], []faxProto{{0x0008, 4}}, sPass)
	fill(faxMain[:], []faxProto{{0x0004, 3}}, sHoriz)
	fill(faxMain[:], []faxProto{{0x0001, 1}}, sV0)
	fill(faxMain[:], []faxProto{{0x0006, 1<<4 + 3}, {0x0030, 2<<4 + 6}, {0x0060, 3<<4 + 7}}, sVR)
	fill(faxMain[:], []faxProto{{0x0002, 1<<4 + 3}, {0x0010, 2<<4 + 6}, {0x0020, 3<<4 + 7}}, sVL)
	fill(faxMain[:], []faxProto{{0x0040, 7}}, sExt)
	fill(faxMain[:], []faxProto{{0x0000, 7}}, sEOL)
	fill(faxWhite[:], faxMakeUpW, sMakeUpW)
	fill(faxWhite[:], faxMakeUp, sMakeUp)
	fill(faxWhite[:], faxTermW, sTermW)
	fill(faxWhite[:], []faxProto{{0x0000, 11}}, sEOL)
	fill(faxBlack[:], faxMakeUpB, sMakeUpB)
	fill(faxBlack[:], faxMakeUp, sMakeUp)
	fill(faxBlack[:], faxTermB, sTermB)
	fill(faxBlack[:], []faxProto{{0x0000, 11}}, sEOL)
}

var faxMakeUpW = []faxProto{
	{0x001b, 1029}, {0x0009, 2053}, {0x003a, 3078}, {0x0076, 4103},
	{0x006c, 5128}, {0x00ec, 6152}, {0x0026, 7176}, {0x00a6, 8200},
	{0x0016, 9224}, {0x00e6, 10248}, {0x0066, 11273}, {0x0166, 12297},
	{0x0096, 13321}, {0x0196, 14345}, {0x0056, 15369}, {0x0156, 16393},
	{0x00d6, 17417}, {0x01d6, 18441}, {0x0036, 19465}, {0x0136, 20489},
	{0x00b6, 21513}, {0x01b6, 22537}, {0x0032, 23561}, {0x0132, 24585},
	{0x00b2, 25609}, {0x0006, 26630}, {0x01b2, 27657},
}

var faxMakeUpB = []faxProto{
	{0x03c0, 1034}, {0x0130, 2060}, {0x0930, 3084}, {0x0da0, 4108},
	{0x0cc0, 5132}, {0x02c0, 6156}, {0x0ac0, 7180}, {0x06c0, 8205},
	{0x16c0, 9229}, {0x0a40, 10253}, {0x1a40, 11277}, {0x0640, 12301},
	{0x1640, 13325}, {0x09c0, 14349}, {0x19c0, 15373}, {0x05c0, 16397},
	{0x15c0, 17421}, {0x0dc0, 18445}, {0x1dc0, 19469}, {0x0940, 20493},
	{0x1940, 21517}, {0x0540, 22541}, {0x1540, 23565}, {0x0b40, 24589},
	{0x1b40, 25613}, {0x04c0, 26637}, {0x14c0, 27661},
}

var faxMakeUp = []faxProto{
	{0x0080, 28683}, {0x0180, 29707}, {0x0580, 30731}, {0x0480, 31756},
	{0x0c80, 32780}, {0x0280, 33804}, {0x0a80, 34828}, {0x0680, 35852},
	{0x0e80, 36876}, {0x0380, 37900}, {0x0b80, 38924}, {0x0780, 39948},
	{0x0f80, 40972},
}

var faxTermW = []faxProto{
	{0x00ac, 8}, {0x0038, 22}, {0x000e, 36}, {0x0001, 52}, {0x000d, 68},
	{0x0003, 84}, {0x0007, 100}, {0x000f, 116}, {0x0019, 133}, {0x0005, 149},
	{0x001c, 165}, {0x0002, 181}, {0x0004, 198}, {0x0030, 214}, {0x000b, 230},
	{0x002b, 246}, {0x0015, 262}, {0x0035, 278}, {0x0072, 295}, {0x0018, 311},
	{0x0008, 327}, {0x0074, 343}, {0x0060, 359}, {0x0010, 375}, {0x000a, 391},
	{0x006a, 407}, {0x0064, 423}, {0x0012, 439}, {0x000c, 455}, {0x0040, 472},
	{0x00c0, 488}, {0x0058, 504}, {0x00d8, 520}, {0x0048, 536}, {0x00c8, 552},
	{0x0028, 568}, {0x00a8, 584}, {0x0068, 600}, {0x00e8, 616}, {0x0014, 632},
	{0x0094, 648}, {0x0054, 664}, {0x00d4, 680}, {0x0034, 696}, {0x00b4, 712},
	{0x0020, 728}, {0x00a0, 744}, {0x0050, 760}, {0x00d0, 776}, {0x004a, 792},
	{0x00ca, 808}, {0x002a, 824}, {0x00aa, 840}, {0x0024, 856}, {0x00a4, 872},
	{0x001a, 888}, {0x009a, 904}, {0x005a, 920}, {0x00da, 936}, {0x0052, 952},
	{0x00d2, 968}, {0x004c, 984}, {0x00cc, 1000}, {0x002c, 1016},
}

var faxTermB = []faxProto{
	{0x03b0, 10}, {0x0002, 19}, {0x0003, 34}, {0x0001, 50}, {0x0006, 67},
	{0x000c, 84}, {0x0004, 100}, {0x0018, 117}, {0x0028, 134}, {0x0008, 150},
	{0x0010, 167}, {0x0050, 183}, {0x0070, 199}, {0x0020, 216}, {0x00e0, 232},
	{0x0030, 249}, {0x03a0, 266}, {0x0060, 282}, {0x0040, 298}, {0x0730, 315},
	{0x00b0, 331}, {0x01b0, 347}, {0x0760, 363}, {0x00a0, 379}, {0x0740, 395},
	{0x00c0, 411}, {0x0530, 428}, {0x0d30, 444}, {0x0330, 460}, {0x0b30, 476},
	{0x0160, 492}, {0x0960, 508}, {0x0560, 524}, {0x0d60, 540}, {0x04b0, 556},
	{0x0cb0, 572}, {0x02b0, 588}, {0x0ab0, 604}, {0x06b0, 620}, {0x0eb0, 636},
	{0x0360, 652}, {0x0b60, 668}, {0x05b0, 684}, {0x0db0, 700}, {0x02a0, 716},
	{0x0aa0, 732}, {0x06a0, 748}, {0x0ea0, 764}, {0x0260, 780}, {0x0a60, 796},
	{0x04a0, 812}, {0x0ca0, 828}, {0x0240, 844}, {0x0ec0, 860}, {0x01c0, 876},
	{0x0e40, 892}, {0x0140, 908}, {0x01a0, 924}, {0x09a0, 940}, {0x0d40, 956},
	{0x0340, 972}, {0x05a0, 988}, {0x0660, 1004}, {0x0e60, 1020},
}

var (
	errFaxEOF  = FormatError("CCITT data ends early")
	errFaxRuns = FormatError("CCITT row has more runs than pixels allow")
)

// fax is the decoder state of one strip or tile: DECLARE_STATE and
// DECLARE_STATE_2D with the Fax3CodecState fields they cache.
type fax struct {
	src    []byte // the strip's compressed bytes
	cp     int    // next byte of src
	rev    bool   // FillOrder 1: bytes are read msb first, so reversed
	base   int64  // src's offset in the file, for RLEW's 16-bit alignment
	acc    uint32 // BitAcc: bits not yet used, lsb first
	avail  int    // BitsAvail: valid bits in acc
	eolcnt int    // EOLcnt: an EOL code was read

	lastx int      // pixels in a row
	nruns int      // entries each run array may hold
	cur   []uint32 // [nruns+1] this row's runs, white first, alternating
	ref   []uint32 // [nruns+1] the reference (previous) row's runs (2-D)

	// Row state.
	a0, runLength, pa int // position, pending makeup length, next run in cur
	b1, pb            int // next change on the reference row, next run in ref
}

func (f *fax) next() uint32 {
	b := f.src[f.cp]
	f.cp++
	if f.rev {
		b = bits.Reverse8(b)
	}
	return uint32(b)
}

// needBits8 is NeedBits8; false is its goto eoflab.
func (f *fax) needBits8(n int) bool {
	if f.avail < n {
		if f.cp >= len(f.src) {
			if f.avail == 0 {
				return false
			}
			f.avail = n // pad with zeros
		} else {
			f.acc |= f.next() << f.avail
			f.avail += 8
		}
	}
	return true
}

// needBits16 is NeedBits16.
func (f *fax) needBits16(n int) bool {
	if f.avail < n {
		if f.cp >= len(f.src) {
			if f.avail == 0 {
				return false
			}
			f.avail = n
		} else {
			f.acc |= f.next() << f.avail
			if f.avail += 8; f.avail < n {
				if f.cp >= len(f.src) {
					f.avail = n
				} else {
					f.acc |= f.next() << f.avail
					f.avail += 8
				}
			}
		}
	}
	return true
}

func (f *fax) getBits(n int) uint32 { return f.acc & (1<<n - 1) }
func (f *fax) clrBits(n int)        { f.avail -= n; f.acc >>= n }

// lookup is LOOKUP8 (wide 7) and LOOKUP16 (12, 13).
func (f *fax) lookup(t []faxEnt, wide int) (faxEnt, bool) {
	var ok bool
	if wide <= 8 {
		ok = f.needBits8(wide)
	} else {
		ok = f.needBits16(wide)
	}
	if !ok {
		return faxEnt{}, false
	}
	e := t[f.getBits(wide)]
	f.clrBits(int(e.width))
	return e, true
}

// setValue is SETVALUE.
func (f *fax) setValue(x int) error {
	if f.pa >= f.nruns {
		return errFaxRuns
	}
	f.cur[f.pa] = uint32(f.runLength + x)
	f.pa++
	f.a0 += x
	f.runLength = 0
	return nil
}

// syncEOL is SYNC_EOL: skip to just past the next EOL code (or the one
// already read); false at the end of the data.
func (f *fax) syncEOL() bool {
	if f.eolcnt == 0 {
		for {
			if !f.needBits16(11) {
				return false
			}
			if f.getBits(11) == 0 {
				break
			}
			f.clrBits(1)
		}
	}
	for {
		if !f.needBits8(8) {
			return false
		}
		if f.getBits(8) != 0 {
			break
		}
		f.clrBits(8)
	}
	for f.getBits(1) == 0 {
		f.clrBits(1)
	}
	f.clrBits(1) // EOL bit
	f.eolcnt = 0
	return true
}

// cleanupRuns is CLEANUP_RUNS: make the runs add up to the row.
func (f *fax) cleanupRuns() error {
	if f.runLength != 0 {
		if err := f.setValue(0); err != nil {
			return err
		}
	}
	if f.a0 == f.lastx {
		return nil
	}
	for f.a0 > f.lastx && f.pa > 0 {
		f.pa--
		f.a0 -= int(f.cur[f.pa])
	}
	var err error
	if f.a0 < f.lastx {
		if f.a0 < 0 {
			f.a0 = 0
		}
		if f.pa&1 != 0 {
			err = f.setValue(0)
		}
		if err == nil {
			err = f.setValue(f.lastx - f.a0)
		}
	} else if f.a0 > f.lastx {
		if err = f.setValue(f.lastx); err == nil {
			err = f.setValue(0)
		}
	}
	return err
}

// run reads one white or black run (terminating code after any makeup
// codes) as EXPAND1D and EXPAND2D's inner loops do. eol reports an EOL
// code, bad another code the colour's table lacks.
func (f *fax) run(black bool) (eol, bad bool, err error) {
	t, wide, term, makeup := faxWhite[:], 12, uint8(sTermW), uint8(sMakeUpW)
	if black {
		t, wide, term, makeup = faxBlack[:], 13, sTermB, sMakeUpB
	}
	for {
		e, ok := f.lookup(t, wide)
		if !ok {
			return false, false, errFaxEOF
		}
		switch e.state {
		case sEOL:
			return true, false, nil
		case term:
			return false, false, f.setValue(int(e.param))
		case makeup, sMakeUp:
			f.a0 += int(e.param)
			f.runLength += int(e.param)
		default:
			return false, true, nil
		}
	}
}

// expand1D is EXPAND1D: one row of white and black runs. It returns
// errFaxEOF (after CLEANUP_RUNS) when the data ends first.
func (f *fax) expand1D() error {
	for {
		eol, bad, err := f.run(false)
		if err == nil && !eol && !bad && f.a0 < f.lastx {
			eol, bad, err = f.run(true)
		}
		if err == errFaxEOF {
			if err := f.cleanupRuns(); err != nil {
				return err
			}
			return errFaxEOF
		}
		if err != nil {
			return err
		}
		if eol {
			f.eolcnt = 1
		}
		if eol || bad || f.a0 >= f.lastx {
			return f.cleanupRuns()
		}
		if f.cur[f.pa-1] == 0 && f.cur[f.pa-2] == 0 {
			f.pa -= 2
		}
	}
}

// checkB1 is CHECK_b1: move b1 past a0 on the reference row.
func (f *fax) checkB1() error {
	if f.pa != 0 {
		for f.b1 <= f.a0 && f.b1 < f.lastx {
			if f.pb+1 >= f.nruns {
				return errFaxRuns
			}
			f.b1 += int(f.ref[f.pb]) + int(f.ref[f.pb+1])
			f.pb += 2
		}
	}
	return nil
}

// expand2D is EXPAND2D: one row coded against the reference row.
func (f *fax) expand2D() error {
	eof := func() error {
		if err := f.cleanupRuns(); err != nil {
			return err
		}
		return errFaxEOF
	}
	for f.a0 < f.lastx {
		if f.pa >= f.nruns {
			return errFaxRuns
		}
		e, ok := f.lookup(faxMain[:], 7)
		if !ok {
			return eof()
		}
		switch e.state {
		case sPass:
			if err := f.checkB1(); err != nil {
				return err
			}
			if f.pb+1 >= f.nruns {
				return errFaxRuns
			}
			f.b1 += int(f.ref[f.pb])
			f.pb++
			f.runLength += f.b1 - f.a0
			f.a0 = f.b1
			f.b1 += int(f.ref[f.pb])
			f.pb++
		case sHoriz:
			first := f.pa&1 != 0 // black first
			for _, black := range [2]bool{first, !first} {
				eol, bad, err := f.run(black)
				if err == errFaxEOF {
					return eof()
				}
				if err != nil {
					return err
				}
				if eol || bad {
					return f.cleanupRuns()
				}
			}
			if err := f.checkB1(); err != nil {
				return err
			}
		case sV0, sVR:
			if err := f.checkB1(); err != nil {
				return err
			}
			if err := f.setValue(f.b1 - f.a0 + int(e.param)); err != nil {
				return err
			}
			if f.pb >= f.nruns {
				return errFaxRuns
			}
			f.b1 += int(f.ref[f.pb])
			f.pb++
		case sVL:
			if err := f.checkB1(); err != nil {
				return err
			}
			if f.b1 < f.a0+int(e.param) {
				return f.cleanupRuns()
			}
			if err := f.setValue(f.b1 - f.a0 - int(e.param)); err != nil {
				return err
			}
			if f.pb == 0 { // libtiff would read before the array
				return errFaxRuns
			}
			f.pb--
			f.b1 -= int(f.ref[f.pb])
		case sExt:
			f.cur[f.pa] = uint32(f.lastx - f.a0)
			f.pa++
			return f.cleanupRuns()
		case sEOL:
			f.cur[f.pa] = uint32(f.lastx - f.a0)
			f.pa++
			if !f.needBits8(4) {
				return eof()
			}
			f.clrBits(4)
			f.eolcnt = 1
			return f.cleanupRuns()
		default:
			return f.cleanupRuns()
		}
	}
	if f.runLength != 0 {
		if f.runLength+f.a0 < f.lastx {
			// expect a final V0
			if !f.needBits8(1) {
				return eof()
			}
			if f.getBits(1) == 0 {
				return f.cleanupRuns()
			}
			f.clrBits(1)
		}
		if err := f.setValue(0); err != nil {
			return err
		}
	}
	return f.cleanupRuns()
}

// fill is _TIFFFax3fillruns: paint the row's runs into row (msb first,
// black 1), clipping them to the row as libtiff does, in place.
func (f *fax) fill(row []byte) {
	runs := f.cur[:f.pa]
	if len(runs)&1 != 0 {
		f.cur[f.pa] = 0
		runs = f.cur[:f.pa+1]
	}
	x := uint32(0)
	lastx := uint32(f.lastx)
	for i := 0; i < len(runs); i += 2 {
		for c := 0; c < 2; c++ {
			run := runs[i+c]
			if x+run > lastx || run > lastx {
				run = lastx - x
				runs[i+c] = run
			}
			paint(row, int(x), int(run), c == 1)
			x += runs[i+c]
		}
	}
}

// paint sets (black) or clears n bits of row from bit x on.
func paint(row []byte, x, n int, black bool) {
	for n > 0 {
		i, bx := x>>3, x&7
		k := min(8-bx, n)
		mask := byte(0xff>>bx) &^ byte(0xff>>(bx+k))
		if black {
			row[i] |= mask
		} else {
			row[i] &^= mask
		}
		x, n = x+k, n-k
	}
}

// faxDecode decodes a strip or tile of w×h pixels coded with compression
// (2, 3, 4 or 32771): the T4Options and FillOrder tags and the data's
// offset in the file say how. It returns h rows of ⌈w/8⌉ bytes, msb
// first, black runs 1, as libtiff's decoder does.
func faxDecode(src []byte, offset int64, compression, t4Options, fillOrder uint, w, h int) ([]byte, error) {
	rowBytes := (w + 7) / 8
	out := make([]byte, rowBytes*h) // [h][rowBytes]
	f := &fax{src: src, rev: fillOrder != 2, base: offset, lastx: w}
	twoD := compression == cG4 || compression == cG3 && t4Options&1 != 0
	f.nruns = (w + 31) &^ 31
	if twoD {
		f.nruns *= 2
	}
	f.cur = make([]uint32, f.nruns+1) // [nruns+1]
	if twoD {
		f.ref = make([]uint32, f.nruns+1) // [nruns+1]
		f.ref[0] = uint32(w)              // the row above the first is white
	}
	for line := 0; line < h; line++ {
		row := out[line*rowBytes : (line+1)*rowBytes]
		f.a0, f.runLength, f.pa = 0, 0, 0
		var err error
		switch {
		case compression == cG3:
			if !f.syncEOL() || twoD && !f.needBits8(1) {
				if err = f.cleanupRuns(); err == nil {
					err = errFaxEOF
				}
				break
			}
			if !twoD {
				err = f.expand1D()
				break
			}
			is1D := f.getBits(1) != 0 // 1-D/2-D tag bit
			f.clrBits(1)
			f.pb, f.b1 = 1, int(f.ref[0])
			if is1D {
				err = f.expand1D()
			} else {
				err = f.expand2D()
			}
		case compression == cG4:
			f.pb, f.b1 = 1, int(f.ref[0])
			if err = f.expand2D(); err == nil && f.eolcnt != 0 {
				err = errFaxEOF
			}
			if err == errFaxEOF {
				// EOFB or the end of the data: libtiff keeps the rows
				// decoded so far (the rest stay white here) and fails
				// only a strip with none.
				f.needBits16(13)
				f.clrBits(13)
				f.fill(row)
				if line == 0 {
					return nil, err
				}
				return out, nil
			}
		default: // modified Huffman
			err = f.expand1D()
		}
		if err == errFaxRuns {
			return nil, err
		}
		f.fill(row)
		if err != nil {
			return nil, err
		}
		if twoD {
			if compression == cG4 || f.pa < f.nruns {
				if err := f.setValue(0); err != nil { // imaginary change for reference
					return nil, err
				}
			}
			f.cur, f.ref = f.ref, f.cur
		}
		switch compression {
		case cCCITTRLE:
			f.clrBits(f.avail & 7)
		case cCCITTRLEW:
			f.clrBits(f.avail & 15)
			if f.avail == 0 && (f.base+int64(f.cp))&1 != 0 {
				f.cp++
			}
		}
	}
	return out, nil
}
