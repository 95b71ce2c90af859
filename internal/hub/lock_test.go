package hub

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestLockFile checks that a held lock makes a second taker wait until its
// context ends, and that the lock is free again after unlock.
func TestLockFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	unlock, err := lockFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if u, err := lockFile(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		if u != nil {
			u()
		}
		t.Fatalf("second lock while held: %v, want the context's deadline", err)
	}
	unlock()
	u, err := lockFile(context.Background(), path)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	u()
}
