package kernels

import "testing"

// fakeCPUID is a CPU's CPUID: the EAX, EBX, ECX, EDX of each leaf and
// subleaf listed, zeros for the others.
type fakeCPUID map[[2]uint32][4]uint32

func (f fakeCPUID) id(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32) {
	r := f[[2]uint32{leaf, subleaf}]
	return r[0], r[1], r[2], r[3]
}

// with returns f with the leaves of g added or replaced.
func (f fakeCPUID) with(g fakeCPUID) fakeCPUID {
	h := fakeCPUID{}
	for k, v := range f {
		h[k] = v
	}
	for k, v := range g {
		h[k] = v
	}
	return h
}

// zen5VM is the Zen 5 VM's CPUID: leaf 4 and 0x8000001D zero (though
// TopologyExtensions is set), the legacy leaves a 12-way 48 KiB L1d and
// a 1 MiB L2.
var zen5VM = fakeCPUID{
	{0, 0}:          {0xd, 0x68747541, 0x444d4163, 0x69746e65},
	{0x80000000, 0}: {0x80000021, 0x68747541, 0x444d4163, 0x69746e65},
	{0x80000001, 0}: {0x00b00f21, 0x40000000, 0x440001f1, 0x25d3fbff},
	{0x80000005, 0}: {0xff60ff40, 0xff60ff40, 0x300c0140, 0x20080140},
	{0x80000006, 0}: {0x40802040, 0x60804040, 0x04006140, 0x0fe09140},
}

// zen4 is a Zen 4's CPUID with leaf 0x8000001D: L1d 32 KiB 8-way, L1i,
// L2 1 MiB 8-way, L3 32 MiB 16-way; the legacy leaves say the same.
var zen4 = fakeCPUID{
	{0, 0}:          {0x10, 0x68747541, 0x444d4163, 0x69746e65},
	{0x80000000, 0}: {0x80000028, 0x68747541, 0x444d4163, 0x69746e65},
	{0x80000001, 0}: {0x00a60f12, 0, 0x75c237ff, 0x2fd3fbff},
	{0x8000001D, 0}: {0x00004121, 0x01c0003f, 63, 0},
	{0x8000001D, 1}: {0x00004122, 0x01c0003f, 63, 0},
	{0x8000001D, 2}: {0x00004143, 0x01c0003f, 2047, 0},
	{0x8000001D, 3}: {0x0001c163, 0x03c0003f, 32767, 1},
	{0x80000005, 0}: {0xff48ff40, 0xff48ff40, 0x20080140, 0x20080140},
	{0x80000006, 0}: {0x5c002200, 0x6c004200, 0x04006140, 0x01009140},
}

// sapphireRapids is an Intel Xeon's CPUID with leaf 4: L1d 48 KiB
// 12-way, L1i 32 KiB 8-way, L2 2 MiB 16-way, L3 105 MiB 15-way; its
// leaf 0x80000005 is zero and 0x80000006 gives the L2 in KiB.
var sapphireRapids = fakeCPUID{
	{0, 0}:          {0x20, 0x756e6547, 0x6c65746e, 0x49656e69},
	{4, 0}:          {0xfc004121, 0x02c0003f, 63, 0},
	{4, 1}:          {0xfc004122, 0x01c0003f, 63, 0},
	{4, 2}:          {0xfc01c143, 0x03c0003f, 2047, 0},
	{4, 3}:          {0xfc3fc163, 0x0380003f, 114687, 4},
	{0x80000000, 0}: {0x80000008, 0, 0, 0},
	{0x80000001, 0}: {0, 0, 0x121, 0x2c100800},
	{0x80000006, 0}: {0, 0, 0x08007040, 0},
}

// otherLeaf4 is a leaf 4 that a hypervisor might show an AMD guest: a
// 16-way L1d, an L1i and a 2 MiB L2.
var otherLeaf4 = fakeCPUID{
	{4, 0}: {0xfc004121, 0x03c0003f, 63, 0},
	{4, 1}: sapphireRapids[[2]uint32{4, 1}],
	{4, 2}: sapphireRapids[[2]uint32{4, 2}],
}

