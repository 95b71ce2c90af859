//go:build !amd64 || !gc || purego

package jpeg

// idct is idctIslow.
func idct(b *block, dst []byte, stride int) { idctIslow(b, dst, stride) }

// idct2x2Clear is idct2x2 and then sets b to zero (for the next block).
func idct2x2Clear(b *block, dst []byte, stride int) {
	idct2x2(b, dst, stride)
	*b = block{}
}
