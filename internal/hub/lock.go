package hub

import (
	"context"
	"fmt"
	"os"
	"time"
)

// pollLock calls try until it takes the lock (true), fails (an error), or
// ctx ends, waiting between tries from 1 ms doubling up to 128 ms. Errors
// name path. Each platform's lockFile supplies try.
func pollLock(ctx context.Context, path string, try func() (bool, error)) error {
	wait := time.Millisecond
	for {
		ok, err := try()
		if err != nil {
			return fmt.Errorf("lock %s: %w", path, err)
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("lock %s: %w", path, ctx.Err())
		case <-time.After(wait):
		}
		if wait < 100*time.Millisecond {
			wait *= 2
		}
	}
}

// lockOpenFile opens path (created if needed) and polls try on it until
// it holds the lock, as pollLock does; unlock calls release and closes the
// file, which is left in place. The flock and LockFileEx lockFiles share it.
func lockOpenFile(ctx context.Context, path string, try func(*os.File) (bool, error), release func(*os.File)) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := pollLock(ctx, path, func() (bool, error) { return try(f) }); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		release(f)
		f.Close()
	}, nil
}
