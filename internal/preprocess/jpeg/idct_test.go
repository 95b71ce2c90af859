package jpeg

import (
	"bytes"
	"testing"
)

// forEachISA runs fn once with the Go code and once with the assembly
// the CPU has, restoring the selection after.
func forEachISA(t *testing.T, fn func(t *testing.T)) {
	avx2, bmi2 := useAVX2, useBMI2
	defer func() { useAVX2, useBMI2 = avx2, bmi2 }()
	useAVX2, useBMI2 = false, false
	t.Run("go", fn)
	if avx2 || bmi2 {
		useAVX2, useBMI2 = avx2, bmi2
		t.Run("asm", fn)
	}
}

// TestIDCT compares idct with idctIslow on blocks of every kind: zero
// rows and columns (the shortcuts), typical coefficients, extremes that
// wrap int32 and leave the range-limit table's range; written at an odd
// offset and stride into a guarded buffer.
func TestIDCT(t *testing.T) {
	forEachISA(t, func(t *testing.T) {
		forEachTestBlock(func(n int, b block) {
			const stride, off = 13, 3
			want := bytes.Repeat([]byte{0xa5}, off+7*stride+8+5)
			got := bytes.Clone(want)
			in := b
			idctIslow(&in, want[off:], stride)
			in = b
			idct(&in, got[off:], stride)
			if !bytes.Equal(got, want) {
				t.Fatalf("block %d %v:\n got %v\nwant %v", n, b, got, want)
			}
		})
	})
}

// TestIDCT2x2 compares idct2x2Clear with idct2x2 as TestIDCT does idct,
// and checks that it leaves the block zero.
func TestIDCT2x2(t *testing.T) {
	forEachISA(t, func(t *testing.T) {
		forEachTestBlock(func(n int, b block) {
			const stride, off = 13, 3
			want := bytes.Repeat([]byte{0xa5}, off+stride+2+5)
			got := bytes.Clone(want)
			in := b
			idct2x2(&in, want[off:], stride)
			in = b
			idct2x2Clear(&in, got[off:], stride)
			if !bytes.Equal(got, want) {
				t.Fatalf("block %d %v:\n got %v\nwant %v", n, b, got, want)
			}
			if in != (block{}) {
				t.Fatalf("block %d %v: left %v", n, b, in)
			}
		})
	})
}

// forEachTestBlock calls fn with 20000 blocks of every kind: zero rows
// and columns (the shortcuts), typical coefficients, extremes that wrap
// int32 and leave the range-limit table's range.
func forEachTestBlock(fn func(n int, b block)) {
	seed := uint32(7)
	rnd := func() uint32 { seed = seed*1664525 + 1013904223; return seed >> 1 }
	for n := 0; n < 20000; n++ {
		var b block
		switch n % 5 {
		case 0: // DC only
			b[0] = int32(rnd()%4096) - 2048
		case 1: // typical: few low-frequency coefficients
			for k := 0; k < int(rnd()%12); k++ {
				b[rnd()%64] = int32(rnd()%512) - 256
			}
		case 2: // dense, natural range
			for i := range b {
				b[i] = int32(rnd()%2048) - 1024
			}
		case 3: // zero rows and columns
			r, c := rnd()%8, rnd()%8
			for i := range b {
				if i/8 == int(r) || i%8 == int(c) {
					b[i] = int32(rnd()%8192) - 4096
				}
			}
		case 4: // anything: int32 wrap-around
			for i := range b {
				b[i] = int32(rnd()<<1 ^ rnd())
			}
		}
		fn(n, b)
	}
}

func BenchmarkIDCT(b *testing.B) {
	var blk block
	for i := range blk {
		blk[i] = int32(i*37%200) - 100
	}
	dst := make([]byte, 64)
	for i := 0; i < b.N; i++ {
		idct(&blk, dst, 8)
	}
}
