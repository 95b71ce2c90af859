//go:build amd64 && gc && !purego

package preprocess

import "golang.org/x/sys/cpu"

// usePlanar selects the planar AVX2 path (set once in init; tests clear
// it to compare with the interleaved Go path).
var usePlanar = cpu.X86.HasAVX2

// yccPlanarAVX2 is yccPlanarGo on n samples, n a multiple of 8:
//
//	yccPlanarGo(y[:n], cb[:n], cr[:n], r[:n], g[:n], b[:n])
//
//go:noescape
func yccPlanarAVX2(y, cb, cr, outR, outG, outB *uint8, n int)

// hresample3AVX2 is hresample3Go(out[:3·n], pix, ps, p) for n = p.n
// outputs, with w = &p.w[0], xmin = &p.xmin[0] and nblk = p.nblk (≥ 1).
//
//go:noescape
func hresample3AVX2(out *uint8, n int, pix *uint8, ps int, xmin *int32, w *int16, nblk int)

// yccPlanar is yccPlanarGo, in assembly on all but the last n%8 samples.
func yccPlanar(y, cb, cr, r, g, b []uint8) {
	n := len(y) &^ 7
	if n > 0 {
		_, _, _, _, _ = cb[n-1], cr[n-1], r[n-1], g[n-1], b[n-1]
		yccPlanarAVX2(&y[0], &cb[0], &cr[0], &r[0], &g[0], &b[0], n)
	}
	yccPlanarGo(y[n:], cb[n:], cr[n:], r[n:], g[n:], b[n:])
}

// hresample3 is hresample3Go in assembly.
func hresample3(out []uint8, pix []uint8, ps int, p *hplan) {
	if p.n == 0 {
		return
	}
	_ = out[3*p.n-1]
	// The last window read: xmin + 16·nblk samples of the B plane.
	_ = pix[2*ps+int(p.xmin[p.n-1])+16*p.nblk-1]
	hresample3AVX2(&out[0], p.n, &pix[0], ps, &p.xmin[0], &p.w[0], p.nblk)
}

// accRowAVX2 is accRowGo on n samples, n a multiple of 8:
//
//	accRowGo(unsafe.Slice(a, n), unsafe.Slice(h, n), kv)
//
//go:noescape
func accRowAVX2(a *int32, h *uint8, n int, kv int32)

var useAccAVX2 = cpu.X86.HasAVX2

// accRow is accRowGo, in assembly on all but the last len(h)%8 samples
// where the CPU has AVX2.
func accRow(a []int32, h []uint8, kv int32) {
	n := len(h) &^ 7
	if n > 0 && useAccAVX2 {
		_ = a[n-1]
		accRowAVX2(&a[0], &h[0], n, kv)
		a, h = a[n:], h[n:]
	}
	accRowGo(a, h, kv)
}
