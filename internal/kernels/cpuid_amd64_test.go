//go:build amd64 && gc && !purego

package kernels

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCPUIDCachesSysfs checks CPUID's caches against Linux's, where sysfs
// reports them: each field CPUID reports is that of some CPU's sysfs
// (any CPU's: the test may run on a core of another kind than cpu0's).
// It skips where sysfs has no cache directories.
func TestCPUIDCachesSysfs(t *testing.T) {
	got := cpuidCaches(cpuid)
	dirs, _ := filepath.Glob("/sys/devices/system/cpu/cpu[0-9]*/cache")
	var l1, l2 bool // some CPU's sysfs has the field
	ways, l2Bytes := map[int]bool{}, map[int]bool{}
	for _, d := range dirs {
		s := sysfsCaches(d)
		if s.l1Ways != 0 {
			l1, ways[s.l1Ways] = true, true
		}
		if s.l2Bytes != 0 {
			l2, l2Bytes[s.l2Bytes] = true, true
		}
	}
	if !l1 && !l2 {
		t.Skipf("sysfs reports no caches; CPUID: %+v", got)
	}
	if l1 && !ways[got.l1Ways] {
		t.Errorf("CPUID: L1d %d ways, sysfs: %v", got.l1Ways, ways)
	}
	if l2 && !l2Bytes[got.l2Bytes] {
		t.Errorf("CPUID: L2 %d KiB, sysfs: %v (bytes)", got.l2Bytes>>10, l2Bytes)
	}
}

// TestSysfsCaches checks sysfsCaches on made-up cache directories: a
// Zen 5's, one without index2, and one whose index0 is not the L1d.
func TestSysfsCaches(t *testing.T) {
	for _, c := range []struct {
		files map[string]string // index*/name → contents
		want  cacheGeom
	}{
		{map[string]string{"index0/level": "1", "index0/type": "Data", "index0/ways_of_associativity": "12",
			"index1/level": "1", "index1/type": "Instruction", "index2/level": "2", "index2/size": "1024K\n"}, cacheGeom{12, 1 << 20}},
		{map[string]string{"index0/level": "1", "index0/type": "Data", "index0/ways_of_associativity": "8\n"}, cacheGeom{8, 0}},
		{map[string]string{"index0/level": "1", "index0/type": "Instruction", "index0/ways_of_associativity": "8",
			"index2/level": "2", "index2/size": "2048K"}, cacheGeom{0, 2 << 20}},
		{nil, cacheGeom{}},
	} {
		dir := t.TempDir()
		for name, v := range c.files {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(v), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if got := sysfsCaches(dir); got != c.want {
			t.Errorf("%v: sysfsCaches = %+v, want %+v", c.files, got, c.want)
		}
	}
}
