package preprocess

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pngHeader returns a valid PNG signature and IHDR claiming w×h RGB8,
// followed by a tiny IDAT.
func pngHeader(w, h uint32) []byte {
	chunk := func(typ string, data []byte) []byte {
		var b bytes.Buffer
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
		return b.Bytes()
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, chunk("IHDR", ihdr)...)
	out = append(out, chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(out, chunk("IEND", nil)...)
}

func encodeJPEG(t testing.TB, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDecodeErrors(t *testing.T) {
	pngData := fixture(t, "rgb_97x61.png")
	jpgData := fixture(t, "photo_120x90.jpg")
	corruptPNG := append([]byte(nil), pngData...)
	for i := 100; i < 400; i++ { // inside IDAT
		corruptPNG[i] ^= 0x5a
	}
	corruptJPEG := append([]byte(nil), jpgData...)
	for i := len(corruptJPEG) / 2; i < len(corruptJPEG)/2+300; i++ {
		corruptJPEG[i] = 0xff
	}
	badCRC := pngHeader(10, 10)
	badCRC[30] ^= 1 // inside the IHDR CRC
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty.png", nil, ErrEmpty},
		{"truncated.png", pngData[:len(pngData)/2], ErrTruncated},
		{"header-only.png", pngData[:40], ErrTruncated},
		{"truncated.jpg", jpgData[:len(jpgData)/2], ErrTruncated},
		{"soi-only.jpg", jpgData[:2], ErrTruncated},
		{"magic-prefix.png", []byte("\x89PN"), ErrTruncated},
		{"notes.png", []byte("this is a text file, not an image\n"), ErrUnknownFormat},
		{"page.jpg", []byte("<!DOCTYPE html><html></html>"), ErrUnknownFormat},
		{"huge.png", pngHeader(100000, 100000), ErrTooLarge},
		{"zero.png", pngHeader(0, 10), ErrCorrupt},
		{"corrupt.png", corruptPNG, ErrCorrupt},
		{"crc.png", badCRC, ErrCorrupt},
		{"corrupt.jpg", corruptJPEG, ErrCorrupt},
		{"truncated.gif", fixture(t, "palette_45x45.gif")[:300], ErrTruncated},
		{"truncated.webp", fixture(t, "rgb_43x31.webp")[:200], ErrTruncated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img, err := Decode(c.name, bytes.NewReader(c.data), Limits{})
			if err == nil {
				t.Fatalf("no error; image %v", img.Bounds())
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("error %q is not %q", err, c.want)
			}
			var de *DecodeError
			if !errors.As(err, &de) || de.File != c.name {
				t.Errorf("error %q does not name the file", err)
			}
			if !strings.Contains(err.Error(), c.name) {
				t.Errorf("message %q lacks the file name", err)
			}
			t.Log(err)
		})
	}
}

