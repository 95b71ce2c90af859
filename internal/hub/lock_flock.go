//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package hub

import (
	"context"
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lockFile takes an exclusive flock on path (created if needed), the same
// kind of lock Python's filelock takes on the same file, so vit and
// huggingface_hub exclude each other too. It polls so that ctx can cancel
// the wait. The lock file is left in place on unlock, as filelock does:
// removing it would let a third process lock a fresh inode.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	return lockOpenFile(ctx, path, func(f *os.File) (bool, error) {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if errors.Is(err, unix.EWOULDBLOCK) || errors.Is(err, unix.EINTR) {
			return false, nil
		}
		return err == nil, err
	}, func(f *os.File) { unix.Flock(int(f.Fd()), unix.LOCK_UN) })
}
