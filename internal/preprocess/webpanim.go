package preprocess

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"io"

	"golang.org/x/image/webp"
)

// decodeWebP decodes a WebP file; for an animated one (VP8X with the
// animation flag), the first frame as PIL 9.4 gets it from libwebp's
// WebPAnimDecoder, which x/image/webp does not read: the frame on a
// canvas of transparent black, with the frame's own colours (not
// blended: the first frame is a key frame).
func decodeWebP(r io.Reader) (image.Image, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if len(data) < 30 || string(data[12:16]) != "VP8X" || data[20]&2 == 0 {
		return webp.Decode(bytes.NewReader(data))
	}
	cw := 1 + (int(data[24]) | int(data[25])<<8 | int(data[26])<<16)
	ch := 1 + (int(data[27]) | int(data[28])<<8 | int(data[29])<<16)
	frame, x0, y0, err := firstANMF(data, cw, ch)
	if err != nil {
		return nil, err
	}
	// The frame's bitstream must have the size its ANMF header gave.
	fc, err := webp.DecodeConfig(bytes.NewReader(frame))
	if err != nil {
		return nil, err
	}
	if x0+fc.Width > cw || y0+fc.Height > ch {
		return nil, errors.New("webp: frame larger than the canvas")
	}
	img, err := webp.Decode(bytes.NewReader(frame))
	if err != nil {
		return nil, err
	}
	fb := img.Bounds()
	if x0 == 0 && y0 == 0 && fb.Dx() == cw && fb.Dy() == ch {
		return img, nil
	}
	// A smaller frame: convert it as PIL's RGB would and place it.
	canvas := image.NewNRGBA(image.Rect(0, 0, cw, ch)) // transparent black
	s, err := convertRows(img, 3, srcInfo{webp: true})
	if err != nil {
		return nil, err
	}
	rowBuf := make([]uint8, 3*s.w) // [fw·3] one converted frame row
	for y := 0; y < s.h && y0+y < ch; y++ {
		s.row(y, rowBuf)
		dst := canvas.Pix[(y0+y)*canvas.Stride:]
		for x := 0; x < s.w && x0+x < cw; x++ {
			d := dst[4*(x0+x) : 4*(x0+x)+4]
			d[0], d[1], d[2], d[3] = rowBuf[3*x], rowBuf[3*x+1], rowBuf[3*x+2], 255
		}
	}
	return canvas, nil
}

// firstANMF returns the first ANMF frame of an animated WebP as a still
// WebP file, and the frame's offset on the cw×ch canvas, which the frame
// must fit (so the canvas size, checked against the limits, bounds it).
func firstANMF(data []byte, cw, ch int) (still []byte, x0, y0 int, err error) {
	for i := 12; i+8 <= len(data); {
		n := int(binary.LittleEndian.Uint32(data[i+4:]))
		if n < 0 || n > len(data)-i-8 {
			return nil, 0, 0, io.ErrUnexpectedEOF
		}
		if string(data[i:i+4]) != "ANMF" {
			i += 8 + n + n&1
			continue
		}
		p := data[i+8 : i+8+n]
		if len(p) < 16 {
			return nil, 0, 0, errors.New("webp: short ANMF chunk")
		}
		u24 := func(b []byte) int { return int(b[0]) | int(b[1])<<8 | int(b[2])<<16 }
		x0, y0 = 2*u24(p[0:]), 2*u24(p[3:])
		fw, fh := 1+u24(p[6:]), 1+u24(p[9:])
		if x0+fw > cw || y0+fh > ch {
			return nil, 0, 0, errors.New("webp: ANMF frame outside the canvas")
		}
		var alph, bits []byte // whole chunks, header included
		for j := 16; j+8 <= len(p); {
			m := int(binary.LittleEndian.Uint32(p[j+4:]))
			if m < 0 || m > len(p)-j-8 {
				return nil, 0, 0, io.ErrUnexpectedEOF
			}
			c := p[j : j+8+m]
			switch string(p[j : j+4]) {
			case "ALPH":
				alph = c
			case "VP8 ", "VP8L":
				if bits == nil {
					bits = c
				}
			}
			j += 8 + m + m&1
		}
		if bits == nil {
			return nil, 0, 0, errors.New("webp: ANMF frame without image data")
		}
		var body bytes.Buffer
		body.WriteString("WEBP")
		if alph != nil && string(bits[:4]) == "VP8 " {
			vp8x := make([]byte, 18) // chunk header + 10 bytes
			copy(vp8x, "VP8X")
			binary.LittleEndian.PutUint32(vp8x[4:], 10)
			vp8x[8] = 0x10 // alpha
			put24 := func(b []byte, v int) { b[0], b[1], b[2] = byte(v), byte(v>>8), byte(v>>16) }
			put24(vp8x[12:], fw-1)
			put24(vp8x[15:], fh-1)
			body.Write(vp8x)
			writeChunk(&body, alph)
		}
		writeChunk(&body, bits)
		out := make([]byte, 8, 8+body.Len())
		copy(out, "RIFF")
		binary.LittleEndian.PutUint32(out[4:], uint32(body.Len()))
		return append(out, body.Bytes()...), x0, y0, nil
	}
	return nil, 0, 0, errors.New("webp: animation without frames")
}

// writeChunk writes a RIFF chunk (header included) with its pad byte.
func writeChunk(b *bytes.Buffer, c []byte) {
	b.Write(c)
	if len(c)%2 == 1 {
		b.WriteByte(0)
	}
}
