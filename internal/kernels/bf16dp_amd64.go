//go:build amd64 && gc && !purego

package kernels

import "unsafe"

// The VDPBF16PS path of the bf16 Linear. VDPBF16PS adds the product of
// a pair's second (odd) elements first, so with both operands' pairs in
// their natural order (k, k+1) it adds k+1 first, the order of the other
// bf16 paths: the bf16 form holds W's pairs in that order while this
// path runs it (pairOrder), so the tile reads W's rows in place, and the
// activations are converted per call into token panels of natural pairs
// (bf16PairsNat). A 12×32 register tile of VDPBF16PS (bf16dp_amd64.s)
// runs over each K block and adds the bias and the tile's earlier sums
// in the float32 kernels' order. It sums each output in the generic
// code's order (K pairs in order, K blocks as blockBF16 cuts them), each
// VDPBF16PS adding its two exact products one after the other, so its
// results are the generic bits — except that VDPBF16PS treats subnormal
// inputs as zero and flushes subnormal results (|v| < 2⁻¹²⁶) to zero,
// where the generic code keeps them (TestBF16DPSubnormal).
//
// It runs where VDPBF16PS retires more FLOPs than the FMA: AMD Zen 4 and
// Zen 5 (twice the FMA's, issue #18's table) — AVX512_BF16 on an AMD CPU
// without AMX. On Intel CPUs with AVX512_BF16 (Cooper Lake; Sapphire
// Rapids and later when AMX is not usable) VDPBF16PS runs at half the
// FMA's FLOPs and the FMA path (blockBF16) is faster.

// hasDPBF16: the VDPBF16PS path runs bf16 Linear calls that AMX does
// not (AVX512_BF16 on an AMD CPU, with the AVX-512 kernels: dpFits);
// tests and benchmarks flip it.
var hasDPBF16 = hasBF16 && isAMD()

// isAMD reports whether CPUID's vendor string (leaf 0's EBX, EDX, ECX)
// is "AuthenticAMD".
func isAMD() bool {
	_, b, c, d := cpuid(0, 0)
	return b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163 // "Auth" "enti" "cAMD"
}

// bf16dpKernelAVX512 is the VDPBF16PS tile: for W rows i < 12 (bf16
// rows ldw bytes apart) and tokens j < 32 of the panel x [kp2][32][2],
// both in natural pairs, and the tile c [12][32],
//
//	acc := Σ_{p < kp2} (x[p][j][1]·w[i][2p+1] + x[p][j][0]·w[i][2p])
//	if flags&kBias != 0 { acc += bias[i] }
//	if flags&kLoad != 0 { acc = c[i·32+j] + acc }
//	c[i·32+j] = acc
//
// the sum added in order of p from zero, each pair by one VDPBF16PS (the
// product at 2p+1 first, then 2p, each addition rounded); kp2 ≥ 1. With
// wide = 0 the sums of tokens j ≥ 16 are 0 (c's padding tokens there).
// With flags&kPrefetchC it first prefetches c's 24 lines, which kLoad
// reads after the loop (from memory for a residual added to).
//
//go:noescape
func bf16dpKernelAVX512(kp2 int, w *uint16, ldw int, x *uint16, c *float32, wide int, bias *float32, flags int)

// dpL1Row is how many bytes of each of the next micro-panel's rows (its
// K block) the last tile of a micro-panel prefetches into L1 (blockDP):
// 512, a third of a K block of 768, and 1024 measured slower.
const dpL1Row = 512

// bf16dpKernelPfAVX512 is bf16dpKernelAVX512 with wide = 1 that also
// prefetches into L2, every two K pairs, an address pfStep bytes after
// the last, from pf, through segments of pfSeg bytes pfSkip bytes apart
// (pfLeft bytes left in the first): a stretch of the next W micro-panel,
// whose rows' K blocks are the segments (microKernelPf's scheme).
//
//go:noescape
func bf16dpKernelPfAVX512(kp2 int, w *uint16, ldw int, x *uint16, c *float32, bias *float32, flags int, pf *uint16, pfStep, pfLeft, pfSeg, pfSkip int)

