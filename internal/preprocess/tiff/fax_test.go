package tiff

import (
	"bytes"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/ccitt"
)

// faxStrip returns a single-strip CCITT fixture's strip, offset, size and
// tags, read with the fork's own IFD parser.
func faxStrip(t *testing.T, name string) (data []byte, off int64, d *decoder) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../../testdata/preprocess/decode", name))
	if err != nil {
		t.Fatal(err)
	}
	d, err = newDecoder(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	offs, err := d.parseIFDOffsets(tStripOffsets, 1)
	if err != nil {
		t.Fatal(err)
	}
	counts, err := d.parseIFDOffsets(tStripByteCounts, 1)
	if err != nil {
		t.Fatal(err)
	}
	return b[offs[0] : offs[0]+counts[0]], int64(offs[0]), d
}

// TestFaxMatchesXImage decodes the Group 3 1-D and Group 4 fixtures (saved
// by libtiff through PIL) with the libtiff port and with x/image/ccitt,
// an independent decoder of the same codings, and compares the bits.
func TestFaxMatchesXImage(t *testing.T) {
	for _, name := range []string{"ccitt_group3_37x21.tif", "ccitt_group3_lsb_37x21.tif",
		"ccitt_group4_37x21.tif", "ccitt_group4_lsb_37x21.tif", "ccitt_group4_white0_37x21.tif"} {
		t.Run(name, func(t *testing.T) {
			data, off, d := faxStrip(t, name)
			w, h := d.config.Width, d.config.Height
			comp, fo := d.firstVal(tCompression), d.firstVal(tFillOrder)
			got, err := faxDecode(data, off, comp, d.firstVal(tT4Options), fo, w, h)
			if err != nil {
				t.Fatal(err)
			}
			mode, order := ccitt.Group3, ccitt.MSB
			if comp == cG4 {
				mode = ccitt.Group4
			}
			if fo == 2 {
				order = ccitt.LSB
			}
			want, err := io.ReadAll(ccitt.NewReader(bytes.NewReader(data), order, mode, w, h, &ccitt.Options{Invert: true}))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("port and x/image differ:\n%x\n%x", got, want)
			}
			if bytes.Count(got, []byte{0}) == len(got) {
				t.Error("all white")
			}
		})
	}
}

// TestFaxDamaged feeds every coding truncated, bit-flipped and random
// data: each decode ends, with rows or an error, and never panics.
func TestFaxDamaged(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	data, off, _ := faxStrip(t, "ccitt_group3_2d_37x21.tif")
	for _, c := range []struct{ comp, t4 uint }{{cCCITTRLE, 0}, {cCCITTRLEW, 0}, {cG3, 0}, {cG3, 1}, {cG4, 0}} {
		for i := 0; i < 300; i++ {
			b := append([]byte(nil), data...)
			switch i % 3 {
			case 0:
				b = b[:rng.Intn(len(b)+1)]
			case 1:
				for k := 0; k < 1+rng.Intn(4); k++ {
					b[rng.Intn(len(b))] ^= 1 << rng.Intn(8)
				}
			case 2:
				rng.Read(b)
			}
			w, h := 1+rng.Intn(80), 1+rng.Intn(40)
			out, err := faxDecode(b, off+int64(i&1), c.comp, c.t4, uint(1+i%2), w, h)
			if err == nil && len(out) != (w+7)/8*h {
				t.Fatalf("compression %d: %d bytes for %d×%d", c.comp, len(out), w, h)
			}
		}
	}
}

// TestFaxWideRuns checks makeup codes and the run arrays at a row width
// past one 32-pixel group: a 3000-pixel row of 2600 white then 400 black
// pixels in modified Huffman (white makeup 2560 + 40, black makeup 384 +
// 16), then a byte-aligned all-white row.
func TestFaxWideRuns(t *testing.T) {
	var bits []byte // one 0/1 per bit, in stream order
	put := func(code string) {
		for _, c := range code {
			bits = append(bits, byte(c-'0'))
		}
	}
	put("000000011111") // white makeup 2560 (extended)
	put("00101001")     // white 40
	put("000000110100") // black makeup 384
	put("0000010111")   // black 16
	for len(bits)%8 != 0 {
		bits = append(bits, 0)
	}
	put("000000011111") // white makeup 2560
	put("00101001")     // white 40
	put("000000110100")
	put("0000010111")
	var data []byte
	for i := 0; i < len(bits); i += 8 {
		var v byte
		for k := 0; k < 8 && i+k < len(bits); k++ {
			v |= bits[i+k] << (7 - k)
		}
		data = append(data, v)
	}
	out, err := faxDecode(data, 0, cCCITTRLE, 0, 1, 3000, 2)
	if err != nil {
		t.Fatal(err)
	}
	for y := 0; y < 2; y++ {
		row := out[y*375 : (y+1)*375]
		for x := 0; x < 3000; x++ {
			if got, want := row[x/8]>>(7-x%8)&1, byte(0); x >= 2600 {
				if got != 1 {
					t.Fatalf("row %d x %d white, want black", y, x)
				}
			} else if got != want {
				t.Fatalf("row %d x %d black, want white", y, x)
			}
		}
	}
}
