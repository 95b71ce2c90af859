//go:build unix

package classify

import (
	"io/fs"
	"syscall"
)

// fileID names a directory by device and inode.
type fileID struct{ dev, ino uint64 }

func fileIDOf(fi fs.FileInfo) (fileID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino)}, true
}
