//go:build !unix

package classify

import "io/fs"

// fileID names a directory. Without device and inode numbers directories are
// not tracked; vit's supported platforms are all unix.
type fileID struct{}

func fileIDOf(fs.FileInfo) (fileID, bool) { return fileID{}, false }
