//go:build windows

package hub

import (
	"context"
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// lockFile takes an exclusive LockFileEx lock on path (created if needed),
// polling so that ctx can cancel the wait. The lock file is left in place.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	return lockOpenFile(ctx, path, func(f *os.File) (bool, error) {
		err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, new(windows.Overlapped))
		if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
			return false, nil
		}
		return err == nil, err
	}, func(f *os.File) { windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, new(windows.Overlapped)) })
}
