//go:build unix

package model

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps the whole file read-only; the pages are shared with the
// OS page cache.
func mapFile(f *os.File, size int64) ([]byte, bool, error) {
	b, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

func unmapFile(b []byte) error { return unix.Munmap(b) }

// dropPages tells the kernel the process no longer needs the whole pages
// inside b (a sub-slice of a mapping), so they leave the resident set; they
// stay in the page cache.
func dropPages(b []byte) {
	if len(b) == 0 {
		return
	}
	ps := uintptr(os.Getpagesize())
	start := uintptrOf(b)
	end := start + uintptr(len(b))
	lo := (start + ps - 1) &^ (ps - 1)
	hi := end &^ (ps - 1)
	if hi <= lo {
		return
	}
	_ = unix.Madvise(b[lo-start:hi-start], unix.MADV_DONTNEED)
}
