//go:build amd64 && gc && !purego

package kernels

import "golang.org/x/sys/cpu"

// hasVNNI: the CPU has AVX512_VNNI (VPDPBUSD); tests flip it.
var hasVNNI bool

func init() {
	hasVNNI = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VNNI
}

// q8TileAVX512 is q8Generic on 12 rows for w = 32 (wide ≠ 0) or 16
// tokens, kq4 ≥ 1, into c [12][32] (the first w of each row), bias
// never nil (zeroBias without kBias). During the K loop it asks for
// pfLines lines from pf (the next tile) and pfwLines from pfw (a share
// of the next W micro-panel), a line a step.
//
//go:noescape
func q8TileAVX512(wide int, kq4 int, wq *int8, ldw int, x *uint8, c, sw *float32, wsum *int32, sx *float32, zx *int32, bias *float32, flags int, pf *float32, pfLines int, pfw *int8, pfwLines int)

// q8EpilogueAVX512 is q8Generic's epilogue on rows rows of 32 int32
// sums (wide ≠ 0) or their first 16, rows 32 values apart in acc and dst.
//
//go:noescape
func q8EpilogueAVX512(acc *int32, dst *float32, rows int, sw *float32, wsum *int32, sx *float32, zx *int32, bias *float32, flags int, wide int)

// q8PanelAVX512 is the loop of q8Panel over kq4 ≥ 1 K steps of four:
//
//	dst[(l/4·32 + i)·4 + l%4] = clamp(round(float32(src[l·32+i]·inv[i])) + zx[i], 0, 255)
//
//go:noescape
func q8PanelAVX512(dst *uint8, src *float32, kq4 int, inv *[nr]float32, zx *int32)

// minMaxPanelAVX512 is minMaxPanel for k ≥ 1 rows:
//
//	lo[i] = min(0, src[l·32+i] for l < k); hi[i] = max(…)
//
//go:noescape
func minMaxPanelAVX512(src *float32, k int, lo, hi *[nr]float32)

// bf16PanelAVX512 is bf16Panel for pairs ≥ 1 row pairs:
//
//	dst[(2p+1−r)·32+i] = roundBF16(src[(2p+r)·32+i])   r ∈ {0, 1}
//
//go:noescape
func bf16PanelAVX512(dst, src *float32, pairs int)

// bf16ExpandAVX512 writes dst[i] = float32 of the bf16 src[i], i < 16·n16.
//
//go:noescape
func bf16ExpandAVX512(dst *float32, src *uint16, n16 int)

func q8Fast(w, kq4 int, wq []int8, ldw int, w16 []int16, acc *[mrQ * nr]int32, x []uint8, c, sw []float32, wsum []int32, sx []float32, zx []int32, bias []float32, flags int, pf []float32, pfw []int8) bool {
	if !hasAVX2 {
		return false
	}
	bp := q8BiasPtr(bias, flags)
	if !hasAVX512 || !hasVNNI {
		q8AVX2(w, kq4, wq, ldw, w16, acc, x, c, sw, wsum, sx, zx, bp, flags)
		return true
	}
	q8Tile(w == nr, kq4, &wq[0], ldw, &x[0], &c[0], &sw[0], &wsum[0], &sx[0], &zx[0], bp, flags, pf, pfw)
	return true
}

// q8BiasPtr returns the bias the int8 kernels take: bias's first value
// with kBias (bias then holds the tile's 12 rows), else zeroBias.
func q8BiasPtr(bias []float32, flags int) *float32 {
	if flags&kBias == 0 {
		return &zeroBias[0]
	}
	_ = bias[mrQ-1]
	return &bias[0]
}

// q8Tile runs q8TileAVX512 on operands its callers (q8Fast, tileQ8) have
// checked, on 32 tokens (wide) or 16, asking for pf's and pfw's lines
// as it runs unless they are empty (then for no line: c's and wq's own
// first lines stand in).
func q8Tile(wide bool, kq4 int, wq *int8, ldw int, x *uint8, c, sw *float32, wsum *int32, sx *float32, zx *int32, bias *float32, flags int, pf []float32, pfw []int8) {
	wi := 0
	if wide {
		wi = 1
	}
	pfp, pfLines := c, 0
	if len(pf) > 0 {
		pfp, pfLines = &pf[0], len(pf)/16
	}
	pfwp, pfwLines := wq, 0
	if len(pfw) > 0 {
		pfwp, pfwLines = &pfw[0], (len(pfw)+63)/64
	}
	q8TileAVX512(wi, kq4, wq, ldw, x, c, sw, wsum, sx, zx, bias, flags, pfp, pfLines, pfwp, pfwLines)
}

