package preprocess

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image/png"

	"github.com/vitgo/vit/internal/preprocess/bmp"
	"github.com/vitgo/vit/internal/preprocess/jpeg"
	"github.com/vitgo/vit/internal/preprocess/tiff"
)

// variantError names the variant of a valid file vit does not read, as
// the cause of an ErrUnsupported DecodeError ("unsupported: <what>"),
// and unwraps to the decoder's own error.
type variantError struct {
	what string
	err  error
}

func (e *variantError) Error() string { return e.what }
func (e *variantError) Unwrap() error { return e.err }

// unsupported wraps a decoder's unsupported-feature error err on data of
// the given format in a variantError that names the variant.
func unsupported(format string, data []byte, err error) error {
	if format == "jpeg" {
		if what := jpegVariant(data); what != "" {
			return &variantError{what, err}
		}
	}
	var (
		pu png.UnsupportedError
		ju jpeg.UnsupportedError
		tu tiff.UnsupportedError
		bu bmp.UnsupportedError
	)
	switch {
	case errors.As(err, &tu):
		return &variantError{"TIFF " + string(tu), err}
	case errors.As(err, &ju):
		return &variantError{"JPEG " + string(ju), err}
	case errors.As(err, &bu):
		return &variantError{"BMP " + string(bu), err}
	case errors.As(err, &pu):
		return &variantError{"PNG " + string(pu), err}
	}
	return err
}

// jpegVariant names a JPEG's coding process from its SOF marker (ITU-T
// T.81 table B.1) when it is one image/jpeg does not decode; "" otherwise.
func jpegVariant(data []byte) string {
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xff {
			return ""
		}
		m := data[i+1]
		if m == 0xff { // fill byte
			i++
			continue
		}
		if m == 0x01 || m >= 0xd0 && m <= 0xd8 { // no length
			i += 2
			continue
		}
		if m == 0xda || m == 0xd9 {
			return ""
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		switch {
		case m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc:
			what := ""
			switch m {
			case 0xc3, 0xc7, 0xcb, 0xcf:
				what = "lossless JPEG"
			case 0xc5, 0xc6, 0xcd, 0xce:
				what = "hierarchical JPEG"
			}
			if what == "" && i+4 < len(data) && data[i+4] != 8 {
				what = fmt.Sprintf("%d-bit JPEG", data[i+4])
			}
			return what
		}
		i += 2 + n
	}
	return ""
}

// otherFormats are image formats PIL 9.4 opens that vit does not read, by
// their signatures (as PIL's plugins check them).
var otherFormats = []struct{ what, magic string }{
	{"ICO image", "\x00\x00\x01\x00"},
	{"JPEG 2000 image", "\x00\x00\x00\x0cjP  \r\n\x87\n"},
	{"JPEG 2000 codestream", "\xff\x4f\xff\x51"},
	{"DDS image", "DDS "},
	{"SGI image", "\x01\xda"},
}

// otherFormat names the format of data when it is an image PIL reads
// that vit does not (ErrUnsupported, not ErrUnknownFormat); "" otherwise.
func otherFormat(data []byte) string {
	for _, f := range otherFormats {
		if full, _ := matchMagic(data, f.magic); full {
			return f.what
		}
	}
	// Netpbm: P1–P6 and whitespace (PIL reads plain and raw PBM, PGM, PPM).
	if len(data) >= 3 && data[0] == 'P' && data[1] >= '1' && data[1] <= '6' &&
		(data[2] == ' ' || data[2] == '\t' || data[2] == '\n' || data[2] == '\r') {
		return "Netpbm image"
	}
	// PCX: manufacturer 10, a version PIL knows, RLE encoding, 1–8 bits.
	if len(data) >= 4 && data[0] == 10 && (data[1] <= 5 && data[1] != 1) && data[2] == 1 &&
		(data[3] == 1 || data[3] == 2 || data[3] == 4 || data[3] == 8) {
		return "PCX image"
	}
	return ""
}