// bf16dpKernelPf0AVX512 is bf16dpKernelPfAVX512 prefetching into L1.
//
//go:noescape
func bf16dpKernelPf0AVX512(kp2 int, w *uint16, ldw int, x *uint16, c *float32, bias *float32, flags int, pf *uint16, pfStep, pfLeft, pfSeg, pfSkip int)

// bf16dpKernelPfXAVX512 is bf16dpKernelAVX512 with wide = 1 that also
// prefetches into L2 the 128·(kp2/2)·2 bytes from pf, 256 every two K
// pairs: the next token panel's K block, a tile ahead.
//
//go:noescape
func bf16dpKernelPfXAVX512(kp2 int, w *uint16, ldw int, x *uint16, c *float32, bias *float32, flags int, pf *uint16)

// swapPairsAVX512 writes src[2i+1], src[2i] to dst[2i], dst[2i+1], i < 16·n32.
//
//go:noescape
func swapPairsAVX512(dst, src *uint16, n32 int)

// swapPairs is swapPairsGeneric, by AVX-512 where the CPU has it; dst
// may be src (pairOrder turns a form over in place).
func swapPairs(dst, src []uint16) {
	if !hasAVX512 {
		swapPairsGeneric(dst, src)
		return
	}
	n32 := len(dst) / 32
	if n32 > 0 {
		_ = src[32*n32-1]
		swapPairsAVX512(&dst[0], &src[0], n32)
	}
	swapPairsGeneric(dst[32*n32:], src[32*n32:])
}

// dpFits reports whether the VDPBF16PS path runs a bf16 Linear on ISA s
// (not taken by AMX).
func dpFits(s isa) bool { return hasDPBF16 && s == isaAVX512 }

