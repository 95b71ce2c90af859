//go:build !amd64 || !gc || purego

package preprocess

// usePlanar is false: the interleaved path is as fast in Go.
var usePlanar = false

func yccPlanar(y, cb, cr, r, g, b []uint8)                  { yccPlanarGo(y, cb, cr, r, g, b) }
func hresample3(out []uint8, pix []uint8, ps int, p *hplan) { hresample3Go(out, pix, ps, p) }
func accRow(a []int32, h []uint8, kv int32)                 { accRowGo(a, h, kv) }
