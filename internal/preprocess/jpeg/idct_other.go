//go:build !amd64 || !gc || purego

package jpeg

// idct is idctIslow.
func idct(b *block, dst []byte, stride int) { idctIslow(b, dst, stride) }
