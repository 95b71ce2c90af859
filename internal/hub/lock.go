package hub

import (
	"context"
	"fmt"
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
