package preprocess

import (
	"bytes"
	"fmt"
	"testing"
)

// TestPlanarResample compares the planar horizontal pass (assembly where
// present, and its Go form) with resampleRow, for every filter, up- and
// downscaling, windows cut at both edges and sizes around the block of 16.
func TestPlanarResample(t *testing.T) {
	seed := uint32(3)
	rnd := func() uint8 { seed = seed*1664525 + 1013904223; return uint8(seed >> 24) }
	for _, f := range []Filter{Nearest, Box, Bilinear, Hamming, Bicubic, Lanczos} {
		for _, sz := range [][2]int{{1, 1}, {5, 3}, {17, 16}, {16, 17}, {33, 7}, {100, 224}, {4000, 224}, {641, 9}} {
			in, out := sz[0], sz[1]
			fl := filterOf(f)
			for _, win := range [][2]int{{0, out}, {out / 3, out - out/4}} {
				if win[0] >= win[1] {
					continue
				}
				c := precompute(in, out, fl, win[0], win[1])
				hp := newHPlan(c)
				ps := in + 16*hp.nblk
				planes := make([]uint8, 3*ps)
				row := make([]uint8, 3*in)
				for i := range planes {
					planes[i] = rnd()
				}
				for x := 0; x < in; x++ {
					for ch := 0; ch < 3; ch++ {
						row[3*x+ch] = planes[ch*ps+x]
					}
				}
				n := win[1] - win[0]
				want := make([]uint8, 3*n)
				resampleRow(want, row, c, 3)
				for _, impl := range []struct {
					name string
					f    func([]uint8, []uint8, int, *hplan)
				}{{"go", hresample3Go}, {"dispatch", hresample3}} {
					got := make([]uint8, 3*n)
					impl.f(got, planes, ps, hp)
					if !bytes.Equal(got, want) {
						t.Fatalf("%s filter %d %d→%d window %v:\n got %v\nwant %v", impl.name, f, in, out, win, got, want)
					}
				}
			}
		}
	}
}

// TestYccPlanar compares yccPlanar with yccRow on every (Y, Cb, Cr) edge
// value and random rows of lengths around the block of 8.
func TestYccPlanar(t *testing.T) {
	var y, cb, cr []uint8
	for _, v := range []int{0, 1, 16, 127, 128, 129, 235, 240, 254, 255} {
		for _, u := range []int{0, 1, 16, 127, 128, 129, 235, 240, 254, 255} {
			for _, w := range []int{0, 1, 16, 127, 128, 129, 235, 240, 254, 255} {
				y, cb, cr = append(y, uint8(v)), append(cb, uint8(u)), append(cr, uint8(w))
			}
		}
	}
	seed := uint32(9)
	for i := 0; i < 4099; i++ {
		seed = seed*1664525 + 1013904223
		y, cb, cr = append(y, uint8(seed>>24)), append(cb, uint8(seed>>16)), append(cr, uint8(seed>>8))
	}
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 1000, len(y)} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			want := make([]uint8, 3*n)
			yccRow(y[:n], cb[:n], cr[:n], want, 3)
			r, g, b := make([]uint8, n), make([]uint8, n), make([]uint8, n)
			yccPlanar(y[:n], cb[:n], cr[:n], r, g, b)
			for x := 0; x < n; x++ {
				if r[x] != want[3*x] || g[x] != want[3*x+1] || b[x] != want[3*x+2] {
					t.Fatalf("pixel %d (%d,%d,%d): %d %d %d, want %v", x, y[x], cb[x], cr[x], r[x], g[x], b[x], want[3*x:3*x+3])
				}
			}
		})
	}
}

// TestAccRow compares accRow (assembly where the CPU has AVX2) with
// accRowGo on every length to 40 and weights of both signs, including
// products that wrap int32.
func TestAccRow(t *testing.T) {
	seed := uint32(3)
	rnd := func() uint32 { seed = seed*1664525 + 1013904223; return seed }
	for n := 0; n <= 40; n++ {
		for _, kv := range []int32{0, 1, -1, 1 << 21, -(1 << 22) + 5, 1<<31 - 1, -1 << 31, int32(rnd())} {
			h := make([]uint8, n)
			want := make([]int32, n)
			for i := range h {
				h[i] = uint8(rnd() >> 24)
				want[i] = int32(rnd())
			}
			got := append([]int32(nil), want...)
			accRowGo(want, h, kv)
			accRow(got, h, kv)
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("n=%d kv=%d: a[%d] = %d, want %d", n, kv, i, got[i], want[i])
				}
			}
		}
	}
}
