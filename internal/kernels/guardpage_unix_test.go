//go:build linux || darwin

package kernels

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// atPageEnd returns a copy of x whose last value ends where an unmapped
// (PROT_NONE) page begins, so that a kernel reading past x faults instead
// of reading a neighbour's memory unnoticed; the memory is unmapped when
// the test ends.
func atPageEnd(t *testing.T, x []float32) []float32 {
	t.Helper()
	if len(x) == 0 {
		return x
	}
	page := unix.Getpagesize()
	n := len(x) * 4
	data := (n + page - 1) / page * page
	mem, err := unix.Mmap(-1, 0, data+page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	t.Cleanup(func() { unix.Munmap(mem) })
	if err := unix.Mprotect(mem[data:], unix.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	y := unsafe.Slice((*float32)(unsafe.Pointer(&mem[data-n])), len(x))
	copy(y, x)
	return y
}
