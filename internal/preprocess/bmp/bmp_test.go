package bmp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"io"
	"testing"
)

// file is a bitmap with a 40-byte header, a 3-entry palette (index i is
// (10i, 20i, 30i)) and the given pixel data.
func file(w, h, bits int, comp uint32, px []byte) []byte {
	var b bytes.Buffer
	info := make([]byte, 40)
	binary.LittleEndian.PutUint32(info, 40)
	binary.LittleEndian.PutUint32(info[4:], uint32(w))
	binary.LittleEndian.PutUint32(info[8:], uint32(h))
	binary.LittleEndian.PutUint16(info[12:], 1)
	binary.LittleEndian.PutUint16(info[14:], uint16(bits))
	binary.LittleEndian.PutUint32(info[16:], comp)
	binary.LittleEndian.PutUint32(info[32:], 3)
	pal := []byte{0, 0, 0, 0, 30, 20, 10, 0, 60, 40, 20, 0}
	b.WriteString("BM")
	binary.Write(&b, binary.LittleEndian, [3]uint32{uint32(14 + 40 + len(pal) + len(px)), 0, 14 + 40 + uint32(len(pal))})
	b.Write(info)
	b.Write(pal)
	b.Write(px)
	return b.Bytes()
}

// indices returns the palette indices of m, top row first.
func indices(t *testing.T, data []byte) [][]uint8 {
	t.Helper()
	img, err := Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	m := img.(*image.Paletted)
	var rows [][]uint8
	for y := 0; y < m.Rect.Dy(); y++ {
		rows = append(rows, m.Pix[y*m.Stride:y*m.Stride+m.Rect.Dx()])
	}
	return rows
}

func eq(a, b [][]uint8) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// TestRLESpec covers RLE cases PIL 9.4 misreads (see Decode): a delta,
// an odd RLE4 absolute run, and a bitmap that ends early.
func TestRLESpec(t *testing.T) {
	// 4×3 RLE8, bottom row first: the bottom row is 1 1 2 2; the middle
	// one a 2, a delta 2 to the right, a 1; the bitmap ends before the top.
	rle8 := []byte{
		2, 1, 2, 2, 0, 0, // bottom row: 1 1 2 2, end of line
		1, 2, 0, 2, 2, 0, 1, 1, // row 1: 2 at x 0; delta right 2 → x 3, 1 at x 3
		0, 1, // end of bitmap: the top row stays 0
	}
	want := [][]uint8{{0, 0, 0, 0}, {2, 0, 0, 1}, {1, 1, 2, 2}}
	if got := indices(t, file(4, 3, 8, rle8Comp, rle8)); !eq(got, want) {
		t.Errorf("RLE8 delta/early end: got %v, want %v", got, want)
	}
	// 5×1 RLE4: an absolute run of 3 pixels (1 2 1, padded to a word),
	// then an encoded run of 2 (2 1).
	rle4 := []byte{0, 3, 0x12, 0x10, 2, 0x21, 0, 1}
	want = [][]uint8{{1, 2, 1, 2, 1}}
	if got := indices(t, file(5, 1, 4, rle4Comp, rle4)); !eq(got, want) {
		t.Errorf("RLE4 odd absolute run: got %v, want %v", got, want)
	}
}

func TestErrors(t *testing.T) {
	raw := file(2, 2, 8, rawComp, []byte{1, 2, 0, 0, 2, 1, 0, 0})
	if _, err := Decode(bytes.NewReader(raw)); err != nil {
		t.Fatalf("valid file: %v", err)
	}
	var ue UnsupportedError
	for name, data := range map[string][]byte{
		"JPEG compression": file(2, 2, 8, 4, nil),
		"bit depth 7":      file(2, 2, 7, rawComp, nil),
		"header size 56": func() []byte {
			d := append([]byte(nil), raw...)
			binary.LittleEndian.PutUint32(d[14:], 56)
			return d
		}(),
	} {
		if _, err := Decode(bytes.NewReader(data)); !errors.As(err, &ue) {
			t.Errorf("%s: got %v, want UnsupportedError", name, err)
		}
	}
	if _, err := Decode(bytes.NewReader(raw[:len(raw)-3])); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated: got %v, want io.ErrUnexpectedEOF", err)
	}
}
