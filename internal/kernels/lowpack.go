package kernels

import (
	"encoding/binary"
	"math"
	"strconv"
)

// Building a bf16 or int8 operand row block by row block, straight from a
// checkpoint's tensors, so the whole matrix never exists in float32:
// NewLowB allocates the low form, SetRows fills rows from float32 values
// and SetRowsBF16 from stored bf16 bits. Both give the bits Convert gives
// for the same values (Convert is NewLowB plus SetRows per row block).

// NewLowB returns a bf16 or int8 operand W [n, k] whose rows are all
// zero, for SetRows and SetRowsBF16 to fill before any Linear call reads
// it (calls on disjoint rows may run concurrently). It panics for FP32 or
// an unknown precision.
func NewLowB(p Precision, n, k int) *PackedB {
	f := &lowForm{prec: p}
	switch p {
	case BF16:
		f.kp = (k + 1) &^ 1
		f.bf = make([]uint16, (n+lowPad)*f.kp)
		f.ord = &pairOrder{all: f.bf}
		f.ord.nat.Store(natPairs(f.kp))
	case Int8:
		f.kp = (k + 3) &^ 3
		f.q = make([]int8, (n+lowPad)*f.kp)
		f.sw = make([]float32, n+lowPad)
		f.sum = make([]int32, n+lowPad)
	default:
		panic("kernels: NewLowB of precision " + strconv.Itoa(int(p)))
	}
	return &PackedB{N: n, K: k, lp: f}
}

// setRowsCheck panics unless rows [j0, j0+rows) are inside w, a NewLowB
// operand.
func (w *PackedB) setRowsCheck(j0, rows int) {
	if w.lp == nil || j0 < 0 || rows < 0 || j0+rows > w.N {
		panic("kernels: SetRows [" + strconv.Itoa(j0) + ", " + strconv.Itoa(j0+rows) + ") of a " + w.Precision().String() + " operand of " + strconv.Itoa(w.N) + " rows")
	}
}

// SetRows sets rows [j0, j0+rows) of w, made by NewLowB, to the float32
// values src [rows, K] with leading dimension ld: rounded to bf16 (ties
// to even) or quantized per row to s8.
func (w *PackedB) SetRows(j0 int, src []float32, rows, ld int) {
	w.setRowsCheck(j0, rows)
	f, k := w.lp, w.K
	row := make([]float32, k) // [K]
	for r := range rows {
		copy(row, src[r*ld:r*ld+k]) // a bulk copy faults a mapped file in faster than the loop below (by 15% of a load)
		j := j0 + r
		switch f.prec {
		case BF16:
			d, x := f.bf[j*f.kp:(j+1)*f.kp], f.ord.swapBit()
			for l, v := range row {
				d[l^x] = bf16Bits(v)
			}
		case Int8:
			f.sw[j], f.sum[j] = quantizeRow(f.q[j*f.kp:j*f.kp+k], row)
		}
	}
}

// SetRowsBF16 sets rows [j0, j0+rows) of w, made by NewLowB, to the bf16
// values src [rows, K], two little-endian bytes each (a checkpoint's BF16
// tensor as stored): a bf16 w takes the bits as they are (a NaN quieted,
// as bf16Bits does), an int8 w quantizes their exact float32 values one
// row at a time.
func (w *PackedB) SetRowsBF16(j0 int, src []byte, rows int) {
	w.setRowsCheck(j0, rows)
	f, k := w.lp, w.K
	_ = src[:2*rows*k]
	var row []float32 // int8: [K] one row's values
	if f.prec == Int8 {
		row = make([]float32, k)
	}
	for r := range rows {
		s := src[2*r*k : 2*(r+1)*k] // [K][2]
		j := j0 + r
		switch f.prec {
		case BF16:
			d, x := f.bf[j*f.kp:(j+1)*f.kp], f.ord.swapBit()
			for l := range k {
				b := binary.LittleEndian.Uint16(s[2*l:])
				if b&0x7fff > 0x7f80 {
					b |= 0x40 // a NaN: quiet, as bf16Bits leaves it
				}
				d[l^x] = b
			}
		case Int8:
			for l := range row {
				row[l] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(s[2*l:])) << 16)
			}
			f.sw[j], f.sum[j] = quantizeRow(f.q[j*f.kp:j*f.kp+k], row)
		}
	}
}