// TestTooLargeBeforeAlloc checks that the pixel limit is enforced from the
// header, before the decoder allocates the image.
func TestTooLargeBeforeAlloc(t *testing.T) {
	jpg := encodeJPEG(t, 640, 480)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Decode("big.jpg", bytes.NewReader(jpg), Limits{MaxPixels: 100_000})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 4*uint64(len(jpg))+1<<16 {
		t.Errorf("allocated %d bytes before refusing a 640×480 image", got)
	}
	// The default limit lets it through.
	if _, err := Decode("big.jpg", bytes.NewReader(jpg), Limits{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Decode("big.jpg", bytes.NewReader(jpg), Limits{MaxBytes: 100}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("MaxBytes: err = %v, want ErrTooLarge", err)
	}
}

func TestPixelsErrors(t *testing.T) {
	r := DefaultHF("vit", 32, 3)
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	if err := r.Pixels(img, make([]float32, 10)); err == nil {
		t.Error("short dst: no error")
	}
	if err := r.Pixels(image.NewRGBA(image.Rect(0, 0, 0, 5)), make([]float32, 3*32*32)); err == nil {
		t.Error("empty image: no error")
	}
	bad := r
	bad.Channels = 2
	if err := bad.Pixels(img, make([]float32, 2*32*32)); err == nil {
		t.Error("2 channels: no error")
	}
	// Plain image.Image values (not from Decode) work too, including
	// types without a fast path.
	gray := image.NewAlpha16(image.Rect(3, 4, 20, 30))
	if err := r.Pixels(gray, make([]float32, 3*32*32)); err != nil {
		t.Error(err)
	}
}

// TestGenericImages compares the fast conversion paths with PIL's rules
// written out per pixel.
func TestGenericImages(t *testing.T) {
	rgba := image.NewNRGBA(image.Rect(0, 0, 5, 3))
	for i := range rgba.Pix {
		rgba.Pix[i] = uint8(i*37 + 11)
	}
	for _, c := range []int{1, 3} {
		ras, err := toRaster(rgba, c)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 15; i++ {
			p := rgba.Pix[4*i : 4*i+4]
			if c == 3 && !bytes.Equal(ras.pix[3*i:3*i+3], p[:3]) {
				t.Errorf("RGB pixel %d: %v, want %v (alpha dropped)", i, ras.pix[3*i:3*i+3], p[:3])
			}
			want := uint8((uint32(p[0])*19595 + uint32(p[1])*38470 + uint32(p[2])*7471 + 0x8000) >> 16)
			if c == 1 && ras.pix[i] != want {
				t.Errorf("L pixel %d: %d, want %d", i, ras.pix[i], want)
			}
		}
	}
	// CMYK: PIL's cmyk2rgb.
	cm := image.NewCMYK(image.Rect(0, 0, 2, 1))
	copy(cm.Pix, []uint8{0, 0, 0, 0, 10, 128, 255, 77})
	ras, _ := toRaster(cm, 3)
	if want := []uint8{255, 255, 255, 171, 89, 0}; !bytes.Equal(ras.pix, want) {
		t.Errorf("CMYK → %v, want %v", ras.pix, want)
	}
	// Paletted with a non-opaque entry keeps the stored colour.
	pal := image.NewPaletted(image.Rect(0, 0, 1, 1), color.Palette{color.NRGBA{200, 100, 50, 0}})
	ras, _ = toRaster(pal, 3)
	if want := []uint8{200, 100, 50}; !bytes.Equal(ras.pix, want) {
		t.Errorf("palette → %v, want %v", ras.pix, want)
	}
	// PNG round trip through Decode for a 16-bit gray image: PIL clips.
	g := image.NewGray16(image.Rect(0, 0, 3, 1))
	for i, v := range []uint16{7, 255, 300} {
		g.SetGray16(i, 0, color.Gray16{v})
	}
	var b bytes.Buffer
	png.Encode(&b, g)
	d, err := Decode("g16.png", &b, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	ras, _ = toRaster(d.(*Decoded).Raw, 1)
	if want := []uint8{7, 255, 255}; !bytes.Equal(ras.pix, want) {
		t.Errorf("gray16 → %v, want %v", ras.pix, want)
	}
}

// TestOrientedAt checks Decoded's image.Image view against the fast path.
func TestOrientedAt(t *testing.T) {
	for o := 1; o <= 8; o++ {
		name := "orient" + string(rune('0'+o)) + "_40x24.png"
		img, err := Decode(name, bytes.NewReader(fixture(t, name)), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		d := img.(*Decoded)
		if d.Orientation != o {
			t.Fatalf("%s: orientation %d", name, d.Orientation)
		}
		ras, _ := toRaster(d.Raw, 3)
		ras = orient(ras, o)
		b := d.Bounds()
		if b.Dx() != ras.w || b.Dy() != ras.h {
			t.Fatalf("%s: bounds %v, raster %d×%d", name, b, ras.w, ras.h)
		}
		for y := 0; y < ras.h; y++ {
			for x := 0; x < ras.w; x++ {
				c := color.NRGBAModel.Convert(d.At(x, y)).(color.NRGBA)
				p := ras.pix[(y*ras.w+x)*3:]
				if c.R != p[0] || c.G != p[1] || c.B != p[2] {
					t.Fatalf("%s: At(%d,%d) = %v, raster %v", name, x, y, c, p[:3])
				}
			}
		}
	}
}

func TestCropOffsets(t *testing.T) {
	hf := Recipe{Crop: CropHF}
	tv := Recipe{Crop: CropTorch}
	for _, c := range []struct{ in, n, hf, tv int }{
		{256, 224, 16, 16}, {225, 224, 0, 0}, {227, 224, 1, 2}, {229, 224, 2, 2}, {231, 224, 3, 4},
		{224, 224, 0, 0}, {221, 224, -2, -1}, {222, 224, -1, -1}, {1, 4, -2, -1},
	} {
		if got := hf.cropOffset(c.in, c.n); got != c.hf {
			t.Errorf("HF crop %d of %d: offset %d, want %d", c.n, c.in, got, c.hf)
		}
		if got := tv.cropOffset(c.in, c.n); got != c.tv {
			t.Errorf("torchvision crop %d of %d: offset %d, want %d", c.n, c.in, got, c.tv)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, n := range []string{"rgb_19x13.png", "palette_45x45.gif", "gray16_trns_30x40.png", "orient6_48x36.jpg",
		"cmyk_64x48.jpg", "rgb_37x29.bmp", "rgb_41x27.tif", "rgb_43x31.webp", "gray_alpha_40x33.png", "photo_120x90.jpg"} {
		f.Add(fixture(f, n))
	}
	// The decoder cases libtiff's, libjpeg's and LittleCMS's ports read
	// (CCITT, old-style JPEG, YCbCr, arithmetic coding, CIELab, 2-component
	// JPEG).
	for _, n := range []string{"ccitt_group3_2d_37x21.tif", "ccitt_rlew_odd_strips_37x21.tif", "ccitt_group4_tiles_white0_37x21.tif",
		"ojpeg420_tables_restart_37x50.tif", "ojpeg422_split_37x21.tif", "ycbcr42_deflate_21x13.tif",
		"arith_progressive_restart_37x50.jpg", "arith420_37x21.jpg", "webp_rgba_37x21.tif", "zstd_strips_23x11.tif",
		"lab_planar_deflate_48x32.tif", "jpeg_gray_alpha_33x21.tif"} {
		b, err := os.ReadFile(filepath.Join(decodeFixtureDir, n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add(pngHeader(100000, 100000))
	f.Add(pngHeader(3, 1))
	f.Add([]byte("II*\x00\x08\x00\x00\x00"))
	recipes := []Recipe{DefaultHF("vit", 16, 3), DefaultHF("deit", 16, 1)}
	tm, err := ParseTimm([]byte(`{"input_size": [3, 16, 16], "crop_mode": "border", "crop_pct": 0.8}`))
	if err != nil {
		f.Fatal(err)
	}
	recipes = append(recipes, tm)
	dst := make([]float32, 3*16*16)
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := DecodeBytes("fuzz", data, Limits{MaxPixels: 1 << 20})
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		for i := range recipes {
			if err := recipes[i].Pixels(img, dst); err != nil {
				if !strings.Contains(err.Error(), "resizes to") {
					t.Fatalf("Pixels: %v", err)
				}
			}
		}
		// The draft path: JPEGs of 32 pixels or more decode scaled.
		if err := recipes[0].Load("fuzz", bytes.NewReader(data), Limits{MaxPixels: 1 << 20, Draft: true}, dst); err != nil {
			var de *DecodeError
			if !errors.As(err, &de) && !strings.Contains(err.Error(), "resizes to") {
				t.Fatalf("Load with Draft: %v", err)
			}
		}
	})
}

// TestTransposedResize checks the swapped-pass resampler used for EXIF
// orientations 5–8 against transposing first and resizing as usual.
func TestTransposedResize(t *testing.T) {
	seed := uint32(7)
	for _, sz := range [][4]int{{37, 23, 11, 17}, {19, 31, 40, 25}, {30, 20, 20, 9}, {16, 16, 16, 16}, {9, 40, 9, 13}} {
		sw, sh, w, h := sz[0], sz[1], sz[2], sz[3]
		for _, c := range []int{1, 3} {
			ras := &raster{w: sw, h: sh, c: c, pix: make([]uint8, sw*sh*c)}
			for i := range ras.pix {
				seed = seed*1664525 + 1013904223
				ras.pix[i] = uint8(seed >> 24)
			}
			for f := Lanczos; f <= Hamming; f++ {
				want := resizeWindow(rasterSource(orient(ras, 5)), w, h, f, 0, w, 0, h)
				src := rasterSource(ras)
				src.transposed = true
				for _, win := range [][4]int{{0, w, 0, h}, {w / 3, w - w/4, h / 4, h - h/3}} {
					x0, x1, y0, y1 := win[0], win[1], win[2], win[3]
					if x1 <= x0 || y1 <= y0 {
						continue
					}
					got := resizeWindowT(src, w, h, f, x0, x1, y0, y1)
					for y := y0; y < y1; y++ {
						a := got.pix[(y-y0)*(x1-x0)*c : (y-y0+1)*(x1-x0)*c]
						b := want.pix[(y*w+x0)*c : (y*w+x1)*c]
						if !bytes.Equal(a, b) {
							t.Fatalf("%dx%d→%dx%d c=%d %v window %v row %d:\n got %v\nwant %v", sw, sh, w, h, c, f, win, y, a, b)
						}
					}
				}
			}
		}
	}
}

// TestExtremeAspect runs every recipe kind on 1-pixel-wide and -tall
// images: short-side resizing makes the other side huge, of which only
// the crop window is computed.
func TestExtremeAspect(t *testing.T) {
	hf, err := ParseHF([]byte(`{"size": {"shortest_edge": 32}, "do_center_crop": true, "crop_size": 24, "resample": 3}`))
	if err != nil {
		t.Fatal(err)
	}
	tm, err := ParseTimm([]byte(`{"input_size": [3, 24, 24], "crop_pct": 0.9}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []Recipe{hf, tm, DefaultHF("vit", 24, 3), DefaultHF("deit", 24, 1)} {
		for _, sz := range [][2]int{{1, 5000}, {5000, 1}, {1, 1}} {
			img := image.NewGray(image.Rect(0, 0, sz[0], sz[1]))
			for i := range img.Pix {
				img.Pix[i] = uint8(i)
			}
			dst := make([]float32, r.Channels*24*24)
			if err := r.Pixels(img, dst); err != nil {
				t.Errorf("%s on %v: %v", r.Source, sz, err)
			}
		}
	}
}

// toRaster converts img to c channels (1: L, 3: RGB) in one piece.
func toRaster(img image.Image, c int) (*raster, error) {
	s, err := convertRows(img, c, srcInfo{})
	if err != nil {
		return nil, err
	}
	return materialize(s), nil
}
