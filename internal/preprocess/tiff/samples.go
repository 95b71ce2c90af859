package tiff

import "fmt"

// checkRGBBits refuses RGB (or YCbCr) samples of one size other than 8 or
// 16 bits (32-bit integers or floats, sub-byte) as unsupported: valid
// files, which the generic checks would call malformed.
func (d *decoder) checkRGBBits() error {
	bits := d.features[tBitsPerSample]
	for _, b := range bits {
		if b != bits[0] {
			return nil // mixed sizes: malformed, said below
		}
	}
	if b := bits[0]; b != 8 && b != 16 {
		return UnsupportedError(fmt.Sprintf("RGB with %d-bit samples", b))
	}
	return nil
}
