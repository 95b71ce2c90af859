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
