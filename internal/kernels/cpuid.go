package kernels

// The caches as x86 CPUID reports them: the source cacheInfo reads where
// Linux's sysfs has no cache directories (some VMs). The decoding is pure
// Go over register values, so that it is tested on every platform.

// cpuidFunc is CPUID: the EAX, EBX, ECX and EDX it returns for EAX =
// leaf, ECX = subleaf.
type cpuidFunc func(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)

// CPUID leaves read by cpuidCaches.
const (
	leafCacheParams    = 0x4        // deterministic cache parameters (Intel; reserved, zero, on AMD)
	leafExtMax         = 0x80000000 // EAX: the largest extended leaf
	leafExtFeatures    = 0x80000001 // ECX bit 22: TopologyExtensions (leaf 0x8000001D)
	leafL1Legacy       = 0x80000005 // AMD: ECX the L1 data cache
	leafL2Legacy       = 0x80000006 // AMD and Intel: ECX[31:16] the L2 size in KiB
	leafExtCacheParams = 0x8000001D // AMD: leaf 4's format
	topoExtBit         = 1 << 22
)

// Bounds outside which a reported value is taken as nonsense and the
// next source asked: an L2 of 64 KiB to 64 MiB a core, an L1 of at most
// 4096 ways (a fully associative cache counts its lines as ways).
const (
	minL2Bytes = 64 << 10
	maxL2Bytes = 64 << 20
	maxL1Ways  = 4096
)

// cpuidCaches returns the L1 data cache's associativity and the L2's size
// as CPUID (through id) reports them, each 0 where it does not report
// it or reports nonsense. In order, each field from the first that has
// it:
//
//   - leaf 4 (deterministic cache parameters, Intel's; any vendor but
//     AMD and Hygon whose largest leaf, leaf 0's EAX, is at least 4),
//   - leaf 0x8000001D (the same format, AMD's, where leaf 0x80000000's
//     EAX reaches it and leaf 0x80000001 sets TopologyExtensions),
//   - AMD's legacy leaves: 0x80000005 ECX[23:16] the L1d ways (0xFF:
//     fully associative, its lines counted as ways), 0x80000006
//     ECX[31:16] the L2 in KiB.
func cpuidCaches(id cpuidFunc) cacheGeom {
	var c cacheGeom
	// Leaf 4 is reserved on AMD (and Hygon, its Zen licensee), yet some
	// hypervisors fill it on their guests with another CPU's caches
	// (QEMU's legacy machine types).
	maxLeaf, ebx, ecx, edx := id(0, 0)
	amd := ebx == 0x68747541 && edx == 0x69746e65 && ecx == 0x444d4163 || // "Auth" "enti" "cAMD"
		ebx == 0x6f677948 && edx == 0x6e65476e && ecx == 0x656e6975 // "Hygo" "nGen" "uine"
	if maxLeaf >= leafCacheParams && !amd {
		c = c.or(cacheParams(id, leafCacheParams))
	}
	maxExt, _, _, _ := id(leafExtMax, 0)
	if maxExt&0xffff0000 != leafExtMax { // no extended leaves
		return c
	}
	if maxExt >= leafExtCacheParams {
		if _, _, ecx, _ := id(leafExtFeatures, 0); ecx&topoExtBit != 0 {
			c = c.or(cacheParams(id, leafExtCacheParams))
		}
	}
	if maxExt >= leafL1Legacy && c.l1Ways == 0 {
		_, _, ecx, _ := id(leafL1Legacy, 0)
		kib, ways, line := int(ecx>>24), int(ecx>>16&0xff), int(ecx&0xff)
		if ways == 0xff && line > 0 {
			ways = kib << 10 / line
		}
		c = c.or(saneCaches(ways, 0))
	}
	if maxExt >= leafL2Legacy && c.l2Bytes == 0 {
		_, _, ecx, _ := id(leafL2Legacy, 0)
		c = c.or(saneCaches(0, int(ecx>>16)<<10))
	}
	return c
}

// cacheParams reads the L1d ways and the L2 size from leaf, in leaf 4's
// format: one cache a subleaf, until type 0, each with EAX[4:0] its type
// (1 data, 2 instruction, 3 unified), EAX[7:5] its level, EAX bit 9 set
// if fully associative, EBX[31:22] its ways, EBX[21:12] its partitions,
// EBX[11:0] its line size and ECX its sets, each minus one.
func cacheParams(id cpuidFunc, leaf uint32) cacheGeom {
	var c cacheGeom
	for sub := uint32(0); sub < 32; sub++ {
		eax, ebx, ecx, _ := id(leaf, sub)
		typ, level := eax&0x1f, eax>>5&7
		if typ == 0 {
			break
		}
		if typ != 1 && typ != 3 {
			continue
		}
		ways := int(ebx>>22) + 1
		parts := int(ebx>>12&0x3ff) + 1
		line := int(ebx&0xfff) + 1
		sets := int(ecx) + 1
		size := ways * parts * line * sets
		if eax&(1<<9) != 0 {
			ways *= parts * sets // all its lines
		}
		switch level {
		case 1:
			c = c.or(saneCaches(ways, 0))
		case 2:
			c = c.or(saneCaches(0, size))
		}
	}
	return c
}

// saneCaches is the cacheGeom of l1Ways and l2Bytes, each kept only within
// its bounds (0 otherwise).
func saneCaches(l1Ways, l2Bytes int) cacheGeom {
	if l1Ways < 1 || l1Ways > maxL1Ways {
		l1Ways = 0
	}
	if l2Bytes < minL2Bytes || l2Bytes > maxL2Bytes {
		l2Bytes = 0
	}
	return cacheGeom{l1Ways: l1Ways, l2Bytes: l2Bytes}
}
