//go:build amd64 && gc && !purego

package jpeg

import "golang.org/x/sys/cpu"

// idctAVX2 is idctIslow on a block, writing its 8×8 samples to dst with
// the given stride (dst must hold 7·stride+8 bytes):
//
//	idctIslow(b, unsafe.Slice(dst, 7*stride+8), stride)
//
//go:noescape
func idctAVX2(b *block, dst *byte, stride int)

// idct2x2AVX2 is idct2x2Clear (dst must hold stride+2 bytes):
//
//	idct2x2(b, unsafe.Slice(dst, stride+2), stride)
//	*b = block{}
//
//go:noescape
func idct2x2AVX2(b *block, dst *byte, stride int)

func init() { useAVX2 = cpu.X86.HasAVX2 }

// idct is idctIslow, in assembly where the CPU has AVX2.
func idct(b *block, dst []byte, stride int) {
	if useAVX2 {
		_ = dst[7*stride+7]
		idctAVX2(b, &dst[0], stride)
		return
	}
	idctIslow(b, dst, stride)
}

// idct2x2Clear is idct2x2 and then sets b to zero (for the next
// block), in assembly where the CPU has AVX2.
func idct2x2Clear(b *block, dst []byte, stride int) {
	if useAVX2 {
		_ = dst[stride+1]
		idct2x2AVX2(b, &dst[0], stride)
		return
	}
	idct2x2(b, dst, stride)
	*b = block{}
}