// TestCPUIDCaches checks the decoding of CPUID's cache leaves, and the
// fall through of each field to the next source (zen4Caches last) where
// a leaf is out of range, zero or nonsense.
func TestCPUIDCaches(t *testing.T) {
	for _, c := range []struct {
		name string
		cpu  fakeCPUID
		want cacheGeom // cpuidCaches'
	}{
		{"zen5 VM, legacy leaves", zen5VM, cacheGeom{12, 1 << 20}},
		{"zen4, leaf 0x8000001D", zen4, cacheGeom{8, 1 << 20}},
		{"zen4, 0x8000001D over the legacy leaves", zen4.with(fakeCPUID{
			{0x80000005, 0}: {0, 0, 0x300c0140, 0},
			{0x80000006, 0}: {0, 0, 0x08006140, 0},
		}), cacheGeom{8, 1 << 20}},
		{"zen4 without TopologyExtensions: legacy", zen4.with(fakeCPUID{
			{0x80000001, 0}: {0x00a60f12, 0, 0x75c237ff &^ (1 << 22), 0x2fd3fbff},
			{0x80000005, 0}: {0, 0, 0x300c0140, 0},
		}), cacheGeom{12, 1 << 20}},
		{"zen4, largest leaf 0x8000001C: legacy", zen4.with(fakeCPUID{
			{0x80000000, 0}: {0x8000001C, 0, 0, 0},
			{0x80000006, 0}: {0, 0, 0x08006140, 0},
		}), cacheGeom{8, 2 << 20}},
		{"sapphire rapids, leaf 4", sapphireRapids, cacheGeom{12, 2 << 20}},
		{"leaf 4 over the legacy leaves", sapphireRapids.with(fakeCPUID{
			{0x80000005, 0}: {0, 0, 0x30080140, 0},
			{0x80000006, 0}: {0, 0, 0x04006140, 0},
		}), cacheGeom{12, 2 << 20}},
		{"largest leaf 3: no leaf 4", sapphireRapids.with(fakeCPUID{
			{0, 0}: {3, 0x756e6547, 0x6c65746e, 0x49656e69},
		}), cacheGeom{0, 2 << 20}},
		{"leaf 4 without an L2: legacy", sapphireRapids.with(fakeCPUID{
			{4, 2}: {0, 0, 0, 0},
		}), cacheGeom{12, 2 << 20}},
		{"leaf 4's L1d fully associative", sapphireRapids.with(fakeCPUID{
			{4, 0}: {0xfc004321, 0x02c0003f, 63, 0},
		}), cacheGeom{12 * 64, 2 << 20}},
		{"leaf 4's L2 fully associative: its size once", sapphireRapids.with(fakeCPUID{
			{4, 2}: {0xfc01c343, 0x03c0003f, 1023, 0},
		}), cacheGeom{12, 1 << 20}},
		{"AMD: leaf 4 ignored (a hypervisor's other CPU)", zen5VM.with(otherLeaf4), cacheGeom{12, 1 << 20}},
		{"Hygon: leaf 4 ignored", zen5VM.with(otherLeaf4).with(fakeCPUID{
			{0, 0}: {0xd, 0x6f677948, 0x656e6975, 0x6e65476e},
		}), cacheGeom{12, 1 << 20}},
		{"another vendor: leaf 4 read", zen5VM.with(otherLeaf4).with(fakeCPUID{
			{0, 0}: {0xd, 0x6f677948, 0x656e6975, 0x6e65476f},
		}), cacheGeom{16, 2 << 20}},
		{"all zeros", fakeCPUID{}, cacheGeom{}},
		{"zero cache leaves", zen5VM.with(fakeCPUID{
			{0x80000005, 0}: {},
			{0x80000006, 0}: {},
		}), cacheGeom{}},
		{"legacy L1d 0xFF ways: fully associative", zen5VM.with(fakeCPUID{
			{0x80000005, 0}: {0, 0, 0x30ff0140, 0},
		}), cacheGeom{768, 1 << 20}},
		{"legacy L2 of 1 KiB, L1d of 0 ways", zen5VM.with(fakeCPUID{
			{0x80000005, 0}: {0, 0, 0x30000140, 0},
			{0x80000006, 0}: {0, 0, 0x00016140, 0},
		}), cacheGeom{}},
		{"largest extended leaf 0x80000004", zen5VM.with(fakeCPUID{
			{0x80000000, 0}: {0x80000004, 0, 0, 0},
		}), cacheGeom{}},
		{"largest extended leaf 0x80000005", zen5VM.with(fakeCPUID{
			{0x80000000, 0}: {0x80000005, 0, 0, 0},
		}), cacheGeom{12, 0}},
		{"largest extended leaf not one", zen5VM.with(fakeCPUID{
			{0x80000000, 0}: {0xffffffff, 0, 0, 0},
		}), cacheGeom{}},
	} {
		got := cpuidCaches(c.cpu.id)
		if got != c.want {
			t.Errorf("%s: cpuidCaches = %+v, want %+v", c.name, got, c.want)
		}
		full := got.or(zen4Caches)
		for _, f := range []struct{ got, zero, fall int }{{full.l1Ways, c.want.l1Ways, zen4Caches.l1Ways}, {full.l2Bytes, c.want.l2Bytes, zen4Caches.l2Bytes}} {
			if f.zero == 0 && f.got != f.fall {
				t.Errorf("%s: with zen4Caches %+v, want Zen 4's fields where CPUID has none", c.name, full)
			}
		}
	}
	// The Zen 5 VM copies aliased W micro-panels; Zen 4 reads 8 rows in
	// place.
	if got := aliasedInPlace(mr512, cpuidCaches(zen5VM.id).or(zen4Caches)); got != 0 {
		t.Errorf("Zen 5 VM: aliasedInPlace = %d, want 0 (copy)", got)
	}
	if got := aliasedInPlace(mr512, cpuidCaches(zen4.id).or(zen4Caches)); got != 8 {
		t.Errorf("Zen 4: aliasedInPlace = %d, want 8", got)
	}
}

// TestCacheGeomOr checks that or takes each field from the first source
// that knows it.
func TestCacheGeomOr(t *testing.T) {
	for _, c := range []struct{ a, b, want cacheGeom }{
		{cacheGeom{12, 0}, cacheGeom{8, 1 << 20}, cacheGeom{12, 1 << 20}},
		{cacheGeom{0, 2 << 20}, cacheGeom{8, 1 << 20}, cacheGeom{8, 2 << 20}},
		{cacheGeom{}, cacheGeom{8, 1 << 20}, cacheGeom{8, 1 << 20}},
		{cacheGeom{12, 2 << 20}, cacheGeom{8, 1 << 20}, cacheGeom{12, 2 << 20}},
	} {
		if got := c.a.or(c.b); got != c.want {
			t.Errorf("%+v.or(%+v) = %+v, want %+v", c.a, c.b, got, c.want)
		}
	}
}
