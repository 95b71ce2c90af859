//go:build !amd64 || !gc || purego

package jpeg

// idct is idctIslow.
func idct(b *block, dst []byte, stride int) { idctIslow(b, dst, stride) }

// idct2 is idct2x2.
func idct2(b *block, dst []byte, stride int) { idct2x2(b, dst, stride) }