// blockDP computes W micro-panels of mrDP rows [w0, w1) × token panels
// [x0, x1) with the VDPBF16PS tile, in blockBF16's K blocks, W read in
// place from the bf16 form in natural pairs (or, when dpCopiesW, per K
// block and micro-panel copied into ws.wp), and per tile the sums with,
// as the float32 kernels add them, the bias (last block) and the tile's
// earlier sums; on a last micro-panel of fewer rows, the sums into ws.acc
// and that epilogue by tileAddAVX512.
func (g *lowJob) blockDP(ws *lowScratch, w0, w1, x0, x1 int) {
	f := g.f
	acc := (*float32)(unsafe.Pointer(&ws.acc[0])) // [12][32], sized by linearLow
	_ = ws.acc[mrDP*nr-1]
	aliased := dpCopiesW(f.kp)
	for pc := 0; pc < g.kp; pc += g.kc {
		kb := min(g.kc, g.kp-pc)
		last := pc+kb == g.kp
		for ir := w0; ir < w1; ir++ {
			r0 := ir * mrDP
			mr := min(mrDP, g.n-r0)
			flags := 0
			bp := &zeroBias[0]
			if last && g.bias != nil {
				flags |= kBias
				bp = &g.bias[r0]
			}
			// [12][ldw] the micro-panel's K block; rows past N: lowPad zero rows
			wp, ldw := f.bf[r0*f.kp+pc:], f.kp
			_ = wp[(mrDP-1)*ldw+kb-1]
			if aliased {
				wld := g.kc + 32 // breaks the 4 KiB aliasing
				for i := range mrDP {
					copy(ws.wp[i*wld:i*wld+kb], wp[i*ldw:])
				}
				wp, ldw = ws.wp, wld
			}
			// Prefetches by the 12×32 tiles (the full panels, all but
			// a narrow last): in a pass's first micro-panel, where x comes
			// from L3 (from L2 after), each tile the next token panel's K
			// block into L2; else the next micro-panel's K block na
			// [12][kb] (rows f.kp apart: from L3 or memory, each W row
			// read once a task) into L2, pfStep bytes every two K pairs
			// through the tiles of token panels x0+pf0…x0+pf1−1 (in a
			// first micro-panel the last tile's alone, from its start),
			// and the first dpL1Row bytes of its rows into L1 by the
			// last tile, before the next tile reads them (not in a pass's
			// first micro-panel, nor with a single full tile).
			full := fullPanels(g.m, x0, x1)
			pfX := dpPrefetchX && ir == w0
			var na []uint16
			pfStep, pf0, pf1, l1 := 0, 0, full, false
			if dpPrefetchW && ir+1 < w1 && full > 0 && kb >= 4 {
				na = f.bf[(r0+mrDP)*f.kp+pc:]
				switch {
				case pfX:
					pf0 = full - 1
				case full >= 2:
					pf1, l1 = full-1, true
				}
				pfStep = min(64, (mrDP*kb*2+(pf1-pf0)*(kb/4)-1)/((pf1-pf0)*(kb/4)))
			}
			for jr := x0; jr < x1; jr++ {
				fl := flags
				if pc > 0 || g.y != nil && g.accumulate {
					fl |= kLoad
					if dpPrefetchC {
						fl |= kPrefetchC
					}
				}
				var t []float32
				switch {
				case g.y != nil:
					t = g.y.P[(jr*g.n+r0)*nr:]
				case g.kc >= g.kp:
					t = ws.tile // one K block: each tile is finished at once, in L1
				default:
					t = g.tileAt(ws, ir-w0, jr-x0, x1-x0) // a task's tiles stay in yt between K blocks
				}
				_ = t[mr*nr-1]
				xp := g.xp[(jr*g.kp+pc)*nr:]
				_ = xp[kb*nr-1]
				wide := 0 // the 12×16 tile for a last panel of ≤ 16 tokens
				if g.m-jr*nr > 16 {
					wide = 1
				}
				switch {
				case mr == mrDP && wide == 1 && pfX && jr+1-x0 < full:
					nx := g.xp[((jr+1)*g.kp+pc)*nr:]
					_ = nx[kb*nr-1]
					bf16dpKernelPfXAVX512(kb/2, &wp[0], 2*ldw, &xp[0], &t[0], bp, fl, &nx[0])
				case mr == mrDP && wide == 1 && l1 && jr-x0 == full-1:
					seg := min(dpL1Row, kb*2)
					bf16dpKernelPf0AVX512(kb/2, &wp[0], 2*ldw, &xp[0], &t[0], bp, fl, &na[0], min(64, (mrDP*seg+kb/4-1)/(kb/4)), seg, seg, f.kp*2-seg)
				case mr == mrDP && wide == 1 && na != nil:
					at := min((jr-x0-pf0)*(kb/4)*pfStep, mrDP*kb*2-4) // bytes into na's rows end to end
					r, in := at/(kb*2), at%(kb*2)&^3
					bf16dpKernelPfAVX512(kb/2, &wp[0], 2*ldw, &xp[0], &t[0], bp, fl, &na[r*f.kp+in/2], pfStep, kb*2-in, kb*2, (f.kp-kb)*2)
				case mr == mrDP:
					bf16dpKernelAVX512(kb/2, &wp[0], 2*ldw, &xp[0], &t[0], wide, bp, fl)
				default: // the last rows: the sums alone, then the epilogue on mr rows
					bf16dpKernelAVX512(kb/2, &wp[0], 2*ldw, &xp[0], acc, wide, &zeroBias[0], 0)
					tileAddAVX512(acc, &t[0], mr, bp, fl&^kPrefetchC)
				}
				if last {
					g.finishTile(ws, t, r0, mr, jr)
				}
			}
		}
	}
}