// tileQ8 runs the int8 micro-kernel (q8Kernel) on W micro-panel
// [r0, r0+12) and token panel jr into t [12][32] (the first 16 values of
// each row unless wide), with bias, flags and the regions pf and pfw to
// prefetch as q8Kernel takes them. Where that kernel is the AVX-512 VNNI
// tile it checks the operands itself, as q8Kernel does, and runs the
// tile on them: q8Kernel and q8Fast between them took 2–3% of the int8
// forward in their calls and checks of a tile's sixteen slices.
func (g *lowJob) tileQ8(ws *lowScratch, r0, jr int, wide bool, t, bias []float32, flags int, pf []float32, pfw []int8) {
	f, kp := g.f, g.kp
	if !hasAVX512 || !hasVNNI || kp == 0 {
		g.tileQ8Kernel(ws, r0, jr, wide, t, bias, flags, pf, pfw)
		return
	}
	w := 16
	if wide {
		w = nr
	}
	x0, s0, w0 := jr*kp*nr, jr*nr, r0*f.kp
	_, _, _ = f.q[w0+(mrQ-1)*f.kp+kp-1], g.xq[x0+kp*nr-1], t[(mrQ-1)*nr+w-1]
	_, _, _, _ = f.sw[r0+mrQ-1], f.sum[r0+mrQ-1], g.sx[s0+w-1], g.zx[s0+w-1]
	q8Tile(wide, kp/4, &f.q[w0], f.kp, &g.xq[x0], &t[0], &f.sw[r0], &f.sum[r0], &g.sx[s0], &g.zx[s0], q8BiasPtr(bias, flags), flags, pf, pfw)
}

func q8PanelFast(dst []uint8, src []float32, kq4 int, inv *[nr]float32, zx []int32) int {
	if !hasAVX2 || kq4 == 0 {
		return 0
	}
	_, _, _ = dst[kq4*4*nr-1], src[kq4*4*nr-1], zx[nr-1]
	if !hasAVX512 {
		q8PanelAVX2(&dst[0], &src[0], kq4, inv, &zx[0])
		return 4 * kq4
	}
	q8PanelAVX512(&dst[0], &src[0], kq4, inv, &zx[0])
	return 4 * kq4
}

func minMaxPanelFast(src []float32, k int, lo, hi *[nr]float32) int {
	if !hasAVX2 || k == 0 {
		return 0
	}
	_ = src[k*nr-1]
	if !hasAVX512 {
		minMaxPanelAVX2(&src[0], k, lo, hi)
		return k
	}
	minMaxPanelAVX512(&src[0], k, lo, hi)
	return k
}

func bf16PanelFast(dst, src []float32, pairs int) int {
	if !hasAVX2 || pairs == 0 {
		return 0
	}
	_, _ = dst[2*pairs*nr-1], src[2*pairs*nr-1]
	if !hasAVX512 {
		bf16PanelAVX2(&dst[0], &src[0], pairs)
		return 2 * pairs
	}
	bf16PanelAVX512(&dst[0], &src[0], pairs)
	return 2 * pairs
}

func bf16ExpandFast(dst []float32, src []uint16) int {
	n16 := len(dst) / 16
	if !hasAVX2 || n16 == 0 {
		return 0
	}
	_ = src[16*n16-1]
	if !hasAVX512 {
		bf16ExpandAVX2(&dst[0], &src[0], n16)
		return 16 * n16
	}
	bf16ExpandAVX512(&dst[0], &src[0], n16)
	return 16 * n16
}

// hasBF16: the CPU has AVX512_BF16 (VDPBF16PS), only measured (DotPeak).
var hasBF16 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BF16

// dpbf16AVX512 runs one VDPBF16PS (dpbf16Generic), encoded by hand.
//
//go:noescape
func dpbf16AVX512(acc *[16]float32, a, b *[32]uint16)

// dotLoopBF16 runs n rounds of 16 independent VDPBF16PS (1024 FLOP).
//
//go:noescape
func dotLoopBF16(n int)

// dotLoopVNNI runs n rounds of 16 independent VPDPBUSD (2048 OP).
//
//go:noescape
func dotLoopVNNI(n int)

// int8PeakName names the int8 loop dotRounds runs.
func int8PeakName() string {
	switch {
	case hasAVX512 && hasVNNI:
		return "VPDPBUSD loop"
	case hasAVX2 && hasAVXVNNI:
		return "AVX-VNNI VPDPBUSD ymm loop"
	}
	return "VPMADDWD+VPADDD ymm loop"
}

// dotRounds runs about n rounds of the VDPBF16PS or VPDPBUSD loop and
// returns the operations done, 0 when the CPU lacks the instruction.
func dotRounds(p Precision, n int) float64 {
	switch {
	case p == BF16 && hasBF16:
		dotLoopBF16(n)
		return 1024 * float64(n)
	case p == Int8 && hasAVX512 && hasVNNI:
		dotLoopVNNI(n)
		return 2048 * float64(n)
	case p == Int8 && hasAVX2 && hasAVXVNNI:
		dotLoopVNNI256(n)
		return 896 * float64(n)
	case p == Int8 && hasAVX2:
		dotLoopMADDWD(n)
		return 224 * float64(n)
	}
	return 0
}
