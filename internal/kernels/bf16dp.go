package kernels

import (
	"slices"
	"strconv"
)

// The three ways the bf16 Linear runs on amd64 (lowprec.go): AMX tiles
// where Linux grants them, else the VDPBF16PS tile on AMD CPUs with
// AVX512_BF16 (bf16dp_amd64.go), else the float32 FMA kernels on W
// expanded per K block.

// mrDP is Mr of the VDPBF16PS tile (bf16dp_amd64.go).
const mrDP = 12

// dpCopiesW reports whether the VDPBF16PS tile reads W's K blocks from a
// padded copy (blockDP) rather than in place: when W's bf16 rows (row
// stride kp) lie a multiple of 4 KiB apart, so that the K blocks of a
// micro-panel's 12 rows all fall in the same L1 sets, and the L1 has
// fewer ways than those rows (Zen 4's 8). With 12 ways in place is
// faster, unlike the float32 kernels' larger tiles (aliasedInPlace):
// ViT-L's fc2 (K = 4096, N = 1024, 4 calls) in place against copied, CPU
// time, pass by pass in one process: Zen 5 −4.0% at batch 1 (120 pairs)
// and −2.2% at batch 8 (40 pairs); an Emerald Rapids Xeon −4…−5%.
// aliasedMr512 ≥ 0 (tests, benchmarks) stands for the ways: 0 copies.
func dpCopiesW(kp int) bool {
	ways := aliasedMr512
	if ways < 0 {
		ways = caches().l1Ways
	}
	return kp%2048 == 0 && ways < mrDP
}

// blockDP's prefetches and the order of its tasks; variables for
// benchmarks (VIT_DPPFW=0, VIT_DPPFX=0, VIT_DPPFC=0 and VIT_DPXMAJOR=0
// turn them off).
var (
	// dpPrefetchW: each micro-panel's tiles prefetch the next one's W.
	dpPrefetchW = true
	// dpPrefetchX: in a pass's first micro-panel each tile prefetches
	// the next token panel.
	dpPrefetchX = true
	// dpPrefetchC: a tile that adds its earlier values (kLoad)
	// prefetches them at its start.
	dpPrefetchC = true
	// dpXMajor: a VDPBF16PS call's tasks run token block by token block
	// (the W blocks of one, then of the next), so a worker's next task
	// mostly reads the token panels it has in L2.
	dpXMajor = true
)

// BF16Kernels lists the bf16 Linear kernels this process can run:
// "fma" (W expanded to float32 for the FMA kernels), "dpbf16" (VDPBF16PS,
// with AVX512_BF16, whatever the vendor) and "amx", the one it picks
// (BF16Kernel) last.
func BF16Kernels() []string {
	ks := []string{"fma"}
	if hasAVX512 && hasBF16 {
		ks = append(ks, "dpbf16")
	}
	if amxUsable() {
		ks = append(ks, "amx")
	}
	return pickLast(ks, BF16Kernel())
}

// BF16Kernel names the kernel a bf16 Linear runs on (BF16Kernels; "amx"
// also when some K is not a whole number of AMX steps and falls back).
func BF16Kernel() string {
	switch {
	case amxUsable():
		return "amx"
	case dpFits(currentISA()):
		return "dpbf16"
	}
	return "fma"
}

// SetBF16Kernel makes bf16 Linear calls run on kernel name, one of
// BF16Kernels, and returns a func that restores the previous choice:
// "fma" and "dpbf16" turn AMX off for every precision (int8 and attention
// too), so benchmarks compare them on one CPU. It must not be called
// while a kernel runs (the kernel sets the order of a bf16 form's pairs:
// pairOrder); another name panics.
func SetBF16Kernel(name string) (restore func()) {
	a, d := hasAMX, hasDPBF16
	restore = func() { hasAMX, hasDPBF16 = a, d }
	if !slices.Contains(BF16Kernels(), name) {
		panic("kernels: SetBF16Kernel(" + strconv.Quote(name) + "): not one of this CPU's bf16 kernels")
	}
	hasAMX = name == "amx"
	hasDPBF16 = name == "dpbf16"
	return restore
}

// pickLast returns the kernel names ks with pick, the one in use, moved
// to the end (appended if ks lacks it).
func pickLast(ks []string, pick string) []string {
	return append(slices.DeleteFunc(ks, func(k string) bool { return k == pick }), pick)
}
