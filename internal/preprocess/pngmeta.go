package preprocess

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
)

// maxPNGText bounds how much of one compressed text chunk is inflated
// when looking for orientation (PIL's MAX_TEXT_CHUNK is 1 MiB too).
const maxPNGText = 1 << 20

// pngOrientation finds the orientation PIL 9.4's getexif() reports for a
// PNG, in its order: the eXIf chunk; else ImageMagick's "Raw profile type
// exif" text (hex of the Exif block after three header lines); then, if
// neither holds tag 0x0112, the first tiff:Orientation="d" or
// tiff:Orientation>d in the XMP text "XML:com.adobe.xmp". Text keys may
// come in tEXt, zTXt or iTXt chunks; a later chunk of the same key wins,
// as in PIL's info dict. Values outside 1–8 mean no rotation.
func pngOrientation(data []byte) int {
	var exif, raw, xmp []byte
	for i := 8; i+8 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[i:]))
		typ := string(data[i+4 : i+8])
		if n < 0 || n > len(data)-i-12 {
			break
		}
		body := data[i+8 : i+8+n]
		switch typ {
		case "eXIf":
			if exif == nil {
				exif = body
			}
		case "tEXt", "zTXt", "iTXt":
			switch key, text := pngText(typ, body); key {
			case "Raw profile type exif":
				raw = text
			case "XML:com.adobe.xmp":
				xmp = text
			}
		}
		if typ == "IEND" {
			break
		}
		i += 12 + n
	}
	if exif == nil && raw != nil {
		exif = rawProfileExif(raw)
	}
	v, present := exifOrientationTag(bytes.TrimPrefix(exif, []byte("Exif\x00\x00")))
	if !present && xmp != nil {
		v = xmpOrientation(xmp)
	}
	if v < 1 || v > 8 {
		return 1
	}
	return v
}

// pngText returns the keyword and text of a tEXt, zTXt or iTXt chunk body
// (text nil when it cannot be read), inflating at most maxPNGText bytes.
func pngText(typ string, body []byte) (key string, text []byte) {
	k, rest, ok := bytes.Cut(body, []byte{0})
	if !ok {
		return "", nil
	}
	compressed := false
	switch typ {
	case "zTXt": // method byte, then zlib data
		if len(rest) < 1 || rest[0] != 0 {
			return string(k), nil
		}
		rest, compressed = rest[1:], true
	case "iTXt": // flag, method, language\0, translated keyword\0, text
		if len(rest) < 2 {
			return string(k), nil
		}
		compressed = rest[0] == 1
		_, rest, _ = bytes.Cut(rest[2:], []byte{0})
		_, rest, ok = bytes.Cut(rest, []byte{0})
		if !ok {
			return string(k), nil
		}
	}
	if !compressed {
		return string(k), rest
	}
	zr, err := zlib.NewReader(bytes.NewReader(rest))
	if err != nil {
		return string(k), nil
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxPNGText))
	if err != nil {
		return string(k), nil
	}
	return string(k), out
}

// rawProfileExif decodes ImageMagick's raw profile text as PIL does:
// bytes.fromhex("".join(text.split("\n")[3:])), whitespace allowed between
// byte pairs; nil when that would fail.
func rawProfileExif(text []byte) []byte {
	lines := bytes.SplitN(text, []byte("\n"), 4)
	if len(lines) < 4 {
		return []byte{}
	}
	hex := bytes.ReplaceAll(lines[3], []byte("\n"), nil)
	out := make([]byte, 0, len(hex)/2) // [≤ len(hex)/2] decoded bytes
	for i := 0; i < len(hex); {
		switch hex[i] {
		case ' ', '\t', '\r', '\v', '\f':
			i++
			continue
		}
		if i+1 >= len(hex) {
			return nil
		}
		hi, ok1 := unhex(hex[i])
		lo, ok2 := unhex(hex[i+1])
		if !ok1 || !ok2 {
			return nil
		}
		out = append(out, hi<<4|lo)
		i += 2
	}
	return out
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// xmpOrientation is PIL's re.search(r'tiff:Orientation(="|>)([0-9])'):
// the digit after the first match, or 0.
func xmpOrientation(xmp []byte) int {
	const tag = "tiff:Orientation"
	for {
		i := bytes.Index(xmp, []byte(tag))
		if i < 0 {
			return 0
		}
		r := xmp[i+len(tag):]
		switch {
		case len(r) >= 3 && r[0] == '=' && r[1] == '"' && '0' <= r[2] && r[2] <= '9':
			return int(r[2] - '0')
		case len(r) >= 2 && r[0] == '>' && '0' <= r[1] && r[1] <= '9':
			return int(r[1] - '0')
		}
		xmp = r
	}
}
