//go:build !unix

package model

import (
	"io"
	"os"
)

// mapFile reads the whole file: there is no mmap on this platform.
func mapFile(f *os.File, size int64) ([]byte, bool, error) {
	b := make([]byte, size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, false, err
	}
	return b, false, nil
}

func unmapFile(b []byte) error { return nil }

func dropPages(b []byte) {}
