package kernels

import (
	"slices"
	"strconv"
)

// The ways the int8 Linear runs (lowprec.go): AMX tiles where Linux
// grants them, else VPDPBUSD on zmm (AVX-512 VNNI, lowprec_amd64.s) or
// ymm registers (AVX-VNNI), else VPMADDWD on ymm (AVX2,
// lowprec_avx2_amd64.s), else the generic code. All give the same int32
// sums, so the same bits.

// Int8Kernels lists the int8 Linear kernels this process can run, the
// one it picks (Int8Kernel) last: "vpmaddwd", "avxvnni", "avx512vnni",
// "amx", or "generic" alone on a CPU without AVX2.
func Int8Kernels() []string {
	if !hasAVX2 {
		return []string{"generic"}
	}
	ks := []string{"vpmaddwd"}
	if hasAVXVNNI {
		ks = append(ks, "avxvnni")
	}
	if hasAVX512 && hasVNNI {
		ks = append(ks, "avx512vnni")
	}
	if amxUsable() {
		ks = append(ks, "amx")
	}
	return pickLast(ks, Int8Kernel())
}

// Int8Kernel names the kernel an int8 Linear runs on (Int8Kernels; "amx"
// also when some K is not a whole number of AMX steps and falls back).
func Int8Kernel() string {
	switch {
	case amxUsable():
		return "amx"
	case hasAVX512 && hasVNNI:
		return "avx512vnni"
	case hasAVX2 && hasAVXVNNI:
		return "avxvnni"
	case hasAVX2:
		return "vpmaddwd"
	}
	return "generic"
}

// SetInt8Kernel makes int8 Linear calls run on kernel name, one of
// Int8Kernels, and returns a func that restores the previous choice:
// every name but "amx" turns AMX off for every precision (bf16 and
// attention too), so benchmarks compare them on one CPU. It must not be
// called while a kernel runs (with AMX off, bf16 Linear calls may take
// the VDPBF16PS tile, which reads a bf16 form's pairs in the other
// order: pairOrder); another name panics.
func SetInt8Kernel(name string) (restore func()) {
	a, v, av := hasAMX, hasVNNI, hasAVXVNNI
	restore = func() { hasAMX, hasVNNI, hasAVXVNNI = a, v, av }
	if !slices.Contains(Int8Kernels(), name) {
		panic("kernels: SetInt8Kernel(" + strconv.Quote(name) + "): not one of this CPU's int8 kernels")
	}
	switch name {
	case "amx":
		return restore
	case "avx512vnni":
		hasAMX = false
	case "avxvnni":
		hasAMX, hasVNNI = false, false
	default:
		hasAMX, hasVNNI, hasAVXVNNI = false, false, false
	}
	return restore
}
