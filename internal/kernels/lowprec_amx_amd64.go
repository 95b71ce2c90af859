//go:build amd64 && gc && !purego

package kernels

import (
	"sync"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// AMX: the CPU's tile unit multiplies 16×32 bf16 by 32×16 bf16 (TDPBF16PS)
// or 16×64 s8 by 64×16 u8 (TDPBSUD) in one instruction, many times the
// rate of VDPBF16PS and VPDPBUSD. Linux hands its 8 KiB of tile state to a
// process only on request (arch_prctl ARCH_REQ_XCOMP_PERM), made once, the
// first time a bf16 or int8 Linear could use it.

// hasAMX: the CPU has AMX-BF16 and AMX-INT8 (with AVX-512 for the
// epilogues); amxUsable also needs the kernel's permission. Tests flip it.
var hasAMX = cpu.X86.HasAMXTile && cpu.X86.HasAMXBF16 && cpu.X86.HasAMXInt8 &&
	cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW

var (
	amxOnce sync.Once
	amxOK   bool
)

// amxUsable reports whether the AMX kernels may run (asking Linux for the
// tile state the first time).
func amxUsable() bool {
	if !hasAMX || !hasAVX512 { // (tests and SetISA turn AVX-512 off)
		return false
	}
	amxOnce.Do(func() { amxOK = requestAMX() }) // (hasAMX as the CPU has it: tests only turn it off)
	return amxOK
}

// amxConfig is the tile configuration (LDTILECFG's 64 bytes, palette 1):
// tiles 0–7 of 16 rows of 64 bytes.
type amxConfig [64]byte

var amxCfg = func() (c amxConfig) {
	c[0] = 1 // palette
	for t := range 8 {
		c[16+2*t] = 64 // colsb[t], little-endian uint16
		c[48+t] = 16   // rows[t]
	}
	return c
}()

// amxKernel: see lowprec_amx_amd64.s.
//
//go:noescape
func amxKernel(op int, cfg *amxConfig, a unsafe.Pointer, lda, astride int, b unsafe.Pointer, bstride int, c unsafe.Pointer, ksteps int, panels int)

// tileAddAVX512 is the bf16 AMX epilogue on rows rows of 32 values:
//
//	v := src[i·32+j]; if flags&kBias != 0 { v += bias[i] }
//	if flags&kLoad != 0 { v = dst[i·32+j] + v }; dst[i·32+j] = v
//
//go:noescape
func tileAddAVX512(src, dst *float32, rows int, bias *float32, flags int)

// bf16PairsAVX512 is bf16Pairs for pairs ≥ 1 row pairs (nat ≠ 0:
// bf16PairsNat).
//
//go:noescape
func bf16PairsAVX512(dst *uint16, src *float32, pairs int, nat int)

// amxFits reports whether the AMX kernels take a K of kp (bf16: whole
// steps of 32; int8: of 64).
func amxFits(p Precision, kp int) bool {
	if !amxUsable() {
		return false
	}
	if p == BF16 {
		return kp%32 == 0
	}
	return kp%64 == 0
}

// blockAMX computes W blocks of 32 rows [w0, w1) × token panels [x0, x1)
// with the tile kernels: each W block against all the panels in one call,
// then each [32][32] result through the epilogue into its tile.
func (g *lowJob) blockAMX(ws *lowScratch, w0, w1, x0, x1 int) {
	f, kp, nx := g.f, g.kp, x1-x0
	_ = ws.acc[nx*amxRows*nr-1] // [nx][32][32], sized by linearLow
	load := g.y != nil && g.accumulate
	flags := 0
	if g.bias != nil {
		flags |= kBias
	}
	if load {
		flags |= kLoad
	}
	for ir := w0; ir < w1; ir++ {
		r0 := ir * amxRows
		mr := min(amxRows, g.n-r0)
		bp := &zeroBias[0]
		if g.bias != nil {
			if mr < amxRows {
				clear(ws.bias[:])
				copy(ws.bias[:], g.bias[r0:r0+mr])
				bp = &ws.bias[0]
			} else {
				bp = &g.bias[r0]
			}
		}
		if g.prec == BF16 {
			amxKernel(0, &amxCfg, unsafe.Pointer(&f.bf[r0*kp]), 2*kp, 0, unsafe.Pointer(&g.xp[x0*kp*nr]), 2*kp*nr,
				unsafe.Pointer(&ws.acc[0]), kp/32, nx)
		} else {
			amxKernel(1, &amxCfg, unsafe.Pointer(&f.q[r0*kp]), kp, 0, unsafe.Pointer(&g.xq[x0*kp*nr]), kp*nr,
				unsafe.Pointer(&ws.acc[0]), kp/64, nx)
		}
		for jr := x0; jr < x1; jr++ {
			t := g.tileFor(ws, r0, mr, amxRows, jr, load)
			_ = t[amxRows*nr-1]
			acc := unsafe.Pointer(&ws.acc[(jr-x0)*amxRows*nr])
			if g.prec == BF16 {
				tileAddAVX512((*float32)(acc), &t[0], amxRows, bp, flags)
			} else {
				q8EpilogueAVX512((*int32)(acc), &t[0], amxRows, &f.sw[r0], &f.sum[r0], &g.sx[jr*nr], &g.zx[jr*nr], bp, flags, 1)
			}
			g.finishTile(ws, t, r0, mr, jr)
		}
	}
}

func bf16PairsFast(dst []uint16, src []float32, pairs int, nat bool) int {
	if !hasAVX512 || pairs == 0 {
		return 0
	}
	_, _ = dst[pairs*2*nr-1], src[2*pairs*nr-1]
	n := 0
	if nat {
		n = 1
	}
	bf16PairsAVX512(&dst[0], &src[0], pairs, n)
	return 2 * pairs
}

// amxPeakLoop runs n rounds of 4 independent TDPBF16PS (op 0) or
// TDPBSUD (op 1) on zero tiles.
//
//go:noescape
func amxPeakLoop(op int, cfg *amxConfig, n int)

// amxRounds runs about n rounds of the AMX loop of precision p and
// returns the operations done, 0 when AMX is not usable.
func amxRounds(p Precision, n int) float64 {
	if !amxUsable() {
		return 0
	}
	if p == BF16 {
		amxPeakLoop(0, &amxCfg, n)
		return 4 * 16 * 16 * 32 * 2 * float64(n)
	}
	amxPeakLoop(1, &amxCfg, n)
	return 4 * 16 * 16 * 64 * 2 * float64(n)
}