// bf16dpShortAVX512 is bf16dpKernelAVX512 on rows = 4 or 8 W rows, the
// sums alone (no bias, no earlier sums):
//
//	c[i·32+j] = Σ_{p < kp2} (x[p][j][1]·w[i][2p+1] + x[p][j][0]·w[i][2p])   i < rows
//
// in the same order, each pair by one VDPBF16PS; with wide = 0 the sums
// of tokens j ≥ 16 are 0. Unless m is nil, m[j] = max(m[j], c[i·32+j]
// for i < rows), j < 32.
//
//go:noescape
func bf16dpShortAVX512(kp2 int, w *uint16, ldw int, x *uint16, c *float32, wide, rows int, m *float32)

// bf16dpMaxAVX512 is bf16dpKernelAVX512 with flags 0 (the sums alone,
// from zero), their column maxima merged into m [32]: m[j] = max(m[j],
// c[i·32+j] for i < 12). Between its K pairs it asks for the cache lines
// (64 bytes) pf, pf+64, … into L2, lines ≤ kp2 of them, one a pair (a
// prefetch spread across the tile's work rather than a burst before it;
// pf any address with lines 0).
//
//go:noescape
func bf16dpMaxAVX512(kp2 int, w *uint16, ldw int, x *uint16, c *float32, wide int, m *float32, pf *float32, lines int)

// dpRows computes rows [0, rows) of c [rows][32] (rows ≥ 1) with the
// VDPBF16PS tile, 12 rows a call: c[i][j] = Σ_{p < kp2} the pair products
// of row i of a (bf16 in pairs, rows lda values apart) and token j of b
// [kp2][32][2], from zero. The rows past the last multiple of 12 take one
// more call of 4, 8 or 12 rows (bf16dpShortAVX512 or the tile), ending at
// rows: it writes again the same values of the rows it shares with the
// one before; with rows < 12 a and c must hold 12 rows (a's past rows
// may be read, c's written). wide false: only tokens 0–15 (16–31 of c set
// to zero). Every row's sums are the tile's, whichever call makes them.
// Unless mx is nil (it must be for rows < 12, where the one call's rows
// past rows would enter the maxima), mx [32] gets the maxima of the
// columns of c: mx[j] = max(mx[j], c[i][j] for i < rows), VMAXPS in an
// order of the tiles'. Unless pf is nil, step lines of it are asked for
// during or before each 12-row tile (during: at most kp2, within a
// block of the queue, with mx).
func dpRows(a []uint16, lda int, b []uint16, kp2 int, c []float32, rows int, wide bool, mx []float32, pf *lineQueue, step int) {
	w := 0
	if wide {
		w = 1
	}
	_, _, _ = a[(max(rows, mrDP)-1)*lda+2*kp2-1], b[kp2*2*nr-1], c[max(rows, mrDP)*nr-1]
	var m *float32
	if mx != nil {
		if rows < mrDP {
			panic("kernels: dpRows: maxima of fewer than 12 rows")
		}
		_ = mx[nr-1]
		m = &mx[0]
	}
	tile := func(r int) {
		if m != nil {
			p, n := &c[r*nr], 0 // lines of pf that the tile asks for between its K pairs
			if pf != nil && pf.n > 0 {
				var off int
				off, n = pf.next(min(step, kp2))
				p = &pf.p[off]
			}
			bf16dpMaxAVX512(kp2, &a[r*lda], 2*lda, &b[0], &c[r*nr], w, m, p, n)
			return
		}
		if pf != nil {
			pf.ask(step)
		}
		bf16dpKernelAVX512(kp2, &a[r*lda], 2*lda, &b[0], &c[r*nr], w, &zeroBias[0], 0)
	}
	r := 0
	for ; r+mrDP <= rows; r += mrDP {
		tile(r)
	}
	switch rem := rows - r; {
	case rem == 0:
	case rem <= 4:
		r = max(rows-4, 0)
		bf16dpShortAVX512(kp2, &a[r*lda], 2*lda, &b[0], &c[r*nr], w, 4, m)
	case rem <= 8:
		r = max(rows-8, 0)
		bf16dpShortAVX512(kp2, &a[r*lda], 2*lda, &b[0], &c[r*nr], w, 8, m)
	default:
		tile(max(rows-mrDP, 0))
	}
}
