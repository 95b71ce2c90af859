//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd || windows)

package hub

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"
)

// staleLock is the age after which an O_EXCL lock file is taken to be left
// over by a crashed process and removed; a live holder refreshes its
// modification time every staleLock/4.
const staleLock = 2 * time.Minute

// lockFile takes an exclusive lock by creating path with O_EXCL, polling
// while another holder has it; unlock removes the file. Used where neither
// flock nor LockFileEx is available.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	err = pollLock(ctx, path, func() (bool, error) {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			f.Close()
			return true, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return false, err
		}
		if st, err := os.Stat(path); err == nil && time.Since(st.ModTime()) > staleLock {
			os.Remove(path) // taken at the next try
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(staleLock / 4)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				os.Chtimes(path, now, now)
			}
		}
	}()
	return func() { close(done); os.Remove(path) }, nil
}
