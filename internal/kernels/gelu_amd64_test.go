//go:build amd64 && gc && !purego

package kernels

import (
	"encoding/binary"
	"hash/crc32"
	"math"
	"slices"
	"testing"
)

// geluBitsChunks are the 2^16-value chunks of float32 bit patterns (by
// their high 16 bits) that the short digest runs besides every 61st: ±0
// and the subnormals, the smallest normals, ±16 (the |x| clamp), −14.5
// (where Φ underflows), −13.2, ±Inf and the NaNs.
var geluBitsChunks = []int{0x0000, 0x8000, 0x0080, 0x8080, 0x4180, 0xc180, 0xc168, 0xc153, 0x7f80, 0xff80, 0x7fc0, 0xffc0}

// geluDigest returns the CRC-32C of the results of gelu on every float32
// bit pattern (short: on the chunks above and every 61st), the values of
// each chunk passed in consecutive calls of 1 to 300 values, so that
// every code path of the kernel runs.
func geluDigest(gelu func(x []float32), short bool) uint32 {
	const chunk = 1 << 16
	x := make([]float32, chunk) // [chunk] inputs, then results
	b := make([]byte, 4*chunk)  // [chunk] results, little-endian
	tab := crc32.MakeTable(crc32.Castagnoli)
	crc := uint32(0)
	for c := range 1 << 16 {
		if short && c%61 != 0 && !slices.Contains(geluBitsChunks, c) {
			continue
		}
		for i := range x {
			x[i] = math.Float32frombits(uint32(c)<<16 | uint32(i))
		}
		for i, j := 0, 0; i < chunk; j++ {
			n := min(chunk-i, 1+(7*c+13*j)%300)
			gelu(x[i : i+n])
			i += n
		}
		for i, v := range x {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
		}
		crc = crc32.Update(crc, tab, b)
	}
	return crc
}

// TestGELUAVX512Bits holds geluAVX512 to the bits it has always produced
// (the digests were recorded from the unpipelined kernel it replaced): a
// CRC-32C of its results on all 2^32 float32 inputs, or under -short on
// about 1/61 of them plus the chunks of geluBitsChunks.
func TestGELUAVX512Bits(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	want := uint32(0x0da175bc)
	if testing.Short() {
		want = 0x05e87f84
	}
	gelu := func(x []float32) { geluAVX512(&x[0], len(x)) }
	if got := geluDigest(gelu, testing.Short()); got != want {
		t.Fatalf("geluAVX512 digest %#08x, want %#08x", got, want)
	}
}

// TestGELUAVX2Bits is TestGELUAVX512Bits for geluAVX2, through Activate
// (which pads the last len mod 8 values to 8); its results differ from
// geluAVX512's where Φ underflows.
func TestGELUAVX2Bits(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	defer setISA(isaAVX2)()
	want := uint32(0xd3e375d5)
	if testing.Short() {
		want = 0xc2437c33
	}
	gelu := func(x []float32) { Activate(ActGELU, x) }
	if got := geluDigest(gelu, testing.Short()); got != want {
		t.Fatalf("geluAVX2 digest %#08x, want %#08x", got, want)
	}
}
